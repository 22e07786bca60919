/**
 * Publishing a trained model: copies what rendering needs from a run's
 * checkpoint (the generator and the encoder, not the discriminator or the
 * optimiser state; their moving averages where the checkpoint has them)
 * into a small folder such as `models/mnist-cppn/`, with
 * the run's config, its evaluation if there is one, the command that
 * trained it and its training time, and a checksum of every file.
 *
 * @module
 */
import { basename, join } from "@std/path";
import { exists, readJson } from "../base/atomic_write.ts";
import {
  locateCheckpoint,
  parseJson,
  readChecksums,
  readVerified,
  replaceFolder,
} from "../base/checksummed_folder.ts";
import { type TrainingState, weightsFile } from "../model/network_files.ts";
import { FlagError, toArgs } from "../base/flags.ts";
import { listFiles } from "../base/fs_safe.ts";
import type { RunPaths } from "../model/runs.ts";
import { TRAIN_DEFAULTS, TRAIN_FLAGS, type TrainConfig } from "./config.ts";
import { hasCheckpoint } from "./checkpoint.ts";

/** `model.json`: where an exported model came from. */
export interface ModelRecord {
  format: "cppn-model/1";
  /** The run it was exported from. */
  run: string;
  exported: string;
  /** Batches and epochs trained. */
  step: number;
  epoch: number;
  /** Wall-clock training time (all sessions), seconds. */
  training_time_s: number;
  /** `ema`: the moving averages of the weights; `raw`: the last step's. */
  weights: "ema" | "raw";
  /** The command that trains the same model from scratch. */
  command: string;
}

/** The `deno task train` command for a config: its non-default settings. */
export function trainCommand(config: TrainConfig): string {
  const changed: Record<string, unknown> = {};
  const skip = new Set(["out", "resume", "backend", "preset"]);
  for (const [key, value] of Object.entries(config)) {
    if (skip.has(key)) continue;
    // MNIST is greyscale: its resolved channel count is what the data gives anyway
    if (key === "channels" && value === 1 && config.data === "mnist") continue;
    if (JSON.stringify(value) !== JSON.stringify(TRAIN_DEFAULTS[key as keyof TrainConfig])) {
      changed[key] = value;
    }
  }
  return ["deno task train", ...toArgs(changed, TRAIN_FLAGS)].join(" ");
}

/**
 * Why folder `dir` may not be replaced by an export, or null if it may:
 * it is missing, empty, or a model folder this project exported (its
 * `model.json` has our format and `checksums.sha256` lists every other
 * file). Files it lists that were changed since need `force`.
 */
export async function replaceRefusal(dir: string, force: boolean): Promise<string | null> {
  if (!(await exists(dir))) return null;
  if (!(await Deno.lstat(dir)).isDirectory) return `"${dir}" is not a folder`;
  const present = await listFiles(dir);
  if (present.length === 0) return null;
  const notOurs = `"${dir}" is not a model folder this project exported`;
  const listing = await readChecksums(dir, "model").catch(() => null);
  if (!listing?.has("model.json")) return `${notOurs} (no checksummed model.json)`;
  const stranger = present.find((f) => f !== "checksums.sha256" && !listing.has(f));
  if (stranger) return `${notOurs}: it holds "${stranger}", which no export wrote`;
  try {
    const read = await readVerified(dir, ["model.json"], "model");
    const record = parseJson<ModelRecord>(dir, "model.json", read.get("model.json")!, "model");
    if (record?.format !== "cppn-model/1") return `${notOurs} (model.json is not cppn-model/1)`;
    if (!force) await readVerified(dir, undefined, "model");
  } catch (error) {
    return `${(error as Error).message}: pass --force to replace it anyway`;
  }
  return null;
}

/**
 * Exports a run's model to `dest`: its last checkpoint, or with `best` the
 * one its `--eval-every` measurements found best (`train/best.ts`; the
 * run's `eval.json` is then left out, as it measured the last). An
 * existing `dest` (and its swap folders `dest.tmp`, `dest.prev`) is
 * replaced only if it is empty or itself an exported model with nothing
 * else in it (see {@linkcode replaceRefusal}); nothing else is ever
 * deleted.
 *
 * @throws {FlagError} saying why `dest` cannot be replaced, or that the
 *   run has no best checkpoint.
 */
export async function exportModel(
  paths: RunPaths,
  dest: string,
  force = false,
  best = false,
): Promise<{ record: ModelRecord; bytes: number }> {
  for (const dir of [dest, `${dest}.tmp`, `${dest}.prev`]) {
    const refusal = await replaceRefusal(dir, force || dir !== dest);
    if (refusal) throw new FlagError(`Cannot export to "${dest}": ${refusal}`);
  }
  if (best && !(await hasCheckpoint(paths.best))) {
    throw new FlagError(
      `Cannot export the best checkpoint of run "${basename(paths.dir)}": it has none ` +
        `(deno task train --eval-every N keeps one in ${paths.best})`,
    );
  }
  const checkpoint = await locateCheckpoint(best ? paths.best : paths.checkpoint);
  // the weights every reader of the checkpoint uses, under the plain names
  const listing = await readChecksums(checkpoint);
  const sources: Record<string, string> = {
    "generator.json": "generator.json",
    "generator.bin": weightsFile(listing, "generator"),
    "encoder.json": "encoder.json",
    "encoder.bin": weightsFile(listing, "encoder"),
    "state.json": "state.json",
  };
  const read = await readVerified(checkpoint, Object.values(sources));
  const files: Record<string, Uint8Array | string> = {};
  for (const [name, source] of Object.entries(sources)) files[name] = read.get(source)!;
  const averaged = sources["generator.bin"] !== "generator.bin";
  const config = await readJson<TrainConfig>(paths.config);
  const state = JSON.parse(
    new TextDecoder().decode(files["state.json"] as Uint8Array),
  ) as TrainingState;
  files["config.json"] = JSON.stringify(config, null, 2) + "\n";
  // the run's eval.json measured its last checkpoint
  const evalPath = join(paths.dir, "eval.json");
  if (!best && await exists(evalPath)) files["eval.json"] = await Deno.readFile(evalPath);
  const record: ModelRecord = {
    format: "cppn-model/1",
    run: config.run,
    exported: new Date().toISOString(),
    step: state.step,
    epoch: state.epoch,
    training_time_s: Math.round(state.elapsedMs / 1000),
    weights: averaged ? "ema" : "raw",
    command: trainCommand(config),
  };
  files["model.json"] = JSON.stringify(record, null, 2) + "\n";
  await replaceFolder(dest, files);
  const bytes = Object.values(files).reduce(
    (sum, f) => sum + (typeof f === "string" ? new TextEncoder().encode(f).length : f.length),
    0,
  );
  return { record, bytes };
}
