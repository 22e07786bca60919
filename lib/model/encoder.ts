/**
 * The VAE encoder: an MLP from a flattened image to the mean and log
 * variance of `q(z | x)`. Reference: 676 -> 512 softplus -> 512 softplus ->
 * two linear heads of 32. Both heads are stored as one `[hidden, 2 * zDim]`
 * matrix (`wh`): columns `0..zDim-1` give `mu`, the rest `log_sigma_sq`.
 * Weights start as N(0, 0.02), biases at 0.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { dense, denseOnData, fastSoftplus } from "./fast_ops.ts";
import { constantVariable, normalVariable, type Params } from "./params.ts";
import type { Rng } from "../base/rng.ts";

/** The encoder's architecture. */
export interface EncoderSpec {
  /** Values per input image: pixels times channels (26 * 26 = 676 for MNIST). */
  inputSize: number;
  /** Units per hidden layer (reference: 512). */
  hidden: number;
  /** Number of hidden layers (reference: 2). */
  layers: number;
  /** Latent dimensions. */
  zDim: number;
}

/** Creates the encoder's weights. */
export function initEncoder(spec: EncoderSpec, rng: Rng, std = 0.02): Params {
  const p: Params = {};
  let inputs = spec.inputSize;
  for (let i = 1; i <= spec.layers; i++) {
    p[`w${i}`] = normalVariable(rng, [inputs, spec.hidden], std);
    p[`b${i}`] = constantVariable([spec.hidden], 0);
    inputs = spec.hidden;
  }
  p.wh = normalVariable(rng, [inputs, 2 * spec.zDim], std);
  p.bh = constantVariable([2 * spec.zDim], 0);
  return p;
}

/** `q(z | x)` for a batch. */
export interface Posterior {
  /** Means, shape `[b, zDim]`. */
  mu: tf.Tensor2D;
  /** Log variances, shape `[b, zDim]`. */
  logVar: tf.Tensor2D;
}

/**
 * Encodes a batch of images.
 *
 * @param x Images in [0, 1], shape `[b, inputSize]`.
 */
export function encode(params: Params, spec: EncoderSpec, x: tf.Tensor2D): Posterior {
  return tf.tidy(() => {
    let h = x;
    for (let i = 1; i <= spec.layers; i++) {
      const w = params[`w${i}`] as tf.Tensor2D, b = params[`b${i}`] as tf.Tensor1D;
      // the images need no gradient
      h = fastSoftplus(i === 1 ? denseOnData(h, w, b) : dense(h, w, b));
    }
    const heads = dense(h, params.wh as tf.Tensor2D, params.bh as tf.Tensor1D);
    const [mu, logVar] = tf.split(heads, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mu, logVar };
  });
}

/**
 * Draws `z = mu + sqrt(exp(logVar)) * eps` (the reparameterisation trick).
 *
 * @param eps N(0, 1) noise, shape `[b, zDim]`.
 */
export function samplePosterior(q: Posterior, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(q.mu, tf.mul(tf.exp(tf.mul(q.logVar, 0.5)), eps)));
}
