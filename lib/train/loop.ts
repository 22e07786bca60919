/**
 * The training loop: sets up or resumes a run, then repeats "draw a batch,
 * take a balanced step" until the run's length is reached or a stop is
 * requested, logging, drawing samples and saving checkpoints on the way.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, readJson, writeJsonAtomic } from "../base/atomic_write.ts";
import { BatchSchedule, trainingBatch } from "../data/batches.ts";
import { writeChartPng } from "../media/chart.ts";
import { hasCheckpoint, loadEma, restoreCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import type { TrainingState } from "../model/network_files.ts";
import { FlagError } from "../base/flags.ts";
import { writePng } from "../media/image.ts";
import type { ImageSet } from "../data/mnist.ts";
import { hasLabels, loadDataset } from "../data/dataset.ts";
import { disposeModel, initModel, type Model, modelSpec } from "../model/model.ts";
import { Rng } from "../base/rng.ts";
import { latestRun, type RunPaths, runPaths, setLatest } from "../model/runs.ts";
import { sampleGrid, sampleLatents } from "./samples.ts";
import {
  checkSavedConfig,
  lowerRates,
  rateScale,
  resolveTrainConfig,
  resumeConfig,
  timestampName,
  totalSteps,
  type TrainConfig,
} from "./config.ts";
import {
  createOptimizers,
  type Optimizers,
  setRates,
  type StepContext,
  stepContext,
  type StepResult,
  trainStep,
} from "./step.ts";
import { TrainPool } from "./pool.ts";
import { Ema } from "./ema.ts";
import { disposeParams, manifestOf, paramsFromFlat } from "../model/params.ts";
import { appendStepLog, readStepLog, writeStepLog } from "../base/step_log.ts";
import { type QualityEntry, QualityMeter, writeQualityChart } from "./quality.ts";
import { keepIfBest } from "./best.ts";
import { defaultWorkers } from "../render/pool.ts";

/** One line of `log.jsonl`: means over the steps since the previous line. */
export interface LogEntry {
  /** Batches done. */
  step: number;
  /** Epoch of the last batch. */
  epoch: number;
  /** VAE loss per pixel. */
  vae_loss: number;
  /** Generator loss (null without the GAN). */
  g_loss: number | null;
  /** Discriminator loss (null without the GAN). */
  d_loss: number | null;
  /** Training images per second over the interval. */
  images_per_s: number;
  /** Optimiser updates over the interval. */
  updates: { vae: number; g: number; d: number };
  /** Training time so far, seconds. */
  time_s: number;
}

/** Thrown when a loss becomes NaN or explodes. */
export class TrainingDiverged extends Error {
  /** The step of the run's last checkpoint, from before the blow-up; 0: none. */
  readonly checkpointStep: number;

  constructor(message: string, checkpointStep: number) {
    super(message);
    this.name = "TrainingDiverged";
    this.checkpointStep = checkpointStep;
  }
}

/** Calls the loop makes so a front end can show progress. */
export interface TrainEvents {
  /** Once, before the first step. */
  onStart?(info: {
    paths: RunPaths;
    config: TrainConfig;
    startStep: number;
    /** Training time before this call (counted across resumes, as `--minutes` is). */
    startElapsedMs: number;
    totalSteps: number;
    stepsPerEpoch: number;
    workers: number;
  }): void;
  /** After every step. */
  onStep?(info: { step: number; epoch: number; result: StepResult }): void;
  /** Polled after every step; `true` ends the run cleanly (checkpoint saved). */
  shouldStop?(): boolean;
  /** A quality measurement (`--eval-every`) starts (`true`) or ends (`false`). */
  onEvaluating?(busy: boolean): void;
  /** Pictures decoded so far of a folder (`--data DIR`), before the run starts. */
  onLoading?(done: number, total: number): void;
  /**
   * The run blew up and goes back to its last checkpoint at lower learning
   * rates (see `train/recover.ts`); `onStart` follows.
   */
  onRecover?(
    info: { attempt: number; fromStep: number; reason: string; config: TrainConfig },
  ): void | Promise<void>;
}

/** How a call to {@linkcode train} ended. */
export interface TrainOutcome {
  /**
   * `done`: reached its length; `stopped`: a stop was requested; `time`:
   * reached `config.minutes` of training.
   */
  reason: "done" | "stopped" | "time";
  /** Batches done in all. */
  step: number;
  /** Total steps the run is set to. */
  totalSteps: number;
  /** The run's files. */
  paths: RunPaths;
  /** The resolved config. */
  config: TrainConfig;
}

/**
 * Turns the user's options into the run's config: a new run (refusing to
 * reuse an existing run's folder; without labels in its data and no
 * `classWeight` given, no class head) or, with `resume`, the saved config
 * of an existing run merged with the options allowed to change.
 */
export async function prepareRun(user: Partial<TrainConfig>): Promise<TrainConfig> {
  const out = user.out ?? resolveTrainConfig().out;
  if (user.resume) {
    const name = user.run ?? await latestRun(out);
    if (!name) {
      throw new FlagError(`Nothing to resume: no runs in ${join(out, "runs")} (drop --resume)`);
    }
    const paths = runPaths(out, name);
    if (!(await exists(paths.config))) {
      throw new FlagError(`Cannot resume run "${name}": ${paths.config} does not exist`);
    }
    const saved = checkSavedConfig(await readJson(paths.config), paths.config);
    return resumeConfig(saved, { ...user, run: name, out });
  }
  const config = resolveTrainConfig({ ...user, out });
  if (!config.run) config.run = timestampName();
  if (user.classWeight === undefined && !(await hasLabels(config.data))) {
    config.classWeight = 0; // the class head learns labels: pictures train without it
  }
  if (await exists(runPaths(out, config.run).dir)) {
    throw new FlagError(
      `Run "${config.run}" already exists in ${
        join(out, "runs")
      }: add --resume to continue it, or pick another --run name`,
    );
  }
  return config;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function checkFinite(step: number, result: StepResult, lastSaved: number, dir: string): void {
  const losses: [string, number | null][] = [
    ["VAE", result.vaeLoss],
    ["generator", result.gLoss],
    ["discriminator", result.dLoss],
  ];
  for (const [name, value] of losses) {
    if (value === null) continue;
    if (!Number.isFinite(value) || Math.abs(value) > 1e6) {
      throw new TrainingDiverged(
        `Training stopped at step ${step}: the ${name} loss is ${value}. ` +
          (lastSaved > 0
            ? `The last good checkpoint (step ${lastSaved}) is kept in ${dir}. `
            : "No checkpoint was saved yet. ") +
          "Try lower learning rates (--lr-g, --lr-vae, --lr-d).",
        lastSaved,
      );
    }
  }
}

/**
 * Stops a run whose VAE loss has blown up: a log interval's mean above
 * `factor` times the lowest of the earlier intervals. (The shipped model's
 * run passed spikes of up to 4x; its blow-up reached about 5,900x.)
 *
 * @throws {TrainingDiverged} saying how to resume at lower learning rates.
 */
export function checkLossRise(
  entry: LogEntry,
  earlier: LogEntry[],
  factor: number,
  lastSaved: number,
  config: TrainConfig,
  dir: string,
): void {
  if (factor <= 0 || earlier.length === 0) return;
  const best = earlier.reduce((a, b) => (b.vae_loss < a.vae_loss ? b : a));
  if (entry.vae_loss <= factor * best.vae_loss) return;
  const lower = lowerRates(config);
  const resume = `deno task train --run ${config.run} --resume ` +
    `--lr-vae ${lower.lrVae} --lr-g ${lower.lrG}`;
  throw new TrainingDiverged(
    `Training stopped at step ${entry.step}: the VAE loss rose to ${entry.vae_loss.toFixed(3)}, ` +
      `more than ${factor}x its lowest (${best.vae_loss.toFixed(3)} at step ${best.step}). ` +
      (lastSaved > 0
        ? `The last checkpoint (step ${lastSaved}) is kept in ${dir}. Resume it at lower ` +
          `learning rates, e.g. ${resume}, or with --max-loss-rise 0 to go on regardless.`
        : "No checkpoint was saved yet. Try lower learning rates (--lr-g, --lr-vae, --lr-d)."),
    lastSaved,
  );
}

/** Draws the loss chart of a run's log. */
export async function writeLossChart(path: string, log: LogEntry[]): Promise<void> {
  const pts = (f: (e: LogEntry) => number | null) =>
    log.map((e) => [e.step, f(e) ?? NaN] as [number, number]);
  const panels = [{
    title: "VAE loss (per pixel)",
    series: [{ name: "vae", color: "#1f77b4", points: pts((e) => e.vae_loss) }],
  }];
  if (log.some((e) => e.g_loss !== null)) {
    panels.push({
      title: "GAN losses (balanced near ln 2 = 0.69)",
      series: [
        { name: "generator", color: "#d62728", points: pts((e) => e.g_loss) },
        { name: "discriminator", color: "#2ca02c", points: pts((e) => e.d_loss) },
      ],
    });
  }
  await writeChartPng(path, panels);
}

/** What a run trains with: its data, model, optimisers and where it stands. */
interface OpenRun {
  /** The run's settings, channels resolved from the data. */
  config: TrainConfig;
  paths: RunPaths;
  data: ImageSet;
  schedule: BatchSchedule;
  total: number;
  model: Model;
  opts: Optimizers;
  state: TrainingState;
  /** The moving average saved with the checkpoint, if any. */
  savedEma: Awaited<ReturnType<typeof loadEma>>;
  /** Measures checkpoints for `--eval-every` (null without it). */
  meter: QualityMeter | null;
}

/**
 * Loads the data and builds the model: from the checkpoint on `--resume`,
 * else fresh. A run's channels are those of its data unless given.
 */
async function openRun(requested: TrainConfig, events: TrainEvents): Promise<OpenRun> {
  const paths = runPaths(requested.out, requested.run);
  const data = await loadDataset({ ...requested, onProgress: events.onLoading }, "train");
  const config = { ...requested, channels: data.channels ?? 1 };
  if (config.classWeight > 0 && !data.labels) {
    throw new FlagError(
      `--class-weight needs images with labels (MNIST, or IDX files with a labels file); ` +
        `"${config.data}" has none`,
    );
  }
  const meter = config.evalEvery > 0 ? await QualityMeter.of(config) : null;
  const model = initModel(modelSpec(config), config.seed);
  const opts = createOptimizers(model, config);
  let state: TrainingState = {
    step: 0,
    epoch: 0,
    rng: new Rng(config.seed, "train").state,
    elapsedMs: 0,
  };
  let savedEma: OpenRun["savedEma"] = null;
  if (config.resume && await hasCheckpoint(paths.checkpoint)) {
    state = await restoreCheckpoint(paths.checkpoint, model, opts);
    savedEma = await loadEma(paths.checkpoint);
  } else {
    await Deno.mkdir(paths.dir, { recursive: true });
  }
  await Deno.mkdir(paths.samples, { recursive: true });
  await writeJsonAtomic(paths.config, config);
  await setLatest(config.out, config.run);
  const schedule = new BatchSchedule(data.count, config.batch, config.seed);
  return {
    config,
    paths,
    data,
    schedule,
    total: totalSteps(config, data.count),
    model,
    opts,
    state,
    savedEma,
    meter,
  };
}

/**
 * The moving average goes on from the checkpoint's, or starts at the
 * weights; its warm-up counts training steps (as TensorFlow's num_updates =
 * global step), so a long run that adds one mid-way averages over its full
 * horizon at once.
 */
function openEma(config: TrainConfig, run: OpenRun, weights: Float32Array): Ema | null {
  if (config.emaDecay <= 0) return null;
  const saved = run.savedEma;
  return saved && saved.values.length === weights.length
    ? new Ema(saved.values, config.emaDecay, saved.updates)
    : Ema.of(weights, config.emaDecay, run.state.step);
}

/**
 * A run's records: the step log, sample grids and loss chart, checkpoints
 * and quality measurements, each written when its interval comes round.
 */
class RunRecords {
  readonly #config: TrainConfig;
  readonly #run: OpenRun;
  readonly #ctx: StepContext;
  readonly #ema: Ema | null;
  readonly #events: TrainEvents;
  readonly #sampleZ: Float32Array;
  #log: LogEntry[] = [];
  #quality: QualityEntry[] = [];
  #pending: StepResult[] = [];
  #intervalStart = performance.now();
  /** The step of the last checkpoint this process saved (resumes count theirs). */
  lastSaved: number;

  constructor(
    config: TrainConfig,
    run: OpenRun,
    ctx: StepContext,
    ema: Ema | null,
    events: TrainEvents,
  ) {
    this.#config = config;
    this.#run = run;
    this.#ctx = ctx;
    this.#ema = ema;
    this.#events = events;
    this.#sampleZ = sampleLatents(config.seed, 64, config.zDim);
    this.lastSaved = config.resume ? run.state.step : 0;
  }

  /** Reads the logs up to the checkpoint's step (a resume drops later lines). */
  async load(): Promise<void> {
    const { paths, state } = this.#run;
    this.#log = await readStepLog<LogEntry>(paths.log, state.step);
    this.#quality = await readStepLog<QualityEntry>(paths.quality, state.step);
    if (!this.#config.resume) return;
    await writeStepLog(paths.log, this.#log);
    if (await exists(paths.quality)) await writeStepLog(paths.quality, this.#quality);
  }

  /** Records a step just taken: log line, samples, checkpoint and quality as due. */
  async afterStep(result: StepResult): Promise<void> {
    const { step } = this.#run.state;
    const c = this.#config;
    const last = step === this.#run.total;
    const evalDue = c.evalEvery > 0 && step % c.evalEvery === 0;
    this.#pending.push(result);
    if (step % c.logEvery === 0 || last) await this.#writeLog();
    if (step % c.sampleEvery === 0 || last) await this.drawSamples();
    if (step % c.checkpointEvery === 0 || last || evalDue) await this.save();
    if (evalDue || (last && c.evalEvery > 0)) await this.#measure();
  }

  /** Saves a checkpoint of the shared master weights. */
  async save(): Promise<void> {
    const { paths, model, opts, state } = this.#run;
    this.#ctx.weights.writeTo(model);
    await saveCheckpoint(paths.checkpoint, model, opts, state, undefined, this.#ema);
    this.lastSaved = state.step;
  }

  /** Samples of the generator that renders use (the moving average if any), and the loss chart. */
  async drawSamples(): Promise<void> {
    const { paths, model, state } = this.#run;
    this.#ctx.weights.writeTo(model);
    const gen = this.#ema
      ? paramsFromFlat(this.#ema.values.subarray(this.#ctx.weights.encSize), manifestOf(model.gen))
      : model.gen;
    const size = this.#config.size;
    const image = await sampleGrid(gen, model.spec.generator, this.#sampleZ, 2 * size, 8);
    if (gen !== model.gen) disposeParams(gen);
    await writePng(join(paths.samples, `step-${String(state.step).padStart(6, "0")}.png`), image);
    await writeLossChart(paths.losses, this.#log);
  }

  /** The log line of the steps since the last one; stops a run whose VAE loss blew up. */
  async #writeLog(): Promise<void> {
    const { state, schedule, paths } = this.#run;
    const pending = this.#pending;
    const seconds = (performance.now() - this.#intervalStart) / 1000;
    const gs = pending.map((r) => r.gLoss).filter((v): v is number => v !== null);
    const ds = pending.map((r) => r.dLoss).filter((v): v is number => v !== null);
    const count = (k: keyof StepResult["updates"]) => pending.reduce((s, r) => s + r.updates[k], 0);
    const entry: LogEntry = {
      step: state.step,
      epoch: schedule.epochOf(state.step - 1),
      vae_loss: mean(pending.map((r) => r.vaeLoss)),
      g_loss: gs.length ? mean(gs) : null,
      d_loss: ds.length ? mean(ds) : null,
      images_per_s: (pending.length * this.#config.batch) / seconds,
      updates: { vae: count("vae"), g: count("g"), d: count("d") },
      time_s: state.elapsedMs / 1000,
    };
    await appendStepLog(paths.log, entry);
    const c = this.#config;
    checkLossRise(entry, this.#log, c.maxLossRise, this.lastSaved, c, paths.checkpoint);
    this.#log.push(entry);
    this.#pending = [];
    this.#intervalStart = performance.now();
  }

  /** Measures the checkpoint just saved (`train/quality.ts`), keeping it if best (`train/best.ts`). */
  async #measure(): Promise<void> {
    const { paths, state, meter } = this.#run;
    if (!meter || this.#quality.at(-1)?.step === state.step) return;
    this.#events.onEvaluating?.(true);
    const entry = await meter.measure(paths.checkpoint, this.#config.evalSamples, {
      step: state.step,
      time_s: state.elapsedMs / 1000,
    });
    this.#events.onEvaluating?.(false);
    this.#quality.push(entry);
    await appendStepLog(paths.quality, entry);
    await writeQualityChart(paths.qualityChart, this.#quality);
    await keepIfBest(paths.checkpoint, paths.best, entry);
  }
}

/** Why the loop should end before this step, if it should. */
function stopReason(
  config: TrainConfig,
  state: TrainingState,
  events: TrainEvents,
): TrainOutcome["reason"] | null {
  if (events.shouldStop?.()) return "stopped";
  if (config.minutes > 0 && state.elapsedMs >= config.minutes * 60_000) return "time";
  return null;
}

/**
 * Trains (or resumes) the run described by `config` (see
 * {@linkcode prepareRun}) until its length or its time limit
 * (`config.minutes` of training, across resumes) is reached, or
 * `events.shouldStop()` returns true.
 *
 * @throws {TrainingDiverged} if a loss becomes NaN or exceeds 1e6, or the
 *   VAE loss rises above `config.maxLossRise` times its lowest; the last
 *   checkpoint is left as it was.
 */
export async function train(
  requested: TrainConfig,
  events: TrainEvents = {},
): Promise<TrainOutcome> {
  const run = await openRun(requested, events);
  const { config, paths, model, schedule, total } = run;
  const rng = Rng.fromState(run.state.rng);
  const workers = config.workers || defaultWorkers();
  const loss = {
    fakes: config.ganFakes,
    weight: config.ganWeight,
    realLabel: config.realLabel,
    klWeight: config.klWeight,
    classWeight: config.classWeight,
  };
  const classes = model.spec.discriminator.classes ?? 0;
  const pool = await TrainPool.create(model.spec, workers, config.backend, loss);
  const ctx = await stepContext(model, run.opts, pool, rng, config);
  const ema = openEma(config, run, ctx.weights.encGen);
  const records = new RunRecords(config, run, ctx, ema, events);
  await records.load();
  events.onStart?.({
    paths,
    config,
    startStep: run.state.step,
    startElapsedMs: run.state.elapsedMs,
    totalSteps: total,
    stepsPerEpoch: schedule.stepsPerEpoch,
    workers,
  });

  let reason: TrainOutcome["reason"] = "done";
  try {
    if (run.state.step === 0) await records.drawSamples();
    while (run.state.step < total) {
      const stop = stopReason(config, run.state, events);
      if (stop) {
        reason = stop;
        break;
      }
      const t0 = performance.now();
      const step = run.state.step;
      const indices = schedule.indices(step);
      const { x, labels } = trainingBatch(run.data, indices, config.size, rng, classes);
      ctx.gan = config.gan && step >= config.ganAfter;
      setRates(run.opts, config, rateScale(step, total, config.lrDecay));
      const result = await trainStep(model, x, config.batch, ctx, labels);
      checkFinite(step + 1, result, records.lastSaved, paths.checkpoint);
      ema?.update(ctx.weights.encGen);
      run.state = {
        step: step + 1,
        epoch: schedule.epochOf(step + 1),
        rng: rng.state,
        elapsedMs: run.state.elapsedMs + (performance.now() - t0),
        losses: { vae: result.vaeLoss, g: result.gLoss, d: result.dLoss },
      };
      events.onStep?.({ step: run.state.step, epoch: schedule.epochOf(step), result });
      await records.afterStep(result);
    }
    if (records.lastSaved !== run.state.step) {
      await records.save();
      await records.drawSamples();
    }
  } finally {
    pool.close();
    disposeModel(model);
  }
  return { reason, step: run.state.step, totalSteps: total, paths, config };
}
