import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import {
  flopsPerPixel,
  generate,
  type GeneratorSpec,
  initGenerator,
} from "../../lib/model/generator.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { Rng } from "../../lib/base/rng.ts";
import type { Params } from "../../lib/model/params.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

/** The reference CPPN, written plainly with tanh (module doc of generator.ts). */
function reference(
  p: Record<string, tf.Tensor>,
  spec: GeneratorSpec,
  latent: tf.Tensor2D,
  coords: tf.Tensor2D,
) {
  let z = latent;
  if (spec.zMap) {
    let m: tf.Tensor = latent;
    for (let k = 1; k <= spec.zMap; k++) m = tf.tanh(tf.add(tf.matMul(m, p[`m${k}`]), p[`c${k}`]));
    z = tf.add(latent, tf.matMul(m, p.mout));
  }
  const zp = tf.add(tf.matMul(tf.mul(z, spec.scale), p.wz), p.b0);
  const cp = tf.matMul(coords, p.wc);
  const u = tf.reshape(tf.add(tf.expandDims(zp, 1), tf.expandDims(cp, 0)), [-1, spec.width]);
  let h = tf.softplus(u);
  const b = z.shape[0];
  for (let i = 1; i < spec.depth; i++) {
    let a = tf.add(tf.matMul(h, p[`w${i}`]), p[`b${i}`]);
    if (spec.zEveryLayer) {
      const zu = tf.expandDims(tf.matMul(z, p[`u${i}`]), 1);
      a = tf.reshape(tf.add(tf.reshape(a, [b, -1, spec.width]), zu), [-1, spec.width]);
    }
    h = tf.tanh(a);
  }
  return tf.reshape(tf.sigmoid(tf.add(tf.matMul(h, p.wout), p.bout)), [z.shape[0], -1]);
}

Deno.test("generate: equals the plain tanh CPPN in value and gradient within 1e-5 (with a mapping network on z or not)", async () => {
  const cases = [[1, false, 0], [2, false, 0], [4, false, 0], [2, true, 0], [4, true, 0], [
    4,
    true,
    2,
  ], [2, false, 1]] as const;
  for (const [depth, zEveryLayer, zMap] of cases) {
    const spec: GeneratorSpec = {
      zDim: 5,
      width: 12,
      depth,
      scale: 8,
      size: 26,
      zEveryLayer,
      ...(zMap ? { zMap } : {}),
    };
    const params: Params = initGenerator(spec, new Rng(spec.depth));
    if (zEveryLayer) {
      assertEquals(Object.keys(params).filter((k) => k[0] === "u").length, spec.depth - 1);
    }
    assertEquals(Object.keys(params).filter((k) => k[0] === "m").length, zMap ? zMap + 1 : 0);
    const z = tf.tensor2d(new Rng(9).normal(3 * 5), [3, 5]);
    const coords = tf.tensor2d(pixelCoords(7, 7, defaultView(8)), [49, 3]);
    const target = tf.tensor2d(new Rng(10).normal(3 * 49), [3, 49]);
    const names = Object.keys(params);
    const loss = (f: typeof reference) => (...ws: tf.Tensor[]) => {
      const p = Object.fromEntries(names.map((n, i) => [n, ws[i]]));
      return tf.sum(tf.mul(f(p, spec, z, coords), target));
    };
    const fast = generate(params, spec, z, coords);
    const ref = reference(params, spec, z, coords);
    const [a, b] = [await fast.data(), await ref.data()];
    for (let i = 0; i < a.length; i++) assert(Math.abs(a[i] - b[i]) < 1e-5);
    const gFast = tf.grads(loss((p, s, z, c) => generate(p as Params, s, z, c)))(
      Object.values(params),
    );
    const gRef = tf.grads(loss(reference))(Object.values(params));
    for (let k = 0; k < names.length; k++) {
      const [x, y] = [await gFast[k].data(), await gRef[k].data()];
      for (let i = 0; i < x.length; i++) {
        const err = Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i]));
        assert(err < 1e-5, `depth ${depth}, ${names[k]}[${i}]: ${x[i]} vs ${y[i]}`);
      }
    }
  }
});

Deno.test("flopsPerPixel: the reference count, about 99 kFLOP at width 128", () => {
  const n = flopsPerPixel({ zDim: 32, width: 128, depth: 4, scale: 8, size: 26 });
  assertEquals(n, 2 * (3 * 128 + 3 * 128 * 128 + 128));
  assert(Math.abs(n - 99e3) < 1e3);
});
