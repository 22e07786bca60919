/**
 * The GAN discriminator. Reference: three 5x5 stride-2 SAME convolutions with
 * 24, 48 and 96 channels (26 -> 13 -> 7 -> 4), leaky ReLU 0.2, batch norm
 * (batch statistics) on layers 2 and 3, then flatten -> dense 1. It returns
 * logits; the probability is their sigmoid. Weights start as N(0, 0.02).
 *
 * With `classes` (not in the reference), a second dense head on the same
 * features gives class logits, as the auxiliary classifier of AC-GAN
 * (Odena et al. 2017): trained on labelled real images, it tells the
 * generator how clearly each sample shows one class.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { conv2dStride2, dense } from "./fast_ops.ts";
import { constantVariable, normalVariable, type Params } from "./params.ts";
import type { Rng } from "../base/rng.ts";

/** The discriminator's architecture. */
export interface DiscriminatorSpec {
  /** Side of the input images (26). */
  size: number;
  /** Channels of each convolution (reference: 24, 48, 96). */
  channels: number[];
  /** Convolution kernel side (reference: 5). */
  kernel: number;
  /** Channels of the input images: 1 (grey) or 3 (RGB); absent: 1. */
  inputChannels?: number;
  /** Classes of the auxiliary class head (`wc`, `bc`); absent or 0: no head. */
  classes?: number;
}

/** A batch's scores: real-or-fake logits and, with a class head, class logits. */
export interface DiscriminatorOutput {
  /** Logits (real > 0), `[b, 1]`. */
  logits: tf.Tensor2D;
  /** Class logits, `[b, classes]`; null without a class head. */
  classLogits: tf.Tensor2D | null;
}

/** The names of the class head's weights, the last in a discriminator's params. */
export const CLASS_HEAD = ["wc", "bc"] as const;

const BN_EPSILON = 1e-5;
const LEAK = 0.2;

function outSide(spec: DiscriminatorSpec): number {
  let side = spec.size;
  for (let i = 0; i < spec.channels.length; i++) side = Math.ceil(side / 2);
  return side;
}

/** Creates the discriminator's weights. */
export function initDiscriminator(
  spec: DiscriminatorSpec,
  rng: Rng,
  std = 0.02,
): Params {
  const p: Params = {};
  let cin = spec.inputChannels ?? 1;
  spec.channels.forEach((cout, i) => {
    const l = i + 1;
    p[`c${l}`] = normalVariable(rng, [spec.kernel, spec.kernel, cin, cout], std);
    if (l === 1) p.c1b = constantVariable([cout], 0);
    else {
      p[`g${l}`] = constantVariable([cout], 1);
      p[`be${l}`] = constantVariable([cout], 0);
    }
    cin = cout;
  });
  const side = outSide(spec);
  p.wd = normalVariable(rng, [side * side * cin, 1], std);
  p.bd = constantVariable([1], 0);
  if (spec.classes) {
    p.wc = normalVariable(rng, [side * side * cin, spec.classes], std);
    p.bc = constantVariable([spec.classes], 0);
  }
  return p;
}

function leakyRelu<T extends tf.Tensor>(x: T): T {
  return tf.maximum(x, tf.mul(x, LEAK)) as T;
}

/**
 * Batch norm with batch statistics, computed separately over each group of
 * `groupSize` consecutive images (`groupSize = b`: the whole batch).
 */
function batchNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  groupSize: number,
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [b / groupSize, groupSize, h, w, c]);
  const mean = tf.mean(grouped, [1, 2, 3], true);
  const centred = tf.sub(grouped, mean);
  const variance = tf.mean(tf.square(centred), [1, 2, 3], true);
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, BN_EPSILON)));
  return tf.add(tf.mul(tf.reshape(normed, [b, h, w, c]), gamma), beta) as tf.Tensor4D;
}

/**
 * Scores a batch of images.
 *
 * @param x Images in [0, 1], shape `[b, size * size * inputChannels]`
 *   (each pixel's channels together).
 * @param groupSize Batch norm statistics are taken over groups of this
 *   many consecutive images (default: the whole batch, as the reference).
 *   It must divide `b`.
 * @returns Logits (real > 0), shape `[b, 1]`.
 */
export function discriminate(
  params: Params,
  spec: DiscriminatorSpec,
  x: tf.Tensor2D,
  groupSize = x.shape[0],
): tf.Tensor2D {
  return tf.tidy(() => head(features(params, spec, x, groupSize), params, "wd", "bd"));
}

/**
 * Scores a batch of images and, with a class head, classifies them (see
 * {@linkcode discriminate} for the parameters): both from one pass.
 */
export function discriminateWithClasses(
  params: Params,
  spec: DiscriminatorSpec,
  x: tf.Tensor2D,
  groupSize = x.shape[0],
): DiscriminatorOutput {
  const [logits, classLogits] = tf.tidy(() => {
    const flat = features(params, spec, x, groupSize);
    const logits = head(flat, params, "wd", "bd");
    return spec.classes ? [logits, head(flat, params, "wc", "bc")] : [logits];
  });
  return { logits, classLogits: classLogits ?? null };
}

/** A dense head on the features: `[b, outputs]`. */
function head(flat: tf.Tensor2D, params: Params, w: string, b: string): tf.Tensor2D {
  return dense(flat, params[w] as tf.Tensor2D, params[b] as tf.Tensor1D);
}

/** The convolutions' features, flattened: `[b, side * side * lastChannels]`. */
function features(
  params: Params,
  spec: DiscriminatorSpec,
  x: tf.Tensor2D,
  groupSize: number,
): tf.Tensor2D {
  if (x.shape[0] % groupSize !== 0) {
    throw new Error(
      `A batch of ${x.shape[0]} does not split into batch-norm groups of ${groupSize}`,
    );
  }
  const b = x.shape[0];
  const c = spec.inputChannels ?? 1;
  let h = tf.reshape(x, [b, spec.size, spec.size, c]) as tf.Tensor4D;
  for (let l = 1; l <= spec.channels.length; l++) {
    h = conv2dStride2(h, params[`c${l}`] as tf.Tensor4D);
    h = l === 1
      ? tf.add(h, params.c1b)
      : batchNorm(h, params[`g${l}`], params[`be${l}`], groupSize);
    h = leakyRelu(h);
  }
  return tf.reshape(h, [b, -1]) as tf.Tensor2D;
}
