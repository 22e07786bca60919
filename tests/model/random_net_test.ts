import { assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import {
  isRandomNet,
  randomInputs,
  type RandomNetSpec,
  randomShape,
  randomWeights,
} from "../../lib/model/random_net.ts";

const SPEC: RandomNetSpec = {
  seed: 7,
  width: 16,
  depth: 3,
  activation: "tanh",
  weightScale: 2,
  inputs: ["x", "y", "r", "sinx", "xy"],
  channels: 3,
  zDim: 4,
};

Deno.test("randomWeights: the seed decides every weight; shapes follow the spec", () => {
  const a = randomWeights(SPEC), b = randomWeights(SPEC);
  assertEquals(a, b);
  assertNotEquals(randomWeights({ ...SPEC, seed: 8 }).wc, a.wc);
  assertEquals(
    [a.wc.length, a.wz.length, a.b0.length, a.layers.length, a.wout.length, a.bout.length],
    [5 * 16, 4 * 16, 16, 2, 16 * 3, 3],
  );
  assertEquals(a.layers[0].w.length, 16 * 16);
  assertEquals(isRandomNet(a), true);
  assertEquals(isRandomNet({ spec: a.spec }), false);
  assertEquals(randomShape(SPEC), { zDim: 4, width: 16, depth: 3, scale: 1, size: 0, channels: 3 });
});

Deno.test("randomWeights: weight scale sets the spread of the hidden weights", () => {
  const wide = randomWeights({ ...SPEC, width: 256, weightScale: 3 }).layers[0].w;
  const std = Math.sqrt(wide.reduce((s, v) => s + v * v, 0) / wide.length);
  assertAlmostEquals(std, 3 / Math.sqrt(256), 0.01);
});

Deno.test("randomInputs: the chosen inputs of each pixel, in order", () => {
  const coords = new Float32Array([0.5, -0.25, Math.hypot(0.5, 0.25), 1, 1, Math.SQRT2]);
  const out = randomInputs(coords, ["y", "sinx", "xy", "r"]);
  const want = [-0.25, 1, -0.125, Math.hypot(0.5, 0.25), 1, Math.sin(Math.PI), 1, Math.SQRT2];
  want.forEach((v, i) => assertAlmostEquals(out[i], v, 1e-6));
});
