/**
 * The generator: a CPPN, `f(x, y, r, z) -> grey level`, evaluated once per
 * pixel. Architecture (reference: width 128, depth 4, z 32, scale 8):
 *
 * ```
 * U = (scale * z) W_z + b + x W_x + y W_y + r W_r   // [pixels, width]
 * h = softplus(U)
 * h = tanh(h W_i + b_i)        for i = 1 .. depth - 1
 * out = sigmoid(h W_out + b_out)                     // [pixels, 1]
 * ```
 *
 * `W_x, W_y, W_r` are stored together as `wc`, shape `[3, width]`. All
 * weights and biases start as N(0, 0.1).
 *
 * @module
 */
import { tf } from "./tf.ts";
import { dense, fastTanh } from "./fast_ops.ts";
import { normalVariable, type Params } from "./params.ts";
import type { Rng } from "./rng.ts";

/** The generator's architecture, stored with its weights. */
export interface GeneratorSpec {
  /** Latent dimensions (reference: 32). */
  zDim: number;
  /** Units per hidden layer (reference: 128). */
  width: number;
  /** Hidden layers: one softplus layer then `depth - 1` tanh layers. */
  depth: number;
  /** Training coordinate scale; `z` is also multiplied by it (reference: 8). */
  scale: number;
  /** Side of the training images in pixels (26). */
  size: number;
}

/** Creates the generator's weights, N(0, `std`) from `rng`. */
export function initGenerator(spec: GeneratorSpec, rng: Rng, std = 0.1): Params {
  const { zDim, width, depth } = spec;
  const p: Params = {
    wz: normalVariable(rng, [zDim, width], std),
    b0: normalVariable(rng, [width], std),
    wc: normalVariable(rng, [3, width], std),
  };
  for (let i = 1; i < depth; i++) {
    p[`w${i}`] = normalVariable(rng, [width, width], std);
    p[`b${i}`] = normalVariable(rng, [width], std);
  }
  p.wout = normalVariable(rng, [width, 1], std);
  p.bout = normalVariable(rng, [1], std);
  return p;
}

/**
 * Evaluates the CPPN for a batch of latent vectors on a shared pixel grid.
 *
 * @param z Latent vectors, shape `[b, zDim]`.
 * @param coords Pixel coordinates `[x, y, r]`, shape `[p, 3]`.
 * @returns Grey levels in (0, 1), shape `[b, p]`.
 */
export function generate(
  params: Params,
  spec: GeneratorSpec,
  z: tf.Tensor2D,
  coords: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const b = z.shape[0], p = coords.shape[0];
    const zProj = dense(
      tf.mul(z, spec.scale) as tf.Tensor2D,
      params.wz as tf.Tensor2D,
      params.b0 as tf.Tensor1D,
    ); // [b, width]
    const cProj = dense(coords, params.wc as tf.Tensor2D); // [p, width]
    const u = tf.add(tf.expandDims(zProj, 1), tf.expandDims(cProj, 0));
    let h = tf.softplus(tf.reshape(u, [b * p, spec.width])) as tf.Tensor2D;
    for (let i = 1; i < spec.depth; i++) {
      h = fastTanh(
        dense(h, params[`w${i}`] as tf.Tensor2D, params[`b${i}`] as tf.Tensor1D),
      );
    }
    const out = tf.sigmoid(
      dense(h, params.wout as tf.Tensor2D, params.bout as tf.Tensor1D),
    );
    return tf.reshape(out, [b, p]);
  });
}

/** Multiply-adds per pixel, for FLOP counts: `2 * (3w + (depth-1) w² + w)`. */
export function flopsPerPixel(spec: GeneratorSpec): number {
  const w = spec.width;
  return 2 * (3 * w + (spec.depth - 1) * w * w + w);
}
