import { assertEquals, assertRejects } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import { assignFlat, flatten, manifestOf, unflatten } from "../../lib/model/params.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("flatten: values in order, into a new array or the start of a given one", async () => {
  const a = tf.tensor2d([[1, 2], [3, 4]]), b = tf.tensor1d([5, 6, 7]);
  assertEquals(await flatten([a, b]), Float32Array.of(1, 2, 3, 4, 5, 6, 7));
  const into = new Float32Array(new SharedArrayBuffer(4 * 9)).fill(-1);
  const out = await flatten([b, a], into);
  assertEquals(out.buffer, into.buffer); // no copy
  assertEquals(Array.from(into), [5, 6, 7, 1, 2, 3, 4, -1, -1]);
  await assertRejects(
    () => flatten([a, b], new Float32Array(6)),
    Error,
    "Cannot flatten 7 values into an array of 6",
  );
  tf.dispose([a, b]);
});

Deno.test("flatten: a copy, unchanged when the tensors' memory is freed and reused", async () => {
  const a = tf.tensor1d([1, 2, 3]), b = tf.tensor1d([4, 5]);
  const out = await flatten([a, b]);
  tf.dispose([a, b]);
  const reuse = tf.fill([5], 9); // the freed heap blocks are the first candidates
  await reuse.data();
  assertEquals(out, Float32Array.of(1, 2, 3, 4, 5));
  reuse.dispose();
  const ints = tf.tensor1d([7, 8], "int32"); // not float32: read through data()
  assertEquals(await flatten([ints]), Float32Array.of(7, 8));
  ints.dispose();
});

Deno.test("assignFlat and unflatten follow the params' manifest", async () => {
  const params = { w: tf.variable(tf.zeros([2, 2])), b: tf.variable(tf.zeros([3])) };
  const values = Float32Array.of(1, 2, 3, 4, 5, 6, 7);
  assignFlat(params, values);
  assertEquals(Array.from(await params.b.data()), [5, 6, 7]);
  const parts = unflatten(values, manifestOf(params));
  assertEquals(parts.w.shape, [2, 2]);
  assertEquals(Array.from(parts.w.values), [1, 2, 3, 4]);
  tf.dispose(Object.values(params));
});
