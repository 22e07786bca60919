import { assertAlmostEquals, assertEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { generate } from "../../lib/model/generator.ts";
import { disposeModel, initModel, modelSpec } from "../../lib/model/model.ts";
import { sampleGrid, sampleLatents } from "../../lib/train/samples.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("sampleLatents: the same vectors for the same seed, N(0, I) draws", () => {
  const z = sampleLatents(3, 500, 8);
  assertEquals(z.length, 4000);
  assertEquals(sampleLatents(3, 500, 8), z);
  const mean = z.reduce((s, v) => s + v, 0) / z.length;
  const std = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
  assertAlmostEquals(mean, 0, 0.1);
  assertAlmostEquals(std, 1, 0.1);
});

Deno.test("sampleGrid: each vector's image in its cell, `cols` to a row, 2 px gaps", async () => {
  const spec = modelSpec({
    zDim: 4,
    width: 8,
    depth: 2,
    scale: 8,
    size: 6,
    encoderWidth: 8,
    discChannels: [2, 2],
  });
  const model = initModel(spec, 1);
  try {
    const z = sampleLatents(1, 5, 4);
    const image = await sampleGrid(model.gen, spec.generator, z, 6, 3);
    assertEquals([image.width, image.height], [3 * 6 + 4 * 2, 2 * 6 + 3 * 2]);
    // the fifth vector (row 1, column 1) drawn alone
    const alone = tf.tidy(() =>
      generate(
        model.gen,
        spec.generator,
        tf.tensor2d(z.subarray(16, 20), [1, 4]),
        tf.tensor2d(pixelCoords(6, 6, defaultView(8)), [36, 3]),
      )
    );
    const values = await alone.data();
    alone.dispose();
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const cell = image.pixels[(2 + 6 + 2 + y) * image.width + 2 + 6 + 2 + x];
        assertAlmostEquals(cell, Math.round(values[y * 6 + x] * 255), 1);
      }
    }
  } finally {
    disposeModel(model);
  }
});
