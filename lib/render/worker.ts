/**
 * A rendering worker: one backend and one {@linkcode Renderer} per worker,
 * loaded once, answering requests for bands of rows. Started by
 * `render/pool.ts`; not meant to be run directly.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type BackendChoice, initBackend } from "../base/backend.ts";
import { collectEvery } from "../base/gc.ts";
import { isRandomNet, type RandomNetWeights } from "../model/random_net.ts";
import { type FoldedWeights, type ImageRequest, Renderer } from "./renderer.ts";
import { RandomRenderer } from "./random_renderer.ts";

/** Messages the pool sends. */
export type WorkerRequest =
  | { type: "init"; weights: FoldedWeights | RandomNetWeights; backend: BackendChoice }
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
  | { type: "ready"; backend: string }
  | { type: "rows"; id: number; bytes: Uint8Array }
  | { type: "error"; id: number | null; message: string };

let renderer: Renderer | RandomRenderer | null = null;
const collect = collectEvery(16);

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const info = await initBackend(message.backend);
      const weights = message.weights;
      renderer = isRandomNet(weights) ? new RandomRenderer(weights) : new Renderer(weights);
      self.postMessage({ type: "ready", backend: info.name } satisfies WorkerReply);
      return;
    }
    if (!renderer) throw new Error("worker used before init");
    const bytes = await renderer.renderBytes(
      message.request,
      message.rowStart,
      message.rowEnd,
      message.chunkPixels,
    );
    self.postMessage(
      { type: "rows", id: message.id, bytes } satisfies WorkerReply,
      [bytes.buffer as ArrayBuffer],
    );
    collect();
  } catch (error) {
    self.postMessage(
      {
        type: "error",
        id: "id" in message ? message.id : null,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerReply,
    );
  }
};
