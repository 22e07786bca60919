import { assert, assertEquals } from "@std/assert";
import { FIRST_LAYER_UNITS, FirstLayer, firstLayerModule } from "../../lib/render/first_layer.ts";
import { Rng } from "../../lib/base/rng.ts";

/**
 * softplus(x W_c + bias) in float64, pixel by pixel, `[n, width]`, and how
 * far float32 may round it: 1e-7 of the value, and 2.4e-7 of the sum of the
 * four terms' sizes (float32 adds them with up to four roundings).
 */
function reference(
  coords: Float32Array,
  wc: Float32Array,
  bias: Float32Array,
): { values: Float64Array; tolerance: Float64Array } {
  const width = bias.length, n = coords.length / 3;
  const values = new Float64Array(n * width), tolerance = new Float64Array(n * width);
  for (let p = 0; p < n; p++) {
    for (let j = 0; j < width; j++) {
      let a = bias[j], size = Math.abs(bias[j]);
      for (let k = 0; k < 3; k++) {
        a += coords[3 * p + k] * wc[k * width + j];
        size += Math.abs(coords[3 * p + k] * wc[k * width + j]);
      }
      const v = Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
      values[p * width + j] = v;
      tolerance[p * width + j] = 1e-7 * Math.max(1, v) + 2.4e-7 * size;
    }
  }
  return { values, tolerance };
}

/** The layer's activations of `coords`, written into its memory. */
function run(layer: FirstLayer, coords: Float32Array): Float32Array {
  const n = coords.length / 3;
  layer.coords(n).set(coords);
  return layer.run(n).slice();
}

Deno.test("FirstLayer: softplus(coords W_c + bias) as float32 computes it (|a| from 0 to 60, widths 16 and 48)", () => {
  const rng = new Rng(5);
  for (const width of [16, 48]) {
    const wc = rng.normal(3 * width).map((v) => 8 * v);
    const bias = rng.normal(width).map((v) => 4 * v);
    const coords = rng.normal(3 * 700).map((v) => 2 * v);
    const layer = FirstLayer.create(wc, width)!;
    layer.setBias(bias);
    const got = run(layer, coords), want = reference(coords, wc, bias);
    let worst = 0, largest = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want.values[i]) / want.tolerance[i]);
      largest = Math.max(largest, want.values[i]);
    }
    assert(worst <= 1, `width ${width}: off by ${worst} times the tolerance`);
    assert(largest > 40, `the test reaches large activations (${largest})`);
  }
});

Deno.test("FirstLayer: exact at the clamp, 0 and large negative activations; memory grows with the pixels", () => {
  const width = 16;
  // a = x (W_x = 1, W_y = W_r = 0, bias 0): the activation is the pixel's x
  const wc = new Float32Array(3 * width);
  wc.fill(1, 0, width);
  const layer = FirstLayer.create(wc, width)!;
  layer.setBias(new Float32Array(width));
  const xs = [0, 1e-8, -1, 1, -19.9, -20, -20.1, -90, 19.9, 20, 20.1, 90];
  const out = run(layer, new Float32Array(xs.flatMap((x) => [x, 0, 0])));
  xs.forEach((x, p) => {
    const want = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    // past |a| = 20 the log term (under 2.1e-9) is kept at its value at 20
    for (let j = 0; j < width; j++) {
      const got = out[p * width + j];
      assert(
        Math.abs(got - want) <= 3e-9 + 2e-7 * Math.max(1, want),
        `x ${x}: ${got}, want ${want}`,
      );
    }
  });
  // 10,000 pixels grow the memory; earlier results stay right
  const many = new Float32Array(3 * 10_000).map((_, i) => (i % 3 === 0 ? (i % 41) - 20 : 0));
  const big = run(layer, many);
  assertEquals(big.length, 10_000 * width);
  assertEquals(run(layer, new Float32Array(xs.flatMap((x) => [x, 0, 0]))), out);
  // pixel 5 of the 10,000: x = (15 % 41) - 20 = -5
  assert(Math.abs(big[width * 5] - Math.log1p(Math.exp(-5))) < 1e-8, `${big[width * 5]}`);
});

Deno.test("FirstLayer: only for widths that are a multiple of 16; both builds of the kernel validate", () => {
  assertEquals(FIRST_LAYER_UNITS, 16);
  assertEquals(FirstLayer.create(new Float32Array(3 * 20), 20), null);
  assert(FirstLayer.create(new Float32Array(3 * 32), 32) !== null);
  assert(WebAssembly.validate(firstLayerModule(false)), "plain SIMD");
  assert(WebAssembly.validate(firstLayerModule(true)), "relaxed SIMD (Deno's V8 has it)");
});
