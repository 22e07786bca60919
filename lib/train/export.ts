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
import { join } from "@std/path";
import { exists, readJson } from "../base/atomic_write.ts";
import {
  locateCheckpoint,
  readChecksums,
  readVerified,
  replaceFolder,
} from "../base/checksummed_folder.ts";
import { type TrainingState, weightsFile } from "../model/network_files.ts";
import { FlagError, toArgs } from "../base/flags.ts";
import type { RunPaths } from "../model/runs.ts";
import { TRAIN_DEFAULTS, TRAIN_FLAGS, type TrainConfig } from "./config.ts";

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
    if (JSON.stringify(value) !== JSON.stringify(TRAIN_DEFAULTS[key as keyof TrainConfig])) {
      changed[key] = value;
    }
  }
  return ["deno task train", ...toArgs(changed, TRAIN_FLAGS)].join(" ");
}

/**
 * Exports a run's model to `dest`. An existing `dest` is replaced only if
 * it is itself an exported model (has `model.json`) or `force` is set.
 */
export async function exportModel(
  paths: RunPaths,
  dest: string,
  force = false,
): Promise<{ record: ModelRecord; bytes: number }> {
  if (await exists(dest) && !force && !(await exists(join(dest, "model.json")))) {
    throw new FlagError(`${dest} exists and is not an exported model: pass --force to replace it`);
  }
  const checkpoint = await locateCheckpoint(paths.checkpoint);
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
  const evalPath = join(paths.dir, "eval.json");
  if (await exists(evalPath)) files["eval.json"] = await Deno.readFile(evalPath);
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
