/**
 * Quality numbers for a model of any pictures (`deno task eval` on a model
 * not trained on MNIST), with no labels and no trained classifier:
 *
 * - **Features**: a fixed *random-weight* convolutional network
 *   ({@linkcode RANDOM_FEATURES}): three 3x3 stride-2 convolutions (32, 64,
 *   128 channels, He-normal weights drawn from a fixed seed, ReLU) on the
 *   image scaled to [-1, 1]; the features are each layer's channel means and
 *   standard deviations over the image (448 numbers). Random convolutions
 *   respond to colour, edges and texture at three scales without having
 *   learnt any data set's labels, so they fit any picture set, greyscale or
 *   colour, at any size; being fixed, numbers of different runs and
 *   machines compare (see docs/evaluation.md for why and their limits).
 * - **FD**: the Fréchet distance between the features of N samples
 *   (`z ~ N(0, I)`, training view and size) and of the held-out pictures
 *   (one in ten of the set, see `data/images.ts`). Lower is better.
 * - **FD floor**: the same between the training pictures and the held-out
 *   ones: what real pictures of the set score (less than it is noise).
 * - **reconstruction**: the VAE's loss per value on the held-out pictures.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { type DataOptions, loadDataset } from "../data/dataset.ts";
import { centreCrops } from "../data/crop.ts";
import type { ImageSet } from "../data/mnist.ts";
import { channelsOf, type GeneratorSpec } from "../model/generator.ts";
import type { Params } from "../model/params.ts";
import { Rng } from "../base/rng.ts";
import { frechetDistance, type Gaussian, MomentAccumulator } from "./frechet.ts";

/** The feature network's name and version, recorded in reports. */
export const RANDOM_FEATURES = "random-conv/1: 3x3 stride-2 convs 32-64-128, ReLU, He init " +
  "(seed 'eval/random-features'), channel means and standard deviations";

const WIDTHS = [32, 64, 128];

/** The fixed random network for `channels`-channel images. */
export interface FeatureNet {
  filters: tf.Tensor4D[];
  channels: number;
  /** Features per image. */
  dims: number;
}

/** Draws the feature network (the same weights on every machine). */
export function featureNet(channels: number): FeatureNet {
  const rng = new Rng(1, "eval/random-features");
  let cin = channels;
  const filters = WIDTHS.map((cout) => {
    const std = Math.sqrt(2 / (9 * cin));
    const filter = tf.tensor4d(rng.normal(9 * cin * cout, 0, std), [3, 3, cin, cout]);
    cin = cout;
    return filter;
  });
  return { filters, channels, dims: 2 * WIDTHS.reduce((a, b) => a + b, 0) };
}

/** Frees the network. */
export function disposeFeatureNet(net: FeatureNet): void {
  tf.dispose(net.filters);
}

/**
 * Features of a batch: `images` `[b, size * size * channels]` in [0, 1],
 * each pixel's channels together.
 */
export async function pictureFeatures(
  net: FeatureNet,
  images: Float32Array,
  size: number,
): Promise<Float32Array> {
  const b = images.length / (size * size * net.channels);
  const out = tf.tidy(() => {
    let h = tf.sub(tf.mul(tf.tensor4d(images, [b, size, size, net.channels]), 2), 1) as tf.Tensor4D;
    const parts: tf.Tensor2D[] = [];
    for (const filter of net.filters) {
      h = tf.relu(tf.conv2d(h, filter, 2, "same"));
      const { mean, variance } = tf.moments(h, [1, 2]);
      parts.push(mean as tf.Tensor2D, tf.sqrt(tf.add(variance, 1e-8)) as tf.Tensor2D);
    }
    return tf.concat(parts, 1);
  });
  const values = await out.data() as Float32Array;
  out.dispose();
  return values;
}

/** Streams the features of a set's images (centre crops of `size`) into a Gaussian. */
async function setFeatures(
  net: FeatureNet,
  set: ImageSet,
  size: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Gaussian> {
  const acc = new MomentAccumulator(net.dims);
  for (let start = 0; start < set.count; start += 500) {
    const indices = Array.from({ length: Math.min(500, set.count - start) }, (_, i) => start + i);
    acc.add(await pictureFeatures(net, centreCrops(set, indices, size), size));
    onProgress?.(start + indices.length, set.count);
  }
  return acc.gaussian();
}

/** What {@linkcode measurePictures} reports. */
export interface PictureNumbers {
  /** FD between the samples' features and the held-out pictures'. */
  fd: number;
  /** FD between the training pictures' features and the held-out pictures'. */
  fd_floor: number;
  /** VAE loss per value on the held-out pictures (encoder mean). */
  reconstruction: number;
  /** Held-out and training pictures measured. */
  test_images: number;
  train_images: number;
  /** The feature network. */
  features: string;
}

/**
 * The real pictures a model is measured against, and their features: the
 * same for every checkpoint of a run, so a run measured again and again
 * (`deno task train --eval-every`) computes them once.
 */
export interface PictureReference {
  /** The held-out pictures (centre crops of `size`). */
  test: ImageSet;
  /** Their features' Gaussian summary. */
  testFeatures: Gaussian;
  /** FD between the training pictures' features and the held-out pictures'. */
  floor: number;
  /** Training pictures measured for the floor. */
  trainImages: number;
  /** The pictures' side and channels. */
  size: number;
  channels: number;
}

/**
 * Loads the held-out and training pictures of `data` (at its `size` and
 * `channels`) and measures them: the reference of {@linkcode measurePictures}.
 */
export async function pictureReference(
  data: DataOptions & { channels: number },
  onProgress?: (phase: string, done: number, total: number) => void,
): Promise<PictureReference> {
  const { size, channels } = data;
  const test = await loadDataset({
    ...data,
    onProgress: (d, t) => onProgress?.("held-out pictures", d, t),
  }, "test");
  const train = await loadDataset(data, "train");
  const net = featureNet(channels);
  try {
    const testFeatures = await setFeatures(
      net,
      test,
      size,
      (d, t) => onProgress?.("held-out features", d, t),
    );
    const trainFeatures = await setFeatures(
      net,
      train,
      size,
      (d, t) => onProgress?.("training features", d, t),
    );
    const floor = frechetDistance(trainFeatures, testFeatures);
    return { test, testFeatures, floor, trainImages: train.count, size, channels };
  } finally {
    disposeFeatureNet(net);
  }
}

/** The networks and data {@linkcode measurePictures} needs. */
export interface PictureInputs {
  gen: { spec: GeneratorSpec; params: Params };
  /** The VAE's reconstruction loss per value of a set (`evaluate.ts`'s). */
  reconstruction: (set: ImageSet) => Promise<number>;
  data: DataOptions;
  /** The data's reference features, if already computed (else they are). */
  reference?: PictureReference;
  samples: number;
  seed: number;
  /** Renders the samples batch by batch (`evaluate.ts`'s renderSamples). */
  render: (onBatch: (images: Float32Array, start: number) => Promise<void>) => Promise<void>;
}

/**
 * Measures a picture model against the held-out pictures of its data set
 * (see the module doc); `onProgress(phase, done, total)` as it goes.
 *
 * @throws {Error} if a given reference is of another size or channels.
 */
export async function measurePictures(
  inputs: PictureInputs,
  onProgress?: (phase: string, done: number, total: number) => void,
): Promise<PictureNumbers> {
  const { gen } = inputs;
  const size = gen.spec.size, channels = channelsOf(gen.spec);
  const ref = inputs.reference ??
    await pictureReference({ ...inputs.data, size, channels }, onProgress);
  if (ref.size !== size || ref.channels !== channels) {
    throw new Error(
      `The reference pictures are ${ref.size}x${ref.size}x${ref.channels}, the model draws ` +
        `${size}x${size}x${channels}`,
    );
  }
  const net = featureNet(channels);
  try {
    const acc = new MomentAccumulator(net.dims);
    const each = size * size * channels;
    await inputs.render(async (images, start) => {
      acc.add(await pictureFeatures(net, images, size));
      onProgress?.("samples", start + images.length / each, inputs.samples);
    });
    return {
      fd: frechetDistance(acc.gaussian(), ref.testFeatures),
      fd_floor: ref.floor,
      reconstruction: await inputs.reconstruction(ref.test),
      test_images: ref.test.count,
      train_images: ref.trainImages,
      features: RANDOM_FEATURES,
    };
  } finally {
    disposeFeatureNet(net);
  }
}
