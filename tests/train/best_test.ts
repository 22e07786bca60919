import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { readVerified } from "../../lib/base/checksummed_folder.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { BEST_QUALITY_FILE, bestQuality, keepIfBest } from "../../lib/train/best.ts";
import { exportModel } from "../../lib/train/export.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import type { QualityEntry } from "../../lib/train/quality.ts";
import { tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

const measured = (step: number, fd: number): QualityEntry => ({
  step,
  time_s: step,
  fd,
  coverage: 0.9,
  confident: 0.8,
  reconstruction: 0.2,
});

Deno.test("keepIfBest: copies a checkpoint only when its FD is lower than the kept one's", async () => {
  await using tmp = await tempDir();
  const run = await train(await prepareRun(tinyConfig(tmp.path, { run: "b", steps: 2 })));
  const { checkpoint, best } = run.paths;
  assertEquals(await bestQuality(best), null);
  assert(await keepIfBest(checkpoint, best, measured(2, 50)));
  // every checkpoint file, verified, plus the measurement
  const kept = await readVerified(best);
  const original = await readVerified(checkpoint);
  assertEquals(kept.size, original.size + 1);
  for (const [name, bytes] of original) assertEquals(kept.get(name), bytes, name);
  assertEquals((await bestQuality(best))?.fd, 50);
  assert(!(await keepIfBest(checkpoint, best, measured(4, 60))), "a higher FD replaced it");
  assert(!(await keepIfBest(checkpoint, best, measured(4, NaN))), "NaN replaced it");
  assertEquals((await bestQuality(best))?.step, 2);
  assert(await keepIfBest(checkpoint, best, measured(6, 40)));
  assertEquals((await bestQuality(best))?.step, 6);
  // a damaged copy counts as none and is replaced
  await Deno.writeTextFile(join(best, BEST_QUALITY_FILE), "{}");
  assertEquals(await bestQuality(best), null);
  assert(await keepIfBest(checkpoint, best, measured(8, 45)));
  assertEquals((await bestQuality(best))?.fd, 45);
});

Deno.test("exportModel with best: exports the kept checkpoint, or says the run has none", async () => {
  await using tmp = await tempDir();
  const config = tinyConfig(tmp.path, { run: "e", steps: 2 });
  const first = await train(await prepareRun(config));
  const dest = join(tmp.path, "model");
  await assertRejects(
    () => exportModel(first.paths, dest, false, true),
    Error,
    'Cannot export the best checkpoint of run "e": it has none',
  );
  await keepIfBest(first.paths.checkpoint, first.paths.best, measured(2, 10));
  await train(await prepareRun({ out: tmp.path, run: "e", resume: true, steps: 4 }));
  await Deno.writeTextFile(join(first.paths.dir, "eval.json"), '{"fd": 1}\n');
  const { record } = await exportModel(first.paths, dest, false, true);
  assertEquals(record.step, 2);
  assertEquals((await loadGenerator(dest)).values, (await loadGenerator(first.paths.best)).values);
  // the run's eval.json measured its last checkpoint, not this one
  assert(!(await readVerified(dest)).has("eval.json"));
  const last = await exportModel(first.paths, join(tmp.path, "last"));
  assertEquals(last.record.step, 4);
});
