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

/** New weights for the networks that changed, flattened. */
export interface WeightUpdate {
  enc?: Float32Array;
  gen?: Float32Array;
  disc?: Float32Array;
}

/** Messages the pool sends. */
export type TrainWorkerRequest =
  | { type: "init"; spec: ModelSpec; backend: BackendChoice }
  | { type: "batch"; x: Float32Array; n: number }
  | { type: "weights"; weights: WeightUpdate }
  | {
    type: "update";
    kind: UpdateKind;
    start: number;
    end: number;
    eps: Float32Array;
    total: number;
    groupSize: number;
    weights: WeightUpdate;
  };

/** Messages a worker sends back. */
export type TrainWorkerReply =
  | { type: "ready" }
  | { type: "result"; result: ShardResult }
  | { type: "error"; message: string };

let model: Model | null = null;
let coords: tf.Tensor2D | null = null;
let batch: tf.Tensor2D | null = null;

function applyWeights(w: WeightUpdate): void {
  const targets: [Float32Array | undefined, Params][] = [
    [w.enc, model!.enc],
    [w.gen, model!.gen],
    [w.disc, model!.disc],
  ];
  for (const [values, params] of targets) if (values) assignFlat(params, values);
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
      case "batch":
        batch?.dispose();
        batch = tf.tensor2d(m.x, [m.n, m.x.length / m.n]);
        return;
      case "weights":
        applyWeights(m.weights);
        return;
      case "update": {
        applyWeights(m.weights);
        const x = tf.slice(batch!, [m.start, 0], [m.end - m.start, -1]) as tf.Tensor2D;
        try {
          const result = await shardUpdate(model!, m.kind, {
            x,
            eps: m.eps,
            total: m.total,
            groupSize: m.groupSize,
          }, coords!);
          const transfer = result.grads ? [result.grads.buffer as ArrayBuffer] : [];
          self.postMessage({ type: "result", result } satisfies TrainWorkerReply, transfer);
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
