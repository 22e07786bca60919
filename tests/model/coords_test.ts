import { assertAlmostEquals, assertEquals } from "@std/assert";
import { defaultView, pixelCoords, pixelStep } from "../../lib/model/coords.ts";

Deno.test("pixelCoords: 26x26 at scale 8 runs from -8 to 8 (reference formula)", () => {
  const c = pixelCoords(26, 26, defaultView(8));
  assertEquals(c.length, 26 * 26 * 3);
  const at = (i: number, j: number) => c.subarray((j * 26 + i) * 3, (j * 26 + i) * 3 + 3);
  assertAlmostEquals(at(0, 0)[0], -8, 1e-6);
  assertAlmostEquals(at(0, 0)[1], -8, 1e-6);
  assertAlmostEquals(at(25, 25)[0], 8, 1e-6);
  // x_i = scale * (i - (n-1)/2) / ((n-1)/2)
  assertAlmostEquals(at(3, 0)[0], 8 * (3 - 12.5) / 12.5, 1e-6);
  assertAlmostEquals(at(25, 0)[2], Math.sqrt(128), 1e-5);
  // symmetric about the centre
  assertAlmostEquals(at(12, 7)[0], -at(13, 7)[0], 1e-6);
});

Deno.test("pixelCoords: non-square images keep square pixels; centre shifts", () => {
  const view = { scale: 2, center: [1, -1] as [number, number] };
  const w = 9, h = 5;
  const c = pixelCoords(w, h, view);
  const step = pixelStep(w, h, view);
  assertAlmostEquals(step, 1, 1e-9); // short side 5 spans [-2, 2]
  assertAlmostEquals(c[1], -1 - 2, 1e-6); // top row y
  assertAlmostEquals(c[0], 1 - 4, 1e-6); // left x: 9 px at step 1
  const last = c.subarray(c.length - 3);
  assertAlmostEquals(last[0], 1 + 4, 1e-6);
  assertAlmostEquals(last[1], -1 + 2, 1e-6);
  assertAlmostEquals(last[2], Math.hypot(5, 1), 1e-5);
});

Deno.test("pixelCoords: a row range equals the same rows of the whole image", () => {
  const view = defaultView(3);
  const whole = pixelCoords(7, 6, view);
  const part = pixelCoords(7, 6, view, 2, 5);
  assertEquals(part, whole.subarray(2 * 7 * 3, 5 * 7 * 3));
});
