/**
 * A rendering worker: one backend and one {@linkcode Renderer} per worker,
 * loaded once, answering requests for bands of rows; or, with backend
 * `onnx`, one single-threaded ONNX Runtime session ({@linkcode OnnxRenderer}),
 * for a trained generator or a random network alike.
 * Started by `render/pool.ts`; not meant to be run directly.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type BackendChoice, initBackend } from "../base/backend.ts";
import { collectPerPixels } from "../base/gc.ts";
import { isRandomNet } from "../model/random_net.ts";
import { type ImageRequest, Renderer, type RenderWeights } from "./renderer.ts";
import { RandomRenderer } from "./random_renderer.ts";
import { OnnxRenderer } from "./onnx_engine.ts";

/** Messages the pool sends. */
export type WorkerRequest =
  | {
    type: "init";
    weights: RenderWeights;
    backend: BackendChoice | "onnx";
  }
  | {
    type: "rows";
    id: number;
    request: ImageRequest;
    rowStart: number;
    rowEnd: number;
    chunkPixels: number;
  };

/** Messages a worker sends back. */
export type WorkerReply =
  | { type: "ready"; backend: string; version?: string }
  | { type: "rows"; id: number; bytes: Uint8Array }
  | { type: "error"; id: number | null; message: string };

let renderer: Renderer | RandomRenderer | OnnxRenderer | null = null;
const collect = collectPerPixels();

/** Loads the weights onto `backend`; its name (and ONNX Runtime's version). */
async function start(
  weights: RenderWeights,
  backend: BackendChoice | "onnx",
): Promise<{ backend: string; version?: string }> {
  if (backend === "onnx") {
    const onnx = await OnnxRenderer.create(weights, { threads: 1 });
    renderer = onnx;
    return { backend: "onnx", version: onnx.version };
  }
  const info = await initBackend(backend);
  renderer = isRandomNet(weights) ? new RandomRenderer(weights) : new Renderer(weights);
  return { backend: info.name };
}

/** The message being handled: the pool sends the next band early, and it waits for this one. */
let handling: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  handling = handling.then(() => handle(event.data));
};

/** Answers one message: starts the backend, or renders a band and sends its bytes back. */
async function handle(message: WorkerRequest): Promise<void> {
  try {
    if (message.type === "init") {
      const started = await start(message.weights, message.backend);
      self.postMessage({ type: "ready", ...started } satisfies WorkerReply);
      return;
    }
    if (!renderer) throw new Error("worker used before init");
    const { request, rowStart, rowEnd, chunkPixels } = message;
    const bytes = renderer instanceof OnnxRenderer
      ? await renderer.renderBand(request, rowStart, rowEnd) // in its own smaller runs
      : await renderer.renderBytes(request, rowStart, rowEnd, chunkPixels);
    self.postMessage(
      { type: "rows", id: message.id, bytes } satisfies WorkerReply,
      [bytes.buffer as ArrayBuffer],
    );
    collect((rowEnd - rowStart) * request.width);
  } catch (error) {
    self.postMessage(
      {
        type: "error",
        id: "id" in message ? message.id : null,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerReply,
    );
  }
}
