/**
 * Training checkpoints: everything needed to continue a run bit-exactly, in
 * one checksummed folder (see `base/checksummed_folder.ts`): the three
 * networks' files (see `model/network_files.ts`) and
 *
 * ```
 *   optimizers.json optimizers.bin      Adam moments and step counts
 *   ema.json  encoder.ema.bin  generator.ema.bin
 *                                       moving averages of the weights
 *   state.json                          step, epoch, RNG state, time
 * ```
 *
 * Where a checkpoint has moving averages (`ema.json`, see `train/ema.ts`),
 * every reader but the training's own resume gets them in place of the
 * generator's and encoder's raw weights.
 *
 * @module
 */
import { finiteProblem, tensorsProblem } from "../model/checkpoint_checks.ts";
import { exists } from "../base/atomic_write.ts";
import {
  CheckpointError,
  floatBytes,
  floatsOf,
  locateCheckpoint,
  parseJson,
  readChecksums,
  readVerified,
  replaceFolder,
} from "../base/checksummed_folder.ts";
import type { Adam } from "../model/adam.ts";
import { type Model, type ModelSpec, vaeParams } from "../model/model.ts";
import {
  CHECKPOINT_FORMAT,
  networkFiles,
  type NetworkName,
  NETWORKS,
  parseState,
  readNetwork,
  type TrainingState,
} from "../model/network_files.ts";
import {
  assignFlat,
  checkManifest,
  countParams,
  flatten,
  type Manifest,
  manifestOf,
  manifestSize,
  type Params,
} from "../model/params.ts";
import { CLASS_HEAD } from "../model/discriminator.ts";
import type { Ema } from "./ema.ts";
import type { Optimizers } from "./step.ts";

/** The optimisers in file order, with the weights each one updates. */
function optimizerTargets(model: Model): { key: "vae" | "g" | "d"; params: Params }[] {
  const encGen = vaeParams(model);
  return [
    { key: "vae", params: encGen },
    { key: "g", params: encGen },
    { key: "d", params: model.disc },
  ];
}

function optimizerMeta(opt: Adam, params: Params) {
  return {
    step: opt.step,
    lr: opt.lr,
    beta1: opt.beta1,
    beta2: opt.beta2,
    epsilon: opt.epsilon,
    tensors: manifestOf(params),
  };
}

/**
 * Saves a full training checkpoint to `dir` atomically.
 *
 * @param networks Which networks to include (rendering needs only the
 *   generator and encoder).
 */
export async function saveCheckpoint(
  dir: string,
  model: Model,
  opts: Optimizers | null,
  state: TrainingState | null,
  networks: readonly NetworkName[] = NETWORKS,
  ema: Ema | null = null,
): Promise<void> {
  const files: Record<string, Uint8Array | string> = {};
  const params: Record<NetworkName, Params> = {
    generator: model.gen,
    encoder: model.enc,
    discriminator: model.disc,
  };
  for (const name of networks) {
    const p = params[name];
    Object.assign(
      files,
      networkFiles(name, model.spec[name], p, await flatten(Object.values(p))),
    );
  }
  if (opts) {
    const targets = optimizerTargets(model);
    files["optimizers.json"] = JSON.stringify(
      {
        format: CHECKPOINT_FORMAT,
        order: targets.map((t) => t.key),
        ...Object.fromEntries(targets.map((t) => [t.key, optimizerMeta(opts[t.key], t.params)])),
      },
      null,
      2,
    ) + "\n";
    // each optimiser's first moments, then its second moments
    const moments = targets.flatMap((t) => [opts[t.key].m, opts[t.key].v]);
    const all = new Float32Array(moments.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    for (const a of moments) {
      all.set(a, offset);
      offset += a.length;
    }
    files["optimizers.bin"] = floatBytes(all);
  }
  if (ema) {
    // ema.values is the encoder then the generator, as vaeParams orders them
    const encSize = countParams(model.enc);
    files["encoder.ema.bin"] = floatBytes(ema.values.subarray(0, encSize));
    files["generator.ema.bin"] = floatBytes(ema.values.subarray(encSize));
    files["ema.json"] = JSON.stringify(
      { format: CHECKPOINT_FORMAT, decay: ema.decay, updates: ema.updates },
      null,
      2,
    ) + "\n";
  }
  if (state) files["state.json"] = JSON.stringify(state, null, 2) + "\n";
  await replaceFolder(dir, files);
}

/**
 * Whether a checkpoint was ever saved at `dir` (complete or not: a damaged
 * one still counts, so that it is reported rather than replaced).
 */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  return (await exists(dir)) || (await exists(`${dir}.prev`));
}

/**
 * The moving average of a checkpoint's encoder + generator weights (in
 * `vaeParams` order) and its update count, or null if it has none.
 */
export async function loadEma(
  dir: string,
): Promise<{ values: Float32Array; updates: number } | null> {
  const where = await locateCheckpoint(dir);
  if (!(await readChecksums(where))?.has("ema.json")) return null;
  const files = await readVerified(where, ["ema.json", "encoder.ema.bin", "generator.ema.bin"]);
  const meta = parseJson<{ updates: number }>(where, "ema.json", files.get("ema.json")!);
  const enc = files.get("encoder.ema.bin")!, gen = files.get("generator.ema.bin")!;
  if (!(Number.isInteger(meta?.updates) && meta.updates >= 0)) {
    throw new CheckpointError(where, "ema.json: updates is not an integer >= 0");
  }
  const values = new Float32Array((enc.byteLength + gen.byteLength) / 4);
  values.set(floatsOf(where, "encoder.ema.bin", enc, enc.byteLength / 4));
  values.set(floatsOf(where, "generator.ema.bin", gen, gen.byteLength / 4), enc.byteLength / 4);
  const nonFinite = finiteProblem(values);
  if (nonFinite) throw new CheckpointError(where, `moving averages: ${nonFinite}`);
  return { values, updates: meta.updates };
}

/**
 * The manifest `saved` must equal for weights of manifest `expected`: the
 * same, or (when the model's discriminator has a class head and the saved
 * one has none) all but the head, which is the last in the discriminator's
 * order: a run may add a class head on `--resume`, and it starts fresh.
 */
function savedManifest(expected: Manifest, saved: Manifest): Manifest {
  const inHead = (t: { name: string }) => (CLASS_HEAD as readonly string[]).includes(t.name);
  if (!expected.some(inHead) || saved.some(inHead)) return expected;
  return expected.filter((t) => !inHead(t));
}

/**
 * Restores a full checkpoint into an existing model and optimisers (built
 * from the run's config), checking that the architectures match. A
 * discriminator class head the checkpoint lacks keeps its fresh weights
 * and zero moments.
 */
export async function restoreCheckpoint(
  dir: string,
  model: Model,
  opts: Optimizers,
): Promise<TrainingState> {
  const where = await locateCheckpoint(dir);
  const files = await readVerified(where);
  const targets: Record<NetworkName, Params> = {
    generator: model.gen,
    encoder: model.enc,
    discriminator: model.disc,
  };
  for (const name of NETWORKS) {
    const net = await readNetwork<ModelSpec[NetworkName]>(where, name, { files, raw: true });
    const expected = manifestOf(targets[name]);
    checkManifest(
      net.manifest,
      savedManifest(expected, net.manifest),
      `Checkpoint "${where}" ${name}`,
    );
    // the saved values first; a head the checkpoint lacks keeps its fresh values
    const values = await flatten(Object.values(targets[name]));
    values.set(net.values);
    assignFlat(targets[name], values);
  }
  if (!files.has("optimizers.json")) {
    throw new CheckpointError(where, "optimizers.json is missing (not a training checkpoint)");
  }
  const meta = parseJson<Record<string, { step: number; tensors: Manifest }>>(
    where,
    "optimizers.json",
    files.get("optimizers.json")!,
  );
  const optimizers = optimizerTargets(model);
  for (const { key } of optimizers) {
    const problem = tensorsProblem(meta?.[key]?.tensors) ??
      (Number.isInteger(meta[key].step) && meta[key].step >= 0 ? null : "a step count is not >= 0");
    if (problem) throw new CheckpointError(where, `optimizers.json (${key}): ${problem}`);
  }
  const total = optimizers.reduce((s, t) => s + 2 * manifestSize(meta[t.key].tensors), 0);
  const all = floatsOf(where, "optimizers.bin", files.get("optimizers.bin")!, total);
  const nonFinite = finiteProblem(all);
  if (nonFinite) throw new CheckpointError(where, `optimizers.bin: ${nonFinite}`);
  let offset = 0;
  for (const { key, params } of optimizers) {
    const opt = opts[key];
    const expected = manifestOf(params);
    checkManifest(
      meta[key].tensors,
      savedManifest(expected, meta[key].tensors),
      `Checkpoint "${where}" optimiser ${key}`,
    );
    const n = manifestSize(meta[key].tensors);
    opt.m.set(all.subarray(offset, offset + n));
    opt.v.set(all.subarray(offset + n, offset + 2 * n));
    offset += 2 * n;
    opt.step = meta[key].step;
  }
  return parseState(where, files.get("state.json")!);
}
