/**
 * A benchmark worker: measures plain matMul throughput at the CPPN's
 * shapes on its own backend. Started by `bench/bench.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { tf } from "../base/tf.ts";
import { type BackendChoice, initBackend } from "../base/backend.ts";
import { callsPerSecond } from "./flops.ts";

/** A request: time `[rows, width] x [width, width]` matMuls for `seconds`. */
export interface MatMulRequest {
  backend: BackendChoice;
  rows: number;
  width: number;
  seconds: number;
}

self.onmessage = async (event: MessageEvent<MatMulRequest>) => {
  const { backend, rows, width, seconds } = event.data;
  await initBackend(backend);
  const a = tf.randomNormal([rows, width]), b = tf.randomNormal([width, width]);
  // wasm kernels run when called; reading one value makes sure they did
  const once = async () => {
    const c = tf.matMul(a, b);
    const corner = tf.slice(c, [0, 0], [1, 1]);
    await corner.data();
    tf.dispose([c, corner]);
  };
  const perSecond = await callsPerSecond(seconds, once);
  self.postMessage({ gflops: (perSecond * 2 * rows * width * width) / 1e9 });
};
