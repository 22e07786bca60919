/**
 * `deno task eval`: quality numbers for a trained generator (FD, coverage,
 * confident, reconstruction), or `--train-classifier` to train the MNIST
 * classifier they are measured with.
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/base/backend.ts";
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { saveClassifier, trainClassifier } from "../lib/eval/classifier.ts";
import {
  checkReplaceEval,
  evaluate,
  evaluatePictureModel,
  fdFloor,
  FLOOR_FILE,
  formatPictureReport,
  formatReport,
  loadEvalClassifier,
  pictureDataFor,
  resolveTarget,
  writeEvaluation,
} from "../lib/eval/evaluate.ts";
import {
  EVAL_DEFAULTS,
  EVAL_FLAGS,
  type EvalConfig,
  resolveEvalConfig,
} from "../lib/eval/config.ts";
import { Progress } from "../lib/base/progress.ts";

const USAGE = "Usage: deno task eval [options]\n\n" +
  "Measures a trained generator with an MNIST classifier: FD to the test images\n" +
  "(and its floor, training vs test images), coverage of the digit classes,\n" +
  "confident samples, and the VAE reconstruction loss. Writes eval.json and\n" +
  "eval-samples.png into the run's folder, or for --model DIR into output/evals/NAME/\n" +
  "(--update-model: into DIR itself). --train-classifier trains the\n" +
  "classifier first (once; it is saved to models/mnist-classifier/).\n\n" +
  "A model of other pictures (colour, another size, --data DIR) is measured without\n" +
  "labels: FD in a fixed random network's features to the held-out tenth of its\n" +
  "pictures, its floor (training vs held-out), and the reconstruction loss.";

/** One progress bar per phase of a long job. */
function phasedProgress(unit: string) {
  let current: { phase: string; bar: Progress } | null = null;
  return {
    update(phase: string, done: number, total: number) {
      if (current?.phase !== phase) {
        current?.bar.stop();
        console.error(`${phase}:`);
        current = { phase, bar: new Progress({ max: total, start: done, unit }) };
      }
      current.bar.update(done);
    },
    async stop() {
      await current?.bar.stop();
      current = null;
    },
  };
}

await runMain(async () => {
  const user = parseOrExit<EvalConfig>(Deno.args, EVAL_FLAGS, USAGE, EVAL_DEFAULTS);
  const config = resolveEvalConfig(user);
  const backend = await initBackend(config.backend);
  console.error(describeBackend(backend));

  if (config.trainClassifier) {
    console.error(
      `Training the classifier (${config.classifierEpochs} epochs on random 26x26 crops of ` +
        "the 60,000 training images)",
    );
    let bar: Progress | null = null;
    const trained = await trainClassifier(
      { epochs: config.classifierEpochs, seed: config.seed },
      ({ step, totalSteps, epoch, loss }) => {
        bar ??= new Progress({ max: totalSteps, start: step, unit: "batches" });
        bar.update(step, `epoch ${epoch + 1} loss ${loss.toFixed(3)}`);
      },
    );
    await (bar as Progress | null)?.stop();
    await saveClassifier(config.classifier, trained, [FLOOR_FILE]);
    console.error(
      `Test accuracy ${(100 * trained.accuracy).toFixed(2)}% on ${trained.testImages} images ` +
        `after ${trained.seconds.toFixed(0)} s of training. Saved in ${config.classifier}/`,
    );
    if (trained.accuracy < 0.985) {
      console.error("warning: the accuracy is below 98.5%; try more --classifier-epochs");
    }
    const classifier = await loadEvalClassifier(config.classifier);
    const progress = phasedProgress("img");
    const floor = await fdFloor(
      classifier,
      config.classifier,
      undefined,
      (d, t) => progress.update("training image features (FD floor)", d, t),
    );
    await progress.stop();
    console.log(`FD floor (training vs test images): ${floor.toFixed(3)}`);
    if (!user.run && !user.model) return 0;
  }

  const target = await resolveTarget(config);
  await checkReplaceEval(target.outDir, config.samples, config.force);
  console.error(`Evaluating ${target.label} (${target.checkpoint}), ${config.samples} samples`);
  const progress = phasedProgress("img");
  const pictures = await pictureDataFor(target, config.data);
  if (pictures) {
    const evaluation = await evaluatePictureModel(
      { checkpoint: target.checkpoint, samples: config.samples, seed: config.seed, data: pictures },
      progress.update,
    );
    await progress.stop();
    const paths = await writeEvaluation(target.outDir, evaluation, target.listed);
    console.log(formatPictureReport(evaluation.report));
    console.log(`Wrote ${paths.report} and ${paths.samples}`);
    return;
  }
  const evaluation = await evaluate(
    {
      checkpoint: target.checkpoint,
      classifierDir: config.classifier,
      samples: config.samples,
      seed: config.seed,
    },
    progress.update,
  );
  await progress.stop();
  const paths = await writeEvaluation(target.outDir, evaluation, target.listed);
  console.log(formatReport(evaluation.report));
  console.log(`Wrote ${paths.report} and ${paths.samples}`);
});
