import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { tf } from "../../lib/base/tf.ts";
import { loadNetworkParams } from "../../lib/model/network_files.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { generate, type GeneratorSpec } from "../../lib/model/generator.ts";
import { encodeIdx, parseIdx } from "../../lib/data/idx.ts";
import { Rng } from "../../lib/base/rng.ts";
import { writeSampleIdx } from "../../lib/eval/sample_file.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("encodeIdx: MNIST's header and values; parseIdx reads them back; sizes must match", () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
  const bytes = encodeIdx([2, 3, 4], data);
  assertEquals([...bytes.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
  assertEquals(parseIdx(bytes, "x", 3), { dims: [2, 3, 4], data });
  assertThrows(() => encodeIdx([2, 3], data), Error, "does not match dims 2x3");
});

Deno.test("writeSampleIdx: the eval's samples z ~ N(0, I) from the seed, as bytes", async () => {
  const checkpoint = await tinyModel();
  await using dir = await tempDir();
  const path = join(dir.path, "s-idx3-ubyte");
  const file = await writeSampleIdx(checkpoint, 5, 3, path);
  const idx = parseIdx(await Deno.readFile(path), path, 3);
  assertEquals(idx.dims, [5, 26, 26]);
  assertEquals(file, { dims: [5, 26, 26], bytes: 16 + 5 * 26 * 26 });

  // the same images drawn directly
  const gen = await loadNetworkParams<GeneratorSpec>(checkpoint, "generator");
  const z = new Rng(3, "eval/samples").normal(5 * gen.spec.zDim);
  const coords = tf.tensor2d(pixelCoords(26, 26, defaultView(gen.spec.scale)), [676, 3]);
  const expected = await generate(gen.params, gen.spec, tf.tensor2d(z, [5, gen.spec.zDim]), coords)
    .data();
  for (let i = 0; i < expected.length; i++) {
    assertEquals(idx.data[i], Math.round(expected[i] * 255), `pixel ${i}`);
  }

  const other = join(dir.path, "other");
  await writeSampleIdx(checkpoint, 5, 4, other);
  assertNotEquals(await Deno.readFile(other), await Deno.readFile(path));
});
