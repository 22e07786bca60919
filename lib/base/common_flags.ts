/**
 * The flags several commands share, defined once: `--out`, `--run`,
 * `--model`, `--backend`, `--workers` and `--seed`. A command's flag table takes one
 * as it is, or with its own help line (and default text):
 * `{ ...SEED_FLAG, help: "Seed of every random draw" }`.
 *
 * @module
 */
import { BACKEND_CHOICES } from "./backend.ts";
import type { FlagSpec, FlagType } from "./flags.ts";
import { MAX_WORKERS } from "./workers.ts";

/**
 * A run's name: the name of its folder under `<out>/runs/` (`.`, `..`,
 * `latest` and path separators are refused).
 */
export const RUN_NAME: FlagType = { kind: "name" };

/** `--out DIR`: the folder for everything generated. */
export const OUT_FLAG: FlagSpec = {
  name: "out",
  key: "out",
  type: { kind: "string" },
  help: "Folder for everything generated",
  arg: "DIR",
};

/** `--run NAME`: a training run (a folder under `<out>/runs/`). */
export const RUN_FLAG: FlagSpec = {
  name: "run",
  key: "run",
  type: RUN_NAME,
  help: "Training run (folder under output/runs/)",
  arg: "NAME",
  defaultText: "the latest run",
};

/** `--model DIR`: a model or checkpoint folder instead of a run. */
export const MODEL_FLAG: FlagSpec = {
  name: "model",
  key: "model",
  type: { kind: "string" },
  help: "Use this checkpoint folder",
  arg: "DIR",
};

/** `--backend NAME`: the compute backend (see `base/backend.ts`). */
export const BACKEND_FLAG: FlagSpec = {
  name: "backend",
  key: "backend",
  type: { kind: "enum", values: BACKEND_CHOICES },
  help: "Compute backend: auto, gpu, node, wasm or cpu",
  arg: "NAME",
};

/** `--workers N`: how many workers share the work. */
export const WORKERS_FLAG: FlagSpec = {
  name: "workers",
  key: "workers",
  type: { kind: "int", min: 1, max: MAX_WORKERS },
  help: "Workers",
  arg: "N",
  defaultText: "one per core",
};

/** `--seed N`: the seed of a command's random draws. */
export const SEED_FLAG: FlagSpec = {
  name: "seed",
  key: "seed",
  type: { kind: "int", min: 0 },
  help: "Seed of every random draw",
  arg: "N",
};
