import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { FlagError } from "../../lib/base/flags.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { resumeConfig, TRAIN_DEFAULTS, type TrainConfig } from "../../lib/train/config.ts";
import type { QualityEntry } from "../../lib/train/quality.ts";
import { evaluatePictureModel } from "../../lib/eval/evaluate.ts";
import { EVAL_DEFAULTS } from "../../lib/eval/config.ts";
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

Deno.test("train --data DIR --eval-every: FD of the samples against the held-out pictures, as deno task eval measures it", async () => {
  await using tmp = await tempDir();
  const pictures = join(tmp.path, "pictures");
  // 20 pictures: 2 held out (the 10th and 20th), 18 trained on
  await writePictures(pictures, 20);
  const outcome = await train(
    await prepareRun(tinyConfig(tmp.path, {
      run: "q",
      data: pictures,
      size: 16,
      steps: 2,
      discChannels: [4, 4],
      evalEvery: 2,
      evalSamples: 24,
    })),
  );
  const lines = (await Deno.readTextFile(outcome.paths.quality)).trim().split("\n");
  assertEquals(lines.length, 1);
  const entry = JSON.parse(lines[0]) as QualityEntry;
  assertEquals(entry.step, 2);
  assert(entry.fd > 0 && Number.isFinite(entry.fd), `fd ${entry.fd}`);
  assert(entry.fd_floor! > 0 && entry.fd_floor! < entry.fd, `floor ${entry.fd_floor}`);
  assert(entry.reconstruction > 0 && entry.time_s > 0);
  assertEquals([entry.coverage, entry.confident], [undefined, undefined], "no digit numbers");
  // the same numbers as deno task eval's measurement of the saved checkpoint
  const { report } = await evaluatePictureModel({
    checkpoint: outcome.paths.checkpoint,
    samples: 24,
    seed: EVAL_DEFAULTS.seed,
    data: { data: pictures, size: 16, fit: "crop", channels: 3 },
  });
  assertEquals([report.test_images, report.train_images], [2, 18]);
  assertEquals(
    [entry.fd, entry.fd_floor, entry.reconstruction],
    [report.fd, report.fd_floor, report.reconstruction],
  );
  const chart = await sharp(outcome.paths.qualityChart).metadata();
  assertEquals(chart.width, 900);
});

Deno.test("train --eval-every on IDX data at another size than 26 is refused before training", async () => {
  await using tmp = await tempDir();
  await assertRejects(
    async () =>
      await train(
        await prepareRun(tinyConfig(tmp.path, { run: "x", size: 20, steps: 2, evalEvery: 2 })),
      ),
    FlagError,
    "--eval-every measures IDX data with the MNIST classifier, which takes 26x26 digits",
  );
});
