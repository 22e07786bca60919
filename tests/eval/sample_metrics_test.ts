import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { classCounts, confidentFraction, coverage } from "../../lib/eval/sample_metrics.ts";

/** One row per class label, with probability `p` on it and the rest spread evenly. */
function predictions(labels: number[], p = 0.95, classes = 10): Float64Array {
  const out = new Float64Array(labels.length * classes).fill((1 - p) / (classes - 1));
  labels.forEach((label, i) => out[i * classes + label] = p);
  return out;
}

Deno.test("coverage: 1 for a uniform histogram, 0 for a single class", () => {
  const uniform = Array.from({ length: 100 }, (_, i) => i % 10);
  assertAlmostEquals(coverage(predictions(uniform)), 1, 1e-12);
  assertEquals(coverage(predictions(new Array(50).fill(7))), 0);
});

Deno.test("coverage: two classes half and half is ln 2 / ln 10", () => {
  const labels = [...new Array(30).fill(1), ...new Array(30).fill(4)];
  assertAlmostEquals(coverage(predictions(labels)), Math.log(2) / Math.log(10), 1e-12);
  // 3:1 between two classes
  const skewed = [...new Array(30).fill(2), ...new Array(10).fill(9)];
  const h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
  assertAlmostEquals(coverage(predictions(skewed)), h / Math.log(10), 1e-12);
});

Deno.test("classCounts: counts the most likely class of each row", () => {
  assertEquals(classCounts(predictions([3, 3, 0, 9])), [1, 0, 0, 2, 0, 0, 0, 0, 0, 1]);
  assertEquals(classCounts([0.2, 0.5, 0.3, 0.6, 0.1, 0.3], 3), [1, 1, 0]);
});

Deno.test("confidentFraction: top probability >= 0.9 counts", () => {
  const probs = new Float64Array([
    ...predictions([0], 0.95),
    ...predictions([1], 0.9),
    ...predictions([2], 0.89),
    ...predictions([3], 0.5),
  ]);
  assertEquals(confidentFraction(probs), 0.5);
  assertEquals(confidentFraction(probs, 10, 0.4), 1);
  assertEquals(confidentFraction(predictions([5, 6, 7], 0.1)), 0);
});

Deno.test("sample metrics: bad shapes are refused", () => {
  assertThrows(() => coverage(new Float32Array(15)), Error, "not a whole number of 10-class rows");
  assertThrows(() => coverage(new Float32Array(0)), Error, "no samples");
  assertThrows(() => confidentFraction(new Float32Array(0)), Error, "no samples");
});
