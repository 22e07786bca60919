import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { FlagError } from "../../lib/base/flags.ts";
import {
  drawDigits,
  DRAWN_CANDIDATES,
  keyframeChoice,
  readLatents,
} from "../../lib/latent/keyframes.ts";
import { tf } from "../../lib/base/tf.ts";
import { Rng } from "../../lib/base/rng.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { generate, type GeneratorSpec } from "../../lib/model/generator.ts";
import { loadNetworkParams } from "../../lib/model/network_files.ts";
import { CLASSIFIER_DIR, classify, loadClassifier } from "../../lib/eval/classifier.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

Deno.test("keyframeChoice: digits 0-9 by default; --digits, random:N and --z as given", () => {
  assertEquals(keyframeChoice({}), { kind: "digits", digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  assertEquals(keyframeChoice({ digits: [3, 1, 4] }), { kind: "digits", digits: [3, 1, 4] });
  assertEquals(keyframeChoice({ keyframes: "random:6" }), { kind: "random", count: 6 });
  assertEquals(keyframeChoice({ keyframes: "drawn" }), {
    kind: "drawn",
    digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  });
  assertEquals(keyframeChoice({ z: "z.json" }), { kind: "file", path: "z.json" });
});

Deno.test("keyframeChoice: bad choices are errors naming the flag", () => {
  const cases: [Parameters<typeof keyframeChoice>[0], string][] = [
    [{ keyframes: "digits", z: "z.json" }, "Give only one of --keyframes, --digits and --z"],
    [{ digits: [1, 12] }, "--digits: 12 is not a digit (0 to 9)"],
    [{ digits: [] }, "--digits needs at least one digit"],
    [
      { keyframes: "random:0" },
      `--keyframes must be "digits", "drawn" or "random:N" with N >= 1, got "random:0"`,
    ],
    [
      { keyframes: "all" },
      `--keyframes must be "digits", "drawn" or "random:N" with N >= 1, got "all"`,
    ],
  ];
  for (const [options, message] of cases) {
    assertThrows(() => keyframeChoice(options), FlagError, message);
  }
});

Deno.test("readLatents: a list of vectors, or {z: list}; entries of the wrong size are refused", async () => {
  await using tmp = await tempDir();
  const path = join(tmp.path, "z.json");
  await Deno.writeTextFile(path, JSON.stringify([[0.5, -1, 2], [0, 0, 0.25]]));
  const list = await readLatents(path, 3);
  assertEquals(list, [Float32Array.from([0.5, -1, 2]), Float32Array.from([0, 0, 0.25])]);
  await Deno.writeTextFile(path, JSON.stringify({ z: [[1, 2, 3]] }));
  assertEquals(await readLatents(path, 3), [Float32Array.from([1, 2, 3])]);
  await assertRejects(
    () => readLatents(path, 4),
    Error,
    `Cannot read latent vectors "${path}": entry 0 has 3 values, the model needs 4`,
  );
  await Deno.writeTextFile(path, JSON.stringify([[1, "x", 3]]));
  await assertRejects(() => readLatents(path, 3), Error, "entry 0 is not a list of numbers");
  await Deno.writeTextFile(path, "[]");
  await assertRejects(() => readLatents(path, 3), Error, "expected a non-empty list of vectors");
});

Deno.test("drawDigits: for each digit, the seeded sample the classifier is surest of", async () => {
  await useWasm();
  const checkpoint = await tinyModel();
  const keys = await drawDigits(checkpoint, [3, 7], 5);
  assertEquals(keys.map((k) => [k.label, k.digit, k.testIndex]), [["drawn 3", 3, null], [
    "drawn 7",
    7,
    null,
  ]]);
  // recompute every candidate's probability of its digit: the chosen one is the largest
  const gen = await loadNetworkParams<GeneratorSpec>(checkpoint, "generator");
  const zDim = gen.spec.zDim, n = DRAWN_CANDIDATES;
  const z = new Rng(5, "drawn").normal(n * zDim);
  const coords = tf.tensor2d(pixelCoords(26, 26, defaultView(gen.spec.scale)), [676, 3]);
  const images = await generate(gen.params, gen.spec, tf.tensor2d(z, [n, zDim]), coords).data();
  const { probs } = await classify(await loadClassifier(CLASSIFIER_DIR), images as Float32Array);
  for (const key of keys) {
    const d = key.digit!;
    const scores = Array.from({ length: n }, (_, i) => probs[i * 10 + d]);
    const best = scores.indexOf(Math.max(...scores));
    assertEquals(key.z, z.slice(best * zDim, (best + 1) * zDim));
  }
  assertEquals((await drawDigits(checkpoint, [3], 5))[0].z, keys[0].z);
});
