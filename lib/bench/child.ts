/**
 * A separate process for the benchmark's memory measurement: renders one
 * image to a PNG with ONNX Runtime or a pool of wasm workers, then prints
 * its peak resident memory (`VmHWM` on Linux, else the largest RSS
 * sampled) as JSON on stdout.
 *
 * Usage: `deno run -A lib/bench/child.ts CHECKPOINT SIZE OUT.png WORKERS onnx|wasm`
 *
 * @module
 */
import { initBackend } from "../base/backend.ts";
import { loadGenerator } from "../model/network_files.ts";
import { defaultView } from "../model/coords.ts";
import { foldWeights } from "../render/renderer.ts";
import { renderToPng } from "../render/pool.ts";
import { startEngine } from "../render/engine.ts";
import { Rng } from "../base/rng.ts";

/** Peak RSS of this process in bytes (Linux: exact; elsewhere: sampled). */
export function peakRss(sampled: number): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status);
    if (kb) return Number(kb[1]) * 1024;
  } catch {
    // not Linux
  }
  return sampled;
}

if (import.meta.main) {
  const [checkpoint, size, out, workers, backend = "wasm"] = Deno.args;
  await initBackend("wasm");
  const net = await loadGenerator(checkpoint);
  const pool = await startEngine(foldWeights(net), {
    workers: Number(workers),
    backend: backend === "onnx" ? "onnx" : "wasm",
  });
  let sampled = 0;
  const timer = setInterval(() => sampled = Math.max(sampled, Deno.memoryUsage().rss), 50);
  const t0 = performance.now();
  const side = Number(size);
  await renderToPng(pool, {
    z: new Rng(1).normal(net.spec.zDim),
    width: side,
    height: side,
    view: defaultView(net.spec.scale),
  }, out);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  pool.close();
  sampled = Math.max(sampled, Deno.memoryUsage().rss);
  console.log(JSON.stringify({ peakRss: peakRss(sampled), seconds }));
}
