import { assertAlmostEquals, assertEquals } from "@std/assert";
import { tf } from "../lib/tf.ts";
import { Adam } from "../lib/adam.ts";
import { useWasm } from "./_helpers.ts";

await useWasm();

Deno.test("Adam: two updates match the TensorFlow 1 formula", async () => {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const opt = new Adam({ w }, { lr: 0.1, beta1: 0.65 });
  let m = [0, 0], v = [0, 0];
  const expected = [1, -2];
  for (const g of [[0.5, -1], [0.25, 2]]) {
    opt.apply({ w: tf.tensor1d(g) });
    const t = opt.step;
    m = m.map((mi, i) => 0.65 * mi + 0.35 * g[i]);
    v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i] * g[i]);
    const lrT = 0.1 * Math.sqrt(1 - 0.999 ** t) / (1 - 0.65 ** t);
    for (let i = 0; i < 2; i++) expected[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-8);
  }
  const got = await w.data();
  assertEquals(opt.step, 2);
  assertAlmostEquals(got[0], expected[0], 1e-6);
  assertAlmostEquals(got[1], expected[1], 1e-6);
  assertAlmostEquals((await opt.m.w.data())[1], m[1], 1e-6);
  opt.dispose();
});
