/**
 * Data-parallel training on every core: workers each hold a replica of the
 * networks and compute the gradients of their shard of the batch; the
 * shards' losses and gradients add up to exactly the whole batch's, so the
 * update is the one a single worker would make on the whole batch. The
 * workers then apply the optimiser themselves, each to its own slice of the
 * shared weights: the main thread only hands out work and adds up losses.
 *
 * Every batch is cut into the same shards whatever the number of workers
 * ({@linkcode SHARDS}); each shard's gradients are computed on their own
 * and summed in shard order, so 1, 2 or 3 workers train bit-identical
 * weights. VAE updates cut the batch by images; updates that involve the
 * discriminator by whole batch-norm groups (the statistics of a group never
 * cross shards), so with `B / groupSize` groups at most that many workers
 * share them.
 *
 * @module
 */
import type { Adam } from "../model/adam.ts";
import type { BackendChoice } from "../base/backend.ts";
import type { ModelSpec } from "../model/model.ts";
import {
  type LossSettings,
  REFERENCE_LOSS,
  type ShardResult,
  type UpdateKind,
  usesDiscriminator,
} from "./shard_grads.ts";
import type {
  Changed,
  OptimizedKind,
  ShardJob,
  SharedBuffers,
  TrainWorkerReply,
  TrainWorkerRequest,
} from "./worker.ts";
import { startWorkers } from "../base/workers.ts";

/** Batch-mean losses computed by one update (the sums of its shards'). */
export type UpdateLosses = ShardResult["losses"];

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

/**
 * Shards of every batch, whatever the number of workers: an even share for
 * 1, 2, 3 or 6 workers (more shards cost time: each is its own pass).
 * Fewer where the batch has fewer images or batch-norm groups.
 */
export const SHARDS = 6;

/**
 * The fixed decomposition of a batch of `total` images into shards (whole
 * `unit`s each), dealt out in contiguous runs to up to `workers` workers.
 */
export function shardPlan(
  total: number,
  workers: number,
  unit: number,
): { shards: [number, number][]; perWorker: [number, number][] } {
  const shards = shardRanges(total, SHARDS, unit);
  return { shards, perWorker: shardRanges(shards.length, workers) };
}

/** The shards' losses added up in shard order (the same order for any number of workers). */
function sumLosses(shards: UpdateLosses[]): UpdateLosses {
  const losses: UpdateLosses = {};
  for (const shard of shards) {
    for (const [k, v] of Object.entries(shard) as [keyof UpdateLosses, number][]) {
      losses[k] = (losses[k] ?? 0) + v;
    }
  }
  return losses;
}

/** A pool of training workers over one model architecture. */
export class TrainPool {
  readonly size: number;
  #workers: Worker[] = [];
  #pending = new Map<
    Worker,
    { resolve(losses: UpdateLosses[]): void; reject(e: Error): void }
  >();
  #optimizers: Record<OptimizedKind, Adam> | null = null;
  /**
   * Per worker: networks whose shared weights changed since it last loaded
   * them (each reloads them with its next update).
   */
  #stale: Changed[] = [];
  #failed: Error | null = null;

  private constructor(size: number) {
    this.size = size;
  }

  /**
   * Starts `workers` workers with replicas of a model of `spec`, computing
   * the losses as `loss` says.
   */
  static async create(
    spec: ModelSpec,
    workers: number,
    backend: BackendChoice,
    loss: LossSettings = REFERENCE_LOSS,
  ): Promise<TrainPool> {
    const started = await startWorkers(
      new URL("./worker.ts", import.meta.url),
      workers,
      { type: "init", spec, backend, loss } satisfies TrainWorkerRequest,
      "training",
    );
    const pool = new TrainPool(workers);
    pool.#workers = started.workers;
    pool.#stale = started.workers.map(() => ({ enc: true, gen: true, disc: true }));
    for (const worker of pool.#workers) {
      worker.onmessage = (e: MessageEvent<TrainWorkerReply>) => {
        const job = pool.#pending.get(worker);
        pool.#pending.delete(worker);
        if (!job) return;
        if (e.data.type === "result") job.resolve(e.data.losses);
        else if (e.data.type === "error") {
          // the workers' replicas may now disagree: no further updates
          pool.#failed = new Error(`A training worker failed: ${e.data.message}`);
          job.reject(new Error(e.data.message));
        }
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
   * Shares the master weights and the optimisers' moments with every
   * worker, which update them in place (the main thread may read them
   * between updates), and gives each worker a gradient buffer.
   *
   * @param encGen Encoder then generator weights, on a SharedArrayBuffer.
   * @param disc Discriminator weights, on a SharedArrayBuffer.
   * @param optimizers The optimiser each kind of update applies, with
   *   moments on SharedArrayBuffers (`shared: true`).
   */
  attach(
    encGen: Float32Array,
    encSize: number,
    disc: Float32Array,
    optimizers: Record<OptimizedKind, Adam>,
  ): void {
    const all = [encGen, disc, ...Object.values(optimizers).flatMap((o) => [o.m, o.v])];
    if (all.some((a) => !(a.buffer instanceof SharedArrayBuffer))) {
      throw new Error("The training pool needs weights and moments in shared memory");
    }
    const size = Math.max(encGen.length, disc.length);
    const buffers: SharedBuffers = {
      encGen,
      encSize,
      disc,
      grads: Array.from(
        { length: SHARDS },
        () => new Float32Array(new SharedArrayBuffer(4 * size)),
      ),
      moments: {
        vae: { m: optimizers.vae.m, v: optimizers.vae.v },
        g: { m: optimizers.g.m, v: optimizers.g.v },
        d: { m: optimizers.d.m, v: optimizers.d.v },
      },
      sync: new Int32Array(new SharedArrayBuffer(12)),
    };
    for (const worker of this.#workers) {
      worker.postMessage({ type: "attach", buffers } satisfies TrainWorkerRequest);
    }
    this.#optimizers = optimizers;
  }

  /**
   * Sends the batch (`[n, pixels]` flattened) to every worker, with its
   * one-hot classes (`[n, classes]` flattened) when the discriminator has a
   * class head.
   */
  setBatch(x: Float32Array, n: number, labels: Float32Array | null = null): void {
    for (const w of this.#workers) {
      w.postMessage({ type: "batch", x, n, labels } satisfies TrainWorkerRequest);
    }
  }

  /**
   * Runs one update on all shards, applies its optimiser (all kinds but
   * `d-eval`; the weights it updates are changed when this resolves), and
   * adds up the losses.
   *
   * @param eps N(0, 1) noise for the whole batch, `[total, k]` flattened
   *   (`k` values per image; see `Shard.eps`).
   */
  async run(
    kind: UpdateKind,
    eps: Float32Array,
    total: number,
    groupSize: number,
  ): Promise<UpdateLosses> {
    if (this.#failed) throw this.#failed;
    if (!this.#optimizers) throw new Error("The training pool has no weights: call attach first");
    const step = kind === "d-eval" ? null : this.#optimizers[kind].next();
    const perImage = eps.length / total;
    const plan = shardPlan(total, this.size, usesDiscriminator(kind) ? groupSize : 1);
    const jobs = plan.perWorker.map(([first, last], k) => {
      const worker = this.#workers[k];
      const stale = this.#stale[k];
      this.#stale[k] = { enc: false, gen: false, disc: false };
      const shards: ShardJob[] = plan.shards.slice(first, last).map(([start, end], i) => ({
        index: first + i,
        start,
        end,
        eps: eps.slice(start * perImage, end * perImage),
      }));
      return new Promise<UpdateLosses[]>((resolve, reject) => {
        this.#pending.set(worker, { resolve, reject });
        worker.postMessage(
          {
            type: "update",
            kind,
            shards,
            part: k,
            parts: plan.perWorker.length,
            shardCount: plan.shards.length,
            total,
            groupSize,
            changed: stale,
            step,
          } satisfies TrainWorkerRequest,
        );
      });
    });
    const results = await Promise.all(jobs);
    for (const s of this.#stale) {
      if (kind === "d") s.disc = true;
      else if (kind !== "d-eval") s.enc = s.gen = true;
    }
    return sumLosses(results.flat());
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    const error = new Error("The training pool was closed");
    for (const job of this.#pending.values()) job.reject(error);
    this.#pending.clear();
  }
}
