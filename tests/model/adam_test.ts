import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { Adam, applyAdam } from "../../lib/model/adam.ts";

Deno.test("Adam: two updates match the TensorFlow 1 formula", () => {
  const w = Float32Array.of(1, -2);
  const opt = new Adam(2, { lr: 0.1, beta1: 0.65 });
  let m = [0, 0], v = [0, 0];
  const expected = [1, -2];
  for (const g of [[0.5, -1], [0.25, 2]]) {
    opt.update(w, Float32Array.from(g));
    const t = opt.step;
    m = m.map((mi, i) => 0.65 * mi + 0.35 * g[i]);
    v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i] * g[i]);
    const lrT = 0.1 * Math.sqrt(1 - 0.999 ** t) / (1 - 0.65 ** t);
    for (let i = 0; i < 2; i++) expected[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-8);
  }
  assertEquals(opt.step, 2);
  assertAlmostEquals(w[0], expected[0], 1e-6);
  assertAlmostEquals(w[1], expected[1], 1e-6);
  assertAlmostEquals(opt.m[1], m[1], 1e-6);
  assertAlmostEquals(opt.v[0], v[0], 1e-9);
});

Deno.test("Adam: sizes must agree", () => {
  assertThrows(
    () => new Adam(3, { lr: 1, beta1: 0.5 }).update(new Float32Array(3), new Float32Array(2)),
    Error,
    "Adam over 3 weights got 3 weights and 2 gradients",
  );
});

Deno.test("Adam: next + applyAdam on slices is the same update as update()", () => {
  const n = 7;
  const grads = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const whole = new Adam(n, { lr: 0.01, beta1: 0.65 });
  const sliced = new Adam(n, { lr: 0.01, beta1: 0.65, shared: true });
  const w1 = Float32Array.from({ length: n }, (_, i) => i / 10);
  const w2 = w1.slice();
  for (let t = 0; t < 3; t++) {
    whole.update(w1, grads);
    const step = sliced.next();
    applyAdam(step, sliced, w2, grads, 0, 3); // two workers' slices
    applyAdam(step, sliced, w2, grads, 3, n);
  }
  assertEquals(sliced.step, 3);
  assertEquals(w2, w1);
  assertEquals(sliced.m, whole.m);
  assertEquals(sliced.v, whole.v);
  assert(sliced.m.buffer instanceof SharedArrayBuffer);
  assert(!(whole.m.buffer instanceof SharedArrayBuffer));
});
