import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { CLASSIFIER_DIR } from "../../lib/eval/classifier.ts";
import { type EvalReport, FLOOR_FILE } from "../../lib/eval/evaluate.ts";
import { readGrey } from "../../lib/media/image.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { runScript, tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

/** Entropy of the class histogram over ln 10, recomputed from the counts. */
function entropyOf(counts: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return -counts.reduce((s, c) => s + (c ? (c / n) * Math.log(c / n) : 0), 0) / Math.log(10);
}

Deno.test("deno task eval (end to end): --samples 200 on a tiny run writes eval.json and a grid", async () => {
  await using tmp = await tempDir();
  await train(await prepareRun(tinyConfig(tmp.path, { run: "tiny", steps: 1 })));
  const r = await runScript("eval", [
    "--out",
    tmp.path,
    "--run",
    "tiny",
    "--samples",
    "200",
    "--backend",
    "wasm",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, 'Evaluating run "tiny"');
  const run = join(tmp.path, "runs", "tiny");
  const report: EvalReport = JSON.parse(await Deno.readTextFile(join(run, "eval.json")));
  assertEquals([report.samples, report.seed, report.test_images], [200, 1, 10000]);
  assertEquals(report.generator, {
    zDim: 4,
    width: 8,
    depth: 4,
    scale: 8,
    size: 26,
    zEveryLayer: true,
  });
  assertEquals(report.class_counts.length, 10);
  assertEquals(report.class_counts.reduce((a, b) => a + b, 0), 200);
  assertAlmostEquals(report.coverage, entropyOf(report.class_counts), 1e-9);
  assert(report.confident >= 0 && report.confident <= 1);
  // the floor is the cached train-vs-test FD of the committed classifier
  const floor = JSON.parse(await Deno.readTextFile(join(CLASSIFIER_DIR, FLOOR_FILE)));
  assertEquals(report.fd_floor, floor.fd);
  assert(floor.fd > 0 && floor.fd < 5, `floor ${floor.fd}`);
  // an untrained CPPN draws grey blobs: far from digits
  assert(report.fd > 20 * report.fd_floor, `fd ${report.fd}, floor ${report.fd_floor}`);
  // ... and predicts about 0.5 everywhere: a loss near ln 2 per pixel
  assertAlmostEquals(report.reconstruction, Math.LN2, 0.1);
  assertEquals(report.classifier.dir, CLASSIFIER_DIR);
  assert(report.classifier.accuracy >= 0.985);
  // the table shows the same numbers
  assertStringIncludes(r.stdout, report.fd.toFixed(3));
  assertStringIncludes(r.stdout, report.coverage.toFixed(3));
  assertStringIncludes(r.stdout, report.reconstruction.toFixed(4));
  // 10 x 10 samples of 26 px with 2 px gaps
  const grid = await readGrey(join(run, "eval-samples.png"));
  assertEquals([grid.width, grid.height], [10 * 26 + 11 * 2, 10 * 26 + 11 * 2]);
});

Deno.test("deno task eval: bad flags exit 2 naming the flag", async () => {
  const r = await runScript("eval", ["--run", "a", "--model", "b"]);
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, "--run and --model cannot be used together");
  const s = await runScript("eval", ["--samples", "1"]);
  assertEquals(s.code, 2);
  assertStringIncludes(s.stderr, '--samples must be an integer >= 2, got "1"');
});
