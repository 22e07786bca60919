/**
 * The native render engine: ONNX Runtime (`npm:onnxruntime-node`, whose CPU
 * library ships inside the package) runs the exported generator (see
 * `onnx_model.ts`), or a random network (`onnx_random.ts`), a band of rows
 * at a time, so memory stays bounded as with the wasm workers. One session
 * renders in the calling thread (with ONNX Runtime's own threads);
 * `startOnnx` in `engine.ts` runs one single-threaded session in each
 * render worker instead. On the CPU, a generator's first layer runs in a
 * WebAssembly kernel of ours (`first_layer.ts`), which computes its
 * softplus faster, and ONNX Runtime the rest, from a model with the
 * image's biases built in (`bakedLayersOnnx`): a session per large image
 * for a model whose hidden layers take `z`, else one for every image. The
 * package is imported only when this engine starts: a user who never asks
 * for it never loads it.
 *
 * @module
 */
import { FlagError } from "../base/flags.ts";
import { collectPerPixels } from "../base/gc.ts";
import { pixelCoords } from "../model/coords.ts";
import { channelsOf } from "../model/generator.ts";
import { isRandomNet, randomInputs } from "../model/random_net.ts";
import { FirstLayer } from "./first_layer.ts";
import { bakedLayersOnnx, FIRST_LAYER_INPUT, generatorOnnx, ONNX_NAMES } from "./onnx_model.ts";
import { RANDOM_INPUTS, randomNetOnnx } from "./onnx_random.ts";
import {
  bandStarts,
  bytesInChunks,
  firstLayerBias,
  imageBiases,
  type ImageRequest,
  type RenderWeights,
  type RowRange,
  wholeImage,
} from "./renderer.ts";

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;
type Tensor = import("onnxruntime-node").Tensor;

/**
 * Default pixels per `session.run`: small enough that a layer's
 * activations stay in the core's cache (2,048 width-128 rows are 1 MiB),
 * which makes the elementwise operators between the matMuls cheap.
 */
export const DEFAULT_ONNX_CHUNK_PIXELS = 2048;

/**
 * Pixels from which an image of a model whose hidden layers take `z`
 * (`zEveryLayer`) gets a session of its own, its biases baked in (see
 * bakedLayersOnnx in onnx_model.ts): opening one takes a few milliseconds,
 * under what it saves on an image this large.
 */
export const BAKED_MIN_PIXELS = 1 << 16;

/** Baked sessions kept open: the latest images' (an image's bands may alternate with another's). */
const BAKED_KEPT = 2;

/** Why ONNX Runtime cannot be used here (the package is missing or fails to load). */
export class OnnxUnavailableError extends Error {
  /** Why, in the loader's words (first line). */
  readonly reason: string;
  constructor(reason: string) {
    super(`ONNX Runtime (npm:onnxruntime-node) cannot be loaded: ${reason}`);
    this.name = "OnnxUnavailableError";
    this.reason = reason;
  }
}

/** Where ONNX Runtime computes: `--device`. */
export type OnnxDevice = "cpu" | "cuda" | "coreml" | "dml";

/** Every valid `--device` value. */
export const ONNX_DEVICES: readonly OnnxDevice[] = ["cpu", "cuda", "coreml", "dml"];

/** What a device needs, for the error where it cannot be used. */
const DEVICE_NEEDS: Record<Exclude<OnnxDevice, "cpu">, string> = {
  cuda: "an NVIDIA GPU with CUDA 12 and ONNX Runtime's CUDA build (see docs/onnx.md)",
  coreml: "macOS",
  dml: "Windows with DirectML",
};

let ortModule: Promise<Ort> | null = null;

/** Imports ONNX Runtime once. @throws {OnnxUnavailableError} */
export function loadOnnxRuntime(): Promise<Ort> {
  ortModule ??= import("onnxruntime-node").then((ort) => {
    // failures reach the user as errors with their reason; ONNX Runtime's
    // own log would print them a second time, raw
    ort.env.logLevel = "fatal";
    return ort;
  }, (error) => {
    ortModule = null;
    const message = error instanceof Error ? error.message : String(error);
    throw new OnnxUnavailableError(message.split("\n")[0]);
  });
  return ortModule;
}

/** Options for {@linkcode OnnxRenderer.create}. */
export interface OnnxEngineOptions {
  /** ONNX Runtime's threads (default: its own choice, one per core). */
  threads?: number;
  /** Pixels per band (default {@linkcode DEFAULT_ONNX_CHUNK_PIXELS}). */
  chunkPixels?: number;
  /** Where to compute (default `cpu`). */
  device?: OnnxDevice;
  /**
   * Where the first layer runs: `wasm` (the default on the CPU, where
   * WebAssembly SIMD runs and the width is a multiple of 16) or `onnx`
   * (always on the other devices).
   */
  firstLayer?: "wasm" | "onnx";
}

/**
 * The error for a `device` this ONNX Runtime cannot use (`reason`: its
 * own words, if it tried).
 */
function deviceError(ort: Ort, device: Exclude<OnnxDevice, "cpu">, reason?: string): FlagError {
  const backends = ort.listSupportedBackends();
  const names = (bundled: boolean) =>
    backends.filter((b) => b.bundled === bundled).map((b) => b.name).join(", ");
  const extra = names(false);
  const offered = names(true) + (extra ? `; ${extra} once installed` : "");
  return new FlagError(
    `--device ${device}: ONNX Runtime cannot use it here${
      reason ? ` (${reason.split("\n")[0]})` : ""
    }; it needs ${DEVICE_NEEDS[device]}. This ONNX Runtime offers: ${offered}`,
  );
}

/** Opens a session on `model` on `device`, or says why that device cannot be used. */
async function openSession(
  ort: Ort,
  model: Uint8Array,
  threads: number,
  device: OnnxDevice,
): Promise<Session> {
  if (device !== "cpu" && !ort.listSupportedBackends().some((b) => b.name === device)) {
    throw deviceError(ort, device);
  }
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: device === "cpu" ? ["cpu"] : [device, "cpu"],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      logSeverityLevel: 4, // failures are reported here, not printed by ONNX Runtime
    });
  } catch (error) {
    const message = (error as Error).message;
    if (device !== "cpu") throw deviceError(ort, device, message);
    throw new OnnxUnavailableError(`the model does not load: ${message}`);
  }
}

/**
 * Opens a session on the CPU on any model (the bench's matMul model),
 * with the options the render engine uses.
 *
 * @throws {OnnxUnavailableError} where ONNX Runtime cannot be loaded.
 */
export async function openOnnxSession(model: Uint8Array, threads: number): Promise<Session> {
  return await openSession(await loadOnnxRuntime(), model, threads, "cpu");
}

/** A generator (or a random network) loaded into ONNX Runtime, rendering any number of images. */
export class OnnxRenderer {
  /** Always `onnx`. */
  readonly backend = "onnx";
  /** The version of `npm:onnxruntime-node` in use. */
  readonly version: string;
  /** ONNX Runtime's threads (0: its default). */
  readonly threads: number;
  readonly chunkPixels: number;
  /** Bytes per pixel of its images: 1 (grey) or 3 (RGB). */
  readonly channels: number;
  /** Where the first layer runs (see {@linkcode OnnxEngineOptions.firstLayer}). */
  readonly firstLayer: "wasm" | "onnx";
  readonly #ort: Ort;
  /** Opens a session on a model, with this engine's threads and device. */
  readonly #open: (model: Uint8Array) => Promise<Session>;
  /** The session that takes `z` as an input (any image), once opened. */
  #generic: Promise<Session> | null = null;
  /**
   * Sessions with the hidden layers' biases baked in (on the CPU, with the
   * first-layer kernel), the latest last; `z` is null for a model whose
   * hidden layers do not take it (one session serves every image).
   */
  #baked: { z: Float32Array | null; session: Promise<Session> }[] = [];
  readonly #weights: RenderWeights;
  readonly #zDim: number;
  readonly #first: FirstLayer | null;
  /** The last run started: the first layer's memory serves one run at a time. */
  #lastRun: Promise<unknown> = Promise.resolve();
  /** Reused coordinate buffer (runs take turns). */
  #coords: Float32Array = new Float32Array(0);
  readonly #collect = collectPerPixels();

  private constructor(
    ort: Ort,
    open: (model: Uint8Array) => Promise<Session>,
    weights: RenderWeights,
    first: FirstLayer | null,
    options: OnnxEngineOptions,
  ) {
    const { spec } = weights;
    this.#ort = ort;
    this.#open = open;
    this.#weights = weights;
    this.#first = first;
    this.firstLayer = first ? "wasm" : "onnx";
    this.#zDim = spec.zDim;
    this.channels = channelsOf(spec);
    this.version = ort.env.versions.node ?? ort.env.versions.common;
    this.threads = options.threads ?? 0;
    this.chunkPixels = options.chunkPixels ?? DEFAULT_ONNX_CHUNK_PIXELS;
  }

  /**
   * Builds the ONNX model of `weights` (a trained generator's, or a random
   * network's) and opens a session on it.
   *
   * @throws {OnnxUnavailableError} where ONNX Runtime cannot be loaded.
   * @throws {FlagError} where it cannot use `options.device`.
   */
  static async create(
    weights: RenderWeights,
    options: OnnxEngineOptions = {},
  ): Promise<OnnxRenderer> {
    const ort = await loadOnnxRuntime();
    const device = options.device ?? "cpu";
    const random = isRandomNet(weights);
    const first = !random && device === "cpu" && (options.firstLayer ?? "wasm") === "wasm"
      ? FirstLayer.create(weights.wc, weights.spec.width)
      : null;
    const open = (model: Uint8Array) => openSession(ort, model, options.threads ?? 0, device);
    const renderer = new OnnxRenderer(ort, open, weights, first, options);
    // the session most images use, opened now: errors (the device, the model) surface here
    await renderer.#sessionFor(new Float32Array(weights.spec.zDim), 0);
    return renderer;
  }

  /**
   * The session that renders `pixels`-pixel images of `z`: a baked one
   * (see {@linkcode BAKED_MIN_PIXELS}), else the one taking `z` as an input.
   */
  async #sessionFor(
    z: Float32Array,
    pixels: number,
  ): Promise<{ session: Session; baked: boolean }> {
    const weights = this.#weights;
    if (!this.#first || isRandomNet(weights)) {
      return { session: await this.#genericSession(), baked: false };
    }
    const perImage = weights.layers.some((l) => l.u);
    if (perImage && pixels < BAKED_MIN_PIXELS) {
      return { session: await this.#genericSession(), baked: false };
    }
    const key = perImage ? z : null;
    let entry = this.#baked.find((b) => b.z === key || (b.z && key && sameValues(b.z, key)));
    if (entry) this.#baked.splice(this.#baked.indexOf(entry), 1);
    else {
      const model = bakedLayersOnnx(weights, imageBiases(weights, z).layers);
      const opened = { z: key && Float32Array.from(key), session: this.#open(model) };
      // a session that fails to open is not kept: the next image tries again
      opened.session.catch(() => this.#baked = this.#baked.filter((b) => b !== opened));
      entry = opened;
    }
    this.#baked.push(entry);
    if (this.#baked.length > BAKED_KEPT) release(this.#baked.shift()!.session);
    return { session: await entry.session, baked: true };
  }

  /** The session that takes `z` as an input, opened on first use. */
  #genericSession(): Promise<Session> {
    const weights = this.#weights;
    this.#generic ??= this.#open(
      isRandomNet(weights)
        ? randomNetOnnx(weights)
        : generatorOnnx(weights, { firstLayer: this.#first ? "input" : "graph" }),
    );
    return this.#generic;
  }

  /**
   * Grey levels (or colours) in (0, 1) of rows `rowStart` to `rowEnd`
   * (exclusive): one `session.run`, or several of {@linkcode chunkPixels}
   * where the rows hold more pixels (a row wider than that), so that a
   * run's memory does not grow with the image's width.
   */
  renderRows(request: ImageRequest, rowStart: number, rowEnd: number): Promise<Float32Array> {
    const run = this.#lastRun.then(() => this.#runRows(request, rowStart, rowEnd));
    this.#lastRun = run.catch(() => {}); // the next run waits for this one, not its success
    return run;
  }

  async #runRows(request: ImageRequest, rowStart: number, rowEnd: number): Promise<Float32Array> {
    const { z, width, height, view } = request;
    if (z.length !== this.#zDim) {
      throw new Error(`The latent vector has ${z.length} values; this model needs ${this.#zDim}`);
    }
    const coords = pixelCoords(width, height, view, rowStart, rowEnd, this.#coords);
    if (coords.length > this.#coords.length) this.#coords = coords;
    const n = coords.length / 3, step = this.chunkPixels;
    const { session, baked } = await this.#sessionFor(z, width * height);
    const run = (pixels: Float32Array) => this.#run(session, baked, pixels, z);
    if (n <= step) return await run(coords);
    const out = new Float32Array(n * this.channels);
    for (let from = 0; from < n; from += step) {
      out.set(
        await run(coords.subarray(3 * from, 3 * Math.min(n, from + step))),
        from * this.channels,
      );
    }
    return out;
  }

  /**
   * One `session.run` on the pixels of `coords` (`[n, 3]`); a `baked`
   * session takes the first layer's activations alone.
   */
  async #run(
    session: Session,
    baked: boolean,
    coords: Float32Array,
    z: Float32Array,
  ): Promise<Float32Array> {
    const feeds = this.#pixelInput(coords, z, baked);
    if (!baked) {
      feeds[ONNX_NAMES.z] = new this.#ort.Tensor("float32", Float32Array.from(z), [1, this.#zDim]);
    }
    const out = await session.run(feeds);
    const pixels = out[ONNX_NAMES.pixels];
    const values = pixels.data as Float32Array;
    pixels.dispose();
    return values;
  }

  /**
   * The run's per-pixel input: a random network's chosen inputs, the first
   * layer's activations (computed here), or else the pixels' coordinates.
   */
  #pixelInput(coords: Float32Array, z: Float32Array, baked: boolean): Record<string, Tensor> {
    const n = coords.length / 3;
    const ort = this.#ort, first = this.#first, weights = this.#weights;
    if (isRandomNet(weights)) {
      const { inputs } = weights.random;
      const values = randomInputs(coords, inputs);
      return { [RANDOM_INPUTS]: new ort.Tensor("float32", values, [n, inputs.length]) };
    }
    if (!first) return { [ONNX_NAMES.coords]: new ort.Tensor("float32", coords, [n, 3]) };
    first.setBias(firstLayerBias(weights, z));
    first.coords(n).set(coords);
    const dims = baked ? [1, 1, n, first.width] : [n, first.width];
    return { [FIRST_LAYER_INPUT]: new ort.Tensor("float32", first.run(n), dims) };
  }

  /** Rows `rowStart` to `rowEnd` as 8-bit grey (or RGB), `chunkPixels` at a time. */
  renderBand(request: ImageRequest, rowStart: number, rowEnd: number): Promise<Uint8Array> {
    const { chunkPixels, channels } = this;
    return bytesInChunks(
      request,
      { rowStart, rowEnd, chunkPixels, channels },
      (r, end) => this.renderRows(request, r, end),
    );
  }

  /**
   * Renders a whole image (or only its `rows`), calling `onRows(bytes,
   * rowStart)` for each band from top to bottom; the next band is computed
   * while `onRows` handles one, so at most two bands are in memory.
   */
  async render(
    request: ImageRequest,
    onRows: (bytes: Uint8Array, rowStart: number) => Promise<void> | void,
    rows: RowRange = [0, request.height],
  ): Promise<void> {
    const rowsPerBand = Math.max(1, Math.floor(this.chunkPixels / request.width));
    const starts = bandStarts(rows, rowsPerBand);
    const band = (i: number) => {
      const end = Math.min(rows[1], starts[i + 1] ?? rows[1]);
      const done = this.renderBand(request, starts[i], end);
      done.catch(() => {}); // handled where awaited; no unhandled rejection meanwhile
      return done;
    };
    let next: Promise<Uint8Array> | null = starts.length > 0 ? band(0) : null;
    for (let i = 0; next; i++) {
      const bytes = await next;
      next = i + 1 < starts.length ? band(i + 1) : null;
      await onRows(bytes, starts[i]);
      this.#collect(bytes.length / this.channels);
    }
  }

  /** Renders a whole image into one buffer (for small images). */
  renderImage(request: ImageRequest): Promise<Uint8Array> {
    return wholeImage((r, onRows) => this.render(r, onRows), request, this.channels);
  }

  /** Frees the sessions. */
  close(): void {
    for (const session of [this.#generic, ...this.#baked.map((b) => b.session)]) {
      if (session) release(session);
    }
    this.#generic = null;
    this.#baked = [];
  }
}

/** Frees a session (nothing is left to free where opening or freeing it failed). */
function release(session: Promise<Session>): void {
  session.then((s) => s.release()).catch(() => {});
}

/** Whether two vectors hold the same values. */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
