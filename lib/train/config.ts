/**
 * Training settings: the one source of truth for their defaults, the named
 * presets, the flags that set them, and their resolution (user options over
 * preset over defaults, with every field filled).
 *
 * @module
 */
import type { BackendChoice } from "../base/backend.ts";
import { MAX_SCALE } from "../model/coords.ts";
import { REFERENCE_BALANCE } from "./balance.ts";
import { BACKEND_FLAG, OUT_FLAG, RUN_FLAG, SEED_FLAG, WORKERS_FLAG } from "../base/common_flags.ts";
import { FlagError, type FlagSpec, parseFlags, toArgs } from "../base/flags.ts";
import type { ModelSettings } from "../model/model.ts";
import type { GanFakes } from "./shard_grads.ts";
import { FIT_MODES, type FitMode } from "../data/images.ts";

/** A named set of defaults. */
export type PresetName = "default" | "reference" | "quick";

/** Every training setting, resolved. */
export interface TrainConfig extends ModelSettings {
  /** `z` enters every generator layer, not only the first. */
  zEveryLayer: boolean;
  /** Hidden layers of the generator's mapping network on `z` (0: none). */
  zMap: number;
  /** Run name: the folder under `<out>/runs/`. */
  run: string;
  /** Root of everything generated. */
  out: string;
  /** Continue the run's last checkpoint. */
  resume: boolean;
  /** `mnist`, a folder of MNIST-format IDX files, or a folder of pictures. */
  data: string;
  /**
   * Colour channels: 1 (grey) or 3 (RGB); 0: from the data (a run's saved
   * config holds the number it found).
   */
  channels: number;
  /** How pictures are fitted to `size` x `size` (IDX images are cropped). */
  fit: FitMode;
  /** Seed of every random draw. */
  seed: number;
  /** Compute backend. */
  backend: BackendChoice;
  /** The preset the defaults came from. */
  preset: PresetName;
  /** Images per batch. */
  batch: number;
  /** Learning rate of the generator (balanced loss) optimiser. */
  lrG: number;
  /** Learning rate of the VAE optimiser. */
  lrVae: number;
  /** Learning rate of the discriminator optimiser. */
  lrD: number;
  /** Adam beta1, shared by the three optimisers. */
  beta1: number;
  /**
   * The last fraction of the run's steps over which the three learning
   * rates fall linearly to zero (see {@linkcode rateScale}); 0: constant.
   */
  lrDecay: number;
  /** Train the GAN (false: the VAE-only baseline). */
  gan: boolean;
  /** Steps of VAE-only training before the GAN joins (0: from the start). */
  ganAfter: number;
  /**
   * The step's loop: `balanced`, the reference's (VAE updates, then
   * generator updates and a discriminator update as the balancing rules
   * allow), or `alternating` (one discriminator update, then one update of
   * `vae + ganWeight * g`).
   */
  loop: "balanced" | "alternating";
  /**
   * The GAN's fakes: reconstructions of the batch (reference), samples
   * `G(z ~ N(0, I))`, or both.
   */
  ganFakes: GanFakes;
  /** Weight of `g_loss` in the generator's loss `vae + weight * g` (reference: 1). */
  ganWeight: number;
  /** The discriminator's target for real images (reference: 1; below 1: one-sided label smoothing). */
  realLabel: number;
  /** Weight of the KL term in the VAE loss (reference: 1). */
  klWeight: number;
  /**
   * Weight of the fakes' class entropy in the generator's GAN loss; above 0
   * the discriminator gets a class head trained on the data's labels
   * (reference: 0, no head).
   */
  classWeight: number;
  /** VAE updates per batch. */
  vaeSteps: number;
  /** Most generator updates per batch. */
  gSteps: number;
  /** Generator updates stop once g_loss is below this. */
  gStopBelow: number;
  /** The discriminator trains only if d_loss is above this ... */
  dTrainAbove: number;
  /** ... and g_loss is below this. */
  dTrainIfGBelow: number;
  /** Passes over the data (ignored when `steps` is set). */
  epochs: number;
  /** Total batches for the run; 0: `epochs` decides. */
  steps: number;
  /** Stop once the run's training time (across resumes) reaches this many minutes; 0: no limit. */
  minutes: number;
  /** Log (and refresh the progress line's losses) every N steps. */
  logEvery: number;
  /** Write a sample grid and the loss chart every N steps. */
  sampleEvery: number;
  /** Save a checkpoint every N steps (and always at the end). */
  checkpointEvery: number;
  /** Decay per step of the weights' moving average (see `train/ema.ts`); 0: none. */
  emaDecay: number;
  /**
   * Stop, keeping the last checkpoint, when a log interval's mean VAE loss
   * exceeds this multiple of the run's lowest so far; 0: never.
   */
  maxLossRise: number;
  /**
   * On a blow-up (NaN, or `maxLossRise`), go back to the last checkpoint at
   * a third of the learning rates, up to this many times; then stop.
   */
  recoveries: number;
  /** Measure sample quality (as `deno task eval`) every N steps; 0: never. */
  evalEvery: number;
  /** Samples per quality measurement. */
  evalSamples: number;
  /** Training workers (0: one per core). */
  workers: number;
  /** The discriminator's batch norm takes statistics over this many groups of each batch. */
  bnGroups: number;
}

/**
 * The settings a run keeps for life: `--resume` refuses to change them.
 * The learning rates and the balancing loop's counts and thresholds are
 * not among them: a run that grows unstable can go on at a lower rate,
 * and one stuck in a balance (say, a frozen discriminator) with new
 * thresholds.
 */
export const FIXED_ON_RESUME: readonly (keyof TrainConfig)[] = [
  "data",
  "seed",
  "batch",
  "beta1",
  "gan",
  "zDim",
  "width",
  "depth",
  "scale",
  "size",
  "channels",
  "fit",
  "zEveryLayer",
  "zMap",
  "encoderWidth",
  "discChannels",
  "bnGroups",
];

/**
 * The defaults: the reference's CPPN with `z` fed to every layer, trained
 * by the alternating loop with samples of the prior as the GAN's fakes,
 * one-sided label smoothing and a discriminator class head (see
 * docs/training.md for what was measured).
 */
export const TRAIN_DEFAULTS: TrainConfig = {
  run: "",
  out: "output",
  resume: false,
  data: "mnist",
  channels: 0,
  fit: "crop",
  seed: 1,
  backend: "auto",
  preset: "default",
  batch: 64,
  lrG: 0.002,
  lrVae: 0.003,
  lrD: 0.0005,
  beta1: 0.5,
  lrDecay: 0.5,
  gan: true,
  ganAfter: 1000,
  loop: "alternating",
  ganFakes: "samples",
  ganWeight: 0.5,
  realLabel: 0.9,
  klWeight: 1,
  classWeight: 8,
  ...REFERENCE_BALANCE,
  zDim: 32,
  width: 64,
  depth: 4,
  scale: 8,
  size: 26,
  zEveryLayer: true,
  zMap: 0,
  encoderWidth: 512,
  discChannels: [24, 48, 96],
  epochs: 10,
  steps: 0,
  minutes: 0,
  logEvery: 10,
  sampleEvery: 200,
  checkpointEvery: 500,
  emaDecay: 0.998,
  maxLossRise: 10,
  recoveries: 2,
  evalEvery: 0,
  evalSamples: 10000,
  workers: 0,
  bnGroups: 2,
};

/**
 * The reference's values of the settings that runs saved before they
 * existed did not record: such a run resumes with these.
 */
export const LEGACY_SETTINGS: Partial<TrainConfig> = {
  loop: "balanced",
  ganFakes: "reconstructions",
  ganWeight: 1,
  zEveryLayer: false,
  zMap: 0,
  lrDecay: 0,
  realLabel: 1,
  klWeight: 1,
  classWeight: 0,
  channels: 1,
};

/** What each preset changes from {@linkcode TRAIN_DEFAULTS}. */
export const PRESETS: Record<PresetName, Partial<TrainConfig>> = {
  default: {},
  reference: {
    ...LEGACY_SETTINGS,
    batch: 500,
    lrG: 0.005,
    lrVae: 0.001,
    lrD: 0.001,
    beta1: 0.65,
    width: 128,
    depth: 4,
    bnGroups: 1,
    ganAfter: 0,
    epochs: 100,
    sampleEvery: 20,
    checkpointEvery: 50,
  },
  quick: {
    lrDecay: 0,
    realLabel: 1,
    classWeight: 0,
    steps: 2000,
    minutes: 15,
    ganAfter: 500,
    sampleEvery: 100,
    checkpointEvery: 250,
  },
};

/** The flags of `deno task train`. */
export const TRAIN_FLAGS: readonly FlagSpec[] = [
  {
    name: "preset",
    key: "preset",
    type: { kind: "enum", values: ["default", "reference", "quick"] },
    help: "Start from a named set of settings",
    arg: "NAME",
  },
  {
    ...RUN_FLAG,
    help: "Run name (folder under output/runs/)",
    defaultText: "date-time, e.g. 20261126-181206",
  },
  {
    name: "resume",
    key: "resume",
    type: { kind: "boolean" },
    help: "Continue the run from its last checkpoint (with --run, else the latest run)",
  },
  OUT_FLAG,
  {
    name: "data",
    key: "data",
    type: { kind: "string" },
    help: "mnist, a folder of pictures (PNG, JPEG, WebP, SVG; see docs/data.md), " +
      "or a folder with train-images-idx3-ubyte[.gz]",
    arg: "SRC",
  },
  {
    name: "size",
    key: "size",
    type: { kind: "int", min: 8, max: 512 },
    help: "Side of the training images in pixels (IDX images are cropped to it, " +
      "pictures fitted by --fit)",
    arg: "N",
  },
  {
    name: "fit",
    key: "fit",
    type: { kind: "enum", values: FIT_MODES },
    help: "How pictures become --size x --size: crop (centre), resize (squash), " +
      "pad (black bars) or none (they must be that size already)",
    arg: "MODE",
  },
  {
    name: "channels",
    key: "channels",
    type: { kind: "int", min: 1, max: 3 },
    help: "1 (grey) or 3 (RGB); by default colour is detected from the pictures",
    arg: "C",
    defaultText: "from the data",
  },
  SEED_FLAG,
  BACKEND_FLAG,
  {
    name: "epochs",
    key: "epochs",
    type: { kind: "int", min: 1 },
    help: "Passes over the 60,000 images",
    arg: "N",
  },
  {
    name: "steps",
    key: "steps",
    type: { kind: "int", min: 1 },
    help: "Stop once the run has done N batches in all (overrides --epochs)",
    arg: "N",
    defaultText: "set by --epochs",
  },
  {
    name: "minutes",
    key: "minutes",
    type: { kind: "number", min: 0 },
    help: "Stop (with a checkpoint) once the run has trained N minutes in all, " +
      "counted across resumes; 0: no limit",
    arg: "N",
    defaultText: "0",
  },
  {
    name: "batch",
    key: "batch",
    type: { kind: "int", min: 1 },
    help: "Images per batch",
    arg: "N",
  },
  {
    name: "lr-g",
    key: "lrG",
    type: { kind: "number", min: 0, exclusiveMin: true },
    help: "Learning rate of the generator (GAN + VAE loss)",
    arg: "X",
  },
  {
    name: "lr-vae",
    key: "lrVae",
    type: { kind: "number", min: 0, exclusiveMin: true },
    help: "Learning rate of the VAE updates",
    arg: "X",
  },
  {
    name: "lr-d",
    key: "lrD",
    type: { kind: "number", min: 0, exclusiveMin: true },
    help: "Learning rate of the discriminator",
    arg: "X",
  },
  {
    name: "beta1",
    key: "beta1",
    type: { kind: "number", min: 0, max: 0.999999 },
    help: "Adam beta1 of all three optimisers",
    arg: "X",
  },
  {
    name: "z-dim",
    key: "zDim",
    type: { kind: "int", min: 1 },
    help: "Latent dimensions",
    arg: "N",
  },
  {
    name: "width",
    key: "width",
    type: { kind: "int", min: 1 },
    help: "Generator units per layer",
    arg: "N",
  },
  {
    name: "depth",
    key: "depth",
    type: { kind: "int", min: 1 },
    help: "Generator hidden layers (1 softplus + N-1 tanh)",
    arg: "N",
  },
  {
    name: "scale",
    key: "scale",
    type: { kind: "number", min: 0, exclusiveMin: true, max: MAX_SCALE },
    help: "Coordinate scale while training (z is multiplied by it too)",
    arg: "X",
  },
  {
    name: "encoder-width",
    key: "encoderWidth",
    type: { kind: "int", min: 1 },
    help: "Encoder units per hidden layer",
    arg: "N",
  },
  {
    name: "disc-channels",
    key: "discChannels",
    type: { kind: "intList", min: 1 },
    help: "Discriminator convolution channels",
    arg: "A,B,C",
  },
  {
    name: "gan",
    key: "gan",
    type: { kind: "boolean" },
    help: "Train as a plain VAE, without the discriminator (baseline)",
  },
  {
    name: "gan-after",
    key: "ganAfter",
    type: { kind: "int", min: 0 },
    help: "Train the VAE alone for the first N steps, then add the GAN (0: from the start)",
    arg: "N",
  },
  {
    name: "loop",
    key: "loop",
    type: { kind: "enum", values: ["balanced", "alternating"] },
    help: "Each step: alternating (one discriminator update, then one generator update) " +
      "or balanced (the reference's balancing rules below)",
    arg: "NAME",
  },
  {
    name: "gan-fakes",
    key: "ganFakes",
    type: { kind: "enum", values: ["both", "samples", "reconstructions"] },
    help: "What the discriminator sees as fakes: samples G(z ~ N(0, I)), " +
      "reconstructions of the batch (the reference), or both",
    arg: "KIND",
  },
  {
    name: "gan-weight",
    key: "ganWeight",
    type: { kind: "number", min: 0 },
    help: "Weight of the GAN loss in the generator's loss (vae + W * g)",
    arg: "W",
  },
  {
    name: "kl-weight",
    key: "klWeight",
    type: { kind: "number", min: 0, max: 100 },
    help: "Weight of the KL term in the VAE loss (reconstruction + W * KL)",
    arg: "W",
  },
  {
    name: "class-weight",
    key: "classWeight",
    type: { kind: "number", min: 0, max: 100 },
    help: "Give the discriminator a class head trained on the data's labels (MNIST's digits) " +
      "and add W times the fakes' class entropy to the generator's GAN loss: each sample " +
      "clearly one class, all classes drawn; 0: no head (the reference). Data without " +
      "labels (pictures) trains without the head unless the flag is given",
    arg: "W",
  },
  {
    name: "z-every-layer",
    key: "zEveryLayer",
    type: { kind: "boolean" },
    help: "Feed z to every generator layer, not only the first (--no-z-every-layer: the reference)",
  },
  {
    name: "z-map",
    key: "zMap",
    type: { kind: "int", min: 0, max: 8 },
    help:
      "Hidden layers of a mapping network that reshapes z once per image (0: none, the reference)",
    arg: "N",
  },
  {
    name: "vae-steps",
    key: "vaeSteps",
    type: { kind: "int", min: 1 },
    help: "VAE updates per batch",
    arg: "N",
  },
  {
    name: "g-steps",
    key: "gSteps",
    type: { kind: "int", min: 1 },
    help: "Most generator updates per batch",
    arg: "N",
  },
  {
    name: "g-stop-below",
    key: "gStopBelow",
    type: { kind: "number", min: 0 },
    help: "Stop generator updates once g_loss is below this",
    arg: "X",
  },
  {
    name: "d-train-above",
    key: "dTrainAbove",
    type: { kind: "number", min: 0 },
    help: "Train the discriminator only if d_loss is above this",
    arg: "X",
  },
  {
    name: "d-train-if-g-below",
    key: "dTrainIfGBelow",
    type: { kind: "number", min: 0 },
    help: "... and g_loss is below this",
    arg: "X",
  },
  {
    name: "log-every",
    key: "logEvery",
    type: { kind: "int", min: 1 },
    help: "Write a log.jsonl line every N steps",
    arg: "N",
  },
  {
    name: "sample-every",
    key: "sampleEvery",
    type: { kind: "int", min: 1 },
    help: "Write a sample grid and the loss chart every N steps",
    arg: "N",
  },
  {
    name: "checkpoint-every",
    key: "checkpointEvery",
    type: { kind: "int", min: 1 },
    help: "Save a checkpoint every N steps",
    arg: "N",
  },
  {
    name: "ema-decay",
    key: "emaDecay",
    type: { kind: "number", min: 0, max: 0.99999 },
    help: "Decay per step of the moving average of the weights that samples, renders " +
      "and exports use (0.998: about the last 500 steps); 0: no average",
    arg: "D",
  },
  {
    name: "lr-decay",
    key: "lrDecay",
    type: { kind: "number", min: 0, max: 1 },
    help: "Lower the three learning rates linearly to zero over the last F of the run's " +
      "steps (0.5: its second half); 0: constant rates",
    arg: "F",
  },
  {
    name: "real-label",
    key: "realLabel",
    type: { kind: "number", min: 0.5, max: 1 },
    help: "The discriminator's target for real images; below 1 (e.g. 0.9) it is one-sided " +
      "label smoothing",
    arg: "T",
  },
  {
    name: "max-loss-rise",
    key: "maxLossRise",
    type: { kind: "number", min: 0 },
    help: "Stop, keeping the last checkpoint, when the VAE loss (mean of a log interval) " +
      "exceeds F times its lowest so far: the run has blown up; 0: never",
    arg: "F",
  },
  {
    name: "recoveries",
    key: "recoveries",
    type: { kind: "int", min: 0, max: 10 },
    help: "On a blow-up (a NaN loss or --max-loss-rise), go back to the last checkpoint at a " +
      "third of the learning rates, up to N times; then stop, keeping that checkpoint",
    arg: "N",
  },
  {
    name: "eval-every",
    key: "evalEvery",
    type: { kind: "int", min: 0 },
    help: "Measure sample quality as `deno task eval` does every N steps, digits with the " +
      "MNIST classifier, pictures against their held-out tenth (quality.jsonl, quality.png); " +
      "0: never",
    arg: "N",
  },
  {
    name: "eval-samples",
    key: "evalSamples",
    type: { kind: "int", min: 100 },
    help: "Samples per quality measurement",
    arg: "N",
  },
  { ...WORKERS_FLAG, help: "Training workers (data-parallel; the same result for any number)" },
  {
    name: "bn-groups",
    key: "bnGroups",
    type: { kind: "int", min: 1 },
    help: "Discriminator batch norm over this many groups of each batch (1: the reference)",
    arg: "N",
  },
];

/** A run name from the current time, e.g. `20261126-181206`. */
export function timestampName(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${
    p(date.getMinutes())
  }${p(date.getSeconds())}`;
}

/** Fills every field: user options over the preset over the defaults. */
export function resolveTrainConfig(user: Partial<TrainConfig> = {}): TrainConfig {
  const preset = user.preset ?? TRAIN_DEFAULTS.preset;
  const config: TrainConfig = { ...TRAIN_DEFAULTS, ...PRESETS[preset], ...user, preset };
  if (config.discChannels.length < 1) {
    throw new FlagError("--disc-channels needs at least one value");
  }
  if (config.channels === 2) throw new FlagError("--channels must be 1 or 3, got 2");
  checkBatch(config);
  return config;
}

/**
 * A run's saved `config.json` (already parsed), checked: an object whose
 * settings are each valid for its flag (defaults, such as `steps: 0`, are
 * taken as they are).
 *
 * @throws {FlagError} naming the file and the first bad setting.
 */
export function checkSavedConfig(value: unknown, path: string): TrainConfig {
  const fail = (what: string) => new FlagError(`Cannot read run config "${path}": ${what}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail("it is not an object of settings");
  }
  const saved = value as Record<string, unknown>;
  for (const spec of TRAIN_FLAGS) {
    const v = saved[spec.key];
    const fallback = (TRAIN_DEFAULTS as unknown as Record<string, unknown>)[spec.key];
    if (v === undefined || JSON.stringify(v) === JSON.stringify(fallback)) continue;
    try {
      parseFlags(toArgs({ [spec.key]: v }, [spec]), [spec]);
    } catch (error) {
      throw fail((error as Error).message);
    }
  }
  return saved as unknown as TrainConfig;
}

/**
 * Merges a saved run's config with the options given for `--resume`:
 * settings the run keeps for life must not change; the others may.
 */
export function resumeConfig(
  saved: TrainConfig,
  user: Partial<TrainConfig>,
): TrainConfig {
  if (user.preset !== undefined) {
    throw new FlagError(
      `--preset cannot be used with --resume: run "${saved.run}" goes on with the settings it ` +
        `started with (preset "${saved.preset}"); give any setting to change as its own flag`,
    );
  }
  // a run saved before a setting existed was trained with the reference's value
  const trained: TrainConfig = { ...TRAIN_DEFAULTS, ...LEGACY_SETTINGS, ...saved };
  for (const key of FIXED_ON_RESUME) {
    if (user[key] === undefined) continue;
    if (JSON.stringify(user[key]) !== JSON.stringify(trained[key])) {
      const flag = TRAIN_FLAGS.find((f) => f.key === key)?.name ?? key;
      throw new FlagError(
        `--${flag} cannot change on --resume: run "${saved.run}" was trained with ${
          JSON.stringify(trained[key])
        }`,
      );
    }
  }
  if (trained.classWeight > 0 && user.classWeight === 0) {
    throw new FlagError(
      `--class-weight cannot go to 0 on --resume: run "${saved.run}" has a discriminator with ` +
        `a class head (trained with ${trained.classWeight}); give a smaller weight instead`,
    );
  }
  return { ...trained, ...user, resume: true };
}

/** The three learning rates cut to a third (two significant digits): a blown-up run's next try. */
export function lowerRates(config: TrainConfig): Pick<TrainConfig, "lrG" | "lrVae" | "lrD"> {
  const third = (lr: number) => Number((lr / 3).toPrecision(2));
  return { lrG: third(config.lrG), lrVae: third(config.lrVae), lrD: third(config.lrD) };
}

/**
 * The factor of the learning rates at `step` (0-based) of a run of `total`
 * steps: 1, then falling linearly over the last `decay` fraction of the
 * steps to reach 0 after the last one.
 */
export function rateScale(step: number, total: number, decay: number): number {
  const span = decay * total;
  if (span <= 0) return 1;
  return Math.min(1, Math.max(0, (total - step) / span));
}

/** Checks that the batch splits into the discriminator's batch-norm groups. */
export function checkBatch(config: TrainConfig): void {
  if (config.batch % config.bnGroups !== 0) {
    throw new FlagError(
      `--batch ${config.batch} does not split into --bn-groups ${config.bnGroups} equal groups`,
    );
  }
}

/** Steps per epoch: whole batches in the data set. */
export function stepsPerEpoch(config: TrainConfig, images: number): number {
  return Math.max(1, Math.floor(images / config.batch));
}

/** The step at which the run ends. */
export function totalSteps(config: TrainConfig, images: number): number {
  return config.steps > 0 ? config.steps : config.epochs * stepsPerEpoch(config, images);
}
