/**
 * A network's files in a checksummed folder (a training checkpoint or an
 * exported model, see `base/checksummed_folder.ts`):
 *
 * ```
 *   generator.json  generator.bin       architecture + float32 weights
 *   encoder.json    encoder.bin
 *   discriminator.json discriminator.bin
 *   encoder.ema.bin  generator.ema.bin  moving averages of the weights
 *   state.json                          step, epoch, RNG state, time
 * ```
 *
 * Where a folder has moving averages (`NAME.ema.bin`), every reader here
 * gets them in place of the generator's and encoder's raw weights.
 *
 * @module
 */
import { escapeText } from "../base/fs_safe.ts";
import {
  finiteProblem,
  shapeProblem,
  specProblem,
  stateProblem,
  tensorsProblem,
} from "./checkpoint_checks.ts";
import {
  CheckpointError,
  floatBytes,
  floatsOf,
  locateCheckpoint,
  parseJson,
  readChecksums,
  readVerified,
} from "../base/checksummed_folder.ts";
import type { RngState } from "../base/rng.ts";
import type { GeneratorSpec } from "./generator.ts";
import { type Manifest, manifestOf, manifestSize, type Params, paramsFromFlat } from "./params.ts";

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

/** The networks of a model, in file order. */
export const NETWORKS = ["generator", "encoder", "discriminator"] as const;
/** `generator`, `encoder` or `discriminator`. */
export type NetworkName = typeof NETWORKS[number];

/** The files `NAME.json` and `NAME.bin` of one network. */
export function networkFiles(
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
 * The `checksums.sha256` line of the generator weights a checkpoint's
 * readers use (`HASH  generator.ema.bin`), naming those exact weights; ""
 * for a folder without a listing.
 */
export async function generatorChecksum(dir: string): Promise<string> {
  const listing = await readChecksums(dir);
  const weights = weightsFile(listing, "generator");
  const hash = listing?.get(weights);
  return hash ? `${hash}  ${weights}` : "";
}

/**
 * Reads one network; its moving average (`NAME.ema.bin`) in place of its
 * raw weights when the folder has one, unless `raw`.
 */
export async function readNetwork<S>(
  dir: string,
  name: NetworkName,
  options: { files?: Map<string, Uint8Array>; raw?: boolean } = {},
): Promise<LoadedNetwork<S>> {
  const bin = options.raw ? `${name}.bin` : weightsFile(await readChecksums(dir), name);
  const got = options.files ?? await readVerified(dir, [`${name}.json`, bin]);
  const meta = parseJson<NetworkFile<S>>(dir, `${name}.json`, got.get(`${name}.json`)!);
  if (meta?.format !== CHECKPOINT_FORMAT || meta.network !== name) {
    throw new CheckpointError(
      dir,
      `${name}.json is not a ${CHECKPOINT_FORMAT} ${name} (format "${
        escapeText(String(meta?.format))
      }")`,
    );
  }
  const structure = specProblem(meta.spec, name) ?? tensorsProblem(meta.tensors);
  if (structure) throw new CheckpointError(dir, `${name}.json: ${structure}`);
  const values = floatsOf(dir, bin, got.get(bin)!, manifestSize(meta.tensors));
  const bad = shapeProblem(name, meta.spec, meta.tensors) ?? finiteProblem(values);
  if (bad) {
    throw new CheckpointError(dir, `${bad.startsWith("value") ? bin : `${name}.json`}: ${bad}`);
  }
  return { spec: meta.spec, manifest: meta.tensors, values };
}

/** Parses and checks `state.json` of folder `dir` (see {@linkcode stateProblem}). */
export function parseState(dir: string, bytes: Uint8Array): TrainingState {
  const state = parseJson<TrainingState>(dir, "state.json", bytes);
  const problem = stateProblem(state);
  if (problem) throw new CheckpointError(dir, `state.json: ${problem}`);
  return state;
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
  return parseState(where, files.get("state.json")!);
}
