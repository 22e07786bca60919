import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { loadGenerator, loadNetworkParams } from "../../lib/model/network_files.ts";
import { readVerified } from "../../lib/base/checksummed_folder.ts";
import type { EncoderSpec } from "../../lib/model/encoder.ts";
import { exportModel, trainCommand } from "../../lib/train/export.ts";
import { resolveModel } from "../../lib/model/source.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { resolveTrainConfig } from "../../lib/train/config.ts";
import { tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("trainCommand: the non-default settings as flags", () => {
  assertEquals(
    trainCommand(resolveTrainConfig({ run: "x", width: 16, gan: false, discChannels: [4, 8, 8] })),
    "deno task train --run x --width 16 --disc-channels 4,8,8 --no-gan",
  );
});

Deno.test("exportModel: generator + encoder + records, checksummed; usable with --model", async () => {
  await using tmp = await tempDir();
  const run = await train(await prepareRun(tinyConfig(tmp.path, { run: "r", steps: 2 })));
  await Deno.writeTextFile(join(run.paths.dir, "eval.json"), '{"fd": 1}\n');
  const dest = join(tmp.path, "model");
  const { record } = await exportModel(run.paths, dest);
  const names = [...Deno.readDirSync(dest)].map((e) => e.name).sort();
  assertEquals(names, [
    "checksums.sha256",
    "config.json",
    "encoder.bin",
    "encoder.json",
    "eval.json",
    "generator.bin",
    "generator.json",
    "model.json",
    "state.json",
  ]);
  assertEquals((await readVerified(dest)).size, 8); // every file but the listing is checksummed
  assertEquals([record.step, record.run], [2, "r"]);
  assert(record.training_time_s >= 0);
  assertStringIncludes(record.command, "deno task train --run r --steps 2 --batch 4 --z-dim 4");
  // the exported weights are the checkpoint's moving averages
  assertEquals(record.weights, "ema");
  const ema = await readVerified(run.paths.checkpoint, ["generator.ema.bin"]);
  assertEquals(await Deno.readFile(join(dest, "generator.bin")), ema.get("generator.ema.bin"));
  assertEquals(
    (await loadGenerator(dest)).values,
    (await loadGenerator(run.paths.checkpoint)).values,
  );
  assertEquals((await loadNetworkParams<EncoderSpec>(dest, "encoder")).spec.zDim, 4);
  const source = await resolveModel({ model: dest, out: tmp.path });
  assertEquals([source.kind, source.step], ["model", 2]);
  // exporting again replaces an exported model; anything else needs --force
  await exportModel(run.paths, dest);
  const other = join(tmp.path, "other");
  await Deno.mkdir(other);
  await Deno.writeTextFile(join(other, "notes.txt"), "mine");
  await assertRejects(() => exportModel(run.paths, other), Error, "is not a model folder");
  assertEquals(await Deno.readTextFile(join(other, "notes.txt")), "mine");
});

Deno.test("exportModel: never replaces a folder holding files it did not write, even with force", async () => {
  await using tmp = await tempDir();
  const run = await train(await prepareRun(tinyConfig(tmp.path, { run: "r", steps: 1 })));
  // a TensorFlow.js model folder: it has a model.json too
  const tfjs = join(tmp.path, "tfjs");
  await Deno.mkdir(tfjs);
  await Deno.writeTextFile(join(tfjs, "model.json"), '{"modelTopology": {}}');
  await Deno.writeFile(join(tfjs, "group1-shard1of1.bin"), new Uint8Array([1, 2, 3]));
  for (const force of [false, true]) {
    await assertRejects(() => exportModel(run.paths, tfjs, force), Error, "is not a model folder");
  }
  assertEquals(await Deno.readFile(join(tfjs, "group1-shard1of1.bin")), new Uint8Array([1, 2, 3]));
  // an export with a file added by hand
  const dest = join(tmp.path, "model");
  await exportModel(run.paths, dest);
  await Deno.writeTextFile(join(dest, "notes.txt"), "mine");
  await assertRejects(() => exportModel(run.paths, dest, true), Error, 'holds "notes.txt"');
  assertEquals(await Deno.readTextFile(join(dest, "notes.txt")), "mine");
  await Deno.remove(join(dest, "notes.txt"));
  // an export whose files were changed: only with force
  await Deno.writeTextFile(join(dest, "config.json"), "{}\n");
  await assertRejects(() => exportModel(run.paths, dest), Error, "pass --force");
  await exportModel(run.paths, dest, true);
  assertEquals((await readVerified(dest)).size, 7);
  // the swap folders next to the destination are not deleted either
  await Deno.mkdir(`${dest}.prev`);
  await Deno.writeTextFile(join(`${dest}.prev`, "keep.txt"), "mine");
  await assertRejects(() => exportModel(run.paths, dest), Error, "model.prev");
  assertEquals(await Deno.readTextFile(join(`${dest}.prev`, "keep.txt")), "mine");
  // an empty folder is fine
  const empty = join(tmp.path, "empty");
  await Deno.mkdir(empty);
  await exportModel(run.paths, empty);
  assert(await Deno.stat(join(empty, "model.json")));
});
