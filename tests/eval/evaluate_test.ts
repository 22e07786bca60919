import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { saveCheckpoint } from "../../lib/train/checkpoint.ts";
import { readVerified, writeWithChecksums } from "../../lib/base/checksummed_folder.ts";
import { CLASSIFIER_DIR } from "../../lib/eval/classifier.ts";
import {
  checkReplaceEval,
  type EvalReport,
  evaluate,
  type Evaluation,
  generationBatch,
  resolveTarget,
  writeEvaluation,
} from "../../lib/eval/evaluate.ts";
import { resolveEvalConfig } from "../../lib/eval/config.ts";
import { disposeModel, initModel, modelSpec } from "../../lib/model/model.ts";
import { tf } from "../../lib/base/tf.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { tempDir, TINY_SETTINGS, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("evaluate: a model folder with only the generator and encoder; deterministic by seed", async () => {
  await using tmp = await tempDir();
  const model = initModel(modelSpec(TINY_SETTINGS), 7);
  const dir = join(tmp.path, "model");
  await saveCheckpoint(dir, model, null, null, ["generator", "encoder"]);
  disposeModel(model);
  const phases = new Set<string>();
  const options = { checkpoint: dir, classifierDir: CLASSIFIER_DIR, samples: 64, seed: 3 };
  const tensors = tf.memory().numTensors;
  const a = await evaluate(options, (phase, done, total) => {
    phases.add(phase);
    assert(done >= 0 && done <= total);
  });
  // Nothing per batch is kept: at most one tensor per loaded weight (9 generator, 6 encoder,
  // 10 classifier), the source tensors lib/model/params.ts paramsFromFlat does not dispose.
  const leaked = tf.memory().numTensors - tensors;
  assert(leaked <= 25, `evaluate leaked ${leaked} tensors`);
  phases.delete("training image features (FD floor, cached after)"); // only if not cached yet
  assertEquals([...phases], ["test image features", "samples", "reconstruction"]);
  const b = await evaluate(options);
  const c = await evaluate({ ...options, seed: 4 });
  assertEquals(b.report.fd, a.report.fd);
  assertEquals(b.report.class_counts, a.report.class_counts);
  assert(c.report.fd !== a.report.fd);
  assertEquals(c.report.reconstruction, a.report.reconstruction); // does not depend on z
  assertEquals(a.report.checkpoint, dir);
  // fewer than 100 samples: all of them, 10 to a row
  assertEquals([a.samples.width, a.samples.height], [282, 7 * 26 + 8 * 2]);
  const paths = await writeEvaluation(dir, a);
  assertEquals(JSON.parse(await Deno.readTextFile(paths.report)).fd, a.report.fd);
});

Deno.test("evaluate: a missing classifier says how to train one", async () => {
  await using tmp = await tempDir();
  await assertRejects(
    () =>
      evaluate({
        checkpoint: tmp.path,
        classifierDir: join(tmp.path, "none"),
        samples: 10,
        seed: 1,
      }),
    Error,
    "deno task eval --train-classifier",
  );
});

Deno.test("resolveTarget: the latest run by default, --model as given, clear errors", async () => {
  await using tmp = await tempDir();
  await assertRejects(
    () => resolveTarget(resolveEvalConfig({ out: tmp.path })),
    Error,
    "No runs in",
  );
  await train(await prepareRun(tinyConfig(tmp.path, { run: "first", steps: 1 })));
  const latest = await resolveTarget(resolveEvalConfig({ out: tmp.path }));
  assertEquals(latest.checkpoint, join(tmp.path, "runs", "first", "checkpoint"));
  assertEquals(latest.outDir, join(tmp.path, "runs", "first"));
  // a model folder is only read, unless --update-model
  const modelDir = join(tmp.path, "runs", "first", "checkpoint");
  const model = await resolveTarget(resolveEvalConfig({ model: modelDir, out: tmp.path }));
  assertEquals([model.checkpoint, model.outDir, model.listed], [
    modelDir,
    join(tmp.path, "evals", "checkpoint"),
    false,
  ]);
  const update = await resolveTarget(resolveEvalConfig({ model: modelDir, updateModel: true }));
  assertEquals([update.outDir, update.listed], [modelDir, true]);
  assertThrows(
    () => resolveEvalConfig({ updateModel: true }),
    Error,
    "--update-model needs --model",
  );
  await assertRejects(
    () => resolveTarget(resolveEvalConfig({ out: tmp.path, run: "nope" })),
    Error,
    'No run "nope"',
  );
  await assertRejects(
    () => resolveTarget(resolveEvalConfig({ model: join(tmp.path, "x") })),
    Error,
    "no such folder",
  );
});

Deno.test("generationBatch: bounded memory for wide generators", () => {
  const spec = { zDim: 32, width: 32, depth: 4, scale: 8, size: 26 };
  assertEquals(generationBatch(spec, 676), 387);
  assertEquals(generationBatch({ ...spec, width: 128 }, 676), 96);
  assertEquals(generationBatch({ ...spec, width: 4 }, 676), 500);
});

Deno.test("eval results never replace a larger-sample eval.json without force; a model folder stays verified", async () => {
  await using tmp = await tempDir();
  const model = join(tmp.path, "model");
  await Deno.mkdir(model);
  await writeWithChecksums(model, {
    "model.json": "{}\n",
    "eval.json": JSON.stringify({ samples: 10000, fd: 1 }) + "\n",
  });
  const small = {
    report: { samples: 100, fd: 9 } as EvalReport,
    samples: { width: 2, height: 1, pixels: new Uint8Array([0, 255]) },
  } satisfies Evaluation;
  await assertRejects(
    () => checkReplaceEval(model, 100, false),
    Error,
    "holds an evaluation of 10000 samples; this one would have 100: pass --samples 10000 or --force",
  );
  await checkReplaceEval(model, 10000, false);
  await checkReplaceEval(model, 100, true);
  await checkReplaceEval(join(tmp.path, "none"), 100, false);
  // --update-model: the listing names the new files, and every checksum verifies
  await writeEvaluation(model, small, true);
  const files = await readVerified(model);
  assertEquals([...files.keys()].sort(), ["eval-samples.png", "eval.json", "model.json"]);
  assertEquals(JSON.parse(new TextDecoder().decode(files.get("eval.json"))).fd, 9);
  // elsewhere: the folder is made, nothing is listed
  const out = join(tmp.path, "evals", "m");
  await writeEvaluation(out, small);
  assertEquals(JSON.parse(await Deno.readTextFile(join(out, "eval.json"))).samples, 100);
});
