/**
 * A benchmark worker: measures plain matMul throughput at the CPPN's
 * shapes on its own backend, or in its own single-threaded ONNX Runtime
 * session. Started by `bench/bench.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { tf } from "../base/tf.ts";
import { type BackendChoice, initBackend } from "../base/backend.ts";
import { callsPerSecond } from "./flops.ts";
import { onnxMatMulGflops } from "./engines.ts";

/**
 * A request: time `[rows, width] x [width, width]` matMuls for `seconds`;
 * with `onnxLayers`, ONNX Runtime's matMul model instead (see
 * {@linkcode onnxMatMulGflops}), on one thread.
 */
export interface MatMulRequest {
  backend: BackendChoice;
  rows: number;
  width: number;
  seconds: number;
  onnxLayers?: number;
}

self.onmessage = async (event: MessageEvent<MatMulRequest>) => {
  const { backend, rows, width, seconds, onnxLayers } = event.data;
  if (onnxLayers) {
    self.postMessage({ gflops: await onnxMatMulGflops(1, rows, width, onnxLayers, seconds) });
    return;
  }
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
