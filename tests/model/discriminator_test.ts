import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import { Rng } from "../../lib/base/rng.ts";
import {
  discriminate,
  discriminateWithClasses,
  type DiscriminatorSpec,
  initDiscriminator,
} from "../../lib/model/discriminator.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

const SPEC: DiscriminatorSpec = { size: 6, channels: [2, 3], kernel: 5 };

function images(seed: number, count: number): tf.Tensor2D {
  const rng = new Rng(seed, "images");
  return tf.tensor2d(Array.from({ length: count * 36 }, () => rng.uniform()), [count, 36]);
}

Deno.test("initDiscriminator: convolutions, batch norm on layers after the first, one dense", () => {
  const params = initDiscriminator(SPEC, new Rng(1, "test"));
  try {
    const shapes = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.shape]));
    // 6 -> 3 -> 2 pixels a side
    assertEquals(shapes, {
      c1: [5, 5, 1, 2],
      c1b: [2],
      c2: [5, 5, 2, 3],
      g2: [3],
      be2: [3],
      wd: [2 * 2 * 3, 1],
      bd: [1],
    });
  } finally {
    disposeParams(params);
  }
});

Deno.test("discriminate: one logit per image; batch norm only within each group", async () => {
  const params = initDiscriminator(SPEC, new Rng(1, "test"));
  const a = images(1, 4), b = images(2, 4);
  // the same first two images, other last two
  const mixed = tf.concat([a.slice([0, 0], [2, 36]), b.slice([2, 0], [2, 36])]) as tf.Tensor2D;
  try {
    const grouped = await discriminate(params, SPEC, a, 2).array();
    assertEquals(grouped.length, 4);
    assertEquals(grouped[0].length, 1);
    const groupedMixed = await discriminate(params, SPEC, mixed, 2).array();
    assertEquals(groupedMixed.slice(0, 2), grouped.slice(0, 2));
    assertNotEquals(groupedMixed.slice(2), grouped.slice(2));
    // over the whole batch, the other images change the first two's statistics
    const whole = await discriminate(params, SPEC, a).array();
    const wholeMixed = await discriminate(params, SPEC, mixed).array();
    assertNotEquals(wholeMixed.slice(0, 2), whole.slice(0, 2));
    assertThrows(
      () => discriminate(params, SPEC, a, 3),
      Error,
      "A batch of 4 does not split into batch-norm groups of 3",
    );
  } finally {
    tf.dispose([a, b, mixed]);
    disposeParams(params);
  }
});

Deno.test("discriminateWithClasses: a class head on the same features; the real-or-fake logits unchanged", async () => {
  const spec: DiscriminatorSpec = { ...SPEC, classes: 4 };
  const params = initDiscriminator(spec, new Rng(1, "test"));
  const plain = initDiscriminator(SPEC, new Rng(1, "test"));
  const x = images(1, 4);
  try {
    // the head's weights come last, after the plain discriminator's (same draws before them)
    assertEquals(Object.keys(params).slice(-2), ["wc", "bc"]);
    assertEquals(params.wc.shape, [2 * 2 * 3, 4]);
    assertEquals(await params.wd.array(), await plain.wd.array());
    const out = discriminateWithClasses(params, spec, x, 2);
    assertEquals(out.classLogits!.shape, [4, 4]);
    assertEquals(await out.logits.array(), await discriminate(plain, SPEC, x, 2).array());
    // the class logits are the flattened features times wc (bc starts at 0)
    assertNotEquals(await out.classLogits!.array(), await out.logits.array());
    assertEquals(discriminateWithClasses(plain, SPEC, x, 2).classLogits, null);
  } finally {
    x.dispose();
    disposeParams(params, plain);
  }
});
