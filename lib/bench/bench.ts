/**
 * `deno task bench`: measures in one run how close rendering and training
 * come to what the machine allows, for both render engines: the wasm
 * workers (on the backend in use) and ONNX Runtime.
 *
 * - bounds: each engine's plain matMul GFLOP/s at the CPPN's shapes, 1
 *   thread and N;
 * - rendering: megapixels/s and GFLOP/s of a large render, 1 and N
 *   threads, each engine against its own bound, timed in alternation
 *   (wasm, onnx, wasm, onnx, ...), and ONNX Runtime's speed-up;
 * - training: ms per balanced step (default config) and GFLOP/s, 1 and N
 *   workers;
 * - memory: peak resident memory of a 4096² and a 16384² render, each in
 *   its own process, with each engine;
 * - frames: seconds per 1080² frame, PNG included, with each engine (ONNX
 *   Runtime's the median of three walks); a walk with its MP4: the share
 *   spent encoding.
 *
 * @module
 */
import { join } from "@std/path";
import { saveCheckpoint } from "../train/checkpoint.ts";
import { trainingBatch } from "../data/batches.ts";
import { type FfmpegFound, findFfmpeg } from "../media/ffmpeg.ts";
import { updateFlops } from "./flops.ts";
import { flopsPerPixel } from "../model/generator.ts";
import { loadMnist } from "../data/mnist.ts";
import { disposeModel, initModel, type ModelSpec, modelSpec } from "../model/model.ts";
import { loadGenerator } from "../model/network_files.ts";
import { DEFAULT_CHUNK_PIXELS, type FoldedWeights, foldWeights } from "../render/renderer.ts";
import { DEFAULT_ONNX_CHUNK_PIXELS } from "../render/onnx_engine.ts";
import { type RenderEngine, startEngine } from "../render/engine.ts";
import { type EngineRounds, onnxMatMulGflops, timeEnginesInterleaved } from "./engines.ts";
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
    /** The wasm workers' matMul: `[rows, width] x [width, width]`. */
    rows: number;
    width: number;
    gflops1: number;
    gflopsN: number;
    /** ONNX Runtime's: `[onnxRows, width]` through `onnxLayers` `[width, width]` matMuls. */
    onnxRows: number;
    onnxLayers: number;
    onnxGflops1: number;
    onnxGflopsN: number;
    trainRows: number;
    trainWidth: number;
    trainGflops1: number;
  };
  render: {
    size: number;
    width: number;
    wasm: EngineRender;
    onnx: EngineRender;
    /** Median over the rounds of (wasm seconds) / (onnx seconds), 1 thread and N. */
    speedup1: number;
    speedupN: number;
    /** Each round's seconds, `[wasm, onnx]`, with 1 thread and with N. */
    rounds1: number[][];
    roundsN: number[][];
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
    /** ONNX Runtime's (the default engine's), then the wasm workers'. */
    onnx: MemoryRun[];
    wasm: MemoryRun[];
  };
  /**
   * Seconds per frame of a walk without video: the frame rendered and its
   * PNG written. `onnx` is the median of `onnxRounds`, one walk each.
   */
  frames: {
    size: number;
    frames: number;
    width: number;
    onnx: number;
    onnxRounds: number[];
    wasm: number;
  };
  /** A walk with its MP4, on ONNX Runtime. */
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

/** One engine's render speed with 1 thread (or worker) and with N. */
export interface EngineRender {
  seconds1: number;
  secondsN: number;
  mpxPerS1: number;
  mpxPerSN: number;
  gflops1: number;
  gflopsN: number;
  ratioToBound1: number;
  ratioToBoundN: number;
  scalingN: number;
}

/** The peak memory of one render, in its own process. */
export interface MemoryRun {
  size: number;
  peakMiB: number;
  seconds: number;
}

/**
 * The summed matMul GFLOP/s of `workers` workers timing at once: on
 * `backend`, or with `onnxLayers` ONNX Runtime's single-threaded sessions.
 */
async function matMulGflops(
  workers: number,
  rows: number,
  width: number,
  seconds: number,
  backend: BackendChoice,
  onnxLayers?: number,
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
        worker.postMessage({ backend, rows, width, seconds, onnxLayers } satisfies MatMulRequest);
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

/**
 * A training run kept warm for timing: a model, its optimisers and a pool
 * of `workers` workers, stepping through the default config from a fixed
 * seed (so a 1-worker and an N-worker timer take the same steps).
 */
export class TrainingTimer {
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
    const classes = spec.discriminator.classes ?? 0; // the class head (default) learns labels
    const step = async () => {
      const indices = Array.from({ length: config.batch }, () => rng.int(data.count));
      const { x, labels } = trainingBatch(data, indices, config.size, rng, classes);
      const r = await trainStep(model, x, config.batch, ctx, labels);
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

async function peakMemory(
  ckpt: string,
  size: number,
  workers: number,
  scratch: string,
  backend: "onnx" | "wasm",
): Promise<MemoryRun> {
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
      backend,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `The ${size}x${size} memory run (${backend}) failed: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  await Deno.remove(join(scratch, `mem-${size}.png`)).catch(() => {});
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return { size, peakMiB: r.peakRss / 2 ** 20, seconds: r.seconds };
}

/** Runs every measurement; `log` gets a line as each one finishes. */
export async function runBench(o: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const loadBefore = Deno.loadavg();
  const ckpt = await randomGenerator(join(o.scratch, "gen"), o.width);
  const weights = foldWeights(await loadGenerator(ckpt.dir));
  const bound = await measureBound(o, ckpt.spec, log);
  const render = await measureRender(o, weights, bound, log);
  const training = await measureTraining(o, bound, log);
  const memory = await measureMemory(o, log);
  const frames = await measureFrames(o, ckpt, log);
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
    frames,
    walk,
  };
}

/**
 * Each engine's plain matMul throughput at the rendering shapes (1 and N
 * threads) and the training's: the wasm workers' at their band's rows,
 * ONNX Runtime's at its run's rows through the hidden layers' matMuls
 * (one session in this thread, and one in each of N workers).
 */
async function measureBound(
  o: BenchOptions,
  spec: ModelSpec,
  log: (line: string) => void,
): Promise<BenchReport["bound"]> {
  const n = o.workers, seconds = o.quick ? 1 : 2.5;
  const rows = DEFAULT_CHUNK_PIXELS, onnxRows = DEFAULT_ONNX_CHUNK_PIXELS;
  const onnxLayers = spec.generator.depth - 1;
  const train = resolveTrainConfig();
  const trainRows = (train.batch / train.bnGroups) * train.size * train.size;
  const g1 = await matMulGflops(1, rows, o.width, seconds, o.backend);
  const gN = await matMulGflops(n, rows, o.width, seconds, o.backend);
  const x1 = await onnxMatMulGflops(1, onnxRows, o.width, onnxLayers, seconds);
  // N workers with a single-threaded session each, as the engine renders with N threads
  const xN = await matMulGflops(n, onnxRows, o.width, seconds, o.backend, onnxLayers);
  const t1 = await matMulGflops(1, trainRows, train.width, seconds, o.backend);
  log(
    `bound: wasm ${g1.toFixed(1)} GFLOP/s (1 worker), ${gN.toFixed(1)} (${n}); ` +
      `onnx ${x1.toFixed(1)} (1 thread), ${xN.toFixed(1)} (${n}); width ${o.width}`,
  );
  return {
    rows,
    width: o.width,
    gflops1: g1,
    gflopsN: gN,
    onnxRows,
    onnxLayers,
    onnxGflops1: x1,
    onnxGflopsN: xN,
    trainRows,
    trainWidth: train.width,
    trainGflops1: t1,
  };
}

/** An engine's render speed from its fastest rounds, against its bounds. */
function engineRender(
  seconds1: number,
  secondsN: number,
  gflop: number,
  px: number,
  bound: [number, number],
): EngineRender {
  return {
    seconds1,
    secondsN,
    mpxPerS1: px / seconds1 / 1e6,
    mpxPerSN: px / secondsN / 1e6,
    gflops1: gflop / seconds1,
    gflopsN: gflop / secondsN,
    ratioToBound1: gflop / seconds1 / bound[0],
    ratioToBoundN: gflop / secondsN / bound[1],
    scalingN: seconds1 / secondsN,
  };
}

/**
 * A still rendered by both engines with 1 and with N threads, in
 * alternating rounds (the fastest of each kept: the least disturbed by
 * the VM's drift, see timeTraining), each against its own bound.
 */
async function measureRender(
  o: BenchOptions,
  weights: FoldedWeights,
  bound: BenchReport["bound"],
  log: (line: string) => void,
): Promise<BenchReport["render"]> {
  const n = o.workers;
  const size = o.quick ? 1024 : 2048;
  const rounds = o.quick ? 1 : 3;
  const px = size * size, gflop = px * flopsPerPixel(weights.spec) / 1e9;
  const t1 = await timeEnginesInterleaved(weights, 1, size, rounds, o.backend);
  const tN = await timeEnginesInterleaved(weights, n, size, rounds, o.backend);
  const fastest = (t: EngineRounds, e: keyof EngineRounds) => Math.min(...t[e]);
  const speedup = (t: EngineRounds) => median(t.wasm.map((w, r) => w / t.onnx[r]));
  const pairs = (t: EngineRounds) => t.wasm.map((w, r) => [w, t.onnx[r]]);
  const render = {
    size,
    width: weights.spec.width,
    wasm: engineRender(fastest(t1, "wasm"), fastest(tN, "wasm"), gflop, px, [
      bound.gflops1,
      bound.gflopsN,
    ]),
    onnx: engineRender(fastest(t1, "onnx"), fastest(tN, "onnx"), gflop, px, [
      bound.onnxGflops1,
      bound.onnxGflopsN,
    ]),
    speedup1: speedup(t1),
    speedupN: speedup(tN),
    rounds1: pairs(t1),
    roundsN: pairs(tN),
  };
  for (const e of ["wasm", "onnx"] as const) {
    const r = render[e];
    log(
      `render ${size}², ${e}: ${r.mpxPerS1.toFixed(2)} Mpx/s (1), ${
        r.mpxPerSN.toFixed(2)
      } (${n}); ` +
        `${(100 * r.ratioToBound1).toFixed(0)}% and ${(100 * r.ratioToBoundN).toFixed(0)}% ` +
        `of its bound, scaling ${r.scalingN.toFixed(2)}x`,
    );
  }
  log(`onnx / wasm: ${render.speedup1.toFixed(2)}x (1), ${render.speedupN.toFixed(2)}x (${n})`);
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

/**
 * Peak memory of a large and a very large render, each in its own
 * process, with ONNX Runtime (the default engine) and with wasm workers.
 */
async function measureMemory(
  o: BenchOptions,
  log: (line: string) => void,
): Promise<BenchReport["memory"]> {
  const memWidth = 16;
  const small = await randomGenerator(join(o.scratch, "gen-mem"), memWidth);
  const runs: Record<"onnx" | "wasm", MemoryRun[]> = { onnx: [], wasm: [] };
  for (const engine of ["onnx", "wasm"] as const) {
    for (const s of o.quick ? [2048, 8192] : [4096, 16384]) {
      runs[engine].push(await peakMemory(small.dir, s, o.workers, o.scratch, engine));
      log(`memory ${s}², ${engine}: ${runs[engine].at(-1)!.peakMiB.toFixed(0)} MiB peak`);
    }
  }
  return { width: memWidth, workers: o.workers, ...runs };
}

/** A short walk of `frames` `side`² frames on `engine` (with its MP4 if `ffmpeg`). */
async function benchWalk(
  engine: RenderEngine,
  ckpt: { dir: string; spec: ModelSpec },
  ffmpeg: FfmpegFound | null,
  scratch: string,
  side: number,
  frames: number,
) {
  return await renderWalk({
    pool: engine,
    source: {
      kind: "model",
      name: "bench",
      checkpoint: ckpt.dir,
      step: null,
      spec: ckpt.spec.generator,
    },
    ffmpeg,
    out: scratch,
    force: true,
    command: "deno task bench",
  }, {
    keyframes: "random:2",
    seed: 1,
    steps: frames,
    fps: 30,
    size: [side, side],
    stillSize: [64, 64],
    interp: "slerp",
    ease: "cosine",
    loop: true,
    center: [0, 0],
    invert: false,
  });
}

/** Starts `backend` with N threads (or workers) on the bench's generator. */
async function benchEngine(
  o: BenchOptions,
  ckpt: { dir: string },
  backend: "onnx" | "wasm",
): Promise<RenderEngine> {
  const weights = foldWeights(await loadGenerator(ckpt.dir));
  return await startEngine(weights, {
    backend: backend === "onnx" ? "onnx" : o.backend,
    workers: o.workers,
  });
}

/** Walks of ONNX Runtime's frames (the wasm workers' take minutes: one). */
const FRAME_ROUNDS = { onnx: 3, wasm: 1 } as const;

/**
 * Seconds per frame of a walk with no video, each frame rendered while
 * the one before is written as a PNG (as `deno task walk` does), on each
 * engine with N threads: one walk per round, ONNX Runtime's the median of
 * its rounds (this machine's speed drifts within a minute).
 */
async function measureFrames(
  o: BenchOptions,
  ckpt: { dir: string; spec: ModelSpec },
  log: (line: string) => void,
): Promise<BenchReport["frames"]> {
  const side = o.quick ? 540 : 1080, frames = o.quick ? 4 : 8;
  const rounds: Record<"onnx" | "wasm", number[]> = { onnx: [], wasm: [] };
  for (const backend of ["onnx", "wasm"] as const) {
    const engine = await benchEngine(o, ckpt, backend);
    try {
      for (let r = 0; r < FRAME_ROUNDS[backend]; r++) {
        const result = await benchWalk(engine, ckpt, null, o.scratch, side, frames);
        rounds[backend].push(result.record.timings!.total_s / frames);
      }
    } finally {
      engine.close();
    }
  }
  const onnx = median(rounds.onnx), wasm = rounds.wasm[0];
  log(
    `frames ${side}², PNG included: onnx ${onnx.toFixed(2)} s, ` +
      `wasm ${wasm.toFixed(2)} s (${o.workers} threads)`,
  );
  return { size: side, frames, width: o.width, onnx, onnxRounds: rounds.onnx, wasm };
}

/** A short walk with its MP4 on ONNX Runtime: seconds per frame and the share spent encoding. */
async function measureWalk(
  o: BenchOptions,
  ckpt: { dir: string; spec: ModelSpec },
  log: (line: string) => void,
): Promise<BenchReport["walk"]> {
  const frameSide = o.quick ? 540 : 1080, frames = o.quick ? 4 : 8;
  const engine = await benchEngine(o, ckpt, "onnx");
  const result = await benchWalk(engine, ckpt, await findFfmpeg(), o.scratch, frameSide, frames)
    .finally(() => engine.close());
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
    `walk ${frameSide}² (onnx): ${walk.secondsPerFrame.toFixed(2)} s/frame, encoding ${
      (100 * walk.encodeShare).toFixed(0)
    }%`,
  );
  return walk;
}

/** The report as a Markdown table (also printed), with the targets. */
export function benchTable(r: BenchReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const spread = (xs: number[]) =>
    `${Math.min(...xs).toFixed(2)}x to ${Math.max(...xs).toFixed(2)}x`;
  const n = r.machine.workers, b = r.bound, { wasm, onnx } = r.render;
  const threads = `${n} thread${n === 1 ? "" : "s"}`;
  const rows: [string, string, string][] = [
    [
      `matMul bound, wasm, [${b.rows}, ${b.width}]x[${b.width}, ${b.width}]`,
      `${b.gflops1.toFixed(1)} GFLOP/s (1 worker), ${b.gflopsN.toFixed(1)} (${n}), ` +
      `scaling ${(b.gflopsN / b.gflops1).toFixed(2)}x`,
      "",
    ],
    [
      `matMul bound, onnx, [${b.onnxRows}, ${b.width}] through ${b.onnxLayers} [${b.width}, ${b.width}]`,
      `${b.onnxGflops1.toFixed(1)} GFLOP/s (1 thread), ${b.onnxGflopsN.toFixed(1)} (${n}), ` +
      `scaling ${(b.onnxGflopsN / b.onnxGflops1).toFixed(2)}x`,
      "",
    ],
    [
      `render ${r.render.size}², width ${r.render.width}, wasm, 1 worker`,
      `${wasm.mpxPerS1.toFixed(2)} Mpx/s, ${wasm.gflops1.toFixed(1)} GFLOP/s = ${
        pct(wasm.ratioToBound1)
      } of bound`,
      ">= 70%",
    ],
    [
      `render, wasm, ${n} workers`,
      `${wasm.mpxPerSN.toFixed(2)} Mpx/s, ${pct(wasm.ratioToBoundN)} of bound, scaling ${
        wasm.scalingN.toFixed(2)
      }x`,
      `>= ${(0.85 * n).toFixed(2)}x`,
    ],
    [
      "render, onnx, 1 thread",
      `${onnx.mpxPerS1.toFixed(2)} Mpx/s, ${onnx.gflops1.toFixed(1)} GFLOP/s = ${
        pct(onnx.ratioToBound1)
      } of bound; ${r.render.speedup1.toFixed(2)}x wasm (rounds ${
        spread(r.render.rounds1.map(([w, o]) => w / o))
      })`,
      ">= 2.5x wasm",
    ],
    [
      `render, onnx, ${threads}`,
      `${onnx.mpxPerSN.toFixed(2)} Mpx/s, ${pct(onnx.ratioToBoundN)} of bound, scaling ${
        onnx.scalingN.toFixed(2)
      }x; ${r.render.speedupN.toFixed(2)}x wasm (rounds ${
        spread(r.render.roundsN.map(([w, o]) => w / o))
      })`,
      ">= 2.5x wasm",
    ],
    [
      `training step, batch ${r.training.batch}, width ${r.training.width}, 1 worker`,
      `${r.training.msPerStep1.toFixed(0)} ms, ${r.training.gflops1.toFixed(1)} GFLOP/s = ${
        pct(r.training.ratioToBound1)
      } of bound (${b.trainGflops1.toFixed(1)})`,
      ">= 50%",
    ],
    [
      `training step, ${n} workers`,
      `${r.training.msPerStepN.toFixed(0)} ms, scaling ${r.training.scalingN.toFixed(2)}x ` +
      `(rounds ${spread(r.training.rounds.map(([one, many]) => one / many))})`,
      `>= ${(0.8 * n).toFixed(2)}x`,
    ],
    ...memoryRows(r.memory.onnx, "onnx"),
    ...memoryRows(r.memory.wasm, "wasm"),
    [
      `${r.frames.size}² frame, width ${r.frames.width}, PNG included, ${threads}`,
      `onnx ${r.frames.onnx.toFixed(2)} s (walks ${
        r.frames.onnxRounds.map((t) => t.toFixed(2)).join(", ")
      }), wasm ${r.frames.wasm.toFixed(2)} s`,
      "<= 1.1 s (onnx)",
    ],
    [
      `walk, ${r.walk.size}² frames + MP4, onnx`,
      `${r.walk.secondsPerFrame.toFixed(2)} s/frame; encoding ${pct(r.walk.encodeShare)} (PNG ${
        pct(r.walk.pngShare)
      }, MP4 ${pct(r.walk.videoShare)})`,
      "",
    ],
  ];
  return [
    "| measure | result | target |",
    "| --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

/** The table's rows for one engine's two memory runs. */
function memoryRows([m1, m2]: MemoryRun[], engine: string): [string, string, string][] {
  const v = Math.round(100 * (m2.peakMiB / m1.peakMiB - 1)) || 0; // no "-0%"
  return [
    [`peak memory, ${m1.size}² render, ${engine}`, `${m1.peakMiB.toFixed(0)} MiB`, ""],
    [
      `peak memory, ${m2.size}² render, ${engine}`,
      `${m2.peakMiB.toFixed(0)} MiB (${v >= 0 ? "+" : ""}${v}%)`,
      "<= 1536 MiB, <= +10%",
    ],
  ];
}
