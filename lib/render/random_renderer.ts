/**
 * The evaluator of random-network art (see `model/random_net.ts`): its
 * activations (sin, relu, ...) and inputs are not those of the trained
 * generator's folded form, so it has its own small network, but it runs in
 * the same render workers and hands over the same bands of bytes, so
 * streaming, PNG writing, walks and videos are shared with trained models.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { pixelCoords } from "../model/coords.ts";
import {
  RANDOM_NORM_EPSILON,
  type RandomActivation,
  randomInputs,
  type RandomNetWeights,
} from "../model/random_net.ts";
import { bytesInChunks, DEFAULT_CHUNK_PIXELS, type ImageRequest } from "./renderer.ts";

/** The activation, then each pixel's units normalised to mean 0 and variance 1. */
function activate(x: tf.Tensor, activation: RandomActivation): tf.Tensor2D {
  const h = nonlinear(x, activation);
  const { mean, variance } = tf.moments(h, 1, true);
  return tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, RANDOM_NORM_EPSILON))) as tf.Tensor2D;
}

function nonlinear(x: tf.Tensor, activation: RandomActivation): tf.Tensor2D {
  switch (activation) {
    case "tanh":
      return tf.tanh(x) as tf.Tensor2D;
    case "sin":
      return tf.sin(x) as tf.Tensor2D;
    case "relu":
      return tf.relu(x) as tf.Tensor2D;
    case "softplus":
      return tf.softplus(x) as tf.Tensor2D;
  }
}

/** `b + z W` for one vector, `W` as `[zDim, width]`. */
function zBias(z: Float32Array, w: Float32Array, b: Float32Array): Float32Array {
  const out = b.slice();
  for (let k = 0; k < z.length; k++) {
    for (let c = 0; c < out.length; c++) out[c] += z[k] * w[k * out.length + c];
  }
  return out;
}

/** A random network loaded onto the backend once, rendering any number of images. */
export class RandomRenderer {
  /** Bytes per pixel: 1 (grey) or 3 (RGB). */
  readonly channels: number;
  readonly #net: RandomNetWeights;
  readonly #wc: tf.Tensor2D;
  readonly #layers: { w: tf.Tensor2D; b: tf.Tensor1D }[];
  readonly #wout: tf.Tensor2D;
  readonly #bout: tf.Tensor1D;

  constructor(net: RandomNetWeights) {
    const { width, inputs, channels } = net.random;
    this.#net = net;
    this.channels = channels;
    this.#wc = tf.tensor2d(net.wc, [inputs.length, width]);
    this.#layers = net.layers.map((l) => ({
      w: tf.tensor2d(l.w, [width, width]),
      b: tf.tensor1d(l.b),
    }));
    this.#wout = tf.tensor2d(net.wout, [width, channels]);
    this.#bout = tf.tensor1d(net.bout);
  }

  /** Values in (0, 1) of rows `rowStart` to `rowEnd`, channels interleaved. */
  async renderRows(
    first: tf.Tensor1D,
    request: ImageRequest,
    rowStart: number,
    rowEnd: number,
  ): Promise<Float32Array> {
    const { width, height, view } = request;
    const { inputs, activation } = this.#net.random;
    const n = (rowEnd - rowStart) * width;
    const c = randomInputs(pixelCoords(width, height, view, rowStart, rowEnd), inputs);
    const out = tf.tidy(() => {
      const x = tf.tensor2d(c, [n, inputs.length]);
      let h = activate(tf.fused.matMul({ a: x, b: this.#wc, bias: first }), activation);
      for (const l of this.#layers) {
        h = activate(tf.fused.matMul({ a: h, b: l.w, bias: l.b }), activation);
      }
      return tf.fused.matMul({ a: h, b: this.#wout, bias: this.#bout, activation: "sigmoid" });
    });
    const values = await out.data() as Float32Array;
    out.dispose();
    return values;
  }

  /** Renders rows `rowStart` to `rowEnd` as bytes, `chunkPixels` at a time. */
  async renderBytes(
    request: ImageRequest,
    rowStart = 0,
    rowEnd = request.height,
    chunkPixels = DEFAULT_CHUNK_PIXELS,
  ): Promise<Uint8Array> {
    const { wz, b0, random } = this.#net;
    if (request.z.length !== random.zDim) {
      throw new Error(
        `The latent vector has ${request.z.length} values; this network takes ${random.zDim}`,
      );
    }
    const first = tf.tensor1d(zBias(request.z, wz, b0));
    try {
      return await bytesInChunks(
        request,
        { rowStart, rowEnd, chunkPixels, channels: this.channels },
        (r, end) => this.renderRows(first, request, r, end),
      );
    } finally {
      first.dispose();
    }
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose([this.#wc, this.#wout, this.#bout, ...this.#layers.flatMap((l) => [l.w, l.b])]);
  }
}
