import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { Ema } from "../../lib/train/ema.ts";

Deno.test("Ema: warms up, then averages with its decay", () => {
  const ema = Ema.of(new Float32Array([0, 0]), 0.9);
  assertAlmostEquals(ema.rate(), 0.1); // (1 + 0) / (10 + 0)
  ema.update(new Float32Array([10, -10]));
  assertAlmostEquals(ema.values[0], 9, 1e-5); // 0.1 * 0 + 0.9 * 10
  assertEquals(ema.updates, 1);
  ema.updates = 1000;
  assertEquals(ema.rate(), 0.9);
  ema.update(new Float32Array([19, -10]));
  assertAlmostEquals(ema.values[0], 0.9 * 9 + 0.1 * 19, 1e-5);
});

Deno.test("Ema: constant weights stay put; it is a copy, not a view", () => {
  const w = new Float32Array([1.5, -2, 3]);
  const ema = Ema.of(w, 0.998);
  for (let i = 0; i < 50; i++) ema.update(w);
  assertEquals(Array.from(ema.values), [1.5, -2, 3]);
  w[0] = 100;
  assertEquals(ema.values[0], 1.5);
  assertThrows(() => ema.update(new Float32Array(2)), Error, "An average of 3 weights got 2");
});

Deno.test("Ema: tracks moving weights with a lag of about 1 / (1 - decay) updates", () => {
  const ema = new Ema(new Float32Array([0]), 0.99, 1e6);
  for (let t = 1; t <= 2000; t++) ema.update(new Float32Array([t]));
  // a ramp w = t is followed at t - (d / (1 - d)) = t - 99
  assert(Math.abs(ema.values[0] - (2000 - 99)) < 1, `${ema.values[0]}`);
});
