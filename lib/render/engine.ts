/**
 * The render engines behind one interface: the pool of TensorFlow.js (wasm)
 * workers, and ONNX Runtime (`--backend onnx`, and
 * `auto`). Where ONNX Runtime cannot be loaded, they say why and render
 * with the workers instead.
 *
 * @module
 */
import type { BackendChoice } from "../base/backend.ts";
import { FlagError } from "../base/flags.ts";
import type { RenderBackend } from "./flags.ts";
import {
  loadOnnxRuntime,
  type OnnxDevice,
  OnnxRenderer,
  OnnxUnavailableError,
} from "./onnx_engine.ts";
import { defaultWorkers, RenderPool } from "./pool.ts";
import type { ImageRequest, RenderWeights, RowRange } from "./renderer.ts";

/** What renders images: a {@linkcode RenderPool} or an {@linkcode OnnxRenderer}. */
export interface RenderEngine {
  /** `onnx`, or the TensorFlow.js backend of the workers (`wasm`, ...). */
  readonly backend: string;
  /** Bytes per pixel of its images: 1 (grey) or 3 (RGB, each pixel's channels together). */
  readonly channels: number;
  /** ONNX Runtime's version (`onnx` only). */
  readonly version?: string;
  /**
   * Renders a whole image (or only its rows `rows[0]` to `rows[1]`), calling
   * `onRows(bytes, rowStart)` for each band of rows in top-to-bottom order;
   * memory stays bounded.
   */
  render(
    request: ImageRequest,
    onRows: (bytes: Uint8Array, rowStart: number) => Promise<void> | void,
    rows?: RowRange,
  ): Promise<void>;
  /** Renders a whole image into one buffer (for small images). */
  renderImage(request: ImageRequest): Promise<Uint8Array>;
  /** Frees the engine (stops workers, releases the session). */
  close(): void;
}

/** The TensorFlow.js backend that goes with a render backend (`onnx`: wasm, for folding). */
export function tfBackendFor(backend: RenderBackend): BackendChoice {
  return backend === "onnx" ? "wasm" : backend;
}

/** Options for {@linkcode startEngine}. */
export interface EngineOptions {
  /** `auto` (ONNX Runtime where it loads), `onnx`, or the workers' TensorFlow.js backend. */
  backend: RenderBackend;
  /** Workers, or ONNX Runtime's threads. */
  workers: number;
  /** Where ONNX Runtime computes (default `cpu`); other devices need `backend` `onnx`. */
  device?: OnnxDevice;
  /** Receives the line saying which engine was chosen and why. */
  log?: (line: string) => void;
  /** Starts ONNX Runtime (a test's stand-in; default {@linkcode startOnnx}). */
  createOnnx?: (
    weights: RenderWeights,
    threads: number,
    device: OnnxDevice,
  ) => Promise<RenderEngine>;
}

/**
 * Starts the engine `backend` names: ONNX Runtime with `workers` threads
 * for `onnx` (wasm workers if it cannot be loaded, saying why; an error
 * instead where a `device` other than the CPU was asked for), else a pool
 * of `workers` render workers on that TensorFlow.js backend. `auto` (the
 * default) is ONNX Runtime where it loads, else the TensorFlow.js
 * backends' `auto`. `log` receives one line saying which engine it chose
 * and why, e.g. `render engine: onnx (onnxruntime-node 1.30.0, 2 threads)`.
 *
 * @throws {FlagError} for a `device` that cannot be used.
 */
export async function startEngine(
  weights: RenderWeights,
  options: EngineOptions,
): Promise<RenderEngine> {
  const { backend, workers, device = "cpu", log = () => {} } = options;
  if (backend !== "onnx" && backend !== "auto" && device !== "cpu") {
    throw new FlagError(`--device ${device} needs --backend onnx (ONNX Runtime)`);
  }
  let why = `as --backend ${backend} asks`;
  if (backend === "onnx" || backend === "auto") {
    const create = options.createOnnx ?? startOnnx;
    try {
      const engine = await create(weights, workers, device);
      log(`render engine: ${describeEngine(engine, workers)}`);
      return engine;
    } catch (error) {
      if (!(error instanceof OnnxUnavailableError)) throw error;
      if (device !== "cpu") throw new FlagError(`--device ${device}: ${error.message}`);
      why = `ONNX Runtime did not load: ${error.reason}`;
    }
  }
  const pool = await RenderPool.create(weights, { workers, backend: tfBackendFor(backend) });
  log(`render engine: ${pool.backend} (${count(workers, "worker")}; ${why})`);
  return pool;
}

/**
 * ONNX Runtime rendering on `threads` threads (0: one per core). On the
 * CPU with more than one, that is a pool of `threads` workers, each
 * running a single-threaded session on its own bands: the threads of one
 * session wait for each other at every operator, and the workers do not
 * (and they compute while this thread writes the PNG). Elsewhere, one
 * session in this thread.
 *
 * @throws {OnnxUnavailableError} where ONNX Runtime cannot be loaded.
 * @throws {FlagError} where it cannot use `device`.
 */
export async function startOnnx(
  weights: RenderWeights,
  threads: number,
  device: OnnxDevice = "cpu",
): Promise<RenderEngine> {
  if (device !== "cpu" || threads === 1) {
    return await OnnxRenderer.create(weights, { threads, device });
  }
  await loadOnnxRuntime(); // says why it cannot load before starting any worker
  try {
    return await RenderPool.create(weights, {
      workers: threads || defaultWorkers(),
      backend: "onnx",
    });
  } catch (error) {
    throw new OnnxUnavailableError((error as Error).message);
  }
}

/** `3 threads`, `1 worker`. */
function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** `onnx (onnxruntime-node 1.30.0, 2 threads)` or `wasm (2 workers)`. */
export function describeEngine(engine: RenderEngine, workers: number): string {
  if (engine.backend !== "onnx") return `${engine.backend} (${count(workers, "worker")})`;
  const version = engine.version ? `onnxruntime-node ${engine.version}, ` : "";
  return `onnx (${version}${count(workers, "thread")})`;
}
