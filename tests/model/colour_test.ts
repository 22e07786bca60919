import { assert, assertEquals } from "@std/assert";
import { displayPath, SHIPPED_COLOUR_MODEL, SHIPPED_CREDITS } from "../../lib/model/source.ts";
import { tf } from "../../lib/base/tf.ts";
import { specProblem } from "../../lib/model/checkpoint_checks.ts";
import { discriminate } from "../../lib/model/discriminator.ts";
import { encode } from "../../lib/model/encoder.ts";
import { disposeModel, initModel, modelSpec } from "../../lib/model/model.ts";
import { TINY_SETTINGS, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("modelSpec: a greyscale model's specs have no channel fields (as before colour)", () => {
  const spec = modelSpec(TINY_SETTINGS);
  assertEquals("channels" in spec.generator, false);
  assertEquals("inputChannels" in spec.discriminator, false);
  assertEquals(spec.encoder.inputSize, 26 * 26);
  assertEquals(modelSpec({ ...TINY_SETTINGS, channels: 1 }), spec);
});

Deno.test("A colour model: the encoder and discriminator take RGB images", () => {
  const model = initModel(modelSpec({ ...TINY_SETTINGS, size: 12, channels: 3 }), 1);
  const x = tf.randomUniform([4, 12 * 12 * 3]) as tf.Tensor2D;
  const logits = discriminate(model.disc, model.spec.discriminator, x);
  assertEquals(logits.shape, [4, 1]);
  const { mu } = encode(model.enc, model.spec.encoder, x);
  assertEquals(mu.shape, [4, TINY_SETTINGS.zDim]);
  assertEquals(model.gen.wout.shape, [TINY_SETTINGS.width, 3]);
  tf.dispose([x, logits, mu]);
  disposeModel(model);
});

Deno.test("specProblem: channels must be 1 or 3", () => {
  const spec = { zDim: 4, width: 8, depth: 2, scale: 8, size: 26 };
  assertEquals(specProblem({ ...spec, channels: 3 }, "generator"), null);
  assertEquals(
    specProblem({ ...spec, channels: 2 }, "generator"),
    "its spec has channels 2, expected 1 or 3",
  );
});

Deno.test("The shipped colour model's credit is keyed by its folder as the gallery shows it", () => {
  const credit = SHIPPED_CREDITS[displayPath(SHIPPED_COLOUR_MODEL)];
  assert(credit?.includes("Twemoji") && credit.includes("CC-BY 4.0"));
});
