/**
 * Which trained generator a command uses: `--run NAME`, `--model DIR`, else
 * the latest run, else the pretrained model shipped in `models/mnist-cppn`.
 *
 * @module
 */
import { basename, fromFileUrl, isAbsolute, join, relative, SEPARATOR } from "@std/path";
import { exists } from "../base/atomic_write.ts";
import { generatorChecksum, loadGenerator, loadState } from "./network_files.ts";
import type { RandomNetSpec } from "./random_net.ts";
import { locateCheckpoint } from "../base/checksummed_folder.ts";
import type { GeneratorSpec } from "./generator.ts";
import { FlagError } from "../base/flags.ts";
import { latestRun, runPaths } from "./runs.ts";

/** The project's folder. */
export const PROJECT_ROOT = fromFileUrl(new URL("../../", import.meta.url));

/** The pretrained model committed with the project. */
export const SHIPPED_MODEL = join(PROJECT_ROOT, "models", "mnist-cppn");
/** The pretrained colour model committed with the project (Twemoji, see models/emoji-cppn/). */
export const SHIPPED_COLOUR_MODEL = join(PROJECT_ROOT, "models", "emoji-cppn");

/**
 * What the shipped models were trained on, by their folder as shown
 * (`displayPath`): the credit their data's licence asks for, shown with
 * every picture they draw in the gallery.
 */
export const SHIPPED_CREDITS: Readonly<Record<string, string>> = {
  "models/emoji-cppn": "Trained on Twemoji graphics, © Twitter, Inc and other contributors, " +
    "licensed under CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/); " +
    "SVGs from npm:@twemoji/svg 15.0.0. The drawings are the model's own.",
};

/**
 * How to show a folder to others (in the gallery, in records): relative to
 * the project if inside it (`models/mnist-cppn`), else only its own name,
 * never a machine's absolute path.
 */
export function displayPath(path: string): string {
  if (!path || !isAbsolute(path)) return path;
  const rel = relative(PROJECT_ROOT, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel)
    ? rel.replaceAll(SEPARATOR, "/")
    : basename(path);
}

/** A resolved model: where its checkpoint is and what it is. */
export interface ModelSource {
  /** `run` (a training run), `model` (a checkpoint folder) or `random` (an untrained network). */
  kind: "run" | "model" | "random";
  /** The run name, or the folder. */
  name: string;
  /** The checkpoint folder. */
  checkpoint: string;
  /** Training steps behind it, if recorded. */
  step: number | null;
  /** The generator's architecture. */
  spec: GeneratorSpec;
  /** A random network's definition (`kind` `random`; no checkpoint). */
  random?: RandomNetSpec;
}

/**
 * What identifies the weights a source renders: its generator's
 * `checksums.sha256` line, or a random network's definition.
 */
export async function weightsIdentity(source: ModelSource): Promise<string> {
  if (source.random) return JSON.stringify(source.random);
  return await generatorChecksum(source.checkpoint);
}

/** How the user chose a model. */
export interface ModelChoice {
  /** A run name under `<out>/runs/`. */
  run?: string;
  /** A checkpoint folder. */
  model?: string;
  /** The output root (for runs). */
  out: string;
}

async function describe(kind: "run" | "model", name: string, dir: string): Promise<ModelSource> {
  const checkpoint = await locateCheckpoint(dir);
  const { spec } = await loadGenerator(checkpoint);
  const step = await loadState(checkpoint).then((s) => s.step, () => null);
  return { kind, name, checkpoint, step, spec };
}

/** Resolves the model to use; errors say what to do when there is none. */
export async function resolveModel(choice: ModelChoice): Promise<ModelSource> {
  if (choice.run && choice.model) {
    throw new FlagError("Give either --run or --model, not both");
  }
  if (choice.model) {
    if (!(await exists(choice.model))) {
      throw new FlagError(`--model "${choice.model}" does not exist`);
    }
    return await describe("model", displayPath(choice.model), choice.model);
  }
  if (choice.run) {
    const paths = runPaths(choice.out, choice.run);
    if (!(await exists(paths.dir))) {
      throw new FlagError(`--run "${choice.run}": no such run in ${join(choice.out, "runs")}`);
    }
    return await describe("run", choice.run, paths.checkpoint);
  }
  const latest = await latestRun(choice.out);
  if (latest && await exists(runPaths(choice.out, latest).checkpoint)) {
    return await describe("run", latest, runPaths(choice.out, latest).checkpoint);
  }
  if (await exists(join(SHIPPED_MODEL, "checksums.sha256"))) {
    return await describe("model", displayPath(SHIPPED_MODEL), SHIPPED_MODEL);
  }
  throw new Error(
    `No trained model: there are no runs in ${join(choice.out, "runs")} and no shipped model ` +
      `in ${SHIPPED_MODEL}. Train one with "deno task train" (or pass --model DIR).`,
  );
}
