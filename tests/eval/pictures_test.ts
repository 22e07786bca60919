import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { dirname, join } from "@std/path";
import { type EvalTarget, evaluatePictureModel, pictureDataFor } from "../../lib/eval/evaluate.ts";
import { disposeFeatureNet, featureNet, pictureFeatures } from "../../lib/eval/pictures.ts";
import { FlagError } from "../../lib/base/flags.ts";
import { tempDir, tinyColourModel, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

function target(checkpoint: string, config: string): EvalTarget {
  return { checkpoint, outDir: "", label: 'run "t"', listed: false, config };
}

Deno.test("pictureFeatures: fixed weights (the same numbers every time), colour-sensitive", async () => {
  const net = featureNet(3);
  assertEquals(net.dims, 448);
  const red = new Float32Array(8 * 8 * 3).map((_, i) => (i % 3 === 0 ? 1 : 0));
  const blue = new Float32Array(8 * 8 * 3).map((_, i) => (i % 3 === 2 ? 1 : 0));
  const a = await pictureFeatures(net, red, 8);
  const again = featureNet(3);
  assertEquals(await pictureFeatures(again, red, 8), a);
  const b = await pictureFeatures(net, blue, 8);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
  assert(diff > 1, `red and blue give the same features (${diff})`);
  disposeFeatureNet(net);
  disposeFeatureNet(again);
});

Deno.test("eval of a colour model: FD to its pictures in random-network features, no MNIST", async () => {
  const checkpoint = await tinyColourModel();
  const run = dirname(checkpoint);
  const data = await pictureDataFor(target(checkpoint, join(run, "config.json")), "");
  assertEquals([data?.size, data?.channels, data?.fit], [16, 3, "crop"]);
  const { report, samples } = await evaluatePictureModel({
    checkpoint,
    samples: 50,
    seed: 1,
    data: data!,
  });
  // 8 pictures are too few to hold any out: the floor compares the set with itself
  assertEquals([report.test_images, report.train_images], [8, 8]);
  assertAlmostEquals(report.fd_floor, 0, 1e-3);
  assert(report.fd > 0.01, `an untrained model's FD ${report.fd}`);
  assert(report.reconstruction > 0 && report.reconstruction < 1);
  assertEquals(samples.channels, 3);
  // a digit model goes to the MNIST classifier; a picture model without its data is refused
  assertEquals(await pictureDataFor(target(await tinyModel(), "/nonexistent.json"), ""), null);
  await using dir = await tempDir();
  await assertRejects(
    () => pictureDataFor(target(checkpoint, join(dir.path, "none.json")), ""),
    FlagError,
    "give them with --data DIR",
  );
});
