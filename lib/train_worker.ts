/**
 * A training worker: holds a replica of the three networks and computes
 * one shard's losses and gradients per request (see `shard_grads.ts`).
 * Started by `train_pool.ts`; not meant to be run directly.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { tf } from "./tf.ts";
import { type BackendChoice, initBackend } from "./backend.ts";
import { defaultView, pixelCoords } from "./coords.ts";
import { initModel, type Model, type ModelSpec } from "./model.ts";
import { assignFlat, type Params } from "./params.ts";
import { type ShardResult, shardUpdate, type UpdateKind } from "./shard_grads.ts";

/** Which networks changed since the last request. */
export interface Changed {
  enc: boolean;
  gen: boolean;
  disc: boolean;
}

/**
 * Memory shared by the pool and every worker (no copies per update): the
 * master weights, which the main thread writes only between updates, and
 * this worker's gradient buffer, which it writes and the main thread reads.
 */
export interface SharedBuffers {
  /** Encoder then generator weights. */
  encGen: Float32Array;
  /** Values of the encoder in `encGen`. */
  encSize: number;
  /** Discriminator weights. */
  disc: Float32Array;
  /** This worker's gradients (room for the largest update). */
  grads: Float32Array;
}

/** Messages the pool sends. */
export type TrainWorkerRequest =
  | { type: "init"; spec: ModelSpec; backend: BackendChoice }
  | { type: "attach"; buffers: SharedBuffers }
  | { type: "batch"; x: Float32Array; n: number }
  | { type: "weights"; changed: Changed }
  | {
    type: "update";
    kind: UpdateKind;
    start: number;
    end: number;
    eps: Float32Array;
    total: number;
    groupSize: number;
    changed: Changed;
  };

/** Messages a worker sends back. */
export type TrainWorkerReply =
  | { type: "ready" }
  | { type: "result"; losses: ShardResult["losses"]; gradCount: number }
  | { type: "error"; message: string };

let model: Model | null = null;
let coords: tf.Tensor2D | null = null;
let batch: tf.Tensor2D | null = null;
let shared: SharedBuffers | null = null;

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

self.onmessage = async (event: MessageEvent<TrainWorkerRequest>) => {
  const m = event.data;
  try {
    switch (m.type) {
      case "init": {
        await initBackend(m.backend);
        model = initModel(m.spec, 0);
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
        batch = tf.tensor2d(m.x, [m.n, m.x.length / m.n]);
        return;
      case "weights":
        applyWeights(m.changed);
        return;
      case "update": {
        applyWeights(m.changed);
        const x = tf.slice(batch!, [m.start, 0], [m.end - m.start, -1]) as tf.Tensor2D;
        try {
          const result = await shardUpdate(model!, m.kind, {
            x,
            eps: m.eps,
            total: m.total,
            groupSize: m.groupSize,
          }, coords!);
          if (result.grads) shared!.grads.set(result.grads);
          self.postMessage(
            {
              type: "result",
              losses: result.losses,
              gradCount: result.grads?.length ?? 0,
            } satisfies TrainWorkerReply,
          );
        } finally {
          x.dispose();
        }
        return;
      }
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
