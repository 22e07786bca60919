import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { shardPlan, shardRanges, SHARDS, TrainPool } from "../../lib/train/pool.ts";
import { Adam } from "../../lib/model/adam.ts";
import { countParams, flatten } from "../../lib/model/params.ts";
import type { UpdateKind } from "../../lib/train/shard_grads.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { resolveTrainConfig } from "../../lib/train/config.ts";
import { disposeModel, initModel, modelSpec, vaeParams } from "../../lib/model/model.ts";
import { createOptimizers, stepContext } from "../../lib/train/step.ts";
import { Rng } from "../../lib/base/rng.ts";
import { oneHotLabels } from "../../lib/data/batches.ts";
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

Deno.test("shardPlan: one decomposition of the batch for any number of workers", () => {
  for (const workers of [1, 2, 3, 5]) {
    const plan = shardPlan(64, workers, 1);
    assertEquals(plan.shards.length, SHARDS);
    assertEquals(plan.shards, shardRanges(64, SHARDS));
    assertEquals(plan.perWorker.length, Math.min(workers, SHARDS));
    assertEquals(plan.perWorker.at(-1)![1], SHARDS); // every shard dealt out, in order
  }
  assertEquals(shardPlan(64, 3, 32).shards, [[0, 32], [32, 64]]); // whole batch-norm groups
  assertEquals(shardPlan(64, 3, 32).perWorker, [[0, 1], [1, 2]]);
});

/**
 * Runs every kind of update on a pool of `workers` workers from the same
 * weights, batches, labels and noise (a discriminator with a class head);
 * returns the weights and losses after.
 */
const range8 = [0, 1, 2, 3, 4, 5, 6, 7];

async function poolRun(
  workers: number,
): Promise<{ encGen: Float32Array; disc: Float32Array; losses: unknown[] }> {
  const config = resolveTrainConfig(
    tinyConfig("unused", { batch: 8, bnGroups: 2, classWeight: 0.5 }),
  );
  const spec = modelSpec(config);
  const model = initModel(spec, 1);
  const shared = (values: Float32Array) => {
    const out = new Float32Array(new SharedArrayBuffer(values.byteLength));
    out.set(values);
    return out;
  };
  const encGen = shared(await flatten(Object.values(vaeParams(model))));
  const disc = shared(await flatten(Object.values(model.disc)));
  const adam = (size: number) => new Adam(size, { lr: 0.01, beta1: 0.5, shared: true });
  const loss = {
    fakes: "samples" as const,
    weight: 0.5,
    realLabel: 1,
    klWeight: 1,
    classWeight: 0.5,
  };
  const pool = await TrainPool.create(spec, workers, "wasm", loss);
  const losses: unknown[] = [];
  try {
    pool.attach(encGen, countParams(model.enc), disc, {
      vae: adam(encGen.length),
      g: adam(encGen.length),
      d: adam(disc.length),
    });
    const rng = new Rng(5);
    const pixels = config.size * config.size;
    for (let step = 0; step < 3; step++) {
      const labels = oneHotLabels(Uint8Array.from({ length: 8 }, () => rng.int(10)), range8, 10);
      pool.setBatch(Float32Array.from({ length: 8 * pixels }, () => rng.uniform()), 8, labels);
      for (const kind of ["vae", "d-eval", "d", "g"] as UpdateKind[]) {
        // sample fakes: each GAN update's noise holds a sample's z beside the reparameterisation's
        const perImage = (kind === "vae" ? 1 : 2) * config.zDim;
        losses.push(await pool.run(kind, Float32Array.from(rng.normal(8 * perImage)), 8, 4));
      }
    }
  } finally {
    pool.close();
    disposeModel(model);
  }
  return { encGen: encGen.slice(), disc: disc.slice(), losses };
}

Deno.test("TrainPool: 1, 2 and 3 workers compute bit-identical updates and losses", async () => {
  const [one, ...others] = [await poolRun(1), await poolRun(2), await poolRun(3)];
  for (const other of others) {
    assertEquals(other.losses, one.losses);
    assertEquals(other.encGen, one.encGen);
    assertEquals(other.disc, one.disc);
  }
});

Deno.test("data-parallel training: 2 and 3 workers give bit-identical weights to 1, with the GAN", async () => {
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
    for (const b of others) assertEquals(b, a, name);
  }
  const logs = await Promise.all(
    runs.map(async (r) =>
      (await Deno.readTextFile(r.paths.log)).trim().split("\n").map((l) => JSON.parse(l))
    ),
  );
  for (const other of logs.slice(1)) {
    for (let i = 0; i < logs[0].length; i++) {
      assertEquals(other[i].vae_loss, logs[0][i].vae_loss);
      assertEquals([other[i].g_loss, other[i].d_loss], [logs[0][i].g_loss, logs[0][i].d_loss]);
      assertEquals(logs[0][i].updates, other[i].updates); // the same balancing decisions
    }
  }
});

Deno.test("TrainPool: a failing update rejects with the worker's error instead of hanging", async () => {
  const config = resolveTrainConfig(
    tinyConfig("unused", { batch: 8, bnGroups: 2, classWeight: 0.5 }),
  );
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
    await assertRejects(() => pool.run("vae", eps, 8, 4), Error, "values; expected");
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
