import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import {
  accuracy,
  CLASSIFIER_DIR,
  CLASSIFIER_SPEC,
  classify,
  disposeClassifier,
  forward,
  initClassifier,
  loadClassifier,
  saveClassifier,
  trainClassifier,
} from "../../lib/eval/classifier.ts";
import { centreCrops } from "../../lib/data/crop.ts";
import { loadMnist } from "../../lib/data/mnist.ts";
import { flatten } from "../../lib/model/params.ts";
import { tf } from "../../lib/base/tf.ts";
import { tempDir, useWasm } from "../_helpers.ts";

await useWasm();
const test = await loadMnist("mnist", "test");

Deno.test("classifier (committed): >= 97% on the first 1000 test images, small files", async () => {
  const classifier = await loadClassifier(CLASSIFIER_DIR);
  try {
    assertEquals(classifier.spec, CLASSIFIER_SPEC);
    const acc = await accuracy(classifier, test, 1000);
    assert(acc >= 0.97, `accuracy ${acc}`);
    assert(classifier.meta.accuracy >= 0.985, `saved accuracy ${classifier.meta.accuracy}`);
    assertEquals(classifier.meta.testImages, 10000);
    let bytes = 0;
    for (const entry of Deno.readDirSync(CLASSIFIER_DIR)) {
      bytes += (await Deno.stat(join(CLASSIFIER_DIR, entry.name))).size;
    }
    assert(bytes < 1_000_000, `${bytes} bytes`);
  } finally {
    disposeClassifier(classifier);
  }
});

Deno.test("classify: probabilities sum to 1, features >= 0, and batching does not change them", async () => {
  const classifier = initClassifier(CLASSIFIER_SPEC, 3);
  try {
    const images = centreCrops(test, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 26);
    const tensors = tf.memory().numTensors;
    const whole = await classify(classifier, images);
    const split = await classify(classifier, images, 4);
    assertEquals(tf.memory().numTensors, tensors, "classify leaked tensors");
    assertEquals([whole.probs.length, whole.features.length], [11 * 10, 11 * 128]);
    for (let i = 0; i < 11; i++) {
      const sum = whole.probs.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0);
      assertAlmostEquals(sum, 1, 1e-5);
    }
    assert(whole.features.every((f) => f >= 0));
    assert(whole.features.some((f) => f > 0));
    for (let i = 0; i < whole.probs.length; i++) {
      assertAlmostEquals(split.probs[i], whole.probs[i], 1e-6);
    }
    for (let i = 0; i < whole.features.length; i++) {
      assertAlmostEquals(split.features[i], whole.features[i], 1e-5);
    }
    const out = forward(classifier, tf.zeros([3, 676]));
    assertEquals([out.logits.shape, out.features.shape], [[3, 10], [3, 128]]);
    tf.dispose([out.logits, out.features]);
  } finally {
    disposeClassifier(classifier);
  }
});

Deno.test("trainClassifier: a tiny net learns in 60 steps; save and load are bit-exact", async () => {
  await using tmp = await tempDir();
  const losses: number[] = [];
  const trained = await trainClassifier(
    {
      spec: { ...CLASSIFIER_SPEC, channels: [4, 8, 8], hidden: 16 },
      steps: 60,
      batch: 32,
      lr: 0.01,
      testCount: 500,
    },
    (p) => losses.push(p.loss),
  );
  const { classifier } = trained;
  try {
    assertEquals([losses.length, trained.steps, trained.testImages], [60, 60, 500]);
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    assert(losses[0] > 2, `first loss ${losses[0]}`); // about ln 10 at the start
    assert(mean(losses.slice(-10)) < 1.2, `last losses ${losses.slice(-10)}`);
    assert(trained.accuracy > 0.6, `accuracy ${trained.accuracy}`);

    const dir = join(tmp.path, "cls");
    await saveClassifier(dir, trained);
    const loaded = await loadClassifier(dir);
    assertEquals(
      await flatten(Object.values(loaded.params)),
      await flatten(Object.values(classifier.params)),
    );
    assertEquals(loaded.meta.accuracy, trained.accuracy);
    assertEquals(loaded.meta.training.steps, 60);
    assertEquals(await accuracy(loaded, test, 500), trained.accuracy);
    disposeClassifier(loaded);

    const bin = join(dir, "classifier.bin");
    const bytes = await Deno.readFile(bin);
    await Deno.writeFile(bin, bytes.subarray(0, 1000));
    await assertRejects(
      () => loadClassifier(dir),
      Error,
      `Cannot read classifier "${dir}": classifier.bin does not match its checksum`,
    );
    await assertRejects(
      () => loadClassifier(join(tmp.path, "none")),
      Error,
      "checksums.sha256 is missing",
    );
    // saving again replaces its own files (and those named to keep), never a folder of others
    await Deno.writeTextFile(join(dir, "fd-floor.json"), "{}");
    await saveClassifier(dir, trained, ["fd-floor.json"]);
    const mine = join(tmp.path, "mine");
    await Deno.mkdir(mine);
    await Deno.writeTextFile(join(mine, "notes.txt"), "keep");
    await assertRejects(
      () => saveClassifier(mine, trained),
      Error,
      `Cannot save the classifier to "${mine}": "${mine}" holds "notes.txt"`,
    );
    assertEquals(await Deno.readTextFile(join(mine, "notes.txt")), "keep");
  } finally {
    disposeClassifier(classifier);
  }
});
