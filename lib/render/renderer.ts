/**
 * The rendering engine: evaluates a trained generator over the pixels of an
 * image of any size, a chunk of rows at a time, so memory stays bounded.
 *
 * The weights are folded once (`foldGenerator` in `model/generator.ts`, the same
 * fold training uses) so that every tanh layer is one fused
 * `matMul + bias + sigmoid` kernel. The first layer's `z` term
 * (`scale * z W_z + b`) is computed once per image and used as its bias.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { pixelCoords, type View } from "../model/coords.ts";
import { fastSoftplus } from "../model/fast_ops.ts";
import { foldGenerator, type GeneratorSpec } from "../model/generator.ts";
import type { LoadedNetwork } from "../model/network_files.ts";
import { unflatten } from "../model/params.ts";

/** Default pixels per chunk: large enough for efficient matMuls. */
export const DEFAULT_CHUNK_PIXELS = 16384;

/** The folded generator (see `foldGenerator`) as plain arrays, for workers. */
export interface FoldedWeights {
  /** The architecture. */
  spec: GeneratorSpec;
  /** `scale * W_z`, `[zDim, width]`, and `b0`, `[width]`. */
  wz: Float32Array;
  b0: Float32Array;
  /** `[W_x; W_y; W_r]`, `[3, width]`. */
  wc: Float32Array;
  /** Hidden layers, each `s -> sigmoid(s W + b)`: `[width, width]`, `[width]`. */
  layers: { w: Float32Array; b: Float32Array }[];
  /** Output layer, `[width, 1]` and `[1]`, with a final sigmoid. */
  wout: Float32Array;
  bout: Float32Array;
}

/** Folds a stored generator for rendering (the same fold training uses). */
export function foldWeights(net: LoadedNetwork<GeneratorSpec>): FoldedWeights {
  const parts = unflatten(net.values, net.manifest);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, { shape, values }] of Object.entries(parts)) {
    tensors[name] = tf.tensor(values, shape);
  }
  const f = foldGenerator(tensors, net.spec);
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const out: FoldedWeights = {
    spec: net.spec,
    wz: read(f.wz).slice(),
    b0: read(f.b0).slice(),
    wc: read(f.wc).slice(),
    layers: f.layers.map((l) => ({ w: read(l.w).slice(), b: read(l.b).slice() })),
    wout: read(f.wout).slice(),
    bout: read(f.bout).slice(),
  };
  tf.dispose([
    ...Object.values(tensors),
    f.wz,
    f.wout,
    f.bout,
    ...f.layers.flatMap((l) => [l.w, l.b]),
  ]);
  return out;
}

/** How to render one image. */
export interface ImageRequest {
  /** Latent vector, `[zDim]`. */
  z: Float32Array;
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Where the image looks in the plane. */
  view: View;
  /** Dark digits on white. */
  invert?: boolean;
}

/** Converts grey levels in [0, 1] to bytes (round to nearest, clamped). */
function toBytesInto(values: Float32Array, out: Uint8Array, invert: boolean): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const b = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
    out[i] = invert ? 255 - b : b;
  }
}

/** A generator loaded onto the backend once, rendering any number of images. */
export class Renderer {
  readonly spec: GeneratorSpec;
  readonly #weights: FoldedWeights;
  readonly #wc: tf.Tensor2D;
  readonly #layers: { w: tf.Tensor2D; b: tf.Tensor1D }[];
  readonly #wout: tf.Tensor2D;
  readonly #bout: tf.Tensor1D;
  /** Reused coordinate buffer: no garbage per chunk. */
  #coords: Float32Array = new Float32Array(0);

  constructor(weights: FoldedWeights) {
    const { spec } = weights;
    const w = spec.width;
    this.spec = spec;
    this.#weights = weights;
    this.#wc = tf.tensor2d(weights.wc, [3, w]);
    this.#layers = weights.layers.map((l) => ({
      w: tf.tensor2d(l.w, [w, w]),
      b: tf.tensor1d(l.b),
    }));
    this.#wout = tf.tensor2d(weights.wout, [w, 1]);
    this.#bout = tf.tensor1d(weights.bout);
  }

  /** The first layer's per-image bias, `scale * z W_z + b0`, `[width]`. */
  latentBias(z: Float32Array): tf.Tensor1D {
    if (z.length !== this.spec.zDim) {
      throw new Error(
        `The latent vector has ${z.length} values; this model needs ${this.spec.zDim}`,
      );
    }
    // In plain JS (zDim x width multiply-adds): a reshaped tensor would keep
    // its [1, width] shape in the wasm backend, which fused matMul refuses.
    const { wz, b0 } = this.#weights;
    const w = this.spec.width;
    const bias = new Float32Array(w);
    for (let c = 0; c < w; c++) {
      let sum = b0[c];
      for (let k = 0; k < z.length; k++) sum += z[k] * wz[k * w + c];
      bias[c] = sum;
    }
    return tf.tensor1d(bias);
  }

  /**
   * Grey levels of rows `rowStart` to `rowEnd` (exclusive).
   *
   * @param bias From {@linkcode latentBias}, computed once per image.
   * @returns `[(rowEnd - rowStart) * width]` values in (0, 1).
   */
  async renderRows(
    bias: tf.Tensor1D,
    request: ImageRequest,
    rowStart: number,
    rowEnd: number,
  ): Promise<Float32Array> {
    const { width, height, view } = request;
    const n = (rowEnd - rowStart) * width;
    const coords = pixelCoords(width, height, view, rowStart, rowEnd, this.#coords);
    if (coords.length > this.#coords.length) this.#coords = coords;
    const out = tf.tidy(() => {
      const c = tf.tensor2d(coords, [n, 3]);
      let s = fastSoftplus(tf.fused.matMul({ a: c, b: this.#wc, bias })) as tf.Tensor2D;
      for (const layer of this.#layers) {
        s = tf.fused.matMul({
          a: s,
          b: layer.w,
          bias: layer.b,
          activation: "sigmoid",
        }) as tf.Tensor2D;
      }
      return tf.fused.matMul({ a: s, b: this.#wout, bias: this.#bout, activation: "sigmoid" });
    });
    const values = await out.data() as Float32Array;
    out.dispose();
    return values;
  }

  /**
   * Renders rows `rowStart` to `rowEnd` as 8-bit grey, `chunkPixels` at a
   * time (whole rows per chunk).
   */
  async renderBytes(
    request: ImageRequest,
    rowStart = 0,
    rowEnd = request.height,
    chunkPixels = DEFAULT_CHUNK_PIXELS,
  ): Promise<Uint8Array> {
    const { width } = request;
    const out = new Uint8Array((rowEnd - rowStart) * width);
    const rowsPerChunk = Math.max(1, Math.floor(chunkPixels / width));
    const bias = this.latentBias(request.z);
    try {
      for (let r = rowStart; r < rowEnd; r += rowsPerChunk) {
        const end = Math.min(rowEnd, r + rowsPerChunk);
        const values = await this.renderRows(bias, request, r, end);
        toBytesInto(
          values,
          out.subarray((r - rowStart) * width, (end - rowStart) * width),
          request.invert ?? false,
        );
      }
    } finally {
      bias.dispose();
    }
    return out;
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose([this.#wc, this.#wout, this.#bout]);
    for (const l of this.#layers) tf.dispose([l.w, l.b]);
  }
}
