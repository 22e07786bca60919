/**
 * The generator: a CPPN, `f(x, y, r, z) -> grey level` (or an RGB colour),
 * evaluated once per pixel. Architecture (reference: width 128, depth 4, z 32,
 * scale 8):
 *
 * ```
 * U = (scale * z) W_z + b + x W_x + y W_y + r W_r   // [pixels, width]
 * h = softplus(U)
 * h = tanh(h W_i + b_i [+ z U_i])   for i = 1 .. depth - 1
 * out = sigmoid(h W_out + b_out)                     // [pixels, channels]
 * ```
 *
 * `channels` is 1 (grey, the reference) or 3 (RGB); an image's values are
 * pixel-major, channels interleaved (`r g b r g b ...`), as in a PNG row.
 *
 * With `zEveryLayer`, `z` also enters every tanh layer as a per-image bias
 * `z U_i` (`U_i`: `[zDim, width]`, stored as `u1 .. u{depth-1}`): the
 * latent vector steers each layer, not only the first, at the cost of one
 * `zDim x width` product per layer and image.
 *
 * With `zMap` = n > 0, a mapping network first turns each latent vector into
 * the one the layers above see, once per image (nothing per pixel):
 *
 * ```
 * m = tanh(... tanh(z M_1 + c_1) ... M_n + c_n)   // [b, width]
 * z' = z + m M_out                                // [b, zDim]
 * ```
 *
 * (`M_1`: `[zDim, width]`, `M_k`: `[width, width]`, `M_out`: `[width, zDim]`,
 * stored as `m1 .. mn`, `c1 .. cn`, `mout`).
 *
 * `W_x, W_y, W_r` are stored together as `wc`, shape `[3, width]`. All
 * weights and biases start as N(0, 0.1). The stored weights are exactly
 * these; for speed they are evaluated in a folded form (see
 * {@linkcode foldGenerator}) that computes the same function.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { dense, denseSigmoid, fastSoftplus, fastTanh } from "./fast_ops.ts";
import { normalVariable, type Params } from "./params.ts";
import type { Rng } from "../base/rng.ts";

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
  /** `z` enters every tanh layer too (absent in older models: false). */
  zEveryLayer?: boolean;
  /** Colour channels of the output: 1 (grey) or 3 (RGB); absent: 1. */
  channels?: number;
  /** Hidden layers of the mapping network on `z` (absent in older models: 0). */
  zMap?: number;
}

/** The channels of a generator's (or image's) output: `channels`, else 1. */
export function channelsOf(spec: { channels?: number }): number {
  return spec.channels ?? 1;
}

/**
 * Whether a generator draws MNIST-like digits (greyscale, 26 x 26): the
 * digit keyframes, `--digit` and the MNIST classifier apply to it.
 */
export function isDigitModel(spec: GeneratorSpec): boolean {
  return channelsOf(spec) === 1 && spec.size === 26;
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
  if (spec.zEveryLayer) {
    for (let i = 1; i < depth; i++) p[`u${i}`] = normalVariable(rng, [zDim, width], std);
  }
  const channels = channelsOf(spec);
  p.wout = normalVariable(rng, [width, channels], std);
  p.bout = normalVariable(rng, [channels], std);
  for (let k = 1; k <= (spec.zMap ?? 0); k++) {
    p[`m${k}`] = normalVariable(rng, [k === 1 ? zDim : width, width], std);
    p[`c${k}`] = normalVariable(rng, [width], std);
  }
  if (spec.zMap) p.mout = normalVariable(rng, [width, zDim], std);
  return p;
}

/**
 * The mapping network's latent vectors `z + m M_out` (see the module doc),
 * or `z` itself for a model without one.
 *
 * @param z Latent vectors, shape `[b, zDim]`.
 * @returns Shape `[b, zDim]`.
 */
export function mapLatent(
  params: Record<string, tf.Tensor>,
  spec: GeneratorSpec,
  z: tf.Tensor2D,
): tf.Tensor2D {
  if (!spec.zMap) return z;
  return tf.tidy(() => {
    let m = z;
    for (let k = 1; k <= spec.zMap!; k++) {
      m = fastTanh(dense(m, params[`m${k}`] as tf.Tensor2D, params[`c${k}`] as tf.Tensor1D));
    }
    return tf.add(z, dense(m, params.mout as tf.Tensor2D)) as tf.Tensor2D;
  });
}

/**
 * The generator's weights rewritten so that every tanh layer is one fused
 * `sigmoid(s W + b)` kernel. With `tanh(a) = 2 sigmoid(2a) - 1`, each
 * layer's output `h = 2s - 1` is folded into the next layer
 * (`h W + b = s (2W) + (b - 1ᵀW)`), so the network carries
 * `s = sigmoid(2a)` instead of `h`:
 *
 * - first tanh layer: `s1 = sigmoid(h0 (2 W1) + 2 b1)`;
 * - layer i > 1: `s_i = sigmoid(s_{i-1} (4 W_i) + 2 (b_i - 1ᵀW_i))`;
 * - output: `sigmoid(s (2 W_out) + b_out - 1ᵀW_out)` (`h0` directly if depth 1);
 * - with `zEveryLayer`, each layer's `z` term doubles with its bias: `2 U_i`.
 *
 * `scale` is folded into `W_z`. Built from tensor ops, so gradients flow
 * back to the stored weights; rendering uses the same fold.
 */
export interface FoldedGenerator {
  /** `scale * W_z`, `[zDim, width]`. */
  wz: tf.Tensor2D;
  /** First-layer bias, `[width]`. */
  b0: tf.Tensor1D;
  /** `[W_x; W_y; W_r]`, `[3, width]`. */
  wc: tf.Tensor2D;
  /** Hidden layers `s -> sigmoid(s w + b + z u)` (`u`: `[zDim, width]`, if any). */
  layers: { w: tf.Tensor2D; b: tf.Tensor1D; u?: tf.Tensor2D }[];
  /** Output layer `[width, channels]`, `[channels]`, followed by a sigmoid. */
  wout: tf.Tensor2D;
  bout: tf.Tensor1D;
}

/** Folds the weights (see {@linkcode FoldedGenerator}); tensors are new. */
export function foldGenerator(
  params: Record<string, tf.Tensor>,
  spec: GeneratorSpec,
): FoldedGenerator {
  const colSum = (w: tf.Tensor) => tf.sum(w, 0) as tf.Tensor1D;
  const layers: FoldedGenerator["layers"] = [];
  for (let i = 1; i < spec.depth; i++) {
    const w = params[`w${i}`], b = params[`b${i}`], u = params[`u${i}`];
    layers.push({
      w: tf.mul(w, i === 1 ? 2 : 4) as tf.Tensor2D,
      b: tf.mul(i === 1 ? b : tf.sub(b, colSum(w)), 2) as tf.Tensor1D,
      ...(u ? { u: tf.mul(u, 2) as tf.Tensor2D } : {}),
    });
  }
  const folded = spec.depth > 1;
  return {
    wz: tf.mul(params.wz, spec.scale) as tf.Tensor2D,
    b0: params.b0 as tf.Tensor1D,
    wc: params.wc as tf.Tensor2D,
    layers,
    wout: (folded ? tf.mul(params.wout, 2) : params.wout) as tf.Tensor2D,
    bout: (folded ? tf.sub(params.bout, colSum(params.wout)) : params.bout) as tf.Tensor1D,
  };
}

/**
 * Evaluates the CPPN for a batch of latent vectors on a shared pixel grid.
 *
 * @param latent Latent vectors, shape `[b, zDim]`.
 * @param coords Pixel coordinates `[x, y, r]`, shape `[p, 3]`.
 * @returns Grey levels (or RGB values) in (0, 1), shape `[b, p * channels]`,
 *   each pixel's channels together.
 */
export function generate(
  params: Params,
  spec: GeneratorSpec,
  latent: tf.Tensor2D,
  coords: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const b = latent.shape[0], p = coords.shape[0];
    const z = mapLatent(params, spec, latent);
    const f = foldGenerator(params, spec);
    const zProj = dense(z, f.wz, f.b0); // [b, width]
    const cProj = dense(coords, f.wc); // [p, width]
    const u = tf.add(tf.expandDims(zProj, 1), tf.expandDims(cProj, 0));
    let s = fastSoftplus(tf.reshape(u, [b * p, spec.width])) as tf.Tensor2D;
    for (const layer of f.layers) {
      if (!layer.u) {
        s = denseSigmoid(s, layer.w, layer.b);
        continue;
      }
      // per-image bias b + z u: [b, 1, width] added to every pixel's row
      const bias = tf.expandDims(dense(z, layer.u, layer.b), 1);
      const a = tf.add(tf.reshape(dense(s, layer.w), [b, p, spec.width]), bias);
      s = tf.sigmoid(tf.reshape(a, [b * p, spec.width])) as tf.Tensor2D;
    }
    return tf.reshape(denseSigmoid(s, f.wout, f.bout), [b, p * channelsOf(spec)]);
  });
}

/**
 * Multiply-adds per pixel, for FLOP counts: `2 * (3w + (depth-1) w² + cw)`
 * (`c` channels; the per-image `z` terms are not per pixel).
 */
export function flopsPerPixel(spec: GeneratorSpec): number {
  const w = spec.width;
  return 2 * (3 * w + (spec.depth - 1) * w * w + channelsOf(spec) * w);
}
