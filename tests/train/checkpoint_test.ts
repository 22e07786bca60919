import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { loadEma, restoreCheckpoint, saveCheckpoint } from "../../lib/train/checkpoint.ts";
import {
  loadGenerator,
  loadNetworkParams,
  type TrainingState,
} from "../../lib/model/network_files.ts";
import { locateCheckpoint } from "../../lib/base/checksummed_folder.ts";
import { initModel, type Model, modelSpec, vaeParams } from "../../lib/model/model.ts";
import { countParams, flatten } from "../../lib/model/params.ts";
import { Ema } from "../../lib/train/ema.ts";
import { createOptimizers } from "../../lib/train/step.ts";
import { tempDir, useWasm } from "../_helpers.ts";

await useWasm();

const SETTINGS = {
  zDim: 4,
  width: 8,
  depth: 3,
  scale: 8,
  size: 26,
  encoderWidth: 16,
  discChannels: [4, 4, 4],
};
const LRS = { lrG: 0.005, lrVae: 0.001, lrD: 0.001, beta1: 0.65 };
const STATE: TrainingState = { step: 7, epoch: 1, rng: [1, 2, 3, 4294967295], elapsedMs: 12.5 };

async function allValues(model: Model): Promise<Float32Array> {
  return await flatten([
    ...Object.values(model.gen),
    ...Object.values(model.enc),
    ...Object.values(model.disc),
  ]);
}

Deno.test("checkpoint: round trip is bit-exact (weights, optimiser state, counters)", async () => {
  await using dir = await tempDir();
  const ckpt = join(dir.path, "checkpoint");
  const a = initModel(modelSpec(SETTINGS), 1);
  const optsA = createOptimizers(a, LRS);
  // give the optimisers some state
  const discWeights = await flatten(Object.values(a.disc));
  const ones = new Float32Array(discWeights.length).fill(1);
  optsA.d.update(discWeights, ones);
  optsA.d.update(discWeights, ones);
  optsA.vae.update(
    await flatten(Object.values(vaeParams(a))),
    new Float32Array(optsA.vae.m.length).fill(0.5),
  );
  await saveCheckpoint(ckpt, a, optsA, STATE);

  const b = initModel(modelSpec(SETTINGS), 2);
  const optsB = createOptimizers(b, LRS);
  const state = await restoreCheckpoint(ckpt, b, optsB);
  assertEquals(state, STATE);
  assertEquals(await allValues(b), await allValues(a));
  assertEquals([optsB.d.step, optsB.vae.step, optsB.g.step], [2, 1, 0]);
  assertEquals(optsB.d.v, optsA.d.v);
  assertEquals(optsB.vae.m, optsA.vae.m);
  assert(optsB.vae.m.some((x) => x !== 0));
  const gen = await loadGenerator(ckpt);
  assertEquals(gen.spec, a.spec.generator);
  assertEquals(gen.values, await flatten(Object.values(a.gen)));
  // no temporary folders left behind
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["checkpoint"]);
});

Deno.test("checkpoint: a changed or truncated file is refused with a clear error", async () => {
  await using dir = await tempDir();
  const ckpt = join(dir.path, "checkpoint");
  const model = initModel(modelSpec(SETTINGS), 1);
  const opts = createOptimizers(model, LRS);
  await saveCheckpoint(ckpt, model, opts, STATE);
  const bin = join(ckpt, "generator.bin");
  const bytes = await Deno.readFile(bin);
  bytes[10] ^= 1;
  await Deno.writeFile(bin, bytes);
  await assertRejects(
    () => restoreCheckpoint(ckpt, model, opts),
    Error,
    `Cannot read checkpoint "${ckpt}": generator.bin does not match its checksum`,
  );
  await Deno.writeFile(bin, bytes.subarray(0, 100));
  await assertRejects(() => loadGenerator(ckpt), Error, "does not match its checksum");
  await saveCheckpoint(ckpt, model, opts, STATE);
  await Deno.remove(join(ckpt, "encoder.bin"));
  await assertRejects(() => restoreCheckpoint(ckpt, model, opts), Error, "encoder.bin is missing");
  await assertRejects(() => loadGenerator(join(dir.path, "none")), Error, "no such folder");
});

Deno.test("checkpoint: an architecture mismatch is refused", async () => {
  await using dir = await tempDir();
  const ckpt = join(dir.path, "checkpoint");
  const small = initModel(modelSpec(SETTINGS), 1);
  await saveCheckpoint(ckpt, small, createOptimizers(small, LRS), STATE);
  const wide = initModel(modelSpec({ ...SETTINGS, width: 9 }), 1);
  await assertRejects(
    () => restoreCheckpoint(ckpt, wide, createOptimizers(wide, LRS)),
    Error,
    "does not match the architecture",
  );
});

Deno.test("checkpoint: a save interrupted between its renames is still found", async () => {
  await using dir = await tempDir();
  const ckpt = join(dir.path, "checkpoint");
  const model = initModel(modelSpec(SETTINGS), 1);
  await saveCheckpoint(ckpt, model, createOptimizers(model, LRS), STATE);
  await Deno.rename(ckpt, `${ckpt}.prev`); // the moment between the two renames
  assertEquals(await locateCheckpoint(ckpt), `${ckpt}.prev`);
  assertEquals((await loadGenerator(ckpt)).spec.width, 8);
  // the next save completes normally and cleans up
  await saveCheckpoint(ckpt, model, createOptimizers(model, LRS), STATE);
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), ["checkpoint"]);
});

Deno.test("checkpoint: moving averages are saved, read back, and preferred by every reader but resume", async () => {
  await using dir = await tempDir();
  const ckpt = join(dir.path, "checkpoint");
  const model = initModel(modelSpec(SETTINGS), 1);
  const raw = await flatten(Object.values(vaeParams(model)));
  const ema = new Ema(raw.map((v) => v + 1), 0.99, 42);
  await saveCheckpoint(ckpt, model, createOptimizers(model, LRS), STATE, undefined, ema);

  const back = await loadEma(ckpt);
  assertEquals(back?.updates, 42);
  assertEquals(back?.values, ema.values);
  const encSize = countParams(model.enc);
  // readers (render, eval, export) get the averages ...
  assertEquals((await loadGenerator(ckpt)).values, ema.values.subarray(encSize));
  const enc = await loadNetworkParams(ckpt, "encoder");
  assertEquals(await flatten(Object.values(enc.params)), ema.values.subarray(0, encSize));
  // ... and resume gets the raw weights
  const other = initModel(modelSpec(SETTINGS), 2);
  await restoreCheckpoint(ckpt, other, createOptimizers(other, LRS));
  assertEquals(await flatten(Object.values(vaeParams(other))), raw);
  // a checkpoint without averages has none
  await saveCheckpoint(ckpt, model, null, STATE);
  assertEquals(await loadEma(ckpt), null);
  assertEquals((await loadGenerator(ckpt)).values, raw.subarray(encSize));
});
