import { assertStringIncludes } from "@std/assert";
import { type BenchReport, benchTable } from "../../lib/bench/bench.ts";

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
    trainRows: 21632,
    trainWidth: 32,
    trainGflops1: 14.07,
  },
  render: {
    size: 2048,
    width: 128,
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
    sizes: [
      { size: 4096, peakMiB: 216.3, seconds: 6.1 },
      { size: 16384, peakMiB: 212.0, seconds: 78.7 },
    ],
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

Deno.test("benchTable: every measure with its target, scalings and the rounds' spread", () => {
  const table = benchTable(REPORT);
  for (
    const row of [
      "| matMul bound, [16384, 128]x[128, 128] | 20.3 GFLOP/s (1 worker), 37.7 (2), scaling 1.86x |  |",
      "| render 2048², width 128, 1 worker | 0.15 Mpx/s, 14.7 GFLOP/s = 73% of bound | >= 70% |",
      "| render, 2 workers | 0.30 Mpx/s, 80% of bound, scaling 2.05x | >= 1.70x |",
      "| training step, 2 workers | 1115 ms, scaling 1.56x (rounds 1.30x to 1.74x) | >= 1.60x |",
      "| peak memory, 16384² render | 212 MiB (-2%) | <= 1536 MiB, <= +10% |",
      "| walk, 1080² frames, width 128 | 4.01 s/frame; encoding 2% (PNG 1%, MP4 1%) | < 15% |",
    ]
  ) assertStringIncludes(table, row);
});
