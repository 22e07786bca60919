/**
 * `deno task bench`: measures in one run, on the backend in use, how close
 * rendering and training come to what the machine allows.
 *
 * - bound: plain matMul GFLOP/s at the CPPN's shapes, 1 worker and N;
 * - rendering: megapixels/s and GFLOP/s of a large render, 1 and N
 *   workers, as a share of the bound and as N-worker scaling;
 * - training: ms per balanced step (default config) and GFLOP/s, 1 and N
 *   workers;
 * - memory: peak resident memory of a 4096² and a 16384² render, each in
 *   its own process;
 * - a walk: seconds per 1080² frame and the share spent encoding.
 *
 * @module
 */
import { join } from "@std/path";
import { saveCheckpoint } from "../train/checkpoint.ts";
import { defaultView } from "../model/coords.ts";
import { randomCrops } from "../data/crop.ts";
import { findFfmpeg } from "../media/ffmpeg.ts";
import { updateFlops } from "./flops.ts";
import { flopsPerPixel } from "../model/generator.ts";
import { loadMnist } from "../data/mnist.ts";
import { disposeModel, initModel, type ModelSpec, modelSpec } from "../model/model.ts";
import { loadGenerator } from "../model/network_files.ts";
import { foldWeights } from "../render/renderer.ts";
import { RenderPool } from "../render/pool.ts";
import { Rng } from "../base/rng.ts";
import { createOptimizers, stepContext, trainStep } from "../train/step.ts";
import { resolveTrainConfig } from "../train/config.ts";
import { TrainPool } from "../train/pool.ts";
import type { MatMulRequest } from "./worker.ts";
import { renderWalk } from "../latent/walk.ts";
import type { BackendChoice } from "../base/backend.ts";

/** What to measure and how long. */
export interface BenchOptions {
  /** The reduced version (under 2 minutes). */
  quick: boolean;
  /** N, the multi-worker count (default: cores). */
  workers: number;
  /** Generator width for rendering (128: the reference). */
  width: number;
  /** Backend of every worker. */
  backend: BackendChoice;
  /** Scratch folder (removed afterwards). */
  scratch: string;
}

/** Everything measured, as written to `bench.json`. */
export interface BenchReport {
  date: string;
  machine: { cores: number; workers: number; backend: string; deno: string; loadBefore: number[] };
  quick: boolean;
  bound: {
    rows: number;
    width: number;
    gflops1: number;
    gflopsN: number;
    trainRows: number;
    trainWidth: number;
    trainGflops1: number;
  };
  render: {
    size: number;
    width: number;
    seconds1: number;
    secondsN: number;
    mpxPerS1: number;
    mpxPerSN: number;
    gflops1: number;
    gflopsN: number;
    ratioToBound1: number;
    ratioToBoundN: number;
    scalingN: number;
  };
  training: {
    batch: number;
    width: number;
    msPerStep1: number;
    msPerStepN: number;
    gflops1: number;
    gflopsN: number;
    ratioToBound1: number;
    /** Median over the rounds of (1-worker ms) / (N-worker ms). */
    scalingN: number;
    /** Each round's ms per step, `[1 worker, N workers]`. */
    rounds: number[][];
  };
  memory: {
    width: number;
    workers: number;
    sizes: { size: number; peakMiB: number; seconds: number }[];
  };
  walk: {
    size: number;
    frames: number;
    width: number;
    secondsPerFrame: number;
    encodeShare: number;
    pngShare: number;
    videoShare: number;
    video: boolean;
  };
}

async function matMulGflops(
  workers: number,
  rows: number,
  width: number,
  seconds: number,
  backend: BackendChoice,
): Promise<number> {
  const url = new URL("./worker.ts", import.meta.url);
  const results = await Promise.all(
    Array.from({ length: workers }, () =>
      new Promise<number>((resolve, reject) => {
        const worker = new Worker(url, { type: "module" });
        worker.onmessage = (e: MessageEvent<{ gflops: number }>) => {
          worker.terminate();
          resolve(e.data.gflops);
        };
        worker.onerror = (e) => {
          e.preventDefault();
          worker.terminate();
          reject(new Error(`A benchmark worker failed: ${e.message}`));
        };
        worker.postMessage({ backend, rows, width, seconds } satisfies MatMulRequest);
      })),
  );
  return results.reduce((a, b) => a + b, 0);
}

/** A checkpoint folder holding a freshly initialised generator. */
async function randomGenerator(
  dir: string,
  width: number,
): Promise<{ dir: string; spec: ModelSpec }> {
  const spec = modelSpec({ ...resolveTrainConfig(), width });
  const model = initModel(spec, 1);
  await saveCheckpoint(dir, model, null, null, ["generator"]);
  disposeModel(model);
  return { dir, spec };
}

async function timeRender(
  ckpt: string,
  workers: number,
  size: number,
  backend: BackendChoice,
): Promise<number> {
  const net = await loadGenerator(ckpt);
  const pool = await RenderPool.create(foldWeights(net), { workers, backend });
  const request = (s: number) => ({
    z: new Rng(2).normal(net.spec.zDim),
    width: s,
    height: s,
    view: defaultView(8),
  });
  await pool.renderImage(request(256)); // warm up every worker
  const t0 = performance.now();
  await pool.render(request(size), () => {});
  const seconds = (performance.now() - t0) / 1000;
  pool.close();
  return seconds;
}

/**
 * A training run kept warm for timing: a model, its optimisers and a pool
 * of `workers` workers, stepping through the default config from a fixed
 * seed (so a 1-worker and an N-worker timer take the same steps).
 */
class TrainingTimer {
  #flops = 0;
  #seconds = 0;

  private constructor(
    readonly close: () => void,
    readonly step: () => Promise<number>,
  ) {}

  /**
   * @param warmup Untimed steps first. V8 keeps recompiling TensorFlow.js's
   *   engine for the first ~20 steps (measured with 2 workers: about 70 ms
   *   of compiler time per step over steps 1-8, 15 ms after step 25), on
   *   background threads that a 1-worker run leaves a core free for and an
   *   N-worker run does not; a long training run spends nearly all its
   *   steps past that.
   */
  static async create(
    workers: number,
    backend: BackendChoice,
    warmup: number,
  ): Promise<TrainingTimer> {
    const config = resolveTrainConfig({ workers, backend });
    const spec = modelSpec(config);
    const model = initModel(spec, 1);
    const opts = createOptimizers(model, config);
    const pool = await TrainPool.create(spec, workers, backend);
    const data = await loadMnist();
    const rng = new Rng(3);
    const ctx = await stepContext(model, opts, pool, rng, { ...config, gan: true });
    const step = async () => {
      const x = randomCrops(
        data,
        Array.from({ length: config.batch }, () => rng.int(data.count)),
        config.size,
        rng,
      );
      const r = await trainStep(model, x, config.batch, ctx);
      return r.updates.vae * updateFlops(spec, "vae", config.batch) +
        r.updates.g * updateFlops(spec, "g", config.batch) +
        updateFlops(spec, "d-eval", config.batch) +
        r.updates.d * updateFlops(spec, "d", config.batch);
    };
    const timer = new TrainingTimer(() => {
      pool.close();
      disposeModel(model);
    }, step);
    for (let i = 0; i < warmup; i++) await step();
    return timer;
  }

  /** Times `steps` steps; returns their ms per step. */
  async time(steps: number): Promise<number> {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) this.#flops += await this.step();
    const seconds = (performance.now() - t0) / 1000;
    this.#seconds += seconds;
    return (1000 * seconds) / steps;
  }

  /** FLOP/s over every timed step. */
  get flopsPerSecond(): number {
    return this.#flops / this.#seconds;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Times training with 1 worker and with `workers`, in alternating rounds
 * of `steps` steps each after `warmup` untimed steps of each: this VM's
 * speed drifts by up to 20% over minutes, and alternating exposes both to
 * the same drift. The scaling is the median of the rounds' ratios.
 */
async function timeTraining(
  workers: number,
  plan: { warmup: number; rounds: number; steps: number },
  backend: BackendChoice,
) {
  const { warmup, rounds, steps } = plan;
  const one = await TrainingTimer.create(1, backend, warmup);
  const many = await TrainingTimer.create(workers, backend, warmup);
  try {
    const ms1: number[] = [], msN: number[] = [];
    for (let r = 0; r < rounds; r++) {
      ms1.push(await one.time(steps));
      msN.push(await many.time(steps));
    }
    return {
      msPerStep1: median(ms1),
      msPerStepN: median(msN),
      gflops1: one.flopsPerSecond / 1e9,
      gflopsN: many.flopsPerSecond / 1e9,
      scalingN: median(ms1.map((t, r) => t / msN[r])),
      rounds: ms1.map((t, r) => [t, msN[r]]),
    };
  } finally {
    one.close();
    many.close();
  }
}

async function peakMemory(ckpt: string, size: number, workers: number, scratch: string) {
  const child = new URL("./child.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      child.href,
      ckpt,
      String(size),
      join(scratch, `mem-${size}.png`),
      String(workers),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `The ${size}x${size} memory run failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  await Deno.remove(join(scratch, `mem-${size}.png`)).catch(() => {});
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return { size, peakMiB: r.peakRss / 2 ** 20, seconds: r.seconds };
}

/** Runs every measurement; `log` gets a line as each one finishes. */
export async function runBench(o: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const loadBefore = Deno.loadavg();
  const bound = await measureBound(o, log);
  const ckpt = await randomGenerator(join(o.scratch, "gen"), o.width);
  const render = await measureRender(o, ckpt, bound, log);
  const training = await measureTraining(o, bound, log);
  const memory = await measureMemory(o, log);
  const walk = await measureWalk(o, ckpt, log);
  return {
    date: new Date().toISOString(),
    machine: {
      cores: navigator.hardwareConcurrency,
      workers: o.workers,
      backend: o.backend,
      deno: Deno.version.deno,
      loadBefore,
    },
    quick: o.quick,
    bound,
    render,
    training,
    memory,
    walk,
  };
}

/** Plain matMul throughput at the rendering shapes (1 and N workers) and the training's. */
async function measureBound(
  o: BenchOptions,
  log: (line: string) => void,
): Promise<BenchReport["bound"]> {
  const n = o.workers, seconds = o.quick ? 1 : 2.5;
  const rows = 16384;
  const train = resolveTrainConfig();
  const trainRows = (train.batch / train.bnGroups) * train.size * train.size;
  const g1 = await matMulGflops(1, rows, o.width, seconds, o.backend);
  const gN = await matMulGflops(n, rows, o.width, seconds, o.backend);
  const t1 = await matMulGflops(1, trainRows, train.width, seconds, o.backend);
  log(
    `bound: ${g1.toFixed(1)} GFLOP/s (1 worker), ${
      gN.toFixed(1)
    } (${n}) at [${rows}, ${o.width}] x [${o.width}, ${o.width}]`,
  );
  return {
    rows,
    width: o.width,
    gflops1: g1,
    gflopsN: gN,
    trainRows,
    trainWidth: train.width,
    trainGflops1: t1,
  };
}

/** A still rendered with 1 and with N workers, against the bound. */
async function measureRender(
  o: BenchOptions,
  ckpt: { dir: string; spec: ModelSpec },
  bound: BenchReport["bound"],
  log: (line: string) => void,
): Promise<BenchReport["render"]> {
  const n = o.workers;
  const size = o.quick ? 1024 : 2048;
  const perPixel = flopsPerPixel(ckpt.spec.generator);
  // alternating rounds, the fastest of each kept: the least disturbed by
  // the VM's drift (see timeTraining)
  const renderTimes: number[][] = [];
  for (let round = 0; round < (o.quick ? 1 : 2); round++) {
    renderTimes.push([
      await timeRender(ckpt.dir, 1, size, o.backend),
      await timeRender(ckpt.dir, n, size, o.backend),
    ]);
  }
  const r1 = Math.min(...renderTimes.map((t) => t[0]));
  const rN = Math.min(...renderTimes.map((t) => t[1]));
  const px = size * size;
  const render = {
    size,
    width: o.width,
    seconds1: r1,
    secondsN: rN,
    mpxPerS1: px / r1 / 1e6,
    mpxPerSN: px / rN / 1e6,
    gflops1: (px * perPixel) / r1 / 1e9,
    gflopsN: (px * perPixel) / rN / 1e9,
    ratioToBound1: (px * perPixel) / r1 / 1e9 / bound.gflops1,
    ratioToBoundN: (px * perPixel) / rN / 1e9 / bound.gflopsN,
    scalingN: r1 / rN,
  };
  log(
    `render ${size}²: ${render.mpxPerS1.toFixed(2)} Mpx/s (1), ${
      render.mpxPerSN.toFixed(2)
    } (${n}); ${(100 * render.ratioToBound1).toFixed(0)}% of bound, scaling ${
      render.scalingN.toFixed(2)
    }x`,
  );
  return render;
}

/** Training steps with 1 and with N workers, against the bound. */
async function measureTraining(
  o: BenchOptions,
  bound: BenchReport["bound"],
  log: (line: string) => void,
): Promise<BenchReport["training"]> {
  const train = resolveTrainConfig();
  const timed = await timeTraining(
    o.workers,
    o.quick ? { warmup: 10, rounds: 2, steps: 1 } : { warmup: 20, rounds: 8, steps: 2 },
    o.backend,
  );
  const training = {
    batch: train.batch,
    width: train.width,
    msPerStep1: timed.msPerStep1,
    msPerStepN: timed.msPerStepN,
    gflops1: timed.gflops1,
    gflopsN: timed.gflopsN,
    ratioToBound1: timed.gflops1 / bound.trainGflops1,
    scalingN: timed.scalingN,
    rounds: timed.rounds,
  };
  log(
    `training: ${training.msPerStep1.toFixed(0)} ms/step (1), ${
      training.msPerStepN.toFixed(0)
    } (${o.workers}); ${(100 * training.ratioToBound1).toFixed(0)}% of bound, scaling ${
      training.scalingN.toFixed(2)
    }x`,
  );
  return training;
}

/** Peak memory of a large and a very large render, each in its own process. */
async function measureMemory(
  o: BenchOptions,
  log: (line: string) => void,
): Promise<BenchReport["memory"]> {
  const memWidth = 16;
  const small = await randomGenerator(join(o.scratch, "gen-mem"), memWidth);
  const sizes = [];
  for (const s of o.quick ? [2048, 8192] : [4096, 16384]) {
    sizes.push(await peakMemory(small.dir, s, o.workers, o.scratch));
    log(`memory ${s}²: ${sizes.at(-1)!.peakMiB.toFixed(0)} MiB peak`);
  }
  return { width: memWidth, workers: o.workers, sizes };
}

/** A short walk: seconds per frame and the share spent encoding. */
async function measureWalk(
  o: BenchOptions,
  ckpt: { dir: string; spec: ModelSpec },
  log: (line: string) => void,
): Promise<BenchReport["walk"]> {
  const frameSide = o.quick ? 540 : 1080, frames = o.quick ? 4 : 8;
  const net = await loadGenerator(ckpt.dir);
  const pool = await RenderPool.create(foldWeights(net), {
    workers: o.workers,
    backend: o.backend,
  });
  const ffmpeg = await findFfmpeg();
  const result = await renderWalk({
    pool,
    source: {
      kind: "model",
      name: "bench",
      checkpoint: ckpt.dir,
      step: null,
      spec: ckpt.spec.generator,
    },
    ffmpeg,
    out: o.scratch,
    force: true,
    command: "deno task bench",
  }, {
    keyframes: "random:2",
    seed: 1,
    steps: frames,
    fps: 30,
    size: [frameSide, frameSide],
    stillSize: [64, 64],
    interp: "slerp",
    ease: "cosine",
    loop: true,
    center: [0, 0],
    invert: false,
  });
  pool.close();
  const t = result.record.timings!;
  const frameTime = t.render_s + t.png_s + t.video_s;
  const walk = {
    size: frameSide,
    frames,
    width: o.width,
    secondsPerFrame: t.total_s / frames,
    encodeShare: (t.png_s + t.video_s) / frameTime,
    pngShare: t.png_s / frameTime,
    videoShare: t.video_s / frameTime,
    video: result.record.video !== null,
  };
  log(
    `walk ${frameSide}²: ${walk.secondsPerFrame.toFixed(2)} s/frame, encoding ${
      (100 * walk.encodeShare).toFixed(0)
    }%`,
  );
  return walk;
}

/** The report as a Markdown table (also printed), with the targets. */
export function benchTable(r: BenchReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const signed = (x: number) => {
    const v = Math.round(100 * x) || 0; // no "-0%"
    return `${v >= 0 ? "+" : ""}${v}%`;
  };
  const spread = (xs: number[]) =>
    `${Math.min(...xs).toFixed(2)}x to ${Math.max(...xs).toFixed(2)}x`;
  const n = r.machine.workers;
  const [m1, m2] = r.memory.sizes;
  const rows: [string, string, string][] = [
    [
      `matMul bound, [${r.bound.rows}, ${r.bound.width}]x[${r.bound.width}, ${r.bound.width}]`,
      `${r.bound.gflops1.toFixed(1)} GFLOP/s (1 worker), ${r.bound.gflopsN.toFixed(1)} (${n}), ` +
      `scaling ${(r.bound.gflopsN / r.bound.gflops1).toFixed(2)}x`,
      "",
    ],
    [
      `render ${r.render.size}², width ${r.render.width}, 1 worker`,
      `${r.render.mpxPerS1.toFixed(2)} Mpx/s, ${r.render.gflops1.toFixed(1)} GFLOP/s = ${
        pct(r.render.ratioToBound1)
      } of bound`,
      ">= 70%",
    ],
    [
      `render, ${n} workers`,
      `${r.render.mpxPerSN.toFixed(2)} Mpx/s, ${pct(r.render.ratioToBoundN)} of bound, scaling ${
        r.render.scalingN.toFixed(2)
      }x`,
      `>= ${(0.85 * n).toFixed(2)}x`,
    ],
    [
      `training step, batch ${r.training.batch}, width ${r.training.width}, 1 worker`,
      `${r.training.msPerStep1.toFixed(0)} ms, ${r.training.gflops1.toFixed(1)} GFLOP/s = ${
        pct(r.training.ratioToBound1)
      } of bound (${r.bound.trainGflops1.toFixed(1)})`,
      ">= 50%",
    ],
    [
      `training step, ${n} workers`,
      `${r.training.msPerStepN.toFixed(0)} ms, scaling ${r.training.scalingN.toFixed(2)}x ` +
      `(rounds ${spread(r.training.rounds.map(([one, many]) => one / many))})`,
      `>= ${(0.8 * n).toFixed(2)}x`,
    ],
    [`peak memory, ${m1.size}² render`, `${m1.peakMiB.toFixed(0)} MiB`, ""],
    [
      `peak memory, ${m2.size}² render`,
      `${m2.peakMiB.toFixed(0)} MiB (${signed(m2.peakMiB / m1.peakMiB - 1)})`,
      "<= 1536 MiB, <= +10%",
    ],
    [
      `walk, ${r.walk.size}² frames, width ${r.walk.width}`,
      `${r.walk.secondsPerFrame.toFixed(2)} s/frame; encoding ${pct(r.walk.encodeShare)} (PNG ${
        pct(r.walk.pngShare)
      }, MP4 ${pct(r.walk.videoShare)})`,
      "< 15%",
    ],
  ];
  return [
    "| measure | result | target |",
    "| --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}
