import { assert, assertEquals } from "@std/assert";
import * as ort from "onnxruntime-node";
import { pixelCoords, type View } from "../../lib/model/coords.ts";
import {
  bakedLayersOnnx,
  encoderDoc,
  encoderOnnx,
  FIRST_LAYER_INPUT,
  generatorDoc,
  generatorOnnx,
} from "../../lib/render/onnx_model.ts";
import type { GeneratorSpec } from "../../lib/model/generator.ts";
import { encode, type EncoderSpec, initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams, manifestOf, manifestSize, paramsFromFlat } from "../../lib/model/params.ts";
import { tf } from "../../lib/base/tf.ts";
import { imageBiases, Renderer, toBytesInto } from "../../lib/render/renderer.ts";
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

Deno.test("ONNX model: its pixels equal the wasm renderer's within 1/255 (depths 1, 2, 4; z in every layer or not; a mapping network on z; sizes and views)", async () => {
  const cases = [[1, false, 0], [2, false, 0], [4, false, 0], [2, true, 0], [4, true, 0], [
    4,
    true,
    2,
  ]] as const;
  for (const [depth, zEveryLayer, zMap] of cases) {
    const folded = await randomFolded(depth, zEveryLayer, 1, zMap);
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

Deno.test("ONNX model: z only in the first layer still steers the image (two z, two images)", async () => {
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

Deno.test("ONNX encoder: mu and log_var equal the encoder's within 1e-5 (1 and 2 hidden layers, random biases)", async () => {
  for (const layers of [1, 2]) {
    const spec: EncoderSpec = { inputSize: 30, hidden: 12, layers, zDim: 4 };
    const manifest = manifestOf(initEncoder(spec, new Rng(1)));
    const values = new Rng(layers, "weights").normal(manifestSize(manifest)).map((v) => v * 0.3);
    const drawn: GeneratorSpec = { zDim: 4, width: 4, depth: 2, scale: 8, size: 5, channels: 1 };
    const session = await ort.InferenceSession.create(
      encoderOnnx({ spec, manifest, values }, drawn),
    );
    assertEquals(session.outputNames, ["mu", "log_var"]);
    const images = new Rng(7, "images").normal(3 * 30).map((v) => Math.abs(v) / 3);
    const out = await session.run({ images: new ort.Tensor("float32", images, [3, 30]) });
    const params = paramsFromFlat(values, manifest);
    const q = encode(params, spec, tf.tensor2d(images, [3, 30]));
    for (const [name, expected] of [["mu", q.mu], ["log_var", q.logVar]] as const) {
      assertEquals(out[name].dims, [3, 4]);
      const got = out[name].data as Float32Array, want = await expected.data();
      const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])));
      assert(worst < 1e-5, `${layers} layers, ${name}: off by ${worst}`);
    }
    assert(new Set(await q.mu.data()).size === 12, "mu varies");
    tf.dispose([q.mu, q.logVar]);
    disposeParams(params);
    await session.release();
  }
});

/** The model's description (ModelProto graph doc_string) as text found in its bytes. */
function containsText(bytes: Uint8Array, text: string): boolean {
  return new TextDecoder("latin1").decode(bytes).includes(text);
}

Deno.test("ONNX encoder and generator: the description says what the model was trained on (colour 32x32 pictures; MNIST digits)", () => {
  const spec: EncoderSpec = { inputSize: 32 * 32 * 3, hidden: 4, layers: 1, zDim: 2 };
  const manifest = manifestOf(initEncoder(spec, new Rng(1)));
  const values = new Float32Array(manifestSize(manifest));
  const drawn: GeneratorSpec = {
    zDim: 2,
    width: 4,
    depth: 2,
    scale: 8,
    size: 32,
    channels: 3,
  };
  const colour = encoderDoc(drawn);
  assertEquals(
    colour,
    "The VAE encoder of a CPPN generator of 32x32 colour (RGB) pictures. Input: images " +
      "[B, 3072], each a 32x32 picture fitted as the training pictures were (--fit; " +
      "transparency flattened onto black), row by row, each pixel's red, green and blue " +
      "together / 255. Outputs: mu and log_var [B, zDim], the mean and log variance of " +
      "q(z | x); mu is the z that draws the image.",
  );
  const file = encoderOnnx({ spec, manifest, values }, drawn);
  assert(containsText(file, colour), "the file carries the description");
  assert(!containsText(file, "MNIST"));
  assert(generatorDoc(drawn).startsWith("A CPPN generator of 32x32 colour (RGB) pictures, "));
  assert(
    generatorDoc(drawn).endsWith(
      "Output: pixels [N, 3], each pixel's red, green and blue in (0, 1).",
    ),
  );

  const grey = { ...drawn, size: 40, channels: 1 };
  assert(encoderDoc(grey).includes("of 40x40 greyscale pictures. Input: images [B, 1600]"));
  assert(encoderDoc(grey).includes("row by row, grey levels / 255"));
  const digits = { ...drawn, size: 26, channels: undefined };
  assert(
    encoderDoc(digits).startsWith("The VAE encoder of a CPPN generator of MNIST-like digits."),
  );
  assert(encoderDoc(digits).includes("[B, 676], each a centred 26x26 crop of a 28x28 MNIST digit"));
  assert(generatorDoc(digits).endsWith("grey levels in (0, 1), white digits on black."));
});

Deno.test("ONNX model: the engine's layers as convolutions, one image's biases baked in, compute what the generator's graph computes from the first layer on (z in every layer or not, a mapping network, colour)", async () => {
  for (
    const [zEveryLayer, channels, zMap] of [[true, 1, 0], [false, 1, 0], [true, 3, 2]] as const
  ) {
    const folded = await randomFolded(3, zEveryLayer, channels, zMap, 32);
    const rng = new Rng(3, "s0");
    const n = 50, z = rng.normal(5);
    const s0 = Float32Array.from({ length: n * 32 }, () => Math.abs(rng.normal(1)[0]) * 2);
    const graph = await ort.InferenceSession.create(generatorOnnx(folded, { firstLayer: "input" }));
    const want = await graph.run({
      [FIRST_LAYER_INPUT]: new ort.Tensor("float32", s0, [n, 32]),
      z: new ort.Tensor("float32", z, [1, 5]),
    });
    const baked = await ort.InferenceSession.create(
      bakedLayersOnnx(folded, imageBiases(folded, z).layers),
    );
    const got = await baked.run({
      [FIRST_LAYER_INPUT]: new ort.Tensor("float32", s0, [1, 1, n, 32]),
    });
    assertEquals(got.pixels.dims, [1, 1, n, channels]);
    const a = got.pixels.data as Float32Array, b = want.pixels.data as Float32Array;
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert(worst < 1e-5, `zEveryLayer ${zEveryLayer}, channels ${channels}: off by ${worst}`);
    assert(Math.max(...b) - Math.min(...b) > 0.1, "the pixels vary");
    await graph.release();
    await baked.release();
  }
});
