import { assert, assertStringIncludes } from "@std/assert";
import { useWasm } from "../_helpers.ts";
import { type BenchReport, benchTable, TrainingTimer } from "../../lib/bench/bench.ts";

/** A report as `deno task bench` wrote it on this project's machine. */
const REPORT: BenchReport = {
  date: "2026-11-27T00:06:31.151Z",
  machine: { cores: 2, workers: 2, backend: "wasm", deno: "2.9.6", loadBefore: [0.1, 0.1, 0.1] },
  quick: false,
  bound: {
    rows: 16384,
    width: 128,
    gflops1: 20.26,
    gflopsN: 37.68,
    onnxRows: 65536,
    onnxLayers: 3,
    onnxGflops1: 66.1,
    onnxGflopsN: 127.4,
    trainRows: 21632,
    trainWidth: 32,
    trainGflops1: 14.07,
  },
  render: {
    size: 2048,
    width: 128,
    wasm: {
      seconds1: 28.26,
      secondsN: 13.76,
      mpxPerS1: 0.148,
      mpxPerSN: 0.305,
      gflops1: 14.74,
      gflopsN: 30.29,
      ratioToBound1: 0.7275,
      ratioToBoundN: 0.8038,
      scalingN: 2.054,
    },
    onnx: {
      seconds1: 8.5,
      secondsN: 4.4,
      mpxPerS1: 0.493,
      mpxPerSN: 0.953,
      gflops1: 49.0,
      gflopsN: 94.7,
      ratioToBound1: 0.741,
      ratioToBoundN: 0.743,
      scalingN: 1.932,
    },
    speedup1: 3.31,
    speedupN: 3.12,
    rounds1: [[28.26, 8.5], [29.1, 8.6], [30.0, 8.9]],
    roundsN: [[13.76, 4.4], [14.3, 4.6], [13.9, 4.5]],
  },
  training: {
    batch: 64,
    width: 32,
    msPerStep1: 1715.9,
    msPerStepN: 1115.2,
    gflops1: 8.875,
    gflopsN: 13.57,
    ratioToBound1: 0.6309,
    scalingN: 1.558,
    rounds: [[1819, 1043.5], [1664.9, 1226.3], [1464.5, 1130.7], [1905.2, 1129]],
  },
  memory: {
    width: 16,
    workers: 2,
    onnx: [
      { size: 4096, peakMiB: 240.5, seconds: 2.1 },
      { size: 16384, peakMiB: 251.0, seconds: 30.2 },
    ],
    wasm: [
      { size: 4096, peakMiB: 216.3, seconds: 6.1 },
      { size: 16384, peakMiB: 212.0, seconds: 78.7 },
    ],
  },
  frames: {
    size: 1080,
    frames: 8,
    width: 128,
    onnx: 1.04,
    onnxRounds: [1.1, 1.04, 0.987],
    wasm: 4.008,
  },
  walk: {
    size: 1080,
    frames: 8,
    width: 128,
    secondsPerFrame: 4.008,
    encodeShare: 0.022,
    pngShare: 0.0112,
    videoShare: 0.0107,
    video: true,
  },
};

Deno.test("benchTable: every measure of both engines with its target, scalings, speed-ups and the rounds' spread", () => {
  const table = benchTable(REPORT);
  for (
    const row of [
      "| matMul bound, wasm, [16384, 128]x[128, 128] | 20.3 GFLOP/s (1 worker), 37.7 (2), scaling 1.86x |  |",
      "| matMul bound, onnx, [65536, 128] through 3 [128, 128] | 66.1 GFLOP/s (1 thread), 127.4 (2), scaling 1.93x |  |",
      "| render 2048², width 128, wasm, 1 worker | 0.15 Mpx/s, 14.7 GFLOP/s = 73% of bound | >= 70% |",
      "| render, wasm, 2 workers | 0.30 Mpx/s, 80% of bound, scaling 2.05x | >= 1.70x |",
      "| render, onnx, 1 thread | 0.49 Mpx/s, 49.0 GFLOP/s = 74% of bound; 3.31x wasm (rounds 3.32x to 3.38x) | >= 2.5x wasm |",
      "| render, onnx, 2 threads | 0.95 Mpx/s, 74% of bound, scaling 1.93x; 3.12x wasm (rounds 3.09x to 3.13x) | >= 2.5x wasm |",
      "| training step, 2 workers | 1115 ms, scaling 1.56x (rounds 1.30x to 1.74x) | >= 1.60x |",
      "| peak memory, 16384² render, onnx | 251 MiB (+4%) | <= 1536 MiB, <= +10% |",
      "| peak memory, 16384² render, wasm | 212 MiB (-2%) | <= 1536 MiB, <= +10% |",
      "| 1080² frame, width 128, PNG included, 2 threads | onnx 1.04 s (walks 1.10, 1.04, 0.99), wasm 4.01 s | <= 1.1 s (onnx) |",
      "| walk, 1080² frames + MP4, onnx | 4.01 s/frame; encoding 2% (PNG 1%, MP4 1%) |  |",
    ]
  ) assertStringIncludes(table, row);
});

Deno.test("TrainingTimer: times steps of the default training (class head and labels included)", async () => {
  await useWasm();
  const timer = await TrainingTimer.create(1, "wasm", 0);
  try {
    const ms = await timer.time(1);
    assert(ms > 0 && Number.isFinite(ms), `ms per step: ${ms}`);
    assert(timer.flopsPerSecond > 0, `FLOP/s: ${timer.flopsPerSecond}`);
  } finally {
    timer.close();
  }
});
