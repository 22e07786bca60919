import { assert, assertEquals } from "@std/assert";
import * as ort from "onnxruntime-node";
import { pixelCoords, type View } from "../../lib/model/coords.ts";
import { generatorOnnx } from "../../lib/render/onnx_model.ts";
import { Renderer, toBytesInto } from "../../lib/render/renderer.ts";
import { Rng } from "../../lib/base/rng.ts";
import { useWasm } from "../_helpers.ts";
import { randomFolded, worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

const SIZES: [number, number][] = [[1, 1], [40, 40], [97, 61], [23, 130]];
const VIEWS: View[] = [
  { scale: 8, center: [0, 0] },
  { scale: 1.5, center: [3, -2] },
  { scale: 60, center: [0, 0] },
];

Deno.test("ONNX model: its pixels equal the wasm renderer's within 1/255 (depths 1, 2, 4; z in every layer or not; sizes and views)", async () => {
  for (
    const [depth, zEveryLayer] of [[1, false], [2, false], [4, false], [2, true], [
      4,
      true,
    ]] as const
  ) {
    const folded = await randomFolded(depth, zEveryLayer);
    const session = await ort.InferenceSession.create(generatorOnnx(folded));
    assertEquals(session.inputNames, ["coords", "z"]);
    assertEquals(session.outputNames, ["pixels"]);
    const renderer = new Renderer(folded);
    const z = new Rng(depth, "z").normal(folded.spec.zDim);
    const levels = new Set<number>();
    for (const [width, height] of SIZES) {
      for (const view of VIEWS) {
        const n = width * height;
        const out = await session.run({
          coords: new ort.Tensor("float32", pixelCoords(width, height, view), [n, 3]),
          z: new ort.Tensor("float32", z, [1, folded.spec.zDim]),
        });
        assertEquals(out.pixels.dims, [n, 1]);
        const values = out.pixels.data as Float32Array;
        const bytes = new Uint8Array(n);
        toBytesInto(values, bytes, false);
        const expected = await renderer.renderBytes({ z, width, height, view });
        const worst = worstDifference(bytes, expected);
        assert(
          worst <= 1,
          `depth ${depth}, ${width}x${height}, view ${JSON.stringify(view)}: off by ${worst}`,
        );
        for (const b of expected) levels.add(b);
      }
    }
    // the images are not flat
    assert(levels.size >= 20, `depth ${depth}: only ${levels.size} grey levels`);
    renderer.dispose();
    await session.release();
  }
});

Deno.test("ONNX model: a model without z in every layer ignores nothing of z (each z gives its own image)", async () => {
  const folded = await randomFolded(3, false);
  const session = await ort.InferenceSession.create(generatorOnnx(folded));
  const coords = new ort.Tensor("float32", pixelCoords(16, 16, VIEWS[0]), [256, 3]);
  const run = async (seed: number) => {
    const z = new Rng(seed, "z").normal(folded.spec.zDim);
    const out = await session.run({ coords, z: new ort.Tensor("float32", z, [1, 5]) });
    return out.pixels.data as Float32Array;
  };
  const a = await run(1), b = await run(2);
  assert(a.some((v, i) => Math.abs(v - b[i]) > 0.01));
  await session.release();
});
