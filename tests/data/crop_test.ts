import { assert, assertEquals, assertThrows } from "@std/assert";
import { centreCrops, cropInto, randomCrops } from "../../lib/data/crop.ts";
import type { ImageSet } from "../../lib/data/mnist.ts";
import { Rng } from "../../lib/base/rng.ts";

function ramp(count: number): ImageSet {
  const pixels = new Uint8Array(count * 28 * 28);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) pixels[n * 784 + y * 28 + x] = (x + 3 * y + n) % 256;
    }
  }
  return { count, width: 28, height: 28, pixels, labels: null };
}

Deno.test("cropInto: copies the window at the offset, scaled to [0, 1]", () => {
  const out = new Float32Array(26 * 26);
  cropInto(ramp(2), 1, 2, 1, 26, out, 0);
  assertEquals(out[0], Math.fround((2 + 3 * 1 + 1) / 255));
  assertEquals(out[26 * 26 - 1], Math.fround((27 + 3 * 26 + 1) / 255));
  assertThrows(() => cropInto(ramp(1), 0, 3, 0, 26, out, 0), Error, "does not fit");
});

Deno.test("randomCrops: every offset 0..2 occurs, values in [0, 1]", () => {
  const set = ramp(1);
  const rng = new Rng(2);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const crop = randomCrops(set, [0], 26, rng);
    const first = Math.round(crop[0] * 255); // = dx + 3 dy
    const second = Math.round(crop[26] * 255) - 3; // next row, same column
    assertEquals(first, second);
    seen.add(String(first));
    assert(crop.every((v) => v >= 0 && v <= 1));
  }
  // dx + 3 dy takes 9 distinct values for dx, dy in 0..2
  assertEquals(seen.size, 9);
});

Deno.test("centreCrops: offset 1 for 26 of 28", () => {
  const crop = centreCrops(ramp(1), [0], 26);
  assertEquals(Math.round(crop[0] * 255), 1 + 3);
});
