import { assertEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("wasm backend: a clone shares its data (no copy) and outlives the original", async () => {
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const buffers = tf.memory().numDataBuffers;
  const y = tf.clone(x);
  assertEquals(tf.memory().numDataBuffers, buffers, "no new data buffer for the clone");
  x.dispose();
  assertEquals(Array.from(await y.data()), [1, 2, 3, 4, 5, 6]);
  assertEquals(y.shape, [2, 3]);
  // ops on the clone write new tensors; the shared data never changes
  const z = tf.add(y, 1);
  assertEquals(Array.from(await y.data()), [1, 2, 3, 4, 5, 6]);
  assertEquals(Array.from(await z.data()), [2, 3, 4, 5, 6, 7]);
  tf.dispose([y, z]);
});
