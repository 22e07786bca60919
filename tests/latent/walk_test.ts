import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { readGrey } from "../../lib/media/image.ts";
import { walkLatent } from "../../lib/latent/walk_math.ts";
import { join } from "@std/path";
import { type FfmpegFound, findFfmpeg, NO_FFMPEG_HINT } from "../../lib/media/ffmpeg.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { frameName, renderWalk, type WalkContext } from "../../lib/latent/walk.ts";
import { WALK_DEFAULTS } from "../../lib/latent/walk_config.ts";
import { tempDir, tinyModel } from "../_helpers.ts";

Deno.test("renderWalk: without ffmpeg the frames are still written and the message says how to get an MP4", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const net = await loadGenerator(model);
  const pool = await RenderPool.create(foldWeights(net), { workers: 1 });
  const messages: string[] = [];
  try {
    const result = await renderWalk({
      pool,
      source: { kind: "model", name: model, checkpoint: model, step: 1, spec: net.spec },
      ffmpeg: null,
      out: tmp.path,
      force: false,
      command: "test",
      onMessage: (m) => messages.push(m),
    }, { ...WALK_DEFAULTS, keyframes: "random:2", steps: 3, size: [16, 16], stillSize: [16, 16] });
    assertEquals(result.record.video, null);
    assertEquals([...Deno.readDirSync(join(result.dir, "frames"))].length, 3);
    assert(!(await Deno.stat(join(result.dir, "walk.mp4")).then(() => true, () => false)));
    assert(messages.includes(NO_FFMPEG_HINT));
    assertStringIncludes(NO_FFMPEG_HINT, "to get an MP4, install ffmpeg");
  } finally {
    pool.close();
  }
});

/** Runs `fn` with a walk context over the tiny model's one-worker pool. */
async function withContext(
  ffmpeg: FfmpegFound | null,
  fn: (ctx: WalkContext, pool: RenderPool) => Promise<void>,
): Promise<void> {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const net = await loadGenerator(model);
  const pool = await RenderPool.create(foldWeights(net), { workers: 1 });
  const source = {
    kind: "model" as const,
    name: model,
    checkpoint: model,
    step: 1,
    spec: net.spec,
  };
  try {
    await fn({ pool, source, ffmpeg, out: tmp.path, force: false, command: "test" }, pool);
  } finally {
    pool.close();
  }
}

Deno.test("renderWalk: a camera path records each frame's view and renders frames with it", async () => {
  await withContext(null, async (ctx, pool) => {
    const base = {
      ...WALK_DEFAULTS,
      keyframes: "random:2",
      steps: 5,
      size: [24, 24] as [number, number],
      stillSize: [8, 8] as [number, number],
    };
    const zoom = await renderWalk(ctx, {
      ...base,
      id: "zoom",
      scale: 8,
      zoomTo: 0.08,
      zoomCenter: [1, 1],
    });
    const views = zoom.record.frames.views!;
    assertEquals(views.length, 5);
    assertEquals(views[0], { scale: 8, center: [0, 0] });
    assertEquals(views[4], { scale: 0.08, center: [1, 1] });
    for (let f = 1; f < 5; f++) {
      assertAlmostEquals(views[f].scale / views[f - 1].scale, 0.1 ** 0.5, 1e-9);
    }
    assertEquals(zoom.record.settings.zoomTo, { scale: 0.08, center: [1, 1] });
    // the frames' pixels are the renders of the recorded views
    const z = (f: number) =>
      walkLatent(zoom.record.keyframes.map((k) => new Float32Array(k.z)), f, 5, base);
    for (const f of [0, 2, 4]) {
      const frame = await readGrey(join(zoom.dir, "frames", frameName(f)));
      const expected = await pool.renderImage({
        z: z(f),
        width: 24,
        height: 24,
        view: views[f],
        invert: false,
      });
      assertEquals(frame.pixels, expected);
    }
    const fixed = await pool.renderImage({
      z: z(4),
      width: 24,
      height: 24,
      view: views[0],
      invert: false,
    });
    assertNotEquals(fixed, (await readGrey(join(zoom.dir, "frames", frameName(4)))).pixels);

    // per-keyframe views: the loop's frame 0 and the middle frame sit on the keyframes' views
    const camera = [{ scale: 4, center: [0, 0] as [number, number] }, {
      scale: 1,
      center: [2, 0] as [number, number],
    }];
    const keyed = await renderWalk(ctx, { ...base, id: "keyed", steps: 4, camera });
    const scales = keyed.record.frames.views!.map((v) => v.scale);
    [4, 2, 1, 2].forEach((v, i) => assertAlmostEquals(scales[i], v, 1e-12));
    assertEquals(keyed.record.frames.views![2], camera[1]);

    // a fixed camera records no views (older walks keep their identity)
    const still = await renderWalk(ctx, { ...base, id: "fixed" });
    assertEquals(still.record.frames.views, undefined);
    assertEquals("camera" in still.record.settings || "zoomTo" in still.record.settings, false);

    await assertRejects(
      () => renderWalk(ctx, { ...base, id: "bad", camera: [camera[0]] }),
      Error,
      "The camera list has 1 views but the walk has 2 keyframes",
    );
    await assertRejects(
      () => renderWalk(ctx, { ...base, id: "bad2", zoomCenter: [1, 1] }),
      Error,
      "--zoom-center needs --zoom-to",
    );
  });
});

Deno.test("renderWalk: --format webm,gif writes loops with every frame; a finished walk gains a missing one", async () => {
  const ffmpeg = await findFfmpeg();
  if (!ffmpeg) return console.warn("no ffmpeg: skipped");
  await withContext(ffmpeg, async (ctx) => {
    const s = {
      ...WALK_DEFAULTS,
      id: "w",
      keyframes: "random:2",
      steps: 6,
      size: [32, 32] as [number, number],
      stillSize: [8, 8] as [number, number],
      ease: "sine-out" as const,
      format: "webm",
    };
    const first = await renderWalk(ctx, s);
    assertEquals([first.record.video, first.record.loops], [null, { webm: "walk.webm" }]);
    const count = async (name: string) => {
      const out = await new Deno.Command(ffmpeg.path, {
        args: [
          "-v",
          "error",
          "-i",
          join(first.dir, name),
          "-f",
          "rawvideo",
          "-pix_fmt",
          "gray",
          "-",
        ],
        stdout: "piped",
      }).output();
      return out.stdout.length / (32 * 32);
    };
    assertEquals(await count("walk.webm"), 6);
    const again = await renderWalk(ctx, { ...s, format: "webm,gif" });
    assertEquals(again.status, "skipped");
    assertEquals(again.record.loops, { webm: "walk.webm", gif: "walk.gif" });
    assertEquals(await count("walk.gif"), 6);
    const saved = JSON.parse(await Deno.readTextFile(join(first.dir, "walk.json")));
    assertEquals(saved.loops, { webm: "walk.webm", gif: "walk.gif" });
  });
});
