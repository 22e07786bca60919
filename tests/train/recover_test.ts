import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { trainWithRecovery } from "../../lib/train/recover.ts";
import { prepareRun, train, TrainingDiverged, type TrainOutcome } from "../../lib/train/loop.ts";
import { lowerRates, resolveTrainConfig, type TrainConfig } from "../../lib/train/config.ts";
import { tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

const CONFIG = resolveTrainConfig({ run: "r", lrG: 0.003, lrVae: 0.009, lrD: 0.0006 });

/** A trainer that blows up `failures` times (after checkpoint `saved`), then ends. */
function flaky(failures: number, saved = 500) {
  const calls: TrainConfig[] = [];
  const fn = (config: TrainConfig): Promise<TrainOutcome> => {
    calls.push(config);
    if (calls.length <= failures) {
      return Promise.reject(new TrainingDiverged(`blew up ${calls.length}`, saved));
    }
    return Promise.resolve({ reason: "done", step: 9, totalSteps: 9, config } as TrainOutcome);
  };
  return { calls, fn };
}

Deno.test("trainWithRecovery: goes back to the checkpoint at a third of the rates, each time", async () => {
  const { calls, fn } = flaky(2);
  const seen: [number, number][] = [];
  const outcome = await trainWithRecovery(CONFIG, {
    onRecover: ({ attempt, fromStep }) => {
      seen.push([attempt, fromStep]);
    },
  }, fn);
  assertEquals(outcome.step, 9);
  assertEquals(seen, [[1, 500], [2, 500]]);
  assertEquals(
    calls.map((c) => [c.resume, c.lrG, c.lrVae, c.lrD]),
    [[false, 0.003, 0.009, 0.0006], [true, 0.001, 0.003, 0.0002], [true, 0.00033, 0.001, 0.000067]],
  );
});

Deno.test("trainWithRecovery: stops with the error after --recoveries tries, or with no checkpoint", async () => {
  const three = flaky(3);
  await assertRejects(() => trainWithRecovery(CONFIG, {}, three.fn), TrainingDiverged, "blew up 3");
  assertEquals(three.calls.length, 3);
  const none = flaky(1, 0);
  await assertRejects(() => trainWithRecovery(CONFIG, {}, none.fn), TrainingDiverged, "blew up 1");
  assertEquals(none.calls.length, 1);
  const off = flaky(1);
  await assertRejects(() => trainWithRecovery({ ...CONFIG, recoveries: 0 }, {}, off.fn));
  await assertRejects(() => trainWithRecovery(CONFIG, {}, () => Promise.reject(new Error("disk"))));
});

Deno.test("trainWithRecovery: a run that blows up after a checkpoint goes on from it at the lower rates", async () => {
  await using tmp = await tempDir();
  const config = await prepareRun(tinyConfig(tmp.path, { run: "r", steps: 8, checkpointEvery: 3 }));
  let blownUp = false;
  const recovered: number[] = [];
  const outcome = await trainWithRecovery(config, {
    // the loop's own checks throw this way, from inside the step loop
    onStep: ({ step }) => {
      if (step === 5 && !blownUp) {
        blownUp = true;
        throw new TrainingDiverged("the VAE loss blew up", 3);
      }
    },
    onRecover: ({ fromStep }) => {
      recovered.push(fromStep);
    },
  }, train);
  assertEquals([outcome.step, recovered], [8, [3]]);
  const saved = JSON.parse(await Deno.readTextFile(join(outcome.paths.dir, "config.json")));
  assertEquals([saved.lrG, saved.lrVae], [lowerRates(config).lrG, lowerRates(config).lrVae]);
  const state = JSON.parse(await Deno.readTextFile(join(outcome.paths.checkpoint, "state.json")));
  assertEquals(state.step, 8);
  // the log goes back to the checkpoint: no step twice, none missing
  const log = (await Deno.readTextFile(outcome.paths.log)).trim().split("\n");
  assertEquals(log.map((l) => JSON.parse(l).step), [1, 2, 3, 4, 5, 6, 7, 8]);
});
