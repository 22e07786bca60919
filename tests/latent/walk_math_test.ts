import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { EASINGS, framePosition, lerp, slerp, walkLatent } from "../../lib/latent/walk_math.ts";
import { Rng } from "../../lib/base/rng.ts";

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

Deno.test("slerp: exact endpoints, symmetric, keeps equal norms", () => {
  const rng = new Rng(1);
  const a = rng.normal(32), b = rng.normal(32);
  assertEquals(slerp(a, b, 0), a);
  assertEquals(slerp(a, b, 1), b);
  for (const t of [0.1, 0.3, 0.5, 0.77]) {
    const x = slerp(a, b, t), y = slerp(b, a, 1 - t);
    for (let i = 0; i < 32; i++) assertAlmostEquals(x[i], y[i], 1e-5);
  }
  const unitA = a.map((v) => v / norm(a)), unitB = b.map((v) => v / norm(b));
  for (const t of [0.25, 0.5, 0.75]) assertAlmostEquals(norm(slerp(unitA, unitB, t)), 1, 1e-5);
  // linear interpolation cuts inside the sphere
  assert(norm(lerp(unitA, unitB, 0.5)) < 0.9);
});

Deno.test("slerp: parallel, opposite and zero vectors give no NaN", () => {
  const a = Float32Array.from([1, 2, 3]);
  const cases = [
    [a, a.slice()],
    [a, a.map((v) => v * (1 + 1e-7))],
    [a, a.map((v) => -v)],
    [a, new Float32Array(3)],
    [new Float32Array(3), new Float32Array(3)],
  ];
  for (const [x, y] of cases) {
    for (const t of [0, 0.001, 0.5, 0.999, 1]) {
      assert(slerp(x, y, t).every(Number.isFinite), `${x} ${y} ${t}`);
    }
  }
  assertEquals(Array.from(slerp(a, a, 0.5)), [1, 2, 3]);
});

Deno.test("easings: exact ends, monotone, symmetric but for the ease-out", () => {
  for (const [name, e] of Object.entries(EASINGS)) {
    assertEquals(e(0), 0, name);
    assertEquals(e(1), 1, name);
    let last = -1;
    for (let i = 0; i <= 100; i++) {
      const t = i / 100;
      if (name !== "sine-out") assertAlmostEquals(e(1 - t), 1 - e(t), 1e-12, name);
      assert(e(t) >= last, name);
      last = e(t);
    }
  }
  // symmetric easings start and end slowly
  assert(EASINGS.cosine(0.01) < 0.01);
  // the original's sin(pi t / 2): fast start (slope pi/2), slow stop
  assertAlmostEquals(EASINGS["sine-out"](0.5), Math.SQRT1_2, 1e-12);
  assertAlmostEquals(EASINGS["sine-out"](1e-6) / 1e-6, Math.PI / 2, 1e-6);
  assert(1 - EASINGS["sine-out"](0.99) < 0.001);
});

Deno.test("framePosition: a loop has N frames over K segments and no repeated seam frame", () => {
  const n = 120, k = 10;
  const positions = Array.from({ length: n }, (_, f) => framePosition(f, n, k, true));
  assertEquals(positions[0], { from: 0, to: 1, t: 0 });
  // 12 frames per segment, starting on each keyframe
  for (let s = 0; s < k; s++) assertEquals(positions[s * 12], { from: s, to: (s + 1) % k, t: 0 });
  const last = positions[n - 1];
  assertEquals([last.from, last.to], [9, 0]);
  assert(last.t > 0 && last.t < 1); // the frame before the seam is not keyframe 0
  const open = Array.from({ length: 9 }, (_, f) => framePosition(f, 9, 3, false));
  assertEquals(open[0], { from: 0, to: 1, t: 0 });
  assertEquals(open[8], { from: 1, to: 2, t: 1 }); // ends exactly on the last key
});

Deno.test("walkLatent: the loop returns smoothly to the first keyframe", () => {
  const rng = new Rng(2);
  const keys = [rng.normal(8), rng.normal(8), rng.normal(8)];
  const opts = { loop: true, interp: "slerp" as const, ease: "cosine" as const };
  assertEquals(walkLatent(keys, 0, 30, opts), keys[0]);
  assertEquals(walkLatent(keys, 10, 30, opts), keys[1]);
  // the step from the last frame back to frame 0 is an ordinary step: not a
  // repeated frame (0) and not a jump (larger than every step of the walk)
  const d = (x: Float32Array, y: Float32Array) => norm(x.map((v, i) => v - y[i]));
  const frames = Array.from({ length: 30 }, (_, f) => walkLatent(keys, f, 30, opts));
  const steps = frames.slice(1).map((f, i) => d(frames[i], f));
  const seam = d(frames[29], frames[0]);
  assert(seam > 0);
  assert(seam <= Math.max(...steps) + 1e-6, `${seam} vs ${Math.max(...steps)}`);
});
