import { assertEquals, assertNotEquals } from "@std/assert";
import { disposeModel, initModel, modelSpec, vaeParams } from "../../lib/model/model.ts";
import { countParams, flatten } from "../../lib/model/params.ts";
import { TINY_SETTINGS, useWasm } from "../_helpers.ts";

await useWasm();

const SETTINGS = TINY_SETTINGS;

Deno.test("modelSpec: the three architectures from the flat settings", () => {
  const spec = modelSpec(SETTINGS);
  assertEquals(spec.generator, { zDim: 4, width: 8, depth: 3, scale: 8, size: 26 });
  assertEquals(spec.encoder, { inputSize: 676, hidden: 16, layers: 2, zDim: 4 });
  assertEquals(spec.discriminator, { size: 26, channels: [4, 4, 4], kernel: 5 });
});

Deno.test("initModel: the same seed gives the same weights, another seed others", async () => {
  const spec = modelSpec(SETTINGS);
  const a = initModel(spec, 1), b = initModel(spec, 1), c = initModel(spec, 2);
  try {
    for (const net of ["gen", "enc", "disc"] as const) {
      const [va, vb, vc] = await Promise.all(
        [a, b, c].map((m) => flatten(Object.values(m[net]))),
      );
      assertEquals(va, vb, net);
      assertNotEquals(va, vc, net);
    }
  } finally {
    disposeModel(a);
    disposeModel(b);
    disposeModel(c);
  }
});

Deno.test("vaeParams: the encoder's weights, then the generator's, keys prefixed", () => {
  const model = initModel(modelSpec(SETTINGS), 1);
  try {
    const params = vaeParams(model);
    const keys = Object.keys(params);
    const enc = Object.keys(model.enc), gen = Object.keys(model.gen);
    assertEquals(keys, [...enc.map((k) => `enc/${k}`), ...gen.map((k) => `gen/${k}`)]);
    assertEquals(params[`enc/${enc[0]}`], model.enc[enc[0]]);
    assertEquals(params[`gen/${gen[0]}`], model.gen[gen[0]]);
    assertEquals(countParams(params), countParams(model.enc) + countParams(model.gen));
  } finally {
    disposeModel(model);
  }
});
