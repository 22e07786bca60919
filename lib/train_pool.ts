/**
 * Data-parallel training on every core: workers each hold a replica of the
 * networks and compute the gradients of their shard of the batch; the
 * shards' losses and gradients add up to exactly the whole batch's, so the
 * update is the one a single worker would make on the whole batch.
 *
 * VAE updates split the batch by images. Updates that involve the
 * discriminator split it by whole batch-norm groups (the statistics of a
 * group never cross workers), so with `B / groupSize` groups at most that
 * many workers share them.
 *
 * @module
 */
import type { BackendChoice } from "./backend.ts";
import type { ModelSpec } from "./model.ts";
import { type ShardResult, type UpdateKind, usesDiscriminator } from "./shard_grads.ts";
import type {
  Changed,
  SharedBuffers,
  TrainWorkerReply,
  TrainWorkerRequest,
} from "./train_worker.ts";
import { startWorkers } from "./workers.ts";

/** The summed result of one update over all shards. */
export interface UpdateResult {
  /** Batch-mean losses computed by the update. */
  losses: { vae?: number; g?: number; d?: number };
  /** Whole-batch gradients (flattened), or null for `d-eval`. */
  grads: Float32Array | null;
}

/**
 * Splits `total` items into up to `parts` contiguous ranges whose sizes
 * are multiples of `unit` (as even as possible; empty ranges dropped).
 */
export function shardRanges(total: number, parts: number, unit = 1): [number, number][] {
  const units = Math.floor(total / unit);
  const ranges: [number, number][] = [];
  for (let k = 0; k < parts; k++) {
    const start = Math.floor((k * units) / parts) * unit;
    const end = Math.floor(((k + 1) * units) / parts) * unit;
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}

/** A pool of training workers over one model architecture. */
export class TrainPool {
  readonly size: number;
  #workers: Worker[] = [];
  #pending = new Map<
    Worker,
    {
      resolve(r: { losses: ShardResult["losses"]; gradCount: number }): void;
      reject(e: Error): void;
    }
  >();
  /** Each worker's shared gradient buffer. */
  #grads: Float32Array[] = [];
  /** The summed gradients (reused: read before the next update). */
  #sum = new Float32Array(0);
  #failed: Error | null = null;

  private constructor(size: number) {
    this.size = size;
  }

  /** Starts `workers` workers with replicas of a model of `spec`. */
  static async create(
    spec: ModelSpec,
    workers: number,
    backend: BackendChoice,
  ): Promise<TrainPool> {
    const started = await startWorkers(
      new URL("./train_worker.ts", import.meta.url),
      workers,
      { type: "init", spec, backend } satisfies TrainWorkerRequest,
      "training",
    );
    const pool = new TrainPool(workers);
    pool.#workers = started.workers;
    for (const worker of pool.#workers) {
      worker.onmessage = (e: MessageEvent<TrainWorkerReply>) => {
        const job = pool.#pending.get(worker);
        pool.#pending.delete(worker);
        if (!job) return;
        if (e.data.type === "result") job.resolve(e.data);
        else if (e.data.type === "error") job.reject(new Error(e.data.message));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        pool.#failed = new Error(`A training worker crashed: ${e.message}`);
        const job = pool.#pending.get(worker);
        pool.#pending.delete(worker);
        job?.reject(pool.#failed);
      };
    }
    return pool;
  }

  /**
   * Shares the master weights with every worker (the main thread writes
   * them only between updates) and gives each a shared gradient buffer.
   *
   * @param encGen Encoder then generator weights, on a SharedArrayBuffer.
   * @param disc Discriminator weights, on a SharedArrayBuffer.
   */
  attach(encGen: Float32Array, encSize: number, disc: Float32Array): void {
    const size = Math.max(encGen.length, disc.length);
    this.#grads = this.#workers.map((worker) => {
      const grads = new Float32Array(new SharedArrayBuffer(4 * size));
      const buffers: SharedBuffers = { encGen, encSize, disc, grads };
      worker.postMessage({ type: "attach", buffers } satisfies TrainWorkerRequest);
      return grads;
    });
  }

  /** Sends the batch (`[n, pixels]` flattened) to every worker. */
  setBatch(x: Float32Array, n: number): void {
    for (const w of this.#workers) {
      w.postMessage({ type: "batch", x, n } satisfies TrainWorkerRequest);
    }
  }

  /**
   * Runs one update on all shards and adds up the results.
   *
   * @param eps N(0, 1) noise for the whole batch, `[total * zDim]`.
   * @param changed Networks whose shared weights changed since the last call.
   * @returns The gradients are valid until the next call.
   */
  async run(
    kind: UpdateKind,
    eps: Float32Array,
    total: number,
    groupSize: number,
    changed: Changed,
  ): Promise<UpdateResult> {
    if (this.#failed) throw this.#failed;
    const zDim = eps.length / total;
    const ranges = shardRanges(total, this.size, usesDiscriminator(kind) ? groupSize : 1);
    const jobs = ranges.map(([start, end], k) => {
      const worker = this.#workers[k];
      return new Promise<{ losses: ShardResult["losses"]; gradCount: number }>(
        (resolve, reject) => {
          this.#pending.set(worker, { resolve, reject });
          worker.postMessage(
            {
              type: "update",
              kind,
              start,
              end,
              eps: eps.slice(start * zDim, end * zDim),
              total,
              groupSize,
              changed,
            } satisfies TrainWorkerRequest,
          );
        },
      );
    });
    for (const idle of this.#workers.slice(ranges.length)) {
      if (changed.enc || changed.gen || changed.disc) {
        idle.postMessage({ type: "weights", changed } satisfies TrainWorkerRequest);
      }
    }
    const results = await Promise.all(jobs);
    const losses: UpdateResult["losses"] = {};
    for (const r of results) {
      for (const [k, v] of Object.entries(r.losses) as [keyof UpdateResult["losses"], number][]) {
        losses[k] = (losses[k] ?? 0) + v;
      }
    }
    const n = results[0].gradCount;
    if (n === 0) return { losses, grads: null };
    if (this.#sum.length < n) this.#sum = new Float32Array(n);
    const grads = this.#sum.subarray(0, n);
    grads.set(this.#grads[0].subarray(0, n));
    for (let k = 1; k < results.length; k++) {
      const part = this.#grads[k];
      for (let i = 0; i < n; i++) grads[i] += part[i];
    }
    return { losses, grads };
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    const error = new Error("The training pool was closed");
    for (const job of this.#pending.values()) job.reject(error);
    this.#pending.clear();
  }
}
