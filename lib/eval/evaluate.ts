/**
 * Quality numbers for a trained generator (`deno task eval`), measured with
 * the MNIST classifier of `eval/classifier.ts`:
 *
 * - **FD**: the Fréchet distance between the classifier's penultimate
 *   features of N generated samples (`z ~ N(0, I)`, rendered at 26x26 in the
 *   training view) and of the 10,000 test images (centre crops). Lower is
 *   better; the **floor** is the FD between the 60,000 training images and
 *   the test images, what real digits score (cached next to the classifier).
 * - **coverage** and **confident** (`eval/sample_metrics.ts`): whether every
 *   digit class is drawn, and how many samples look clearly like a digit.
 * - **reconstruction**: the VAE's Bernoulli loss per pixel on the test
 *   images, decoding the encoder's mean (no sampling).
 *
 * A model of other pictures (colour, another size, or trained on a folder
 * of pictures) is measured by {@linkcode evaluatePictureModel} instead, with
 * label-free features (`eval/pictures.ts`) against its own held-out pictures.
 *
 * @module
 */
import { basename, join, resolve } from "@std/path";
import { tf } from "../base/tf.ts";
import { exists, readJson, writeJsonAtomic } from "../base/atomic_write.ts";
import { loadGenerator, loadNetworkParams } from "../model/network_files.ts";
import { isIdxData } from "../data/dataset.ts";
import type { FitMode } from "../data/images.ts";
import { addChecksums, locateCheckpoint } from "../base/checksummed_folder.ts";
import { CLASSIFIER_DIR, classify, loadClassifier, type LoadedClassifier } from "./classifier.ts";
import { defaultView, pixelCoords } from "../model/coords.ts";
import { centreCrops } from "../data/crop.ts";
import { encode, type EncoderSpec } from "../model/encoder.ts";
import type { EvalConfig } from "./config.ts";
import { FlagError } from "../base/flags.ts";
import { frechetDistance, type Gaussian, MomentAccumulator } from "./frechet.ts";
import { generate, type GeneratorSpec } from "../model/generator.ts";
import { type GreyImage, grid, writePng } from "../media/image.ts";
import { reconstructionLoss } from "../model/losses.ts";
import { type ImageSet, loadMnist } from "../data/mnist.ts";
import { disposeParams, type Params } from "../model/params.ts";
import { Rng } from "../base/rng.ts";
import { latestRun, runPaths, runsDir } from "../model/runs.ts";
import { classCounts, confidentFraction, coverage } from "./sample_metrics.ts";
import { measurePictures, type PictureNumbers, type PictureReference } from "./pictures.ts";
import type { DataOptions } from "../data/dataset.ts";
import { channelsOf, isDigitModel } from "../model/generator.ts";

/** The file name of the report written next to the checkpoint. */
export const EVAL_FILE = "eval.json";
/** The file name of the sample grid written next to the checkpoint. */
export const EVAL_SAMPLES_FILE = "eval-samples.png";
/** The file caching the train-vs-test FD inside the classifier folder. */
export const FLOOR_FILE = "fd-floor.json";

/** Images per classifier call when streaming a whole image set. */
const CHUNK = 2000;

/** What to evaluate and where its results go. */
export interface EvalTarget {
  /** The checkpoint folder (generator and encoder). */
  checkpoint: string;
  /** The folder `eval.json` and `eval-samples.png` are written to. */
  outDir: string;
  /** How to name it to the user (`run "x"` or the folder). */
  label: string;
  /** `outDir` is a model folder: its `checksums.sha256` lists the results too. */
  listed: boolean;
  /** The run's (or model folder's) `config.json`, which names its training data. */
  config: string;
}

/** Called as long steps advance: `phase` names the step. */
export type EvalProgress = (phase: string, done: number, total: number) => void;

/** The contents of `eval.json`. */
export interface EvalReport {
  /** The checkpoint evaluated. */
  checkpoint: string;
  /** The generator's architecture. */
  generator: GeneratorSpec;
  /** Generated samples measured. */
  samples: number;
  /** Seed of their latent vectors. */
  seed: number;
  /** FD between sample and test-image features. */
  fd: number;
  /** FD between training- and test-image features (what real digits score). */
  fd_floor: number;
  /** Entropy of the predicted-class histogram over ln 10, in [0, 1]. */
  coverage: number;
  /** Fraction of samples whose top class probability is >= 0.9. */
  confident: number;
  /** Samples predicted as each class 0..9. */
  class_counts: number[];
  /** VAE reconstruction loss per pixel on the test images (encoder mean). */
  reconstruction: number;
  /** Test images the FD and the reconstruction use. */
  test_images: number;
  /** The classifier used. */
  classifier: { dir: string; accuracy: number; sha256: string };
  /** Seconds the evaluation took. */
  time_s: number;
  /** When it was made (ISO 8601). */
  created: string;
}

/** The cached floor, valid for the classifier whose weights have `classifier_sha256`. */
interface FloorFile {
  classifier_sha256: string;
  train_images: number;
  test_images: number;
  fd: number;
}

/**
 * Finds the checkpoint `--run` or `--model` names (the latest run if
 * neither is given).
 *
 * @throws {FlagError} if there is no such run or folder.
 */
export async function resolveTarget(config: EvalConfig): Promise<EvalTarget> {
  if (config.model) {
    if (!(await exists(config.model))) {
      throw new FlagError(`--model "${config.model}": no such folder`);
    }
    const outDir = config.updateModel
      ? config.model
      : join(config.out, "evals", evalName(config.model));
    return {
      checkpoint: config.model,
      outDir,
      label: config.model,
      listed: config.updateModel,
      config: join(config.model, "config.json"),
    };
  }
  const name = config.run || await latestRun(config.out);
  if (!name) {
    throw new FlagError(
      `No runs in ${runsDir(config.out)}: train one with \`deno task train\`, ` +
        "or pass --model DIR",
    );
  }
  const paths = runPaths(config.out, name);
  if (!(await exists(paths.dir))) {
    throw new FlagError(`No run "${name}" in ${runsDir(config.out)}`);
  }
  return {
    checkpoint: paths.checkpoint,
    outDir: paths.dir,
    label: `run "${name}"`,
    listed: false,
    config: paths.config,
  };
}

/** The folder name under `<out>/evals/` for a model folder: its own name. */
function evalName(model: string): string {
  const name = basename(resolve(model));
  return /^[\w-][\w.-]*$/.test(name) && name !== "latest" ? name : "model";
}

/**
 * Refuses to replace an `eval.json` in `outDir` that measured more samples
 * than `samples`, unless `force`.
 *
 * @throws {FlagError} naming the file, its sample count and the way out.
 */
export async function checkReplaceEval(
  outDir: string,
  samples: number,
  force: boolean,
): Promise<void> {
  const path = join(outDir, EVAL_FILE);
  if (force || !(await exists(path))) return;
  const old = await readJson<Partial<EvalReport>>(path).catch(() => null);
  const had = typeof old?.samples === "number" ? old.samples : Infinity;
  if (had > samples) {
    throw new FlagError(
      `${path} holds an evaluation of ${Number.isFinite(had) ? had : "an unknown number of"} ` +
        `samples; this one would have ${samples}: pass --samples ${
          Number.isFinite(had) ? had : "N"
        } or --force to replace it`,
    );
  }
}

/**
 * Loads the classifier for evaluation, with an error that says how to make
 * one if it is missing.
 */
export async function loadEvalClassifier(dir: string): Promise<LoadedClassifier> {
  if (!(await exists(join(dir, "classifier.json")))) {
    const flag = dir === CLASSIFIER_DIR ? "" : ` --classifier ${dir}`;
    throw new Error(
      `No classifier in "${dir}": train it once with ` +
        `\`deno task eval --train-classifier${flag}\` (about 3 minutes)`,
    );
  }
  return await loadClassifier(dir);
}

/**
 * Streams the classifier's features of the centre crops of `set` (the
 * first `count` images; 0: all) into a Gaussian summary.
 */
export async function imageSetFeatures(
  classifier: LoadedClassifier,
  set: ImageSet,
  count = 0,
  onProgress?: (done: number, total: number) => void,
): Promise<Gaussian> {
  const n = count > 0 ? Math.min(count, set.count) : set.count;
  const acc = new MomentAccumulator(classifier.spec.hidden);
  onProgress?.(0, n);
  for (let start = 0; start < n; start += CHUNK) {
    const indices = Array.from({ length: Math.min(CHUNK, n - start) }, (_, i) => start + i);
    const { features } = await classify(
      classifier,
      centreCrops(set, indices, classifier.spec.size),
    );
    acc.add(features);
    onProgress?.(start + indices.length, n);
  }
  return acc.gaussian();
}

/**
 * The FD between the training and the test images: cached in the
 * classifier's folder (`fd-floor.json`, tied to the classifier's weights),
 * computed and written if missing or stale.
 *
 * @param testFeatures The test images' features, if already computed.
 */
export async function fdFloor(
  classifier: LoadedClassifier,
  dir: string,
  testFeatures?: Gaussian,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const path = join(dir, FLOOR_FILE);
  if (await exists(path)) {
    const cached = await readJson<FloorFile>(path).catch(() => null);
    if (cached && cached.classifier_sha256 === classifier.sha256 && Number.isFinite(cached.fd)) {
      return cached.fd;
    }
  }
  const test = await loadMnist("mnist", "test");
  const testG = testFeatures ?? await imageSetFeatures(classifier, test);
  const train = await loadMnist("mnist", "train");
  const trainG = await imageSetFeatures(classifier, train, 0, onProgress);
  const fd = frechetDistance(trainG, testG);
  const file: FloorFile = {
    classifier_sha256: classifier.sha256,
    train_images: trainG.count,
    test_images: testG.count,
    fd,
  };
  await writeJsonAtomic(path, file);
  return fd;
}

/** Batch size for rendering `pixels`-pixel images with `spec` (bounded memory). */
export function generationBatch(spec: GeneratorSpec, pixels: number): number {
  return Math.max(1, Math.min(500, Math.floor(2 ** 23 / (pixels * spec.width))));
}

/** What {@linkcode evaluate} measures, before it is written. */
export interface Evaluation {
  /** The numbers. */
  report: EvalReport;
  /** The first (up to) 100 samples, 10 to a row. */
  samples: GreyImage;
}

/** The contents of `eval.json` for a model of other pictures (see `eval/pictures.ts`). */
export interface PictureEvalReport extends PictureNumbers {
  /** The checkpoint evaluated. */
  checkpoint: string;
  /** The generator's architecture. */
  generator: GeneratorSpec;
  /** The picture set, as its run was trained on it. */
  data: string;
  /** Generated samples measured, and the seed of their latent vectors. */
  samples: number;
  seed: number;
  /** Seconds the evaluation took, and when it was made (ISO 8601). */
  time_s: number;
  created: string;
}

/** Inputs of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** The checkpoint folder (generator and encoder). */
  checkpoint: string;
  /** The classifier folder. */
  classifierDir: string;
  /** Generated samples to measure. */
  samples: number;
  /** Seed of their latent vectors. */
  seed: number;
}

async function loadNetworks(checkpoint: string) {
  const where = await locateCheckpoint(checkpoint);
  const gen = await loadNetworkParams<GeneratorSpec>(where, "generator");
  let enc: { spec: EncoderSpec; params: Params };
  try {
    enc = await loadNetworkParams<EncoderSpec>(where, "encoder");
  } catch (error) {
    disposeParams(gen.params);
    throw error;
  }
  return { where, gen, enc };
}

/**
 * Renders `count` samples from `z ~ N(0, I)` (seeded) at `size` x `size` and
 * hands each batch to `onBatch` (`[b, size * size]` grey levels in (0, 1),
 * and the index of its first sample).
 */
export async function renderSamples(
  gen: { spec: GeneratorSpec; params: Params },
  count: number,
  seed: number,
  size: number,
  onBatch: (images: Float32Array, start: number) => Promise<void>,
): Promise<void> {
  const { spec } = gen;
  const z = new Rng(seed, "eval/samples").normal(count * spec.zDim);
  const pixels = size * size;
  const coords = tf.tensor2d(pixelCoords(size, size, defaultView(spec.scale)), [pixels, 3]);
  const batch = generationBatch(spec, pixels);
  try {
    for (let start = 0; start < count; start += batch) {
      const b = Math.min(batch, count - start);
      const out = tf.tidy(() =>
        generate(
          gen.params,
          spec,
          tf.tensor2d(z.subarray(start * spec.zDim, (start + b) * spec.zDim), [b, spec.zDim]),
          coords,
        )
      );
      const images = await out.data() as Float32Array;
      out.dispose();
      await onBatch(images, start);
    }
  } finally {
    coords.dispose();
  }
}

/**
 * The mean VAE reconstruction loss per pixel (per value, for colour) of
 * the test images, decoding the encoder's mean.
 */
async function reconstruction(
  gen: { spec: GeneratorSpec; params: Params },
  enc: { spec: EncoderSpec; params: Params },
  test: ImageSet,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const size = gen.spec.size;
  const pixels = size * size, values = pixels * channelsOf(gen.spec);
  if (enc.spec.inputSize !== values) {
    throw new Error(
      `The encoder takes ${enc.spec.inputSize} pixels but the generator draws ${size}x${size}`,
    );
  }
  const coords = tf.tensor2d(pixelCoords(size, size, defaultView(gen.spec.scale)), [pixels, 3]);
  const batch = generationBatch(gen.spec, pixels);
  let total = 0;
  onProgress?.(0, test.count);
  try {
    for (let start = 0; start < test.count; start += batch) {
      const indices = Array.from(
        { length: Math.min(batch, test.count - start) },
        (_, i) => start + i,
      );
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(centreCrops(test, indices, size), [indices.length, values]);
        const { mu } = encode(enc.params, enc.spec, x);
        return tf.sum(reconstructionLoss(x, generate(gen.params, gen.spec, mu, coords)));
      });
      total += (await loss.data())[0];
      loss.dispose();
      onProgress?.(start + indices.length, test.count);
    }
  } finally {
    coords.dispose();
  }
  return total / test.count / values;
}

/**
 * Measures a checkpoint (see the module doc). Nothing is written except the
 * floor cache in the classifier folder.
 */
export async function evaluate(
  options: EvaluateOptions,
  onProgress?: EvalProgress,
): Promise<Evaluation> {
  const t0 = performance.now();
  const classifier = await loadEvalClassifier(options.classifierDir);
  let networks: Awaited<ReturnType<typeof loadNetworks>> | null = null;
  try {
    networks = await loadNetworks(options.checkpoint);
    const { gen, enc } = networks;
    const size = classifier.spec.size;
    const test = await loadMnist("mnist", "test");

    const testG = await imageSetFeatures(
      classifier,
      test,
      0,
      (d, t) => onProgress?.("test image features", d, t),
    );
    const floor = await fdFloor(
      classifier,
      options.classifierDir,
      testG,
      (d, t) => onProgress?.("training image features (FD floor, cached after)", d, t),
    );

    const { classes, hidden } = classifier.spec;
    const n = options.samples;
    const acc = new MomentAccumulator(hidden);
    const probs = new Float32Array(n * classes);
    const shown = Math.min(100, n);
    const firstImages = new Float32Array(shown * size * size);
    onProgress?.("samples", 0, n);
    await renderSamples(gen, n, options.seed, size, async (images, start) => {
      if (start < shown) {
        firstImages.set(images.subarray(0, (shown - start) * size * size), start * size * size);
      }
      const out = await classify(classifier, images);
      acc.add(out.features);
      probs.set(out.probs, start * classes);
      onProgress?.("samples", start + images.length / (size * size), n);
    });
    const sampleG = acc.gaussian();

    const recon = await reconstruction(
      gen,
      enc,
      test,
      (d, t) => onProgress?.("reconstruction", d, t),
    );
    const report: EvalReport = {
      checkpoint: networks.where,
      generator: gen.spec,
      samples: n,
      seed: options.seed,
      fd: frechetDistance(sampleG, testG),
      fd_floor: floor,
      coverage: coverage(probs, classes),
      confident: confidentFraction(probs, classes),
      class_counts: classCounts(probs, classes),
      reconstruction: recon,
      test_images: testG.count,
      classifier: {
        dir: options.classifierDir,
        accuracy: classifier.meta.accuracy,
        sha256: classifier.sha256,
      },
      time_s: (performance.now() - t0) / 1000,
      created: new Date().toISOString(),
    };
    return { report, samples: grid(firstImages, shown, size, 10) };
  } finally {
    disposeParams(classifier.params);
    if (networks) disposeParams(networks.gen.params, networks.enc.params);
  }
}

/**
 * Writes `eval.json` and `eval-samples.png` into `outDir` (adding them to
 * its `checksums.sha256` if `listed`); returns their paths.
 */
export async function writeEvaluation(
  outDir: string,
  evaluation: { report: EvalReport | PictureEvalReport; samples: GreyImage },
  listed = false,
): Promise<{ report: string; samples: string }> {
  const report = join(outDir, EVAL_FILE);
  const samples = join(outDir, EVAL_SAMPLES_FILE);
  await Deno.mkdir(outDir, { recursive: true });
  await writeJsonAtomic(report, evaluation.report);
  await writePng(samples, evaluation.samples);
  if (listed) await addChecksums(outDir, [EVAL_FILE, EVAL_SAMPLES_FILE]);
  return { report, samples };
}

/** A short table of the numbers, for the terminal. */
export function formatReport(report: EvalReport): string {
  const rows: [string, string, string][] = [
    [
      "FD",
      report.fd.toFixed(3),
      `Fréchet distance, samples vs the ${report.test_images} test images (lower is better)`,
    ],
    ["FD floor", report.fd_floor.toFixed(3), "the same for the 60,000 training images"],
    ["coverage", report.coverage.toFixed(3), "class entropy / ln 10 (1: all digits equally)"],
    ["confident", report.confident.toFixed(3), "samples classified with p >= 0.9"],
    [
      "reconstruction",
      report.reconstruction.toFixed(4),
      "VAE loss per pixel on the test images (encoder mean)",
    ],
  ];
  return table([
    ...rows,
    ["classes", "", report.class_counts.map((c, i) => `${i}:${c}`).join(" ")],
  ]);
}

/** Rows of name, value and meaning, aligned (a row without a value: its text right after the name). */
function table(rows: [string, string, string][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  const w1 = Math.max(...rows.map((r) => r[1].length)) + 2;
  return rows.map(([a, b, c]) =>
    b ? a.padEnd(w0) + b.padStart(w1 - 2).padEnd(w1) + c : a.padEnd(w0) + c
  ).join("\n");
}

/**
 * Measures a model of any pictures against the held-out pictures of `data`
 * (see `eval/pictures.ts`): FD in a fixed random network's features, its
 * floor, and the reconstruction loss. `reference`: the data's measured
 * pictures, if already computed (see `pictureReference`).
 */
export async function evaluatePictureModel(
  options: Omit<EvaluateOptions, "classifierDir"> & {
    data: DataOptions;
    reference?: PictureReference;
  },
  onProgress?: EvalProgress,
): Promise<{ report: PictureEvalReport; samples: GreyImage }> {
  const t0 = performance.now();
  const networks = await loadNetworks(options.checkpoint);
  const { gen, enc } = networks;
  try {
    const size = gen.spec.size, channels = channelsOf(gen.spec);
    const n = options.samples, shown = Math.min(100, n), each = size * size * channels;
    const first = new Float32Array(shown * each);
    const numbers = await measurePictures({
      gen,
      reconstruction: (test) =>
        reconstruction(gen, enc, test, (d, t) => onProgress?.("reconstruction", d, t)),
      data: options.data,
      reference: options.reference,
      samples: n,
      seed: options.seed,
      render: (onBatch) =>
        renderSamples(gen, n, options.seed, size, async (images, start) => {
          if (start < shown) first.set(images.subarray(0, (shown - start) * each), start * each);
          await onBatch(images, start);
        }),
    }, onProgress);
    const report: PictureEvalReport = {
      checkpoint: networks.where,
      generator: gen.spec,
      data: options.data.data,
      samples: n,
      seed: options.seed,
      ...numbers,
      time_s: (performance.now() - t0) / 1000,
      created: new Date().toISOString(),
    };
    return { report, samples: grid(first, shown, size, 10, 2, 0, channels) };
  } finally {
    disposeParams(gen.params, enc.params);
  }
}

/** A short table of a picture model's numbers, for the terminal. */
export function formatPictureReport(report: PictureEvalReport): string {
  const rows: [string, string, string][] = [
    [
      "FD",
      report.fd.toFixed(4),
      `Fréchet distance, samples vs the ${report.test_images} held-out pictures (lower is better)`,
    ],
    [
      "FD floor",
      report.fd_floor.toFixed(4),
      `the same for the ${report.train_images} training pictures`,
    ],
    [
      "reconstruction",
      report.reconstruction.toFixed(4),
      "VAE loss per value on the held-out pictures (encoder mean)",
    ],
  ];
  return table(rows) + `\nfeatures: ${report.features}`;
}

/**
 * The pictures a model is measured against, or null for a digit model
 * trained on MNIST-format data (measured with the MNIST classifier):
 * `dataFlag` (`--data`) if given, else the data its `config.json` names.
 *
 * @throws {FlagError} if a picture model's data is unknown.
 */
export async function pictureDataFor(
  target: EvalTarget,
  dataFlag: string,
): Promise<DataOptions | null> {
  const { spec } = await loadGenerator(target.checkpoint);
  const saved = await readJson<{ data?: string; fit?: FitMode }>(target.config).catch(() => null);
  const data = dataFlag || saved?.data || "mnist";
  if (isDigitModel(spec) && await isIdxData(data)) return null;
  if (data === "mnist" || await isIdxData(data)) {
    throw new FlagError(
      `${target.label} draws ${spec.size}x${spec.size} pictures in ${channelsOf(spec)} ` +
        `channel(s), not MNIST digits, and its training pictures are unknown: give them with ` +
        "--data DIR",
    );
  }
  return { data, size: spec.size, fit: saved?.fit ?? "crop", channels: channelsOf(spec) };
}
