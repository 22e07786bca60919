import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { shardRanges, TrainPool } from "../../lib/train/pool.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { resolveTrainConfig } from "../../lib/train/config.ts";
import { disposeModel, initModel, modelSpec } from "../../lib/model/model.ts";
import { createOptimizers, stepContext } from "../../lib/train/step.ts";
import { Rng } from "../../lib/base/rng.ts";
import { tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("shardRanges: even contiguous shards in whole units", () => {
  assertEquals(shardRanges(64, 2), [[0, 32], [32, 64]]);
  assertEquals(shardRanges(10, 3), [[0, 3], [3, 6], [6, 10]]);
  assertEquals(shardRanges(64, 2, 32), [[0, 32], [32, 64]]);
  assertEquals(shardRanges(64, 4, 32), [[0, 32], [32, 64]]); // two groups: two workers busy
  assertEquals(shardRanges(64, 1, 16), [[0, 64]]);
  assertEquals(shardRanges(64, 3, 64), [[0, 64]]);
});

Deno.test("data-parallel training: 2 and 3 workers give the same weights as 1 (within 1e-5)", async () => {
  // 3 workers: uneven shards and optimiser slices, and an idle worker in
  // the discriminator's updates (two batch-norm groups)
  await using tmp = await tempDir();
  const runs = [];
  for (const workers of [1, 2, 3]) {
    const config = await prepareRun(
      tinyConfig(tmp.path, { run: `w${workers}`, steps: 3, batch: 8, bnGroups: 2, workers }),
    );
    runs.push(await train(config));
  }
  for (const name of ["generator.bin", "encoder.bin", "discriminator.bin", "optimizers.bin"]) {
    const [a, ...others] = await Promise.all(
      runs.map(async (r) =>
        new Float32Array((await Deno.readFile(join(r.paths.checkpoint, name))).buffer)
      ),
    );
    for (const b of others) {
      assertEquals(a.length, b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      assert(worst < 1e-5, `${name} differs by ${worst}`);
    }
  }
  const logs = await Promise.all(
    runs.map(async (r) =>
      (await Deno.readTextFile(r.paths.log)).trim().split("\n").map((l) => JSON.parse(l))
    ),
  );
  for (const other of logs.slice(1)) {
    for (let i = 0; i < logs[0].length; i++) {
      assert(Math.abs(logs[0][i].vae_loss - other[i].vae_loss) < 1e-5);
      assertEquals(logs[0][i].updates, other[i].updates); // the same balancing decisions
    }
  }
});

Deno.test("TrainPool: a failing update rejects with the worker's error instead of hanging", async () => {
  const config = resolveTrainConfig(tinyConfig("unused", { batch: 8, bnGroups: 2 }));
  const spec = modelSpec(config);
  const model = initModel(spec, 1);
  const pool = await TrainPool.create(spec, 2, "wasm");
  try {
    await stepContext(model, createOptimizers(model, config), pool, new Rng(1), {
      ...config,
      gan: true,
    });
    const pixels = config.size * config.size;
    pool.setBatch(new Float32Array(8 * pixels), 8);
    // noise for 7 images instead of 8: both workers' shards are the wrong size
    const eps = new Float32Array(7 * config.zDim);
    await assertRejects(
      () => pool.run("vae", eps, 8, 4),
      Error,
      "has 14 values; expected 16 or 32",
    );
    await assertRejects(
      () => pool.run("vae", new Float32Array(8 * config.zDim), 8, 4),
      Error,
      "A training worker failed",
    );
  } finally {
    pool.close();
    disposeModel(model);
  }
});
