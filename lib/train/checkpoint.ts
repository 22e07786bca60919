/**
 * Checkpoints: everything needed to continue a run bit-exactly, in one
 * folder, with a SHA-256 checksum of every file.
 *
 * ```
 * checkpoint/
 *   generator.json  generator.bin       architecture + float32 weights
 *   encoder.json    encoder.bin
 *   discriminator.json discriminator.bin
 *   optimizers.json optimizers.bin      Adam moments and step counts
 *   ema.json  encoder.ema.bin  generator.ema.bin
 *                                       moving averages of the weights
 *   state.json                          step, epoch, RNG state, time
 *   checksums.sha256                    `sha256sum -c` format
 * ```
 *
 * Where a checkpoint has moving averages (`ema.json`, see `train/ema.ts`), every
 * reader but the training's own resume gets them in place of the
 * generator's and encoder's raw weights.
 *
 * Saving writes a new folder `checkpoint.tmp`, then swaps it in with two
 * renames (the old one is kept as `checkpoint.prev` until the swap is
 * done), so a crash at any moment leaves a complete checkpoint. Loading
 * verifies every checksum and refuses a checkpoint that does not match.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, writeFileAtomic } from "../base/atomic_write.ts";
import { sha256Hex } from "../base/fs_safe.ts";
import type { Adam } from "../model/adam.ts";
import type { Ema } from "./ema.ts";
import type { GeneratorSpec } from "../model/generator.ts";
import { type Model, type ModelSpec, vaeParams } from "../model/model.ts";
import {
  assignFlat,
  checkManifest,
  countParams,
  flatten,
  type Manifest,
  manifestOf,
  manifestSize,
  type Params,
  paramsFromFlat,
} from "../model/params.ts";
import type { RngState } from "../base/rng.ts";
import type { Optimizers } from "./step.ts";

/** Format tag written into every network file. */
export const CHECKPOINT_FORMAT = "cppn-checkpoint/1";

/** Progress counters saved with the weights. */
export interface TrainingState {
  /** Batches done. */
  step: number;
  /** Epoch of the next batch. */
  epoch: number;
  /** The training stream's RNG state after the last batch. */
  rng: RngState;
  /** Wall-clock training time so far, in ms. */
  elapsedMs: number;
  /** The last losses seen. */
  losses?: { vae: number; g: number | null; d: number | null };
}

/** A network file's JSON half. */
export interface NetworkFile<S = unknown> {
  /** {@linkcode CHECKPOINT_FORMAT}. */
  format: string;
  /** `generator`, `encoder` or `discriminator`. */
  network: string;
  /** The architecture. */
  spec: S;
  /** Names and shapes of the tensors in the `.bin`, in order. */
  tensors: Manifest;
}

const NETWORKS = ["generator", "encoder", "discriminator"] as const;
type NetworkName = typeof NETWORKS[number];

/**
 * The error for a checkpoint (or another folder of checksummed files, named
 * by `kind`) that cannot be used.
 */
export class CheckpointError extends Error {
  constructor(dir: string, what: string, kind = "checkpoint") {
    super(`Cannot read ${kind} "${dir}": ${what}`);
    this.name = "CheckpointError";
  }
}

/** The bytes of `values` (float32 little-endian), without a copy. */
export function floatBytes(values: Float32Array): Uint8Array {
  // float32 little-endian on every platform Deno runs on.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Writes files into `dir` and their checksums as `checksums.sha256`. */
export async function writeWithChecksums(
  dir: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  const lines: string[] = [];
  for (const [name, data] of Object.entries(files)) {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await writeFileAtomic(join(dir, name), bytes);
    lines.push(`${await sha256Hex(bytes)}  ${name}`);
  }
  await writeFileAtomic(join(dir, "checksums.sha256"), lines.join("\n") + "\n");
}

function networkFiles(
  name: NetworkName,
  spec: unknown,
  params: Params,
  values: Float32Array,
): Record<string, Uint8Array | string> {
  const meta: NetworkFile = {
    format: CHECKPOINT_FORMAT,
    network: name,
    spec,
    tensors: manifestOf(params),
  };
  return {
    [`${name}.json`]: JSON.stringify(meta, null, 2) + "\n",
    [`${name}.bin`]: floatBytes(values),
  };
}

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
 * Writes `files` and their `checksums.sha256` as the folder `dir`,
 * atomically: into `dir.tmp`, then swapped in with two renames (the old
 * folder is kept as `dir.prev` until the swap is done).
 */
export async function replaceFolder(
  dir: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  const temp = `${dir}.tmp`;
  const previous = `${dir}.prev`;
  await Deno.remove(temp, { recursive: true }).catch(() => {});
  await Deno.mkdir(temp, { recursive: true });
  await writeWithChecksums(temp, files);
  if (await exists(dir)) {
    await Deno.remove(previous, { recursive: true }).catch(() => {});
    await Deno.rename(dir, previous);
  }
  await Deno.rename(temp, dir);
  await Deno.remove(previous, { recursive: true }).catch(() => {});
}

/**
 * Finds the checkpoint folder to read: `dir`, or `dir.prev` if a save was
 * interrupted between its two renames.
 */
export async function locateCheckpoint(dir: string): Promise<string> {
  if (await exists(join(dir, "checksums.sha256"))) return dir;
  if (await exists(join(`${dir}.prev`, "checksums.sha256"))) return `${dir}.prev`;
  if (await exists(dir)) {
    throw new CheckpointError(dir, "checksums.sha256 is missing");
  }
  throw new CheckpointError(dir, "no such folder");
}

/**
 * Whether a checkpoint was ever saved at `dir` (complete or not: a damaged
 * one still counts, so that it is reported rather than replaced).
 */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  return (await exists(dir)) || (await exists(`${dir}.prev`));
}

/**
 * The `checksums.sha256` of folder `dir` as file name -> SHA-256 hex, or
 * null if it has none (`kind` names the folder in errors).
 */
export async function readChecksums(
  dir: string,
  kind = "checkpoint",
): Promise<Map<string, string> | null> {
  let listing: string;
  try {
    listing = await Deno.readTextFile(join(dir, "checksums.sha256"));
  } catch {
    return null;
  }
  const sums = new Map<string, string>();
  for (const line of listing.split("\n")) {
    if (!line.trim()) continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) {
      throw new CheckpointError(dir, `checksums.sha256 has a bad line "${line}"`, kind);
    }
    sums.set(match[2], match[1]);
  }
  return sums;
}

/**
 * Reads the files of a checkpoint and verifies their checksums.
 *
 * @param names The files wanted (all listed ones are verified if omitted).
 * @param kind What the folder is, for error messages ("checkpoint").
 * @returns Their bytes by name.
 */
export async function readVerified(
  dir: string,
  names?: string[],
  kind = "checkpoint",
): Promise<Map<string, Uint8Array>> {
  const fail = (what: string) => new CheckpointError(dir, what, kind);
  const expected = await readChecksums(dir, kind);
  if (!expected) throw fail("checksums.sha256 is missing");
  const out = new Map<string, Uint8Array>();
  for (const name of names ?? [...expected.keys()]) {
    const hash = expected.get(name);
    if (!hash) throw fail(`${name} is not in checksums.sha256`);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(dir, name));
    } catch {
      throw fail(`${name} is missing`);
    }
    if (await sha256Hex(bytes) !== hash) {
      throw fail(
        `${name} does not match its checksum (the file is corrupt, truncated or was changed)`,
      );
    }
    out.set(name, bytes);
  }
  return out;
}

/** Parses the JSON file `name` of folder `dir` (`kind` names it in errors). */
export function parseJson<T>(dir: string, name: string, bytes: Uint8Array, kind = "checkpoint"): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new CheckpointError(dir, `${name} is not valid JSON`, kind);
  }
}

/**
 * The float32 values of the `.bin` file `name`, which must hold exactly
 * `count` of them (`kind` names the folder in errors).
 */
export function floatsOf(
  dir: string,
  name: string,
  bytes: Uint8Array,
  count: number,
  kind = "checkpoint",
): Float32Array {
  if (bytes.byteLength !== count * 4) {
    throw new CheckpointError(
      dir,
      `${name} holds ${bytes.byteLength} bytes, expected ${count * 4} (file is truncated)`,
      kind,
    );
  }
  return new Float32Array(bytes.slice().buffer);
}

/** A network read from a checkpoint: architecture and weights. */
export interface LoadedNetwork<S> {
  /** The architecture. */
  spec: S;
  /** Tensor names and shapes. */
  manifest: Manifest;
  /** All weights, flattened in manifest order. */
  values: Float32Array;
}

/**
 * The file holding the weights readers use for network `name`, given a
 * checkpoint's listing (see {@linkcode readChecksums}): its moving average
 * `NAME.ema.bin` if listed, else `NAME.bin`.
 */
export function weightsFile(listing: Map<string, string> | null, name: NetworkName): string {
  return listing?.has(`${name}.ema.bin`) ? `${name}.ema.bin` : `${name}.bin`;
}

/**
 * Reads one network; its moving average (`NAME.ema.bin`) in place of its
 * raw weights when the folder has one, unless `raw`.
 */
async function readNetwork<S>(
  dir: string,
  name: NetworkName,
  options: { files?: Map<string, Uint8Array>; raw?: boolean } = {},
): Promise<LoadedNetwork<S>> {
  const bin = options.raw ? `${name}.bin` : weightsFile(await readChecksums(dir), name);
  const got = options.files ?? await readVerified(dir, [`${name}.json`, bin]);
  const meta = parseJson<NetworkFile<S>>(dir, `${name}.json`, got.get(`${name}.json`)!);
  if (meta.format !== CHECKPOINT_FORMAT || meta.network !== name) {
    throw new CheckpointError(
      dir,
      `${name}.json is not a ${CHECKPOINT_FORMAT} ${name} (format "${meta.format}")`,
    );
  }
  const values = floatsOf(dir, bin, got.get(bin)!, manifestSize(meta.tensors));
  return { spec: meta.spec, manifest: meta.tensors, values };
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
  const values = new Float32Array((enc.byteLength + gen.byteLength) / 4);
  values.set(floatsOf(where, "encoder.ema.bin", enc, enc.byteLength / 4));
  values.set(floatsOf(where, "generator.ema.bin", gen, gen.byteLength / 4), enc.byteLength / 4);
  return { values, updates: meta.updates };
}

/** Reads only the generator (all that rendering needs). */
export async function loadGenerator(dir: string): Promise<LoadedNetwork<GeneratorSpec>> {
  return readNetwork<GeneratorSpec>(await locateCheckpoint(dir), "generator");
}

/** Reads a single network of a checkpoint into variables. */
export async function loadNetworkParams<S>(
  dir: string,
  name: NetworkName,
): Promise<{ spec: S; params: Params }> {
  const net = await readNetwork<S>(await locateCheckpoint(dir), name);
  return { spec: net.spec, params: paramsFromFlat(net.values, net.manifest) };
}

/** Reads the training state of a checkpoint. */
export async function loadState(dir: string): Promise<TrainingState> {
  const where = await locateCheckpoint(dir);
  const files = await readVerified(where, ["state.json"]);
  return parseJson<TrainingState>(where, "state.json", files.get("state.json")!);
}

/**
 * Restores a full checkpoint into an existing model and optimisers (built
 * from the run's config), checking that the architectures match.
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
    checkManifest(net.manifest, manifestOf(targets[name]), `Checkpoint "${where}" ${name}`);
    assignFlat(targets[name], net.values);
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
  const total = optimizers.reduce((s, t) => s + 2 * manifestSize(meta[t.key].tensors), 0);
  const all = floatsOf(where, "optimizers.bin", files.get("optimizers.bin")!, total);
  let offset = 0;
  for (const { key, params } of optimizers) {
    const opt = opts[key];
    checkManifest(meta[key].tensors, manifestOf(params), `Checkpoint "${where}" optimiser ${key}`);
    const n = manifestSize(meta[key].tensors);
    opt.m.set(all.subarray(offset, offset + n));
    opt.v.set(all.subarray(offset + n, offset + 2 * n));
    offset += 2 * n;
    opt.step = meta[key].step;
  }
  return parseJson<TrainingState>(where, "state.json", files.get("state.json")!);
}
