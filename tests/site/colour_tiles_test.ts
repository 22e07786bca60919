import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { RenderPool, renderToPng } from "../../lib/render/pool.ts";
import { tileStill } from "../../lib/site/tiles.ts";
import { tempDir, useWasm } from "../_helpers.ts";
import { colourfulness, randomFolded } from "../_onnx_fixtures.ts";

await useWasm();

Deno.test("tileStill: a colour still's deep-zoom tiles are colour, at every level", async () => {
  await using dir = await tempDir();
  const pool = await RenderPool.create(await randomFolded(3, true, 3), { workers: 1 });
  const still = join(dir.path, "still.png");
  await renderToPng(pool, {
    z: new Float32Array(5).fill(0.5),
    width: 600,
    height: 600,
    view: { scale: 6, center: [0, 0] },
  }, still);
  pool.close();
  const out = join(dir.path, "tiles");
  const { info } = await tileStill(await Deno.readFile(still), out);
  for (const level of [info.minLevel, info.maxLevel]) {
    const tile = join(out, "image_files", String(level), "0_0.webp");
    const { data, info: meta } = await sharp(tile).removeAlpha().raw().toBuffer({
      resolveWithObject: true,
    });
    assertEquals(meta.channels, 3);
    const c = colourfulness(new Uint8Array(data));
    assert(c > 10, `level ${level}: channels barely differ (${c})`);
  }
});
