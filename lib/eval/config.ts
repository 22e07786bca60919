/**
 * Settings of `deno task eval`: the one source of truth for their defaults,
 * the flags that set them, and their resolution.
 *
 * @module
 */
import type { BackendChoice } from "../base/backend.ts";
import { CLASSIFIER_DIR, CLASSIFIER_TRAIN_DEFAULTS } from "./classifier.ts";
import { BACKEND_FLAG, MODEL_FLAG, OUT_FLAG, RUN_FLAG, SEED_FLAG } from "../base/common_flags.ts";
import { FlagError, type FlagSpec } from "../base/flags.ts";

/** Every setting of `deno task eval`, resolved. */
export interface EvalConfig {
  /** Run to evaluate (folder under `<out>/runs/`); `""`: the latest. */
  run: string;
  /** A checkpoint folder to evaluate instead of a run; `""`: none. */
  model: string;
  /** Root of everything generated (where the runs are). */
  out: string;
  /** Generated samples to measure. */
  samples: number;
  /** Seed of the samples' latent vectors. */
  seed: number;
  /** Folder of the classifier. */
  classifier: string;
  /** Train (and save) the classifier instead of, or before, evaluating. */
  trainClassifier: boolean;
  /** Passes over the training images when training the classifier. */
  classifierEpochs: number;
  /** Compute backend. */
  backend: BackendChoice;
  /** Write the result into the `--model` folder (and its checksums) instead of `<out>/evals/`. */
  updateModel: boolean;
  /** Replace a result that measured more samples. */
  force: boolean;
  /** The pictures a picture model is measured against; `""`: those it was trained on. */
  data: string;
}

/** The defaults. */
export const EVAL_DEFAULTS: EvalConfig = {
  run: "",
  model: "",
  out: "output",
  samples: 10000,
  seed: 1,
  classifier: CLASSIFIER_DIR,
  trainClassifier: false,
  classifierEpochs: CLASSIFIER_TRAIN_DEFAULTS.epochs,
  backend: "auto",
  updateModel: false,
  force: false,
  data: "",
};

/** The flags of `deno task eval`. */
export const EVAL_FLAGS: readonly FlagSpec[] = [
  { ...RUN_FLAG, help: "Run to evaluate (folder under output/runs/)" },
  {
    ...MODEL_FLAG,
    help: "Evaluate this checkpoint folder (generator.* and encoder.*) instead of a run",
  },
  { ...OUT_FLAG, help: "Folder holding runs/" },
  {
    name: "samples",
    key: "samples",
    type: { kind: "int", min: 2 },
    help: "Generated samples to measure",
    arg: "N",
  },
  { ...SEED_FLAG, help: "Seed of the samples' latent vectors (and of the classifier's training)" },
  {
    name: "classifier",
    key: "classifier",
    type: { kind: "string" },
    help: "Folder of the MNIST classifier",
    arg: "DIR",
  },
  {
    name: "train-classifier",
    key: "trainClassifier",
    type: { kind: "boolean" },
    help: "Train the classifier and save it to --classifier (then evaluate only if " +
      "--run or --model is given)",
  },
  {
    name: "classifier-epochs",
    key: "classifierEpochs",
    type: { kind: "int", min: 1 },
    help: "Passes over the 60,000 training images for --train-classifier",
    arg: "N",
  },
  BACKEND_FLAG,
  {
    name: "update-model",
    key: "updateModel",
    type: { kind: "boolean" },
    help: "Write eval.json into the --model folder and its checksums listing " +
      "(else it goes to output/evals/NAME/)",
  },
  {
    name: "data",
    key: "data",
    type: { kind: "string" },
    help: "For a model of other pictures: the picture folder whose held-out tenth it is " +
      "measured against",
    arg: "DIR",
    defaultText: "the data its run was trained on",
  },
  {
    name: "force",
    key: "force",
    type: { kind: "boolean" },
    help: "Replace an eval.json that measured more samples than this evaluation",
  },
];

/**
 * Fills every field (user options over the defaults).
 *
 * @throws {FlagError} if both `--run` and `--model` are given, or
 *   `--update-model` without `--model`.
 */
export function resolveEvalConfig(user: Partial<EvalConfig> = {}): EvalConfig {
  if (user.run && user.model) {
    throw new FlagError("--run and --model cannot be used together: pick one checkpoint");
  }
  if (user.updateModel && !user.model) {
    throw new FlagError("--update-model needs --model DIR: the model folder to update");
  }
  return { ...EVAL_DEFAULTS, ...user };
}
