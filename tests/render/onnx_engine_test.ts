import { assert, assertEquals, assertRejects } from "@std/assert";
import { defaultView } from "../../lib/model/coords.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { BAKED_MIN_PIXELS, OnnxRenderer } from "../../lib/render/onnx_engine.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { Rng } from "../../lib/base/rng.ts";
import { tinyModel, useWasm } from "../_helpers.ts";
import { colourfulness, randomFolded, worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

Deno.test("OnnxRenderer: streamed bands, in order, draw the wasm renderer's image within 1/255 (both architectures)", async () => {
  for (const zEveryLayer of [false, true]) {
    const folded = await randomFolded(4, zEveryLayer);
    // 500-pixel bands of a 97-wide image: 5 rows each, the last band shorter
    const engine = await OnnxRenderer.create(folded, { threads: 1, chunkPixels: 500 });
    const renderer = new Renderer(folded);
    const request = {
      z: new Rng(9, "z").normal(5),
      width: 97,
      height: 61,
      view: { scale: 3, center: [1, 2] as [number, number] },
      invert: true,
    };
    const starts: number[] = [];
    const image = new Uint8Array(97 * 61);
    await engine.render(request, (bytes, row) => {
      starts.push(row);
      image.set(bytes, row * 97);
    });
    assertEquals(starts, Array.from({ length: 13 }, (_, i) => i * 5));
    const worst = worstDifference(image, await renderer.renderBytes(request));
    assert(worst <= 1, `zEveryLayer ${zEveryLayer}: off by ${worst} grey levels`);
    // rows 7 to 23 only: bands aligned as in the whole image, the same pixels
    const ranged: number[] = [];
    await engine.render(request, (bytes, row) => {
      ranged.push(row);
      assertEquals(bytes, image.subarray(row * 97, row * 97 + bytes.length));
    }, [7, 23]);
    assertEquals(ranged, [7, 10, 15, 20]);
    // the band size does not change a pixel, nor runs of 40 pixels (rows cut in three)
    const whole = await OnnxRenderer.create(folded, { threads: 2 });
    assertEquals(await whole.renderImage(request), image);
    const pieces = await OnnxRenderer.create(folded, { threads: 1, chunkPixels: 40 });
    assertEquals(await pieces.renderImage(request), image);
    engine.close();
    whole.close();
    pieces.close();
    renderer.dispose();
  }
});

Deno.test("OnnxRenderer: a trained checkpoint renders as with wasm", async () => {
  const folded = foldWeights(await loadGenerator(await tinyModel()));
  const engine = await OnnxRenderer.create(folded);
  const renderer = new Renderer(folded);
  const request = { z: new Rng(4).normal(8), width: 64, height: 48, view: defaultView(8) };
  const worst = worstDifference(
    await engine.renderImage(request),
    await renderer.renderBytes(request),
  );
  assert(worst <= 1, `off by ${worst} grey levels`);
  engine.close();
  renderer.dispose();
});

Deno.test("OnnxRenderer: a latent vector of the wrong length is a clear error", async () => {
  const engine = await OnnxRenderer.create(await randomFolded(2, false));
  await assertRejects(
    () => engine.renderImage({ z: new Float32Array(3), width: 4, height: 4, view: defaultView() }),
    Error,
    "The latent vector has 3 values; this model needs 5",
  );
  engine.close();
});

Deno.test("OnnxRenderer: the first layer in our wasm kernel or in ONNX Runtime draws the same image; concurrent renders stay apart", async () => {
  const request = (seed: number) => ({
    z: new Rng(seed, "z").normal(5),
    width: 83,
    height: 40,
    view: { scale: 5, center: [0.5, -1] as [number, number] },
  });
  // width 32; width 24 (not a multiple of 16); width 16 with a mapping network on z
  for (
    const [width, zMap, expected] of [[32, 0, "wasm"], [24, 0, "onnx"], [16, 2, "wasm"]] as const
  ) {
    const folded = await randomFolded(3, true, 1, zMap, width);
    const engine = await OnnxRenderer.create(folded, { threads: 1, chunkPixels: 300 });
    const graph = await OnnxRenderer.create(folded, { threads: 1, firstLayer: "onnx" });
    assertEquals([engine.firstLayer, graph.firstLayer], [expected, "onnx"]);
    const want = await Promise.all([1, 2].map((seed) => graph.renderImage(request(seed))));
    // both images at once on one engine: their runs take turns in its memory
    const got = await Promise.all([1, 2].map((seed) => engine.renderImage(request(seed))));
    for (const k of [0, 1]) {
      const worst = worstDifference(got[k], want[k]);
      assert(worst <= 1, `width ${width}, zMap ${zMap}, image ${k}: off by ${worst} grey levels`);
    }
    assert(worstDifference(got[0], got[1]) > 30, "two latent vectors draw two images");
    engine.close();
    graph.close();
  }
});

Deno.test("OnnxRenderer: large images, their biases baked into a session of their own, equal the wasm renderer's within 1/255; three at once stay apart", async () => {
  const side = Math.sqrt(BAKED_MIN_PIXELS); // the smallest square image that gets one
  const request = (seed: number) => ({
    z: new Rng(seed, "z").normal(5),
    width: side,
    height: side,
    view: { scale: 6, center: [0.5, -1] as [number, number] },
  });
  // z in every layer (grey; with a mapping network; colour), and z in the first layer only
  for (
    const [zEveryLayer, channels, zMap, width] of [
      [true, 1, 0, 16],
      [true, 1, 2, 16],
      [true, 3, 0, 32],
      [false, 3, 0, 16],
    ] as const
  ) {
    const folded = await randomFolded(3, zEveryLayer, channels, zMap, width);
    const engine = await OnnxRenderer.create(folded, { threads: 1 });
    const renderer = new Renderer(folded);
    // three images at once: their bands alternate, more than the sessions kept open
    const seeds = [1, 2, 3];
    const got = await Promise.all(seeds.map((seed) => engine.renderImage(request(seed))));
    got.push(await engine.renderImage(request(1)));
    const name = `zEveryLayer ${zEveryLayer}, channels ${channels}, zMap ${zMap}`;
    for (const [k, seed] of [...seeds, 1].entries()) {
      const worst = worstDifference(got[k], await renderer.renderBytes(request(seed)));
      assert(worst <= 1, `${name}, image ${k}: off by ${worst} levels`);
    }
    assertEquals(got[3], got[0]);
    assert(worstDifference(got[0], got[1]) > 20, `${name}: two latent vectors draw two images`);
    if (channels === 3) assert(colourfulness(got[0]) > 5, `${name}: a colour image`);
    engine.close();
    renderer.dispose();
  }
});
