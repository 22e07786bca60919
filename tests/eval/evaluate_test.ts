import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { saveCheckpoint } from "../../lib/train/checkpoint.ts";
import { CLASSIFIER_DIR } from "../../lib/eval/classifier.ts";
import {
  evaluate,
  generationBatch,
  resolveTarget,
  writeEvaluation,
} from "../../lib/eval/evaluate.ts";
import { resolveEvalConfig } from "../../lib/eval/config.ts";
import { disposeModel, initModel, modelSpec } from "../../lib/model/model.ts";
import { tf } from "../../lib/base/tf.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("evaluate: a model folder with only the generator and encoder; deterministic by seed", async () => {
  await using tmp = await tempDir();
  const settings = {
    zDim: 4,
    width: 8,
    depth: 3,
    scale: 8,
    size: 26,
    encoderWidth: 16,
    discChannels: [4, 4, 4],
  };
  const model = initModel(modelSpec(settings), 7);
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
  const model = await resolveTarget(resolveEvalConfig({ model: tmp.path }));
  assertEquals([model.checkpoint, model.outDir], [tmp.path, tmp.path]);
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
