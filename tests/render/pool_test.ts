import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { defaultView } from "../../lib/model/coords.ts";
import { readGrey } from "../../lib/media/image.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { defaultWorkers, RenderPool, renderToPng } from "../../lib/render/pool.ts";
import { MAX_WORKERS } from "../../lib/base/workers.ts";
import { Rng } from "../../lib/base/rng.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("RenderPool: PNG bytes are identical with 1 or 2 workers and any band size", async () => {
  const ckpt = await tinyModel();
  const weights = foldWeights(await loadGenerator(ckpt));
  await using dir = await tempDir();
  const request = {
    z: new Rng(5).normal(8),
    width: 150,
    height: 131,
    view: { scale: 3, center: [1, -2] as [number, number] },
  };
  const files: Uint8Array[] = [];
  for (const [workers, chunkPixels] of [[1, 150 * 131], [2, 150 * 3], [2, 4000]]) {
    const pool = await RenderPool.create(weights, { workers, chunkPixels });
    const path = join(dir.path, `${workers}-${chunkPixels}.png`);
    await renderToPng(pool, request, path);
    pool.close();
    files.push(await Deno.readFile(path));
  }
  assertEquals(files[1], files[0]);
  assertEquals(files[2], files[0]);
});

Deno.test("RenderPool: images rendered at once equal each alone; a bad band fails only its image", async () => {
  const ckpt = await tinyModel();
  const pool = await RenderPool.create(foldWeights(await loadGenerator(ckpt)), {
    workers: 2,
    chunkPixels: 40 * 3, // 3 rows a band: many bands per worker, two held at once
  });
  const image = (seed: number, zLength = 8) =>
    pool.renderImage({
      z: new Rng(seed).normal(zLength),
      width: 40,
      height: 31,
      view: defaultView(8),
    });
  const alone = [await image(1), await image(2)];
  const [first, bad, second] = await Promise.allSettled([image(1), image(3, 5), image(2)]);
  const third = await image(1); // the pool still works
  pool.close();
  assertEquals(first, { status: "fulfilled", value: alone[0] });
  assertEquals(second, { status: "fulfilled", value: alone[1] });
  assertEquals(third, alone[0]);
  assertEquals(bad.status, "rejected");
  assertMatch(String((bad as PromiseRejectedResult).reason), /5 values/);
});

Deno.test("RenderPool: a large render downsampled matches a small render of the same latent", async () => {
  const ckpt = await tinyModel();
  const pool = await RenderPool.create(foldWeights(await loadGenerator(ckpt)), { workers: 2 });
  const z = new Rng(6).normal(8);
  const big = await pool.renderImage({ z, width: 256, height: 256, view: defaultView(8) });
  const small = await pool.renderImage({ z, width: 64, height: 64, view: defaultView(8) });
  pool.close();
  let total = 0;
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      let sum = 0;
      for (let dy = 0; dy < 4; dy++) {
        for (let dx = 0; dx < 4; dx++) sum += big[(4 * y + dy) * 256 + 4 * x + dx];
      }
      total += Math.abs(sum / 16 - small[y * 64 + x]);
    }
  }
  const meanDiff = total / 4096;
  assert(meanDiff < 3, `mean difference ${meanDiff} grey levels`);
});

Deno.test("RenderPool: memory does not grow over a 500-frame walk", async () => {
  const ckpt = await tinyModel();
  const pool = await RenderPool.create(foldWeights(await loadGenerator(ckpt)), { workers: 2 });
  const rng = new Rng(7);
  const frame = () =>
    pool.renderImage({ z: rng.normal(8), width: 48, height: 48, view: defaultView(8) });
  for (let i = 0; i < 100; i++) await frame();
  const before = Deno.memoryUsage().rss;
  for (let i = 0; i < 400; i++) await frame();
  const growth = Deno.memoryUsage().rss - before;
  pool.close();
  assert(
    growth < 24 * 1024 * 1024,
    `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB over 400 frames`,
  );
});

Deno.test("renderToPng: writes a readable greyscale PNG", async () => {
  const ckpt = await tinyModel();
  const pool = await RenderPool.create(foldWeights(await loadGenerator(ckpt)), { workers: 1 });
  await using dir = await tempDir();
  const path = join(dir.path, "x.png");
  await renderToPng(
    pool,
    { z: new Rng(8).normal(8), width: 33, height: 20, view: defaultView(8) },
    path,
  );
  pool.close();
  const image = await readGrey(path);
  assertEquals([image.width, image.height], [33, 20]);
});

Deno.test("defaultWorkers: one per core, never more than MAX_WORKERS (a 256-core machine starts 64)", () => {
  const real = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(navigator),
    "hardwareConcurrency",
  )!;
  try {
    Object.defineProperty(navigator, "hardwareConcurrency", { value: 256, configurable: true });
    assertEquals(defaultWorkers(), MAX_WORKERS);
    Object.defineProperty(navigator, "hardwareConcurrency", { value: 3, configurable: true });
    assertEquals(defaultWorkers(), 3);
  } finally {
    delete (navigator as unknown as Record<string, unknown>).hardwareConcurrency;
    assertEquals(
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(navigator), "hardwareConcurrency"),
      real,
    );
  }
});
