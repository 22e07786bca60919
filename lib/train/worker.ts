/**
 * A training worker: holds a replica of the three networks, computes one
 * shard's losses and gradients per request (see `train/shard_grads.ts`), and
 * applies the update's optimiser to its own slice of the shared weights.
 * Started by `train/pool.ts`; not meant to be run directly.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { tf } from "../base/tf.ts";
import { type BackendChoice, initBackend } from "../base/backend.ts";
import { defaultView, pixelCoords } from "../model/coords.ts";
import { initModel, type Model, type ModelSpec } from "../model/model.ts";
import { assignFlat, type Params } from "../model/params.ts";
import { type AdamStep, applyAdam } from "../model/adam.ts";
import {
  type LossSettings,
  REFERENCE_LOSS,
  type ShardResult,
  shardUpdate,
  type UpdateKind,
} from "./shard_grads.ts";

/** A flag per network (which ones to reload from the shared weights). */
export interface Changed {
  enc: boolean;
  gen: boolean;
  disc: boolean;
}

/** The updates that apply an optimiser (all but `d-eval`). */
export type OptimizedKind = Exclude<UpdateKind, "d-eval">;

/**
 * Memory shared by the pool and every worker (no copies per update): the
 * master weights, every worker's gradient buffer, the optimisers' moments
 * and a barrier. Between updates only the main thread touches them; during
 * an update each worker writes its gradients, waits at the barrier for the
 * others', then applies the optimiser to its own slice of the weights.
 */
export interface SharedBuffers {
  /** Encoder then generator weights. */
  encGen: Float32Array;
  /** Values of the encoder in `encGen`. */
  encSize: number;
  /** Discriminator weights. */
  disc: Float32Array;
  /** Each shard's gradients, by shard index (room for the largest update). */
  grads: Float32Array[];
  /** Adam's moments of the optimiser each kind of update applies. */
  moments: Record<OptimizedKind, { m: Float32Array; v: Float32Array }>;
  /** The barrier's state: `[arrived, generation, failed]`. */
  sync: Int32Array;
}

/** One shard of an update: its index in the batch's fixed decomposition and its images. */
export interface ShardJob {
  index: number;
  start: number;
  end: number;
  eps: Float32Array;
}

/** Messages the pool sends. */
export type TrainWorkerRequest =
  | { type: "init"; spec: ModelSpec; backend: BackendChoice; loss: LossSettings }
  | { type: "attach"; buffers: SharedBuffers }
  | {
    type: "batch";
    x: Float32Array;
    n: number;
    /** The images' classes, one-hot `[n, classes]` flattened, for a class head; else null. */
    labels: Float32Array | null;
  }
  | {
    type: "update";
    kind: UpdateKind;
    /** This worker's shards of the batch (a contiguous run of the fixed decomposition). */
    shards: ShardJob[];
    /** This worker's index among the `parts` workers of this update. */
    part: number;
    parts: number;
    /** Shards in the whole batch. */
    shardCount: number;
    total: number;
    groupSize: number;
    /** Networks to reload from the shared weights first. */
    changed: Changed;
    /** The optimiser step to apply (null for `d-eval`). */
    step: AdamStep | null;
  };

/** Messages a worker sends back. */
export type TrainWorkerReply =
  | { type: "ready" }
  | { type: "result"; losses: ShardResult["losses"][] }
  | { type: "error"; message: string };

const ARRIVED = 0, GENERATION = 1, FAILED = 2;

/**
 * Waits until all `parties` workers of an update have called it. Writes
 * made before the call are visible to every worker after it.
 */
function barrier(sync: Int32Array, parties: number): void {
  const generation = Atomics.load(sync, GENERATION);
  if (Atomics.add(sync, ARRIVED, 1) === parties - 1) {
    Atomics.store(sync, ARRIVED, 0);
    Atomics.add(sync, GENERATION, 1);
    Atomics.notify(sync, GENERATION);
    return;
  }
  while (Atomics.load(sync, GENERATION) === generation) {
    Atomics.wait(sync, GENERATION, generation, 1000);
  }
}

let model: Model | null = null;
let coords: tf.Tensor2D | null = null;
let batch: tf.Tensor2D | null = null;
let labels: tf.Tensor2D | null = null;
let shared: SharedBuffers | null = null;
let loss: LossSettings = REFERENCE_LOSS;

/** Loads the networks that changed from the shared master weights. */
function applyWeights(changed: Changed): void {
  const { encGen, encSize, disc } = shared!;
  const targets: [boolean, Float32Array, Params][] = [
    [changed.enc, encGen.subarray(0, encSize), model!.enc],
    [changed.gen, encGen.subarray(encSize), model!.gen],
    [changed.disc, disc, model!.disc],
  ];
  for (const [yes, values, params] of targets) if (yes) assignFlat(params, values);
}

/**
 * Computes this worker's shard of an update and, once every worker's
 * gradients are in, applies the optimiser to this worker's slice of the
 * weights. A worker that fails still meets the others at the barrier (so
 * none waits forever) and reports its error; the others then skip the
 * update (the pool is unusable after an error).
 */
async function update(m: Extract<TrainWorkerRequest, { type: "update" }>) {
  const { sync } = shared!;
  const losses: ShardResult["losses"][] = [];
  try {
    applyWeights(m.changed);
    for (const job of m.shards) losses.push(await computeShard(m, job));
  } catch (error) {
    if (m.step) {
      Atomics.store(sync, FAILED, 1);
      barrier(sync, m.parts);
    }
    throw error;
  }
  if (m.step && m.kind !== "d-eval") {
    barrier(sync, m.parts);
    // the worker that failed reports why; this one just skips the update
    if (Atomics.load(sync, FAILED)) return { type: "result" as const, losses: [] };
    applySlice(m, m.step);
  }
  return { type: "result" as const, losses };
}

/** One shard's losses; its gradients go to the shard's own buffer. */
async function computeShard(
  m: Extract<TrainWorkerRequest, { type: "update" }>,
  job: ShardJob,
): Promise<ShardResult["losses"]> {
  const rows = (t: tf.Tensor2D) =>
    tf.slice(t, [job.start, 0], [job.end - job.start, -1]) as tf.Tensor2D;
  const x = rows(batch!), y = labels ? rows(labels) : null;
  try {
    const shard = { x, eps: job.eps, total: m.total, groupSize: m.groupSize, labels: y };
    const into = shared!.grads[job.index];
    return (await shardUpdate(model!, m.kind, shard, coords!, into, loss)).losses;
  } finally {
    tf.dispose(y ? [x, y] : [x]);
  }
}

/**
 * This worker's slice of the weights: every shard's gradients summed in
 * shard order into the first shard's buffer (the same sums for any number
 * of workers), then Adam.
 */
function applySlice(m: Extract<TrainWorkerRequest, { type: "update" }>, step: AdamStep): void {
  const { grads } = shared!;
  const weights = m.kind === "d" ? shared!.disc : shared!.encGen;
  const n = weights.length;
  const start = Math.floor((m.part * n) / m.parts);
  const end = Math.floor(((m.part + 1) * n) / m.parts);
  const sum = grads[0];
  for (let k = 1; k < m.shardCount; k++) {
    const part = grads[k];
    for (let i = start; i < end; i++) sum[i] += part[i];
  }
  applyAdam(step, shared!.moments[m.kind as OptimizedKind], weights, sum, start, end);
}

self.onmessage = async (event: MessageEvent<TrainWorkerRequest>) => {
  const m = event.data;
  try {
    switch (m.type) {
      case "init": {
        await initBackend(m.backend);
        model = initModel(m.spec, 0);
        loss = m.loss;
        const side = m.spec.generator.size;
        coords = tf.tensor2d(
          pixelCoords(side, side, defaultView(m.spec.generator.scale)),
          [side * side, 3],
        );
        self.postMessage({ type: "ready" } satisfies TrainWorkerReply);
        return;
      }
      case "attach":
        shared = m.buffers;
        return;
      case "batch":
        batch?.dispose();
        labels?.dispose();
        batch = tf.tensor2d(m.x, [m.n, m.x.length / m.n]);
        labels = m.labels ? tf.tensor2d(m.labels, [m.n, m.labels.length / m.n]) : null;
        return;
      case "update":
        self.postMessage(await update(m) satisfies TrainWorkerReply);
        return;
    }
  } catch (error) {
    self.postMessage(
      {
        type: "error",
        message: error instanceof Error ? error.message : String(error),
      } satisfies TrainWorkerReply,
    );
  }
};
