/**
 * The losses of the reference model.
 *
 * - reconstruction (Bernoulli), per image:
 *   `-sum_pixels [x log(1e-10 + x^) + (1 - x) log(1e-10 + 1 - x^)]`
 * - KL to N(0, I), per image: `-0.5 sum(1 + logVar - mu² - exp(logVar))`
 * - `vae = mean_batch(reconstruction + KL) / pixels`; the KL term may be
 *   weighted (`reconstruction + w KL`, the reference's `w` is 1)
 * - `d = 0.5 BCE(1, D(real)) + 0.5 BCE(0, D(G(z)))`, `g = BCE(1, D(G(z)))`
 * - with a class head on the discriminator (not in the reference): its
 *   cross-entropy on labelled real images, and for the generator the mean
 *   entropy of its class guesses on fakes minus the entropy of their mean
 *   guess (sure of each image's class, every class drawn: as CatGAN's
 *   generator, Springenberg 2015)
 *
 * The cross-entropies are computed from logits (`max(l, 0) - l t +
 * log(1 + exp(-|l|))`), which is the same value as the original's BCE on
 * sigmoid probabilities without its overflow at confident outputs.
 *
 * @module
 */
import { tf } from "../base/tf.ts";

const LOG_EPSILON = 1e-10;

/**
 * Bernoulli reconstruction loss per image.
 *
 * @param x Targets in [0, 1], shape `[b, p]`.
 * @param xHat Predictions in (0, 1), shape `[b, p]`.
 * @returns Shape `[b]`.
 */
export function reconstructionLoss(x: tf.Tensor2D, xHat: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const pos = tf.mul(x, tf.log(tf.add(xHat, LOG_EPSILON)));
    const neg = tf.mul(tf.sub(1, x), tf.log(tf.add(tf.sub(1, xHat), LOG_EPSILON)));
    return tf.neg(tf.sum(tf.add(pos, neg), 1));
  });
}

/**
 * KL divergence from N(mu, exp(logVar)) to N(0, I), per image.
 *
 * @param mu Shape `[b, zDim]`.
 * @param logVar Shape `[b, zDim]`.
 * @returns Shape `[b]`.
 */
export function klDivergence(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() =>
    tf.mul(
      -0.5,
      tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1),
    )
  );
}

/** Each image's VAE loss per pixel, `(reconstruction + klWeight * KL) / p`: `[b]`. */
export function vaeLossPerImage(
  x: tf.Tensor2D,
  xHat: tf.Tensor2D,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  klWeight = 1,
): tf.Tensor1D {
  return tf.tidy(() => {
    const kl = klDivergence(mu, logVar);
    const weighted = klWeight === 1 ? kl : tf.mul(kl, klWeight);
    return tf.div(tf.add(reconstructionLoss(x, xHat), weighted), x.shape[1]);
  });
}

/**
 * The VAE loss per pixel of a batch or of a shard of one: the images'
 * `(reconstruction + klWeight * KL) / p` summed and divided by `total`, the
 * whole batch's size (so shards' losses add up to the batch mean).
 */
export function vaeLoss(
  x: tf.Tensor2D,
  xHat: tf.Tensor2D,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  total = x.shape[0],
  klWeight = 1,
): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(vaeLossPerImage(x, xHat, mu, logVar, klWeight)), total));
}

/** Binary cross-entropy of each logit against a constant `target` in [0, 1]. */
export function bcePerExample<T extends tf.Tensor>(logits: T, target: number): T {
  return tf.tidy(() =>
    tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, target)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    )
  );
}

/**
 * `0.5 BCE(realLabel, D(real)) + 0.5 BCE(0, D(fake))` from logits, summed
 * over the images and divided by `total` (the whole batch's size). The
 * reference's `realLabel` is 1; below 1 is one-sided label smoothing.
 */
export function discriminatorLoss(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  total = realLogits.shape[0],
  realLabel = 1,
): tf.Scalar {
  return tf.tidy(() =>
    tf.div(
      tf.mul(
        0.5,
        tf.add(
          tf.sum(bcePerExample(realLogits, realLabel)),
          tf.sum(bcePerExample(fakeLogits, 0)),
        ),
      ),
      total,
    )
  );
}

/**
 * `BCE(1, D(fake))` from logits, summed and divided by `total`: the
 * generator wants its images called real (the non-saturating loss).
 */
export function generatorLoss(fakeLogits: tf.Tensor, total = fakeLogits.shape[0]): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(bcePerExample(fakeLogits, 1)), total));
}

/**
 * Cross-entropy of class logits against one-hot labels, summed over the
 * images and divided by `total`.
 *
 * @param classLogits Shape `[b, classes]`.
 * @param oneHot Shape `[b, classes]`.
 */
export function classLoss(
  classLogits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  total = classLogits.shape[0],
): tf.Scalar {
  return tf.tidy(() => tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(classLogits)))), total));
}

/**
 * How unclear a set of images' classes are: the sum of each image's class
 * entropy `H(p_i)` minus `b` times the entropy of their mean guess
 * `H(mean_i p_i)`, divided by `total`. Low when each image is sure of one
 * class and the images spread over the classes.
 *
 * @param classLogits Shape `[b, classes]`.
 */
export function classEntropyLoss(
  classLogits: tf.Tensor2D,
  total = classLogits.shape[0],
): tf.Scalar {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(classLogits);
    const each = tf.neg(tf.sum(tf.mul(tf.exp(logP), logP)));
    const mean = tf.mean(tf.exp(logP), 0);
    const spread = tf.neg(tf.sum(tf.mul(mean, tf.log(tf.add(mean, LOG_EPSILON)))));
    return tf.div(tf.sub(each, tf.mul(spread, classLogits.shape[0])), total);
  });
}
