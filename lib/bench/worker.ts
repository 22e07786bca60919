/**
 * A benchmark worker: measures plain matMul throughput at the CPPN's
 * shapes on its own backend. Started by `bench/bench.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { tf } from "../base/tf.ts";
import { type BackendChoice, initBackend } from "../base/backend.ts";

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
  await once();
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await once();
    count++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  self.postMessage({ gflops: (count * 2 * rows * width * width) / elapsed / 1e9 });
};
