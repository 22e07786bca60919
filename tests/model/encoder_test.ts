import { assertAlmostEquals, assertEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import { Rng } from "../../lib/base/rng.ts";
import { encode, type EncoderSpec, initEncoder, samplePosterior } from "../../lib/model/encoder.ts";
import { countParams, disposeParams } from "../../lib/model/params.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

const SPEC: EncoderSpec = { inputSize: 9, hidden: 5, layers: 2, zDim: 3 };

Deno.test("initEncoder: two hidden layers and one head holding mu and log variance", () => {
  const params = initEncoder(SPEC, new Rng(1, "test"));
  try {
    const shapes = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.shape]));
    assertEquals(shapes, { w1: [9, 5], b1: [5], w2: [5, 5], b2: [5], wh: [5, 6], bh: [6] });
    assertEquals(countParams(params), 9 * 5 + 5 + 5 * 5 + 5 + 5 * 6 + 6);
  } finally {
    disposeParams(params);
  }
});

Deno.test("encode: mu and log variance are the head's two halves, shape [b, zDim]", () => {
  const params = initEncoder(SPEC, new Rng(1, "test"));
  try {
    // a head of zero weights outputs its bias: mu = bh[0..3], logVar = bh[3..6]
    params.wh.assign(tf.zeros([5, 6]));
    params.bh.assign(tf.tensor1d([0.5, -1, 2, 0, Math.log(4), -2]));
    const x = tf.tensor2d(Array.from({ length: 18 }, (_, i) => (i % 7) / 7), [2, 9]);
    const q = encode(params, SPEC, x);
    assertEquals(q.mu.shape, [2, 3]);
    assertEquals(q.logVar.shape, [2, 3]);
    const mu = q.mu.arraySync(), logVar = q.logVar.arraySync();
    for (const row of [0, 1]) {
      [0.5, -1, 2].forEach((v, i) => assertAlmostEquals(mu[row][i], v, 1e-6));
      [0, Math.log(4), -2].forEach((v, i) => assertAlmostEquals(logVar[row][i], v, 1e-6));
    }
    // z = mu + exp(logVar / 2) eps
    const eps = tf.tensor2d([[1, 1, 1], [-2, 0.5, 3]]);
    const z = samplePosterior(q, eps).arraySync();
    const expected = [[1.5, 1, 2 + Math.exp(-1)], [-1.5, 0, 2 + 3 * Math.exp(-1)]];
    expected.forEach((row, r) => row.forEach((v, i) => assertAlmostEquals(z[r][i], v, 1e-5)));
    tf.dispose([x, q.mu, q.logVar, eps]);
  } finally {
    disposeParams(params);
  }
});
