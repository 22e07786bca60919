/**
 * The render engines behind one interface: the pool of TensorFlow.js (wasm)
 * workers, and ONNX Runtime with its own threads (`--backend onnx`, and
 * `auto`). Where ONNX Runtime cannot be loaded, they say why and render
 * with the workers instead.
 *
 * @module
 */
import type { BackendChoice } from "../base/backend.ts";
import { FlagError } from "../base/flags.ts";
import type { RenderBackend } from "./flags.ts";
import { type OnnxDevice, OnnxRenderer, OnnxUnavailableError } from "./onnx_engine.ts";
import { RenderPool } from "./pool.ts";
import type { FoldedWeights, ImageRequest } from "./renderer.ts";

/** What renders images: a {@linkcode RenderPool} or an {@linkcode OnnxRenderer}. */
export interface RenderEngine {
  /** `onnx`, or the TensorFlow.js backend of the workers (`wasm`, ...). */
  readonly backend: string;
  /** Bytes per pixel of its images: 1 (grey) or 3 (RGB, each pixel's channels together). */
  readonly channels: number;
  /**
   * Renders a whole image, calling `onRows(bytes, rowStart)` for each band
   * of rows in top-to-bottom order; memory stays bounded.
   */
  render(
    request: ImageRequest,
    onRows: (bytes: Uint8Array, rowStart: number) => Promise<void> | void,
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
  /** `onnx`, `auto` (ONNX Runtime where it loads), or the workers' TensorFlow.js backend. */
  backend: RenderBackend;
  /** Workers, or ONNX Runtime's threads. */
  workers: number;
  /** Where ONNX Runtime computes (default `cpu`); other devices need `backend` `onnx`. */
  device?: OnnxDevice;
  /** Receives the reason when `onnx` or `auto` cannot load ONNX Runtime. */
  log?: (line: string) => void;
  /** Starts ONNX Runtime (a test's stand-in; default {@linkcode OnnxRenderer.create}). */
  createOnnx?: (
    weights: FoldedWeights,
    threads: number,
    device: OnnxDevice,
  ) => Promise<RenderEngine>;
}

/**
 * Starts the engine `backend` names: ONNX Runtime with `workers` threads
 * for `onnx` (wasm workers if it cannot be loaded, saying why; an error
 * instead where a `device` other than the CPU was asked for), else a pool
 * of `workers` render workers on that TensorFlow.js backend. `auto` is
 * ONNX Runtime where it loads, else the TensorFlow.js backends' `auto`
 * (saying why).
 *
 * @throws {FlagError} for a `device` that cannot be used.
 */
export async function startEngine(
  weights: FoldedWeights,
  options: EngineOptions,
): Promise<RenderEngine> {
  const { backend, workers, device = "cpu" } = options;
  if (backend !== "onnx" && backend !== "auto" && device !== "cpu") {
    throw new FlagError(`--device ${device} needs --backend onnx (ONNX Runtime)`);
  }
  if (backend === "onnx" || backend === "auto") {
    const create = options.createOnnx ??
      ((w: FoldedWeights, threads: number, device: OnnxDevice) =>
        OnnxRenderer.create(w, { threads, device }));
    try {
      return await create(weights, workers, device);
    } catch (error) {
      if (!(error instanceof OnnxUnavailableError)) throw error;
      if (device !== "cpu") throw new FlagError(`--device ${device}: ${error.message}`);
      const instead = backend === "onnx" ? "wasm" : "the first TensorFlow.js backend that loads";
      options.log?.(`${error.message}; rendering with ${instead} instead`);
    }
  }
  return await RenderPool.create(weights, { workers, backend: tfBackendFor(backend) });
}

/** `onnx, 2 threads` or `wasm, 2 workers`. */
export function describeEngine(engine: RenderEngine, workers: number): string {
  const unit = engine.backend === "onnx" ? "thread" : "worker";
  return `${engine.backend}, ${workers} ${unit}${workers > 1 ? "s" : ""}`;
}
