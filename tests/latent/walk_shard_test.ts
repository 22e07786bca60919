import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { findFfmpeg } from "../../lib/media/ffmpeg.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { renderWalk, type WalkContext } from "../../lib/latent/walk.ts";
import { WALK_DEFAULTS, type WalkSettings } from "../../lib/latent/walk_config.ts";
import { tempDir, tinyModel } from "../_helpers.ts";

const SETTINGS: WalkSettings = {
  ...WALK_DEFAULTS,
  keyframes: "random:3",
  steps: 7,
  size: [16, 12],
  stillSize: [20, 20],
  zoomTo: 0.5, // every frame its own view
};

/** Every file's bytes under `dir` except walk.json and the shard marks. */
async function outputBytes(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const sub of ["", "frames", "stills"]) {
    for await (const e of Deno.readDir(join(dir, sub))) {
      if (e.isFile && e.name !== "walk.json") {
        files.set(join(sub, e.name), await Deno.readFile(join(dir, sub, e.name)));
      }
    }
  }
  return files;
}

Deno.test("walk --shard K/N: N = 1, 2, 3 shards then the finishing run equal one unsharded run, byte for byte", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const net = await loadGenerator(model);
  const pool = await RenderPool.create(foldWeights(net), { workers: 1 });
  const ffmpeg = await findFfmpeg();
  const ctx = (out: string): WalkContext => ({
    pool,
    source: { kind: "model", name: model, checkpoint: model, step: 1, spec: net.spec },
    ffmpeg,
    out: join(tmp.path, out),
    force: false,
    command: "test",
  });
  try {
    const whole = await renderWalk(ctx("whole"), SETTINGS);
    const expected = await outputBytes(whole.dir);
    assertEquals(expected.has("walk.mp4"), ffmpeg !== null);
    for (const n of [1, 2, 3]) {
      const out = `shards${n}`;
      for (let k = n - 1; k >= 0; k--) {
        const r = await renderWalk({ ...ctx(out), shard: { index: k, count: n } }, SETTINGS);
        assertEquals(r.status, "shard");
      }
      // a retried shard changes nothing
      const before = await outputBytes(join(tmp.path, out, "walks", whole.record.id));
      await renderWalk({ ...ctx(out), shard: { index: 0, count: n } }, SETTINGS);
      assertEquals(await outputBytes(join(tmp.path, out, "walks", whole.record.id)), before);
      const merged = await renderWalk({ ...ctx(out), merge: true }, SETTINGS);
      assertEquals(merged.record.timings?.frames_rendered, 0);
      assertEquals(await outputBytes(merged.dir), expected, `${n} shards`);
    }
  } finally {
    pool.close();
  }
});

Deno.test("walk: finishing a sharded walk refuses clearly when a shard's frames are missing", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const net = await loadGenerator(model);
  const pool = await RenderPool.create(foldWeights(net), { workers: 1 });
  const ctx: WalkContext = {
    pool,
    source: { kind: "model", name: model, checkpoint: model, step: 1, spec: net.spec },
    ffmpeg: null,
    out: tmp.path,
    force: false,
    command: "test",
  };
  try {
    await renderWalk({ ...ctx, shard: { index: 0, count: 3 } }, SETTINGS);
    await renderWalk({ ...ctx, shard: { index: 2, count: 3 } }, SETTINGS);
    // without --merge too: the shard marks say this walk is sharded
    await assertRejects(
      () => renderWalk(ctx, SETTINGS),
      Error,
      "missing",
    );
    const error = await assertRejects(() => renderWalk({ ...ctx, merge: true }, SETTINGS));
    assertEquals(
      (error as Error).message.includes("run again shard(s) 1/3 (--shard K/N)"),
      true,
      (error as Error).message,
    );
    await renderWalk({ ...ctx, shard: { index: 1, count: 3 } }, SETTINGS);
    assertEquals((await renderWalk(ctx, SETTINGS)).record.complete, true);
  } finally {
    pool.close();
  }
});
