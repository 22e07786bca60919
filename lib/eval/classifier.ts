/**
 * A small LeNet-style MNIST classifier on 26x26 centre crops, used to
 * measure the generator's samples (`deno task eval`): its penultimate layer
 * gives the features for the Fréchet distance, its class probabilities the
 * coverage and confidence.
 *
 * ```
 * x [b, 26, 26, 1]
 * conv 5x5 stride 2 SAME, 16 + relu   -> [b, 13, 13, 16]
 * conv 5x5 stride 2 SAME, 32 + relu   -> [b, 7, 7, 32]
 * conv 5x5 stride 2 SAME, 32 + relu   -> [b, 4, 4, 32]
 * flatten, dense 128 + relu           -> [b, 128]  (the features)
 * dense 10                            -> [b, 10]   (logits)
 * ```
 *
 * It trains on random 26x26 crops of the 60,000 training images (as the
 * generator does) with Adam, using the wasm fast paths of `model/fast_ops.ts`.
 * Saved as `classifier.json` (architecture, tensor manifest, accuracy) and
 * `classifier.bin` (float32) with `checksums.sha256`, like a checkpoint.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { Adam } from "../model/adam.ts";
import { BatchSchedule } from "../data/batches.ts";
import { CHECKPOINT_FORMAT, type NetworkFile } from "../model/network_files.ts";
import {
  floatsOf,
  parseJson,
  readVerified,
  replaceFolder,
  unlistedFile,
} from "../base/checksummed_folder.ts";
import { FlagError } from "../base/flags.ts";
import { sha256Hex } from "../base/fs_safe.ts";
import { centreCrops, randomCrops } from "../data/crop.ts";
import { conv2dStride2, dense } from "../model/fast_ops.ts";
import { type ImageSet, loadMnist } from "../data/mnist.ts";
import {
  assignFlat,
  constantVariable,
  countParams,
  disposeParams,
  flatten,
  gradients,
  manifestOf,
  manifestSize,
  normalVariable,
  type Params,
  paramsFromFlat,
} from "../model/params.ts";
import { Rng } from "../base/rng.ts";

/** The folder the trained classifier ships in. */
export const CLASSIFIER_DIR = "models/mnist-classifier";

/** The word used for the classifier folder in error messages. */
const KIND = "classifier";

/** The classifier's architecture, stored with its weights. */
export interface ClassifierSpec {
  /** Side of the (square) input crops: 26. */
  size: number;
  /** Convolution kernel side: 5. */
  kernel: number;
  /** Channels of each stride-2 convolution. */
  channels: number[];
  /** Units of the penultimate dense layer (the feature dimension). */
  hidden: number;
  /** Number of classes: 10. */
  classes: number;
}

/** The shipped architecture. */
export const CLASSIFIER_SPEC: ClassifierSpec = {
  size: 26,
  kernel: 5,
  channels: [16, 32, 32],
  hidden: 128,
  classes: 10,
};

/** A classifier: architecture and weights. */
export interface Classifier {
  /** The architecture. */
  spec: ClassifierSpec;
  /** The weights: `c1, c1b, ...` (convolutions), `wh, bh` (features), `wo, bo` (logits). */
  params: Params;
}

/** Training settings of {@linkcode trainClassifier}. */
export interface ClassifierTrainOptions {
  /** `mnist` or a folder of MNIST-format IDX files (with labels). */
  data: string;
  /** The architecture to train. */
  spec: ClassifierSpec;
  /** Passes over the training images. */
  epochs: number;
  /** Total batches; 0: `epochs` decides. */
  steps: number;
  /** Images per batch. */
  batch: number;
  /** Adam's initial learning rate. */
  lr: number;
  /** The learning rate is multiplied by this after every epoch. */
  lrDecay: number;
  /** Seed of the initial weights, the batch order and the crops. */
  seed: number;
  /** Test images to measure the accuracy on (the first N; 0: all). */
  testCount: number;
}

/** The defaults of {@linkcode trainClassifier}: about 99.2% test accuracy. */
export const CLASSIFIER_TRAIN_DEFAULTS: ClassifierTrainOptions = {
  data: "mnist",
  spec: CLASSIFIER_SPEC,
  epochs: 4,
  steps: 0,
  batch: 64,
  lr: 0.002,
  lrDecay: 0.5,
  seed: 1,
  testCount: 0,
};

/** What {@linkcode trainClassifier} reports after every step. */
export interface ClassifierProgress {
  /** Batches done. */
  step: number;
  /** Batches in all. */
  totalSteps: number;
  /** Epoch of the last batch (0-based). */
  epoch: number;
  /** Cross-entropy of the last batch. */
  loss: number;
}

/** A trained classifier and how it was made. */
export interface TrainedClassifier {
  /** The classifier. */
  classifier: Classifier;
  /** Fraction of the test images (centre crops) classified correctly. */
  accuracy: number;
  /** Test images the accuracy was measured on. */
  testImages: number;
  /** Wall-clock training time in seconds (without the accuracy check). */
  seconds: number;
  /** Batches trained. */
  steps: number;
  /** The settings used. */
  options: ClassifierTrainOptions;
}

/** Metadata saved in `classifier.json` besides the weights. */
export interface ClassifierFile extends NetworkFile<ClassifierSpec> {
  /** Test accuracy (centre crops). */
  accuracy: number;
  /** Test images the accuracy was measured on. */
  testImages: number;
  /** How it was trained. */
  training: { seconds: number; steps: number; options: ClassifierTrainOptions };
}

/** The side of the feature maps after each convolution: 26 -> 13 -> 7 -> 4. */
function sides(spec: ClassifierSpec): number[] {
  const out: number[] = [];
  let side = spec.size;
  for (let i = 0; i < spec.channels.length; i++) out.push(side = Math.ceil(side / 2));
  return out;
}

/** Fresh weights: He-normal (std `sqrt(2 / fan_in)`), biases 0. */
export function initClassifier(spec: ClassifierSpec, seed: number): Classifier {
  const rng = new Rng(seed, "classifier/init");
  const p: Params = {};
  let cin = 1;
  spec.channels.forEach((cout, i) => {
    const fanIn = spec.kernel * spec.kernel * cin;
    p[`c${i + 1}`] = normalVariable(
      rng,
      [spec.kernel, spec.kernel, cin, cout],
      Math.sqrt(2 / fanIn),
    );
    p[`c${i + 1}b`] = constantVariable([cout], 0);
    cin = cout;
  });
  const side = sides(spec).at(-1) ?? spec.size;
  const flat = side * side * cin;
  p.wh = normalVariable(rng, [flat, spec.hidden], Math.sqrt(2 / flat));
  p.bh = constantVariable([spec.hidden], 0);
  p.wo = normalVariable(rng, [spec.hidden, spec.classes], Math.sqrt(1 / spec.hidden));
  p.bo = constantVariable([spec.classes], 0);
  return { spec, params: p };
}

/** Frees the classifier's weights. */
export function disposeClassifier(classifier: Classifier): void {
  disposeParams(classifier.params);
}

/**
 * Runs the network on a batch.
 *
 * @param x Images in [0, 1], shape `[b, size * size]`.
 * @returns `logits` `[b, classes]` and `features` `[b, hidden]` (the
 *   penultimate layer, after its relu).
 */
export function forward(
  classifier: Classifier,
  x: tf.Tensor2D,
): { logits: tf.Tensor2D; features: tf.Tensor2D } {
  const { spec, params } = classifier;
  return tf.tidy(() => {
    const b = x.shape[0];
    let h = tf.reshape(x, [b, spec.size, spec.size, 1]) as tf.Tensor4D;
    for (let l = 1; l <= spec.channels.length; l++) {
      h = tf.relu(tf.add(conv2dStride2(h, params[`c${l}`] as tf.Tensor4D), params[`c${l}b`]));
    }
    const flat = tf.reshape(h, [b, -1]) as tf.Tensor2D;
    const features = tf.relu(
      dense(flat, params.wh as tf.Tensor2D, params.bh as tf.Tensor1D),
    ) as tf.Tensor2D;
    const logits = dense(features, params.wo as tf.Tensor2D, params.bo as tf.Tensor1D);
    return { logits, features };
  });
}

/**
 * Mean softmax cross-entropy.
 *
 * @param logits Shape `[b, classes]`.
 * @param oneHot Targets, shape `[b, classes]`.
 */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.sub(logits, tf.logSumExp(logits, 1, true));
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbs), 1)));
  });
}

/** Images per forward pass in {@linkcode classify}: bounds memory. */
export const CLASSIFY_BATCH = 500;

/**
 * Classifies images, `batch` at a time.
 *
 * @param images Values in [0, 1], `[n, size * size]` flattened.
 * @returns `probs` `[n, classes]` (softmax) and `features` `[n, hidden]`,
 *   both flattened.
 */
export async function classify(
  classifier: Classifier,
  images: Float32Array,
  batch = CLASSIFY_BATCH,
): Promise<{ probs: Float32Array; features: Float32Array }> {
  const { size, classes, hidden } = classifier.spec;
  const pixels = size * size;
  if (images.length % pixels !== 0) {
    throw new Error(
      `Cannot classify ${images.length} values: not a whole number of ${size}x${size} images`,
    );
  }
  const n = images.length / pixels;
  const probs = new Float32Array(n * classes);
  const features = new Float32Array(n * hidden);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const [p, f] = tf.tidy(() => {
      const x = tf.tensor2d(images.subarray(start * pixels, (start + b) * pixels), [b, pixels]);
      const out = forward(classifier, x);
      return [tf.softmax(out.logits), out.features];
    });
    probs.set(await p.data() as Float32Array, start * classes);
    features.set(await f.data() as Float32Array, start * hidden);
    tf.dispose([p, f]);
  }
  return { probs, features };
}

/** The index of the largest of `probs[i * classes .. (i + 1) * classes)`. */
export function argmax(probs: ArrayLike<number>, i: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) {
    if (probs[i * classes + c] > probs[i * classes + best]) best = c;
  }
  return best;
}

/**
 * Fraction of the images of `set` (the first `count`; 0: all) whose centre
 * crop is classified as their label.
 */
export async function accuracy(
  classifier: Classifier,
  set: ImageSet,
  count = 0,
): Promise<number> {
  if (!set.labels) throw new Error("Cannot measure accuracy: the images have no labels");
  const n = count > 0 ? Math.min(count, set.count) : set.count;
  const { classes, size } = classifier.spec;
  let correct = 0;
  const chunk = 5000;
  for (let start = 0; start < n; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
    const { probs } = await classify(classifier, centreCrops(set, indices, size));
    indices.forEach((index, i) => {
      if (argmax(probs, i, classes) === set.labels![index]) correct++;
    });
  }
  return correct / n;
}

/**
 * Trains a classifier on random crops of the MNIST training images, then
 * measures its accuracy on the test images (centre crops).
 *
 * @param onProgress Called after every batch.
 */
export async function trainClassifier(
  options: Partial<ClassifierTrainOptions> = {},
  onProgress?: (p: ClassifierProgress) => void,
): Promise<TrainedClassifier> {
  const o: ClassifierTrainOptions = { ...CLASSIFIER_TRAIN_DEFAULTS, ...options };
  const [train, test] = [await loadMnist(o.data, "train"), await loadMnist(o.data, "test")];
  if (!train.labels) throw new Error(`Cannot train the classifier: no labels in "${o.data}"`);
  const labels = train.labels;
  const { spec } = o;
  const schedule = new BatchSchedule(train.count, o.batch, o.seed);
  const total = o.steps > 0 ? o.steps : o.epochs * schedule.stepsPerEpoch;
  const rng = new Rng(o.seed, "classifier/crops");
  const classifier = initClassifier(spec, o.seed);
  const opt = new Adam(countParams(classifier.params), { lr: o.lr, beta1: 0.9 });
  const weights = await flatten(Object.values(classifier.params));
  const pixels = spec.size * spec.size;
  const start = performance.now();
  try {
    for (let step = 0; step < total; step++) {
      const epoch = schedule.epochOf(step);
      const lr = o.lr * o.lrDecay ** epoch;
      opt.lr = lr;
      const indices = schedule.indices(step);
      const x = tf.tensor2d(randomCrops(train, indices, spec.size, rng), [o.batch, pixels]);
      const y = tf.tidy(() =>
        tf.oneHot(tf.tensor1d(Int32Array.from(indices, (i) => labels[i]), "int32"), spec.classes)
          .toFloat() as tf.Tensor2D
      );
      const { value, grads } = gradients(
        () => crossEntropy(forward(classifier, x).logits, y),
        classifier.params,
      );
      opt.update(weights, await flatten(Object.keys(classifier.params).map((k) => grads[k])));
      assignFlat(classifier.params, weights);
      tf.dispose([x, y, ...Object.values(grads)]);
      const loss = (await value.data())[0];
      value.dispose();
      if (!Number.isFinite(loss)) {
        throw new Error(`Classifier training diverged at step ${step + 1} (loss ${loss})`);
      }
      onProgress?.({ step: step + 1, totalSteps: total, epoch, loss });
    }
  } catch (error) {
    disposeClassifier(classifier);
    throw error;
  }
  const seconds = (performance.now() - start) / 1000;
  const acc = await accuracy(classifier, test, o.testCount);
  const testImages = o.testCount > 0 ? Math.min(o.testCount, test.count) : test.count;
  return { classifier, accuracy: acc, testImages, seconds, steps: total, options: o };
}

/**
 * Saves a trained classifier to `dir` (replacing it atomically), with
 * checksums. A folder that holds files this project did not write there
 * (besides `keep`) is never replaced.
 *
 * @throws {FlagError} naming such a file.
 */
export async function saveClassifier(
  dir: string,
  trained: TrainedClassifier,
  keep: readonly string[] = [],
): Promise<void> {
  for (const folder of [dir, `${dir}.tmp`, `${dir}.prev`]) {
    const stranger = await unlistedFile(folder, [...keep, "classifier.json", "classifier.bin"]);
    if (stranger) {
      throw new FlagError(
        `Cannot save the classifier to "${dir}": "${folder}" holds "${stranger}", which this ` +
          "project did not write there; pick another --classifier folder",
      );
    }
  }
  const { classifier } = trained;
  const meta: ClassifierFile = {
    format: CHECKPOINT_FORMAT,
    network: "classifier",
    spec: classifier.spec,
    tensors: manifestOf(classifier.params),
    accuracy: trained.accuracy,
    testImages: trained.testImages,
    training: { seconds: trained.seconds, steps: trained.steps, options: trained.options },
  };
  const values = await flatten(Object.values(classifier.params));
  await replaceFolder(dir, {
    "classifier.json": JSON.stringify(meta, null, 2) + "\n",
    "classifier.bin": new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

/** A classifier read from disk, with its saved metadata. */
export interface LoadedClassifier extends Classifier {
  /** `classifier.json`. */
  meta: ClassifierFile;
  /** SHA-256 of `classifier.bin` (identifies the weights, e.g. for caches). */
  sha256: string;
}

/**
 * Loads the classifier saved in `dir`, verifying its checksums.
 *
 * @throws {Error} `Cannot read classifier "dir": ...` if it is missing,
 *   damaged or not a classifier.
 */
export async function loadClassifier(dir: string): Promise<LoadedClassifier> {
  const files = await readVerified(dir, ["classifier.json", "classifier.bin"], KIND);
  const meta = parseJson<ClassifierFile>(
    dir,
    "classifier.json",
    files.get("classifier.json")!,
    KIND,
  );
  if (meta.format !== CHECKPOINT_FORMAT || meta.network !== "classifier") {
    throw new Error(
      `Cannot read classifier "${dir}": classifier.json is not a ${CHECKPOINT_FORMAT} classifier`,
    );
  }
  const bytes = files.get("classifier.bin")!;
  const values = floatsOf(dir, "classifier.bin", bytes, manifestSize(meta.tensors), KIND);
  return {
    spec: meta.spec,
    params: paramsFromFlat(values, meta.tensors),
    meta,
    sha256: await sha256Hex(bytes),
  };
}
