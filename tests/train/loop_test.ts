import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "@std/path";
import {
  checkLossRise,
  type LogEntry,
  prepareRun,
  train,
  TrainingDiverged,
} from "../../lib/train/loop.ts";
import { LEGACY_SETTINGS, resolveTrainConfig } from "../../lib/train/config.ts";
import { readGrey } from "../../lib/media/image.ts";
import { bestQuality } from "../../lib/train/best.ts";
import { readNetwork } from "../../lib/model/network_files.ts";
import { FlagError } from "../../lib/base/flags.ts";
import { tempDir, tinyConfig, useWasm, writePictures } from "../_helpers.ts";

await useWasm();

const BINS = [
  "generator.bin",
  "encoder.bin",
  "discriminator.bin",
  "optimizers.bin",
  "generator.ema.bin",
  "encoder.ema.bin",
  "ema.json",
];

async function checkpointBytes(dir: string): Promise<Uint8Array[]> {
  return await Promise.all(BINS.map((f) => Deno.readFile(join(dir, "checkpoint", f))));
}

Deno.test("train: 2 steps + resume + 2 steps gives the same weights as 4 steps", async () => {
  await using tmp = await tempDir();
  const straight = await train(
    await prepareRun(tinyConfig(tmp.path, { run: "straight", steps: 4 })),
  );
  assertEquals(straight.step, 4);
  const first = await train(await prepareRun(tinyConfig(tmp.path, { run: "split", steps: 2 })));
  assertEquals([first.step, first.reason], [2, "done"]);
  const second = await train(
    await prepareRun({ out: tmp.path, run: "split", resume: true, steps: 4 }),
  );
  assertEquals(second.step, 4);
  const a = await checkpointBytes(straight.paths.dir);
  const b = await checkpointBytes(second.paths.dir);
  for (let i = 0; i < BINS.length; i++) assertEquals(b[i], a[i], `${BINS[i]} differs`);
  const stateA = JSON.parse(await Deno.readTextFile(join(straight.paths.checkpoint, "state.json")));
  const stateB = JSON.parse(await Deno.readTextFile(join(second.paths.checkpoint, "state.json")));
  assertEquals([stateB.step, stateB.rng], [stateA.step, stateA.rng]);
  // the log continues without gaps or repeats
  const log = (await Deno.readTextFile(second.paths.log)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assertEquals(log.map((e: LogEntry) => e.step), [1, 2, 3, 4]);
});

Deno.test("train: a stop request saves a checkpoint that resumes", async () => {
  await using tmp = await tempDir();
  let steps = 0;
  const outcome = await train(await prepareRun(tinyConfig(tmp.path, { run: "r", steps: 50 })), {
    onStep: () => steps++,
    shouldStop: () => steps >= 3,
  });
  assertEquals([outcome.reason, outcome.step], ["stopped", 3]);
  const state = JSON.parse(await Deno.readTextFile(join(outcome.paths.checkpoint, "state.json")));
  assertEquals(state.step, 3);
});

Deno.test("train: --minutes stops with a checkpoint once the training time reaches it, across resumes", async () => {
  await using tmp = await tempDir();
  // a limit of a few milliseconds: the first step always exceeds it
  const config = tinyConfig(tmp.path, { run: "r", steps: 50, minutes: 1e-5 });
  const first = await train(await prepareRun(config));
  assertEquals([first.reason, first.step], ["time", 1]);
  const state = JSON.parse(await Deno.readTextFile(join(first.paths.checkpoint, "state.json")));
  assertEquals(state.step, 1);
  assert(state.elapsedMs >= 1e-5 * 60_000);
  // the time counts across resumes: the same limit stops at once, a higher one goes on
  const again = await train(await prepareRun({ out: tmp.path, run: "r", resume: true }));
  assertEquals([again.reason, again.step], ["time", 1]);
  const more = await train(
    await prepareRun({ out: tmp.path, run: "r", resume: true, minutes: 0, steps: 3 }),
  );
  assertEquals([more.reason, more.step], ["done", 3]);
});

Deno.test("train: --eval-every writes quality.jsonl and quality.png; a resume continues them", async () => {
  await using tmp = await tempDir();
  const first = await train(
    await prepareRun(tinyConfig(tmp.path, { run: "q", steps: 2, evalEvery: 2, evalSamples: 100 })),
  );
  const read = async () =>
    (await Deno.readTextFile(first.paths.quality)).trim().split("\n").map((l) => JSON.parse(l));
  const [entry] = await read();
  assertEquals(entry.step, 2);
  assert(entry.fd > 0 && Number.isFinite(entry.fd), `fd ${entry.fd}`);
  for (const k of ["coverage", "confident"]) assert(entry[k] >= 0 && entry[k] <= 1, k);
  assert(entry.reconstruction > 0 && entry.time_s > 0);
  const state = JSON.parse(await Deno.readTextFile(join(first.paths.checkpoint, "state.json")));
  assertEquals(entry.time_s, state.elapsedMs / 1000, "measured at the saved checkpoint");
  const chart = await readGrey(first.paths.qualityChart);
  assertEquals(chart.width, 900);
  await train(await prepareRun({ out: tmp.path, run: "q", resume: true, steps: 4 }));
  const entries = await read();
  assertEquals(entries.map((e) => e.step), [2, 4]);
  // the checkpoint with the lower FD is kept in best/
  const kept = await bestQuality(first.paths.best);
  assertEquals(kept?.fd, Math.min(...entries.map((e) => e.fd)));
  const keptState = JSON.parse(await Deno.readTextFile(join(first.paths.best, "state.json")));
  assertEquals(keptState.step, kept?.step);
});

Deno.test("prepareRun: refuses to reuse a run and explains --resume", async () => {
  await using tmp = await tempDir();
  await train(await prepareRun(tinyConfig(tmp.path, { run: "x", steps: 1 })));
  await assertRejects(
    () => prepareRun(tinyConfig(tmp.path, { run: "x", steps: 1 })),
    Error,
    'Run "x" already exists',
  );
  await assertRejects(
    () => prepareRun({ out: tmp.path, run: "x", resume: true, width: 99 }),
    Error,
    "--width cannot change on --resume",
  );
  await assertRejects(
    () => prepareRun({ out: join(tmp.path, "empty"), resume: true }),
    Error,
    "Nothing to resume",
  );
});

Deno.test("train: --gan-after trains the VAE alone for the first N steps", async () => {
  await using tmp = await tempDir();
  const outcome = await train(
    await prepareRun(tinyConfig(tmp.path, { run: "g", steps: 4, ganAfter: 2 })),
  );
  const log = (await Deno.readTextFile(outcome.paths.log)).trim().split("\n").map((l) =>
    JSON.parse(l) as LogEntry
  );
  assertEquals(log.map((e) => e.g_loss === null), [true, true, false, false]);
  assertEquals(log.map((e) => e.updates), [
    { vae: 1, g: 0, d: 0 },
    { vae: 1, g: 0, d: 0 },
    { vae: 0, g: 1, d: 1 },
    { vae: 0, g: 1, d: 1 },
  ]);
});

Deno.test("train --class-weight: a class head on MNIST's labels, added on resume, kept; pictures without labels refused", async () => {
  await using tmp = await tempDir();
  const first = await train(
    await prepareRun(tinyConfig(tmp.path, { run: "c", steps: 2, classWeight: 0 })),
  );
  const headOf = async () =>
    (await readNetwork(first.paths.checkpoint, "discriminator")).manifest.filter((t) =>
      t.name === "wc"
    ).map((t) => t.shape);
  assertEquals(await headOf(), []);
  const resumed = await train(
    await prepareRun({ out: tmp.path, run: "c", resume: true, steps: 4, classWeight: 0.5 }),
  );
  assertEquals(resumed.step, 4);
  // 26 -> 13 -> 7 -> 4 pixels a side, 4 channels
  assertEquals(await headOf(), [[4 * 4 * 4, 10]]);
  const log = (await Deno.readTextFile(resumed.paths.log)).trim().split("\n").map((l) =>
    JSON.parse(l) as LogEntry
  );
  assert(log.every((e) => Number.isFinite(e.d_loss) && Number.isFinite(e.g_loss)));
  await assertRejects(
    () => prepareRun({ out: tmp.path, run: "c", resume: true, classWeight: 0 }),
    FlagError,
    "--class-weight cannot go to 0 on --resume",
  );
  const pictures = join(tmp.path, "pictures");
  await writePictures(pictures, 4);
  await assertRejects(
    async () =>
      await train(
        await prepareRun(tinyConfig(tmp.path, { run: "p", data: pictures, classWeight: 1 })),
      ),
    FlagError,
    "--class-weight needs images with labels",
  );
});

Deno.test("train: the class head is on by default for labelled data, off for pictures", async () => {
  await using tmp = await tempDir();
  const digits = await prepareRun(tinyConfig(tmp.path, { run: "d" }));
  assertEquals([digits.classWeight, digits.realLabel], [8, 0.9]);
  const pictures = join(tmp.path, "pictures");
  await writePictures(pictures, 4);
  const config = await prepareRun(tinyConfig(tmp.path, { run: "p", data: pictures, steps: 2 }));
  assertEquals(config.classWeight, 0);
  const outcome = await train(config);
  assertEquals(outcome.step, 2);
  const disc = await readNetwork(outcome.paths.checkpoint, "discriminator");
  assertEquals(disc.manifest.filter((t) => t.name === "wc"), []);
});

Deno.test("train: the balanced loop (--preset reference's) applies the reference's balancing rules", async () => {
  await using tmp = await tempDir();
  const outcome = await train(
    await prepareRun(
      tinyConfig(tmp.path, { run: "b", steps: 4, ganAfter: 2, ...LEGACY_SETTINGS }),
    ),
  );
  const log = (await Deno.readTextFile(outcome.paths.log)).trim().split("\n").map((l) =>
    JSON.parse(l) as LogEntry
  );
  assertEquals(log.map((e) => e.g_loss === null), [true, true, false, false]);
  assertEquals(log.map((e) => e.updates.vae), [4, 4, 4, 4]);
  for (const e of log.slice(2)) {
    assert(e.updates.g >= 1 && e.updates.g <= 4 && e.updates.d <= 1);
    // reconstructions as fakes: the g loss is not weighted down
    assert(e.g_loss! > 0);
  }
  assertEquals(outcome.config.loop, "balanced");
});

Deno.test("checkLossRise: stops a blown-up VAE loss, not an ordinary rise", () => {
  const entry = (step: number, vae: number): LogEntry => ({
    step,
    epoch: 0,
    vae_loss: vae,
    g_loss: null,
    d_loss: null,
    images_per_s: 1,
    updates: { vae: 4, g: 0, d: 0 },
    time_s: step,
  });
  const config = resolveTrainConfig({ run: "digits", lrVae: 3e-3, lrG: 5e-3 });
  const earlier = [entry(10, 0.5), entry(20, 0.2), entry(30, 0.3)];
  const rise = (vae: number, factor = 10, saved = 20) =>
    checkLossRise(entry(40, vae), earlier, factor, saved, config, "ckpt");
  rise(1.9); // 9.5x the lowest: a spike, not a blow-up
  rise(5, 0); // 0: never
  checkLossRise(entry(10, 9), [], 10, 0, config, "ckpt"); // nothing to compare with yet
  const error = assertThrows(() => rise(2.1), TrainingDiverged);
  assertStringIncludes(
    error.message,
    "Training stopped at step 40: the VAE loss rose to 2.100, more than 10x its lowest (0.200 at step 20)",
  );
  assertStringIncludes(error.message, "The last checkpoint (step 20) is kept in ckpt");
  assertStringIncludes(
    error.message,
    "deno task train --run digits --resume --lr-vae 0.001 --lr-g 0.0017",
  );
  assertStringIncludes(
    assertThrows(() => rise(2.1, 10, 0), TrainingDiverged).message,
    "No checkpoint was saved yet",
  );
});
