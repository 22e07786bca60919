/**
 * The rendering engine: evaluates a trained generator over the pixels of an
 * image of any size, a chunk of rows at a time, so memory stays bounded.
 *
 * The weights are folded once (`foldGenerator` in `model/generator.ts`, the same
 * fold training uses) so that every tanh layer is one fused
 * `matMul + bias + sigmoid` kernel. The `z` terms (`scale * z W_z + b` of
 * the first layer, and `b_i + z U_i` of every later one in a model with
 * `zEveryLayer`) are computed once per image and used as the layers' biases;
 * so is a model's mapping network on `z` (`zMap`), which comes first. On
 * the wasm backend the first layer (coordinates to softplus) runs in the
 * WebAssembly kernel of `first_layer.ts`, faster than the backend's ops.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { pixelCoords, type View } from "../model/coords.ts";
import { fastSoftplus } from "../model/fast_ops.ts";
import { channelsOf, foldGenerator, type GeneratorSpec } from "../model/generator.ts";
import type { LoadedNetwork } from "../model/network_files.ts";
import type { RandomNetWeights } from "../model/random_net.ts";
import { unflatten } from "../model/params.ts";
import { FirstLayer } from "./first_layer.ts";

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
  /**
   * Hidden layers, each `s -> sigmoid(s W + b + z U)`: `[width, width]`,
   * `[width]` and, with `zEveryLayer`, `U` as `[zDim, width]`.
   */
  layers: { w: Float32Array; b: Float32Array; u?: Float32Array }[];
  /** Output layer, `[width, channels]` and `[channels]`, with a final sigmoid. */
  wout: Float32Array;
  bout: Float32Array;
  /**
   * The mapping network on `z` of a model with `zMap` (not folded): its
   * hidden layers `z -> tanh(z M + c)` (`M`: `[zDim or width, width]`, `c`:
   * `[width]`) and `M_out`, `[width, zDim]`, added to `z`.
   */
  map?: LatentMap;
}

/** What the render engines render: a trained generator (folded) or a random network. */
export type RenderWeights = FoldedWeights | RandomNetWeights;

/** A generator's mapping network on `z` (see {@linkcode FoldedWeights.map}). */
export interface LatentMap {
  /** Hidden tanh layers: weights and biases. */
  layers: { w: Float32Array; b: Float32Array }[];
  /** `M_out`, `[width, zDim]`. */
  out: Float32Array;
}

/** The stored mapping network of a generator's weights, if it has one. */
function readMap(
  parts: Record<string, { values: Float32Array }>,
  spec: GeneratorSpec,
): { map?: LatentMap } {
  if (!spec.zMap) return {};
  const layers = [];
  for (let k = 1; k <= spec.zMap; k++) {
    layers.push({ w: parts[`m${k}`].values.slice(), b: parts[`c${k}`].values.slice() });
  }
  return { map: { layers, out: parts.mout.values.slice() } };
}

/**
 * The latent vector the generator's layers see: `z` mapped by the model's
 * mapping network (`z + tanh(... tanh(z M_1 + c_1) ...) M_out`), or `z`
 * itself for a model without one. Computed in plain JS, once per image.
 */
export function mapLatentJs(z: Float32Array, map: LatentMap | undefined): Float32Array {
  if (!map) return z;
  let h = z;
  for (const layer of map.layers) h = affine(h, layer.w, layer.b).map(Math.tanh);
  const out = affine(h, map.out, new Float32Array(z.length));
  for (let k = 0; k < z.length; k++) out[k] += z[k];
  return out;
}

/**
 * The first layer's bias for one image, `[width]`: `b0 + z' W_z`, with
 * `z'` the latent vector as the layers see it ({@linkcode mapLatentJs}).
 */
export function firstLayerBias(weights: FoldedWeights, z: Float32Array): Float32Array {
  return firstBias(weights, mapLatentJs(z, weights.map));
}

/** `b0 + z' W_z` for an already mapped latent vector `mapped`. */
function firstBias(weights: FoldedWeights, mapped: Float32Array): Float32Array {
  return affine(mapped, weights.wz, weights.b0);
}

/**
 * Every layer's bias for one image, in plain JS: the first layer's
 * ({@linkcode firstLayerBias}) and each hidden layer's, `b_i + z' U_i` for
 * a layer with a `z` term and its own `b_i` for the others (`[width]` each).
 */
export function imageBiases(
  weights: FoldedWeights,
  z: Float32Array,
): { first: Float32Array; layers: Float32Array[] } {
  const mapped = mapLatentJs(z, weights.map);
  return {
    first: firstBias(weights, mapped),
    layers: weights.layers.map((l) => l.u ? affine(mapped, l.u, l.b) : l.b),
  };
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
    layers: f.layers.map((l) => ({
      w: read(l.w).slice(),
      b: read(l.b).slice(),
      ...(l.u ? { u: read(l.u).slice() } : {}),
    })),
    wout: read(f.wout).slice(),
    bout: read(f.bout).slice(),
    ...readMap(parts, net.spec),
  };
  tf.dispose([
    ...Object.values(tensors),
    f.wz,
    f.wout,
    f.bout,
    ...f.layers.flatMap((l) => [l.w, l.b, ...(l.u ? [l.u] : [])]),
  ]);
  return out;
}

/** An image's per-layer biases (see {@linkcode Renderer.latentBias}). */
export interface LatentBias {
  /** The first layer's, `[width]`. */
  first: tf.Tensor1D;
  /** The same values, for the first-layer kernel. */
  firstValues: Float32Array;
  /** Each hidden layer's with a `z` term, `[width]`; null for the others. */
  layers: (tf.Tensor1D | null)[];
}

/**
 * `b + z W` for one vector, `W` as `[zDim, width]`: in plain JS (zDim x
 * width multiply-adds), since a reshaped tensor would keep its
 * `[1, width]` shape in the wasm backend, which fused matMul refuses.
 */
function affine(z: Float32Array, w: Float32Array, b: Float32Array): Float32Array {
  const width = b.length;
  const out = new Float32Array(width);
  for (let c = 0; c < width; c++) {
    let sum = b[c];
    for (let k = 0; k < z.length; k++) sum += z[k] * w[k * width + c];
    out[c] = sum;
  }
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

/** Rows `[start, end)` of an image (end exclusive). */
export type RowRange = [start: number, end: number];

/**
 * The first row of each band of `rowsPerBand` rows in `rows`, aligned to
 * multiples of `rowsPerBand` from the image's top: a range renders in the
 * same bands as the rows of a whole image.
 */
export function bandStarts(rows: RowRange, rowsPerBand: number): number[] {
  const starts: number[] = [];
  for (let r = rows[0]; r < rows[1]; r = (Math.floor(r / rowsPerBand) + 1) * rowsPerBand) {
    starts.push(r);
  }
  return starts;
}

/**
 * A render that hands over an image's bands of rows in order (a pool's or an
 * engine's): `channels` bytes per pixel, each pixel's channels together.
 */
export type BandedRender = (
  request: ImageRequest,
  onRows: (bytes: Uint8Array, rowStart: number) => Promise<void> | void,
) => Promise<void>;

/**
 * Collects the bands of a {@linkcode BandedRender} into one image (for
 * small images) of `channels` bytes per pixel.
 */
export async function wholeImage(
  render: BandedRender,
  request: ImageRequest,
  channels = 1,
): Promise<Uint8Array> {
  const rowBytes = request.width * channels;
  const out = new Uint8Array(rowBytes * request.height);
  await render(request, (bytes, row) => out.set(bytes, row * rowBytes));
  return out;
}

/** Converts grey levels (or colour values) in [0, 1] to bytes (round to nearest, clamped). */
export function toBytesInto(values: Float32Array, out: Uint8Array, invert: boolean): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const b = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
    out[i] = invert ? 255 - b : b;
  }
}

/**
 * Rows `rowStart` to `rowEnd` of an image as bytes (`channels` per pixel),
 * computed `chunkPixels` at a time (whole rows per chunk) by `rows(r, end)`,
 * which returns values in [0, 1].
 */
export async function bytesInChunks(
  request: ImageRequest,
  band: { rowStart: number; rowEnd: number; chunkPixels: number; channels: number },
  rows: (rowStart: number, rowEnd: number) => Promise<Float32Array>,
): Promise<Uint8Array> {
  const { rowStart, rowEnd, chunkPixels, channels } = band;
  const rowBytes = request.width * channels;
  const out = new Uint8Array((rowEnd - rowStart) * rowBytes);
  const rowsPerChunk = Math.max(1, Math.floor(chunkPixels / request.width));
  for (let r = rowStart; r < rowEnd; r += rowsPerChunk) {
    const end = Math.min(rowEnd, r + rowsPerChunk);
    const into = out.subarray((r - rowStart) * rowBytes, (end - rowStart) * rowBytes);
    toBytesInto(await rows(r, end), into, request.invert ?? false);
  }
  return out;
}

/** Options for {@linkcode Renderer}. */
export interface RendererOptions {
  /**
   * Where the first layer runs: `wasm`, the kernel of `first_layer.ts`
   * (the default on the wasm backend, where WebAssembly SIMD runs and the
   * width is a multiple of 16), or `backend`, the backend's own ops.
   */
  firstLayer?: "wasm" | "backend";
}

/** A generator loaded onto the backend once, rendering any number of images. */
export class Renderer {
  readonly spec: GeneratorSpec;
  /** Bytes per pixel of its images: 1 (grey) or 3 (RGB). */
  readonly channels: number;
  readonly #weights: FoldedWeights;
  readonly #wc: tf.Tensor2D;
  readonly #layers: { w: tf.Tensor2D; b: tf.Tensor1D | null }[];
  readonly #wout: tf.Tensor2D;
  readonly #bout: tf.Tensor1D;
  /** Where the first layer runs (see {@linkcode RendererOptions.firstLayer}). */
  readonly firstLayer: "wasm" | "backend";
  /** The first layer's kernel, where it runs. */
  readonly #first: FirstLayer | null;
  /** Reused coordinate buffer: no garbage per chunk. */
  #coords: Float32Array = new Float32Array(0);

  constructor(weights: FoldedWeights, options: RendererOptions = {}) {
    const { spec } = weights;
    const w = spec.width;
    this.spec = spec;
    this.channels = channelsOf(spec);
    this.#weights = weights;
    // the wasm backend copies a tensor's values when it is made, so the
    // kernel's memory can serve the next chunk
    const kernel = (options.firstLayer ?? "wasm") === "wasm" && tf.getBackend() === "wasm";
    this.#first = kernel ? FirstLayer.create(weights.wc, w) : null;
    this.firstLayer = this.#first ? "wasm" : "backend";
    this.#wc = tf.tensor2d(weights.wc, [3, w]);
    // a layer with a z term takes its bias per image (see latentBias)
    this.#layers = weights.layers.map((l) => ({
      w: tf.tensor2d(l.w, [w, w]),
      b: l.u ? null : tf.tensor1d(l.b),
    }));
    this.#wout = tf.tensor2d(weights.wout, [w, this.channels]);
    this.#bout = tf.tensor1d(weights.bout);
  }

  /**
   * The per-image biases, computed once per image: the first layer's
   * `scale * z W_z + b0`, then `b_i + z U_i` for every later layer with a
   * `z` term (`null` for the others, which keep their own bias), with `z`
   * first mapped by the model's mapping network if it has one.
   */
  latentBias(z: Float32Array): LatentBias {
    if (z.length !== this.spec.zDim) {
      throw new Error(
        `The latent vector has ${z.length} values; this model needs ${this.spec.zDim}`,
      );
    }
    const biases = imageBiases(this.#weights, z);
    return {
      first: tf.tensor1d(biases.first),
      firstValues: biases.first,
      layers: this.#weights.layers.map((l, i) => l.u ? tf.tensor1d(biases.layers[i]) : null),
    };
  }

  /**
   * Grey levels (or colours) of rows `rowStart` to `rowEnd` (exclusive).
   *
   * @param bias From {@linkcode latentBias}, computed once per image.
   * @returns `[(rowEnd - rowStart) * width * channels]` values in (0, 1).
   */
  async renderRows(
    bias: LatentBias,
    request: ImageRequest,
    rowStart: number,
    rowEnd: number,
  ): Promise<Float32Array> {
    const { width, height, view } = request;
    const n = (rowEnd - rowStart) * width;
    const coords = pixelCoords(width, height, view, rowStart, rowEnd, this.#coords);
    if (coords.length > this.#coords.length) this.#coords = coords;
    const out = tf.tidy(() => {
      let s = this.#firstLayer(bias, coords, n);
      this.#layers.forEach((layer, i) => {
        s = tf.fused.matMul({
          a: s,
          b: layer.w,
          bias: layer.b ?? bias.layers[i]!,
          activation: "sigmoid",
        }) as tf.Tensor2D;
      });
      return tf.fused.matMul({ a: s, b: this.#wout, bias: this.#bout, activation: "sigmoid" });
    });
    const values = await out.data() as Float32Array;
    out.dispose();
    return values;
  }

  /** The first layer's activations of `n` pixels (`coords`: `[n, 3]`), `[n, width]`. */
  #firstLayer(bias: LatentBias, coords: Float32Array, n: number): tf.Tensor2D {
    const first = this.#first;
    if (!first) {
      const c = tf.tensor2d(coords, [n, 3]);
      return fastSoftplus(tf.fused.matMul({ a: c, b: this.#wc, bias: bias.first })) as tf.Tensor2D;
    }
    first.setBias(bias.firstValues);
    first.coords(n).set(coords);
    return tf.tensor2d(first.run(n), [n, first.width]);
  }

  /**
   * Renders rows `rowStart` to `rowEnd` as 8-bit grey (or RGB),
   * `chunkPixels` at a time (whole rows per chunk).
   */
  async renderBytes(
    request: ImageRequest,
    rowStart = 0,
    rowEnd = request.height,
    chunkPixels = DEFAULT_CHUNK_PIXELS,
  ): Promise<Uint8Array> {
    const bias = this.latentBias(request.z);
    try {
      return await bytesInChunks(
        request,
        { rowStart, rowEnd, chunkPixels, channels: this.channels },
        (r, end) => this.renderRows(bias, request, r, end),
      );
    } finally {
      tf.dispose([bias.first, ...bias.layers.filter((b) => b !== null)]);
    }
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose([this.#wc, this.#wout, this.#bout]);
    for (const l of this.#layers) tf.dispose([l.w, ...(l.b ? [l.b] : [])]);
  }
}
