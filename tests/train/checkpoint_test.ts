import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { loadEma, restoreCheckpoint, saveCheckpoint } from "../../lib/train/checkpoint.ts";
import {
  loadGenerator,
  loadNetworkParams,
  loadState,
  type TrainingState,
} from "../../lib/model/network_files.ts";
import { addChecksums, locateCheckpoint, readVerified } from "../../lib/base/checksummed_folder.ts";
import { initModel, type Model, modelSpec, vaeParams } from "../../lib/model/model.ts";
import { countParams, flatten } from "../../lib/model/params.ts";
import { Ema } from "../../lib/train/ema.ts";
import { createOptimizers } from "../../lib/train/step.ts";
import { tempDir, TINY_SETTINGS, useWasm } from "../_helpers.ts";

await useWasm();

const SETTINGS = TINY_SETTINGS;
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

Deno.test("checkpoint: a run adds a class head on resume: saved weights and moments kept, the head fresh", async () => {
  await using dir = await tempDir();
  const ckpt = join(dir.path, "checkpoint");
  const plain = initModel(modelSpec(SETTINGS), 1);
  const opts = createOptimizers(plain, LRS);
  const discWeights = await flatten(Object.values(plain.disc));
  opts.d.update(discWeights, new Float32Array(discWeights.length).fill(1));
  await saveCheckpoint(ckpt, plain, opts, STATE);

  const headed = initModel(modelSpec({ ...SETTINGS, classWeight: 1 }), 2);
  const fresh = await flatten([headed.disc.wc, headed.disc.bc]);
  const headedOpts = createOptimizers(headed, LRS);
  assertEquals(await restoreCheckpoint(ckpt, headed, headedOpts), STATE);
  const restored = await flatten(Object.values(headed.disc));
  const n = discWeights.length;
  assertEquals(restored.subarray(0, n), await flatten(Object.values(plain.disc)));
  assertEquals(restored.subarray(n), fresh);
  assertEquals(headedOpts.d.m.subarray(0, n), opts.d.m);
  assert(headedOpts.d.m.subarray(n).every((x) => x === 0));
  assertEquals(headedOpts.d.step, 1);
  // a checkpoint with a head does not go back into a model without one
  await saveCheckpoint(ckpt, headed, headedOpts, STATE);
  await assertRejects(
    () => restoreCheckpoint(ckpt, plain, createOptimizers(plain, LRS)),
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

/** Replaces file `name` of checkpoint `dir` and lists its new checksum: only the contents are bad. */
async function rewrite(dir: string, name: string, edit: (text: string) => string): Promise<void> {
  await Deno.writeTextFile(join(dir, name), edit(await Deno.readTextFile(join(dir, name))));
  await addChecksums(dir, [name]);
}

Deno.test("checkpoint: valid checksums but bad contents are refused with a clear message", async () => {
  await using tmp = await tempDir();
  const model = initModel(modelSpec(SETTINGS), 1);
  const opts = createOptimizers(model, LRS);
  const json = (edit: (v: Record<string, unknown>) => void) => (text: string) => {
    const value = JSON.parse(text);
    edit(value);
    return JSON.stringify(value);
  };
  const cases: [string, (text: string) => string, string][] = [
    ["generator.json", json((v) => ((v.spec as Record<string, number>).zDim = 0)), "zDim 0"],
    ["generator.json", json((v) => ((v.spec as Record<string, number>).scale = 1e308)), "scale"],
    ["generator.json", json((v) => ((v.spec as Record<string, unknown>).width = "8")), 'width "8"'],
    ["generator.json", json((v) => (v.tensors = 5)), "tensor list"],
    [
      "generator.json",
      json((v) => (v.tensors as { shape: number[] }[])[0].shape.reverse()),
      "do not fit its spec",
    ],
    ["state.json", json((v) => (v.step = -1)), "state.json: step is -1"],
    ["state.json", json((v) => (v.step = "7")), 'state.json: step is "7"'],
    ["state.json", () => "null", "state.json: it is not an object"],
    ["generator.json", json((v) => delete (v.spec as Record<string, number>).width), "no width"],
  ];
  for (const [i, [file, edit, message]] of cases.entries()) {
    const ckpt = join(tmp.path, `c${i}`);
    await saveCheckpoint(ckpt, model, opts, STATE);
    await rewrite(ckpt, file, edit);
    const read = file === "state.json" ? () => loadState(ckpt) : () => loadGenerator(ckpt);
    await assertRejects(read, Error, `Cannot read checkpoint "${ckpt}": ${file}: `);
    await assertRejects(read, Error, message);
    await assertRejects(() => restoreCheckpoint(ckpt, model, opts), Error, message);
  }
  // JSON that is valid but not an object: a clear message, no internal error
  const ckpt = join(tmp.path, "nulls");
  await saveCheckpoint(ckpt, model, opts, STATE);
  await rewrite(ckpt, "generator.json", () => "null");
  await assertRejects(
    () => loadGenerator(ckpt),
    Error,
    "generator.json is not a cppn-checkpoint/1",
  );
  await saveCheckpoint(ckpt, model, opts, STATE);
  await rewrite(ckpt, "optimizers.json", () => "null");
  await assertRejects(() => restoreCheckpoint(ckpt, model, opts), Error, "optimizers.json (vae)");
  // NaN and infinite weights
  for (const bad of [NaN, Infinity]) {
    const ckpt = join(tmp.path, `nan${bad}`);
    await saveCheckpoint(ckpt, model, opts, STATE);
    const values = new Float32Array((await Deno.readFile(join(ckpt, "generator.bin"))).buffer);
    values[3] = bad;
    await Deno.writeFile(join(ckpt, "generator.bin"), new Uint8Array(values.buffer));
    await addChecksums(ckpt, ["generator.bin"]);
    await assertRejects(() => loadGenerator(ckpt), Error, `generator.bin: value 3 is ${bad}`);
  }
});

Deno.test("checksums.sha256: names only plain files of its own folder; file text is escaped", async () => {
  await using tmp = await tempDir();
  const model = initModel(modelSpec(SETTINGS), 1);
  const ckpt = join(tmp.path, "checkpoint");
  await saveCheckpoint(ckpt, model, null, STATE, ["generator"]);
  const listing = join(ckpt, "checksums.sha256");
  const original = await Deno.readTextFile(listing);
  const hash = "0".repeat(64);
  await Deno.writeTextFile(join(tmp.path, "outside"), "x");
  await Deno.writeTextFile(listing, original + `${hash}  ../outside\n`);
  await assertRejects(() => readVerified(ckpt), Error, 'names "../outside", which is not a file');
  await Deno.writeTextFile(listing, original + `${hash}  /etc/passwd\n`);
  await assertRejects(() => readVerified(ckpt), Error, "which is not a file of this folder");
  // a FIFO or a symbolic link is not read (a FIFO would block)
  await new Deno.Command("mkfifo", { args: [join(ckpt, "pipe")] }).output();
  await Deno.writeTextFile(listing, original + `${hash}  pipe\n`);
  await assertRejects(() => readVerified(ckpt), Error, "pipe is not a regular file");
  await Deno.symlink(join(tmp.path, "outside"), join(ckpt, "link"));
  await Deno.writeTextFile(listing, original + `${hash}  link\n`);
  await assertRejects(() => readVerified(ckpt), Error, "link is not a regular file");
  // terminal escape sequences in a bad line are shown escaped
  await Deno.writeTextFile(listing, "\x1b]0;owned\x07\x1b[2J\n");
  const error = await assertRejects(() => readVerified(ckpt), Error, "has a bad line");
  // deno-lint-ignore no-control-regex
  assert(!/[\x00-\x1f]/.test(error.message), JSON.stringify(error.message));
  assert(error.message.includes("\\x1b[2J"));
});
