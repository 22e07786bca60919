/**
 * `deno task train`: trains the CPPN generator (GAN + VAE) on MNIST or a
 * folder of pictures.
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/base/backend.ts";
import { onInterrupt, parseOrExit, runMain } from "../lib/base/cli.ts";
import { Progress } from "../lib/base/progress.ts";
import { lockRun } from "../lib/train/run_lock.ts";
import { prepareRun, TrainingDiverged, type TrainOutcome } from "../lib/train/loop.ts";
import { trainWithRecovery } from "../lib/train/recover.ts";
import { TRAIN_DEFAULTS, TRAIN_FLAGS, type TrainConfig } from "../lib/train/config.ts";
import { bestQuality } from "../lib/train/best.ts";
import { runPaths } from "../lib/model/runs.ts";

const USAGE = "Usage: deno task train [options]\n\n" +
  "Trains the CPPN generator (GAN + VAE) on MNIST or --data DIR, a folder of\n" +
  "pictures (see docs/data.md). Ctrl-C saves and stops;\n" +
  "--resume continues. Output: output/runs/NAME/ (config.json, checkpoint/,\n" +
  "log.jsonl, samples/, losses.png).";

await runMain(async () => {
  const user = parseOrExit<TrainConfig>(Deno.args, TRAIN_FLAGS, USAGE, TRAIN_DEFAULTS);
  const config = await prepareRun(user);
  const lock = await lockRun(config.out, config.run, config.resume);
  const backend = await initBackend(config.backend);
  console.error(describeBackend(backend));

  let stopRequested = false;
  const removeListeners = onInterrupt(() => {
    stopRequested = true;
    console.error("\nStopping: finishing this step and saving a checkpoint...");
  });
  let progress: Progress | null = null;
  let loading: Progress | null = null;
  let epochs = 1;
  let lastStep = 0;
  try {
    const outcome = await trainWithRecovery(config, {
      onLoading: (done, total) => {
        loading ??= new Progress({ max: total, unit: "img" });
        loading.update(done, `decoding ${config.data}`);
      },
      onStart: async (info) => {
        await (loading as Progress | null)?.stop();
        loading = null;
        epochs = Math.ceil(info.totalSteps / info.stepsPerEpoch);
        lastStep = info.startStep;
        const c = info.config;
        console.error(
          `${c.resume ? "Resuming" : "Training"} run "${config.run}" in ${info.paths.dir} ` +
            `from step ${info.startStep} to ${info.totalSteps} ` +
            `(${info.stepsPerEpoch} steps per epoch, batch ${config.batch}, width ${config.width}, ` +
            `${c.size}x${c.size} ${c.channels === 3 ? "RGB" : "grey"}, ` +
            `${info.workers} worker${info.workers > 1 ? "s" : ""})`,
        );
        progress = new Progress({
          max: info.totalSteps,
          start: info.startStep,
          unit: "img",
          rateScale: config.batch,
          limitSeconds: config.minutes > 0
            ? config.minutes * 60 - info.startElapsedMs / 1000
            : Infinity,
        });
      },
      onStep: ({ step, epoch, result }) => {
        lastStep = step;
        const fmt = (v: number | null) => (v === null ? "-" : v.toFixed(3));
        progress?.update(
          step,
          `epoch ${epoch + 1}/${epochs} vae ${fmt(result.vaeLoss)} g ${fmt(result.gLoss)} d ${
            fmt(result.dLoss)
          }`,
        );
      },
      onEvaluating: (busy) => {
        const p = progress as Progress | null;
        if (busy) p?.update(lastStep, "measuring sample quality (quality.png)...");
      },
      onRecover: async ({ attempt, fromStep, reason, config: lowered }) => {
        await (progress as Progress | null)?.stop();
        console.error(
          `${
            reason.split(". ")[0]
          }.\nRecovering (${attempt} of ${config.recoveries}): back to the ` +
            `checkpoint of step ${fromStep} at a third of the learning rates (--lr-g ${lowered.lrG} ` +
            `--lr-vae ${lowered.lrVae} --lr-d ${lowered.lrD}).`,
        );
      },
      shouldStop: () => stopRequested,
    });
    await (progress as Progress | null)?.stop();
    console.log(outcomeMessage(outcome, config) + await bestLine(config));
  } catch (error) {
    await (progress as Progress | null)?.stop();
    if (error instanceof TrainingDiverged) {
      console.error(`error: ${error.message}${await bestLine(config)}`);
      return 1;
    }
    throw error;
  } finally {
    removeListeners();
    lock.release();
  }
});

/** A line on the run's best checkpoint, if `--eval-every` kept one (else ""). */
async function bestLine(config: TrainConfig): Promise<string> {
  const { best } = runPaths(config.out, config.run);
  const kept = await bestQuality(best);
  if (!kept) return "";
  return `\nLowest FD measured: ${kept.fd.toFixed(1)} at step ${kept.step}, kept in ${best} ` +
    `(deno task export --run ${config.run} --best).`;
}

/** What a run that ended without an error tells the user: where things are, how to go on. */
function outcomeMessage(outcome: TrainOutcome, config: TrainConfig): string {
  if (outcome.reason === "time") {
    return `Reached ${config.minutes} minutes of training: saved a checkpoint at step ${outcome.step} ` +
      `of ${outcome.totalSteps}. Continue with a higher limit (or 0 for none):\n` +
      `  deno task train --run ${config.run} --resume --minutes 0`;
  }
  if (outcome.reason === "stopped") {
    return `Saved a checkpoint at step ${outcome.step} of ${outcome.totalSteps}. Continue with:\n` +
      `  deno task train --run ${config.run} --resume`;
  }
  return `Done: ${outcome.step} steps. Samples in ${outcome.paths.samples}, ` +
    `loss curves in ${outcome.paths.losses}, ` +
    (config.evalEvery ? `quality in ${outcome.paths.qualityChart}, ` : "") +
    `checkpoint in ${outcome.paths.checkpoint}.`;
}
