import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { tf } from "../../lib/base/tf.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { generate } from "../../lib/model/generator.ts";
import { initModel, modelSpec } from "../../lib/model/model.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { paramsFromFlat } from "../../lib/model/params.ts";
import { OnnxRenderer } from "../../lib/render/onnx_engine.ts";
import { RenderPool, renderToPng } from "../../lib/render/pool.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { saveCheckpoint } from "../../lib/train/checkpoint.ts";
import { Rng } from "../../lib/base/rng.ts";
import { tempDir, TINY_SETTINGS, useWasm } from "../_helpers.ts";
import { colourfulness, randomFolded, worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

const request = {
  z: new Rng(3, "z").normal(5),
  width: 41,
  height: 23,
  view: { scale: 3, center: [0.5, -1] as [number, number] },
};

Deno.test("Renderer: a colour model draws RGB, each pixel's channels together, as the training network", async () => {
  await using dir = await tempDir();
  const model = initModel(modelSpec({ ...TINY_SETTINGS, channels: 3, zEveryLayer: true }), 5);
  assertEquals(model.spec.generator.channels, 3);
  assertEquals(model.spec.encoder.inputSize, 26 * 26 * 3);
  assertEquals(model.spec.discriminator.inputChannels, 3);
  const ckpt = join(dir.path, "colour");
  await saveCheckpoint(ckpt, model, null, null, ["generator"]);
  const net = await loadGenerator(ckpt);
  assertEquals(net.spec.channels, 3);
  const z = new Rng(7).normal(4);
  const out = generate(
    paramsFromFlat(net.values, net.manifest),
    net.spec,
    tf.tensor2d(z, [1, 4]),
    tf.tensor2d(pixelCoords(30, 20, defaultView(8)), [600, 3]),
  );
  assertEquals(out.shape, [1, 600 * 3]);
  const expected = await out.data();
  out.dispose();
  const renderer = new Renderer(foldWeights(net));
  assertEquals(renderer.channels, 3);
  const bytes = await renderer.renderBytes({ z, width: 30, height: 20, view: defaultView(8) });
  assertEquals(bytes.length, 600 * 3);
  let worst = 0;
  for (let i = 0; i < bytes.length; i++) {
    worst = Math.max(worst, Math.abs(bytes[i] - expected[i] * 255));
  }
  assert(worst <= 0.51, `off by ${worst} levels`);
  // rows 5..9 alone are the same bytes as in the whole image
  assertEquals(
    await renderer.renderBytes({ z, width: 30, height: 20, view: defaultView(8) }, 5, 9, 37),
    bytes.subarray(5 * 90, 9 * 90),
  );
  renderer.dispose();
});

Deno.test("Colour renders: wasm pool, ONNX Runtime and the PNG agree, and the channels differ", async () => {
  await using dir = await tempDir();
  const folded = await randomFolded(3, true, 3);
  const renderer = new Renderer(folded);
  const expected = await renderer.renderBytes(request);
  renderer.dispose();
  assert(colourfulness(expected) > 10, `channels barely differ: ${colourfulness(expected)}`);
  const pool = await RenderPool.create(folded, { workers: 2, chunkPixels: 100 });
  assertEquals(pool.channels, 3);
  assertEquals(await pool.renderImage(request), expected);
  const path = join(dir.path, "colour.png");
  await renderToPng(pool, request, path);
  pool.close();
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  assertEquals([info.width, info.height, info.channels], [41, 23, 3]);
  assertEquals(new Uint8Array(data), expected);
  const onnx = await OnnxRenderer.create(folded, { threads: 1, chunkPixels: 200 });
  assertEquals(onnx.channels, 3);
  const worst = worstDifference(await onnx.renderImage(request), expected);
  onnx.close();
  assert(worst <= 1, `ONNX off by ${worst} levels`);
});
