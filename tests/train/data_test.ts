import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { FlagError } from "../../lib/base/flags.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { resumeConfig, TRAIN_DEFAULTS, type TrainConfig } from "../../lib/train/config.ts";
import { tempDir, tinyConfig, useWasm, writePictures } from "../_helpers.ts";

await useWasm();

Deno.test("train --data DIR: a colour model from a folder of PNGs; the run keeps its size and channels", async () => {
  await using tmp = await tempDir();
  const pictures = join(tmp.path, "pictures");
  await writePictures(pictures, 8);
  const options = tinyConfig(tmp.path, {
    run: "colour",
    data: pictures,
    size: 16,
    steps: 2,
    discChannels: [4, 4],
  });
  const outcome = await train(await prepareRun(options));
  assertEquals([outcome.step, outcome.config.channels], [2, 3]);
  const saved = JSON.parse(await Deno.readTextFile(outcome.paths.config)) as TrainConfig;
  assertEquals([saved.channels, saved.size, saved.fit], [3, 16, "crop"]);
  const net = await loadGenerator(outcome.paths.checkpoint);
  assertEquals([net.spec.channels, net.spec.size], [3, 16]);
  // the sample grid is in colour
  const grid = join(outcome.paths.samples, "step-000002.png");
  assertEquals((await sharp(grid).metadata()).channels, 3);
  // resuming keeps them; changing them is refused
  await assertRejects(
    () => prepareRun({ out: tmp.path, run: "colour", resume: true, channels: 1 }),
    FlagError,
    "--channels cannot change on --resume",
  );
  await assertRejects(
    () => prepareRun({ out: tmp.path, run: "colour", resume: true, size: 20 }),
    FlagError,
    "--size cannot change on --resume",
  );
  const resumed = await train(
    await prepareRun({ out: tmp.path, run: "colour", resume: true, steps: 3 }),
  );
  assertEquals([resumed.step, resumed.config.channels], [3, 3]);
});

Deno.test("Runs saved before colour existed resume as greyscale", () => {
  const old = { ...TRAIN_DEFAULTS, run: "old" } as Partial<TrainConfig>;
  delete old.channels;
  delete old.fit;
  const config = resumeConfig(old as TrainConfig, {});
  assertEquals([config.channels, config.fit], [1, "crop"]);
  assert(config.resume);
});

Deno.test("train --data DIR: a folder without pictures is a clear error before any run is made", async () => {
  await using tmp = await tempDir();
  await Deno.mkdir(join(tmp.path, "empty"));
  await assertRejects(
    async () =>
      await train(
        await prepareRun(tinyConfig(tmp.path, { run: "x", data: join(tmp.path, "empty") })),
      ),
    Error,
    "no PNG, JPEG, WebP or SVG files in it (it is empty)",
  );
});
