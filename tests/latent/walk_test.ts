import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { NO_FFMPEG_HINT } from "../../lib/media/ffmpeg.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { renderWalk } from "../../lib/latent/walk.ts";
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
