/**
 * Uses every core for rendering: a pool of Deno workers, each with its own
 * backend and its own copy of the (small) generator, sharing out bands of
 * rows. Bands come back in order, so a caller can stream them to a PNG or
 * video encoder; the pixels do not depend on the number of workers or the
 * band size (each pixel is computed the same way wherever it lands).
 *
 * @module
 */
import type { BackendChoice } from "../base/backend.ts";
import { channelsOf } from "../model/generator.ts";
import { collectPerPixels } from "../base/gc.ts";
import {
  bandStarts,
  DEFAULT_CHUNK_PIXELS,
  type ImageRequest,
  type RenderWeights,
  type RowRange,
  wholeImage,
} from "./renderer.ts";
import type { WorkerReply, WorkerRequest } from "./worker.ts";
import { MAX_WORKERS, startWorkers } from "../base/workers.ts";
import { PngStreamWriter } from "../media/png_stream.ts";

/** The default worker count: one per logical core, at most {@linkcode MAX_WORKERS}. */
export function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, Math.max(1, navigator.hardwareConcurrency || 1));
}

/** Bands a worker holds at once: the one it computes and the next. */
const JOBS_PER_WORKER = 2;

interface Job {
  message: WorkerRequest & { type: "rows" };
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

/** Options for {@linkcode RenderPool.create}. */
export interface PoolOptions {
  /** Number of workers (default: cores). */
  workers?: number;
  /**
   * Backend each worker starts (default: wasm, which every machine has);
   * `onnx`: a single-threaded ONNX Runtime session in each.
   */
  backend?: BackendChoice | "onnx";
  /** Pixels per band handed to a worker (default 16384). */
  chunkPixels?: number;
}

/** A pool of rendering workers over one generator. */
export class RenderPool {
  readonly size: number;
  readonly chunkPixels: number;
  /** Bytes per pixel of its images: 1 (grey) or 3 (RGB). */
  readonly channels: number;
  /** The backend the workers run on. */
  backend = "";
  /** ONNX Runtime's version (backend `onnx` only). */
  version?: string;
  #workers: Worker[] = [];
  #queue: Job[] = [];
  /** Each worker's jobs, oldest first: it answers them in that order. */
  #running = new Map<Worker, Job[]>();
  #nextId = 0;
  #closed = false;
  #collect = collectPerPixels();

  private constructor(size: number, chunkPixels: number, channels: number) {
    this.size = size;
    this.chunkPixels = chunkPixels;
    this.channels = channels;
  }

  /** Starts the workers and loads the weights (a trained generator's or a random network's) into each. */
  static async create(
    weights: RenderWeights,
    options: PoolOptions = {},
  ): Promise<RenderPool> {
    const size = options.workers ?? defaultWorkers();
    const { workers, replies } = await startWorkers(
      new URL("./worker.ts", import.meta.url),
      size,
      { type: "init", weights, backend: options.backend ?? "wasm" } satisfies WorkerRequest,
      "render",
    );
    const pool = new RenderPool(
      size,
      options.chunkPixels ?? DEFAULT_CHUNK_PIXELS,
      channelsOf(weights.spec),
    );
    pool.#workers = workers;
    const ready = replies[0] as { backend: string; version?: string };
    pool.backend = ready.backend;
    pool.version = ready.version;
    for (const worker of pool.#workers) {
      worker.onmessage = (event: MessageEvent<WorkerReply>) => pool.#onReply(worker, event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        pool.#fail(worker, new Error(`A render worker crashed: ${event.message}`));
      };
      pool.#running.set(worker, []);
    }
    return pool;
  }

  #onReply(worker: Worker, reply: WorkerReply): void {
    const job = this.#running.get(worker)?.shift();
    if (job) {
      if (reply.type === "rows") job.resolve(reply.bytes);
      else if (reply.type === "error") job.reject(new Error(reply.message));
    }
    this.#dispatch();
  }

  #fail(worker: Worker, error: Error): void {
    for (const job of this.#running.get(worker)?.splice(0) ?? []) job.reject(error);
    this.#running.delete(worker); // a crashed worker gets no more jobs
    for (const queued of this.#queue.splice(0)) queued.reject(error);
  }

  /**
   * Hands queued jobs to the workers with the fewest, up to
   * {@linkcode JOBS_PER_WORKER} each: a worker starts its next band as
   * soon as it has sent one, without waiting for the main thread.
   */
  #dispatch(): void {
    while (this.#queue.length) {
      let worker: Worker | null = null, fewest = JOBS_PER_WORKER;
      for (const [w, jobs] of this.#running) {
        if (jobs.length < fewest) [worker, fewest] = [w, jobs.length];
      }
      if (!worker) return;
      const job = this.#queue.shift()!;
      this.#running.get(worker)!.push(job);
      worker.postMessage(job.message);
    }
  }

  /** Renders rows `rowStart` to `rowEnd` of an image on one worker. */
  renderBand(request: ImageRequest, rowStart: number, rowEnd: number): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new Error("The render pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({
        message: {
          type: "rows",
          id: this.#nextId++,
          request,
          rowStart,
          rowEnd,
          chunkPixels: this.chunkPixels,
        },
        resolve,
        reject,
      });
      this.#dispatch();
    });
  }

  /**
   * Renders a whole image (or only its `rows`), calling `onRows(bytes,
   * rowStart)` for each band in top-to-bottom order as soon as it and every
   * band above it are done. At most `(JOBS_PER_WORKER + 1) * size` bands
   * are in flight (those the workers hold, and one more each that may wait
   * for a slower worker's), so memory stays bounded.
   */
  async render(
    request: ImageRequest,
    onRows: (bytes: Uint8Array, rowStart: number) => Promise<void> | void,
    rows: RowRange = [0, request.height],
  ): Promise<void> {
    const rowsPerBand = Math.max(1, Math.floor(this.chunkPixels / request.width));
    const starts = bandStarts(rows, rowsPerBand);
    const inFlight: Promise<Uint8Array>[] = [];
    let next = 0;
    const launch = () => {
      const start = starts[next++];
      const end = Math.min(rows[1], (Math.floor(start / rowsPerBand) + 1) * rowsPerBand);
      const band = this.renderBand(request, start, end);
      band.catch(() => {}); // handled where awaited; no unhandled rejection meanwhile
      inFlight.push(band);
    };
    while (next < starts.length && inFlight.length < (JOBS_PER_WORKER + 1) * this.size) launch();
    for (let i = 0; i < starts.length; i++) {
      const bytes = await inFlight.shift()!;
      if (next < starts.length) launch();
      await onRows(bytes, starts[i]);
      this.#collect(bytes.length / this.channels);
    }
  }

  /** Renders a whole image into one buffer (for small images). */
  renderImage(request: ImageRequest): Promise<Uint8Array> {
    return wholeImage((r, onRows) => this.render(r, onRows), request, this.channels);
  }

  /** Stops every worker. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#workers) worker.terminate();
    const error = new Error("The render pool was closed");
    const running = [...this.#running.values()].flatMap((jobs) => jobs.splice(0));
    for (const job of [...this.#queue.splice(0), ...running]) job.reject(error);
  }
}

/**
 * Streams one image from a render engine (this pool or another) into a PNG
 * file: greyscale, or RGB for a colour model; with `rows`, only those rows
 * of the image, as a PNG of their own.
 */
export async function renderToPng(
  pool: { render: RenderEngineLike; readonly channels: number },
  request: ImageRequest,
  path: string,
  rows: RowRange = [0, request.height],
): Promise<void> {
  const height = rows[1] - rows[0];
  const writer = await PngStreamWriter.create(path, request.width, height, pool.channels);
  try {
    await pool.render(request, (bytes) => writer.writeRows(bytes), rows);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close();
}

/** The `render` of an engine: a pool's, or another engine's with the same signature. */
type RenderEngineLike = (
  request: ImageRequest,
  onRows: (bytes: Uint8Array, rowStart: number) => Promise<void> | void,
  rows?: RowRange,
) => Promise<void>;
