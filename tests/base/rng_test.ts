import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { Rng } from "../../lib/base/rng.ts";

Deno.test("Rng: same seed and stream give the same numbers", () => {
  const a = new Rng(7, "x"), b = new Rng(7, "x");
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assertEquals(xs, Array.from({ length: 5 }, () => b.nextUint32()));
  assertNotEquals(xs[0], new Rng(7, "y").nextUint32());
  assertNotEquals(xs[0], new Rng(8, "x").nextUint32());
});

Deno.test("Rng: a restored state continues the same sequence", () => {
  const a = new Rng(3);
  a.normal(11);
  const state = a.state;
  assert(state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
  const expected = a.normal(6);
  const b = Rng.fromState(state);
  assertEquals(b.normal(6), expected);
});

Deno.test("Rng: uniform and int stay in range; normal has mean 0, std 1", () => {
  const rng = new Rng(1);
  for (let i = 0; i < 1000; i++) {
    const u = rng.uniform();
    assert(u >= 0 && u < 1);
    const k = rng.int(3);
    assert(k === 0 || k === 1 || k === 2);
  }
  const xs = rng.normal(20001);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  assertAlmostEquals(mean, 0, 0.03);
  assertAlmostEquals(std, 1, 0.03);
  assert(xs.every(Number.isFinite));
});

Deno.test("Rng: permutation holds each index once", () => {
  const p = new Rng(5).permutation(100);
  assertEquals([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assertNotEquals([...p], Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("Rng: rejects a malformed state", () => {
  let message = "";
  try {
    Rng.fromState([1, 2, -3, 4]);
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.includes("Invalid RNG state"));
});
