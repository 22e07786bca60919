import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { tf } from "../../lib/base/tf.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { generate, initGenerator } from "../../lib/model/generator.ts";
import { disposeParams, flatten, manifestOf, paramsFromFlat } from "../../lib/model/params.ts";
import { bandStarts, foldWeights, mapLatentJs, Renderer } from "../../lib/render/renderer.ts";
import { Rng } from "../../lib/base/rng.ts";
import { initModel, modelSpec } from "../../lib/model/model.ts";
import { saveCheckpoint } from "../../lib/train/checkpoint.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

async function trainingForward(ckpt: string, z: Float32Array, size: number): Promise<Float32Array> {
  const net = await loadGenerator(ckpt);
  const params = paramsFromFlat(net.values, net.manifest);
  const out = generate(
    params,
    net.spec,
    tf.tensor2d(z, [1, net.spec.zDim]),
    tf.tensor2d(pixelCoords(size, size, defaultView(net.spec.scale)), [size * size, 3]),
  );
  return await out.data() as Float32Array;
}

Deno.test("Renderer: folded weights draw what the training network draws (any depth, z in every layer or not, the first layer in the kernel or not)", async () => {
  await using dir = await tempDir();
  const cases = [
    [1, false, 8],
    [2, false, 8],
    [4, false, 8],
    [4, true, 8],
    [2, false, 16],
    [4, true, 32],
  ] as const;
  for (const [depth, zEveryLayer, width] of cases) {
    const model = initModel(
      modelSpec({
        zDim: 4,
        width,
        depth,
        scale: 8,
        size: 26,
        zEveryLayer,
        encoderWidth: 8,
        discChannels: [2, 2, 2],
      }),
      depth,
    );
    const ckpt = join(dir.path, `d${depth}-${zEveryLayer}-${width}`);
    await saveCheckpoint(ckpt, model, null, null, ["generator"]);
    const z = new Rng(depth).normal(4);
    const expected = await trainingForward(ckpt, z, 40);
    const renderer = new Renderer(foldWeights(await loadGenerator(ckpt)));
    const bytes = await renderer.renderBytes({ z, width: 40, height: 40, view: defaultView(8) });
    renderer.dispose();
    let worst = 0;
    for (let i = 0; i < bytes.length; i++) {
      worst = Math.max(worst, Math.abs(bytes[i] - expected[i] * 255));
    }
    assert(worst <= 0.51, `depth ${depth}: off by ${worst} grey levels`);
  }
});

Deno.test("Renderer: a model with a mapping network on z draws what the training network draws, and the mapping changes the image", async () => {
  const spec = { zDim: 5, width: 16, depth: 4, scale: 8, size: 26, zEveryLayer: true, zMap: 2 };
  const params = initGenerator(spec, new Rng(3), 0.5);
  const manifest = manifestOf(params), values = await flatten(Object.values(params));
  const z = new Rng(5).normal(5);
  const view = defaultView(8);
  const out = generate(
    params,
    spec,
    tf.tensor2d(z, [1, 5]),
    tf.tensor2d(pixelCoords(40, 40, view), [1600, 3]),
  );
  const expected = await out.data();
  const folded = foldWeights({ spec, manifest, values });
  assertEquals(folded.map?.layers.map((l) => [l.w.length, l.b.length]), [[80, 16], [256, 16]]);
  const renderer = new Renderer(folded);
  const bytes = await renderer.renderBytes({ z, width: 40, height: 40, view });
  let worst = 0;
  for (let i = 0; i < bytes.length; i++) {
    worst = Math.max(worst, Math.abs(bytes[i] - expected[i] * 255));
  }
  assert(worst <= 0.51, `off by ${worst} grey levels`);
  const unmapped = new Renderer({ ...folded, map: undefined });
  const plain = await unmapped.renderBytes({ z, width: 40, height: 40, view });
  let moved = 0;
  for (let i = 0; i < bytes.length; i++) moved += Math.abs(bytes[i] - plain[i]);
  assert(moved / bytes.length > 5, `the mapping moved pixels by ${moved / bytes.length} levels`);
  assertEquals(mapLatentJs(z, undefined), z);
  [renderer, unmapped].forEach((r) => r.dispose());
  tf.dispose(out);
  disposeParams(params);
});

Deno.test("Renderer: the first layer in the WebAssembly kernel draws the backend's image within 1/255", async () => {
  const folded = foldWeights(await loadGenerator(await tinyModel()));
  const request = { z: new Rng(3).normal(8), width: 70, height: 50, view: defaultView(8) };
  const images: Uint8Array[] = [];
  for (const firstLayer of ["wasm", "backend"] as const) {
    const renderer = new Renderer(folded, { firstLayer });
    assertEquals(renderer.firstLayer, firstLayer);
    images.push(await renderer.renderBytes(request, 0, request.height, 1000));
    renderer.dispose();
  }
  let worst = 0, differ = 0;
  for (let i = 0; i < images[0].length; i++) {
    const d = Math.abs(images[0][i] - images[1][i]);
    worst = Math.max(worst, d);
    if (d) differ++;
  }
  assert(worst <= 1, `off by ${worst} grey levels`);
  assert(differ < images[0].length / 100, `${differ} pixels differ`);
});

Deno.test("Renderer: chunked and whole renders are byte-identical", async () => {
  const ckpt = await tinyModel();
  const renderer = new Renderer(foldWeights(await loadGenerator(ckpt)));
  const request = {
    z: new Rng(4).normal(8),
    width: 97,
    height: 61,
    view: defaultView(8),
    invert: true,
  };
  const whole = await renderer.renderBytes(request, 0, 61, 97 * 61);
  for (const chunk of [97, 97 * 7 + 5, 1000]) {
    assertEquals(await renderer.renderBytes(request, 0, 61, chunk), whole);
  }
  assertEquals(await renderer.renderBytes(request, 10, 20), whole.subarray(10 * 97, 20 * 97));
  renderer.dispose();
});

Deno.test("bandStarts: the bands of a row range start where the whole image's do", () => {
  assertEquals(bandStarts([0, 12], 5), [0, 5, 10]);
  assertEquals(bandStarts([7, 23], 5), [7, 10, 15, 20]);
  assertEquals(bandStarts([10, 11], 5), [10]);
  assertEquals(bandStarts([4, 4], 5), []);
});
