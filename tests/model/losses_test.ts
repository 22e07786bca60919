import { assertAlmostEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import {
  bcePerExample,
  classEntropyLoss,
  classLoss,
  discriminatorLoss,
  generatorLoss,
  klDivergence,
  reconstructionLoss,
  vaeLoss,
} from "../../lib/model/losses.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();
const v = async (t: tf.Tensor) => (await t.data())[0];

Deno.test("reconstructionLoss: Bernoulli, summed over pixels", async () => {
  const x = tf.tensor2d([[1, 0, 0.5]]), xHat = tf.tensor2d([[0.8, 0.3, 0.5]]);
  const expected = -(Math.log(0.8) + Math.log(0.7) + 0.5 * Math.log(0.5) + 0.5 * Math.log(0.5));
  assertAlmostEquals(await v(reconstructionLoss(x, xHat)), expected, 1e-5);
  // the 1e-10 keeps a confident wrong pixel finite: -log(1e-10) = 23.03
  const worst = reconstructionLoss(tf.tensor2d([[1]]), tf.tensor2d([[0]]));
  assertAlmostEquals(await v(worst), 23.02585, 1e-3);
});

Deno.test("klDivergence: -0.5 sum(1 + logVar - mu² - exp(logVar))", async () => {
  const mu = tf.tensor2d([[1, 0], [0, 0]]), logVar = tf.tensor2d([[0, Math.log(2)], [0, 0]]);
  const kl = await klDivergence(mu, logVar).data();
  assertAlmostEquals(kl[0], -0.5 * ((1 + 0 - 1 - 1) + (1 + Math.log(2) - 0 - 2)), 1e-6);
  assertAlmostEquals(kl[1], 0, 1e-7); // the prior itself
});

Deno.test("vaeLoss: batch mean of reconstruction + KL, per pixel; a shard's share of a batch", async () => {
  const x = tf.tensor2d([[1, 0], [0, 1]]), xHat = tf.tensor2d([[0.9, 0.2], [0.5, 0.5]]);
  const mu = tf.tensor2d([[1], [0]]), logVar = tf.tensor2d([[0], [0]]);
  const r0 = -(Math.log(0.9) + Math.log(0.8)), r1 = -2 * Math.log(0.5);
  const expected = ((r0 + 0.5) + (r1 + 0)) / 2 / 2;
  assertAlmostEquals(await v(vaeLoss(x, xHat, mu, logVar)), expected, 1e-6);
  // the same two images as a shard of a batch of 8
  assertAlmostEquals(await v(vaeLoss(x, xHat, mu, logVar, 8)), expected / 4, 1e-6);
  // the KL term (0.5 for the first image) weighted by 3
  const weighted = ((r0 + 3 * 0.5) + (r1 + 0)) / 2 / 2;
  assertAlmostEquals(await v(vaeLoss(x, xHat, mu, logVar, 2, 3)), weighted, 1e-6);
});

Deno.test("GAN losses: BCE from logits, hand-computed", async () => {
  assertAlmostEquals(await v(bcePerExample(tf.tensor([0]), 1)), Math.LN2, 1e-6);
  assertAlmostEquals(await v(bcePerExample(tf.tensor([2]), 1)), Math.log(1 + Math.exp(-2)), 1e-6);
  assertAlmostEquals(await v(bcePerExample(tf.tensor([2]), 0)), Math.log(1 + Math.exp(2)), 1e-6);
  // a soft target: -(0.9 log p + 0.1 log(1 - p)), p = sigmoid(2)
  const p2 = 1 / (1 + Math.exp(-2));
  assertAlmostEquals(
    await v(bcePerExample(tf.tensor([2]), 0.9)),
    -(0.9 * Math.log(p2) + 0.1 * Math.log(1 - p2)),
    1e-6,
  );
  // stable where the probability form would overflow
  assertAlmostEquals(await v(bcePerExample(tf.tensor([-200]), 1)), 200, 1e-3);
  const real = tf.tensor([[2], [0]]), fake = tf.tensor([[-1], [1]]);
  const bce1 = (Math.log(1 + Math.exp(-2)) + Math.LN2) / 2;
  const bce0 = (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(1))) / 2;
  assertAlmostEquals(await v(discriminatorLoss(real, fake)), 0.5 * bce1 + 0.5 * bce0, 1e-6);
  const g = (Math.log(1 + Math.exp(1)) + Math.log(1 + Math.exp(-1))) / 2;
  assertAlmostEquals(await v(generatorLoss(fake)), g, 1e-6);
  // a shard's share of a batch of 4
  assertAlmostEquals(await v(generatorLoss(fake, 4)), g / 2, 1e-6);
  assertAlmostEquals(
    await v(discriminatorLoss(real, fake, 4)),
    (0.5 * bce1 + 0.5 * bce0) / 2,
    1e-6,
  );
  // one-sided label smoothing: real images against 0.9, fakes still against 0
  const soft = (l: number) =>
    -(0.9 * Math.log(1 / (1 + Math.exp(-l))) + 0.1 * Math.log(1 / (1 + Math.exp(l))));
  assertAlmostEquals(
    await v(discriminatorLoss(real, fake, 2, 0.9)),
    0.5 * (soft(2) + soft(0)) / 2 + 0.5 * bce0,
    1e-6,
  );
});

Deno.test("class losses: cross-entropy on labels; each image's entropy minus the mean guess's", async () => {
  const logits = tf.tensor2d([[2, 0], [0, 0]]);
  const p = 1 / (1 + Math.exp(-2)); // softmax of [2, 0]
  // labels 0 and 1, a batch of 4 (a shard's share)
  const ce = (-Math.log(p) + Math.LN2) / 4;
  assertAlmostEquals(await v(classLoss(logits, tf.tensor2d([[1, 0], [0, 1]]), 4)), ce, 1e-6);
  const h = (q: number[]) => -q.reduce((s, x) => s + x * Math.log(x), 0);
  const mean = [(p + 0.5) / 2, (1 - p + 0.5) / 2];
  const expected = (h([p, 1 - p]) + Math.LN2 - 2 * h(mean)) / 4;
  assertAlmostEquals(await v(classEntropyLoss(logits, 4)), expected, 1e-6);
  // sure of each image's class, both classes drawn: about -log 2 per image
  const sure = tf.tensor2d([[30, 0], [0, 30]]);
  assertAlmostEquals(await v(classEntropyLoss(sure)), -Math.LN2, 1e-5);
  // sure, but the same class twice: about 0
  assertAlmostEquals(await v(classEntropyLoss(tf.tensor2d([[30, 0], [30, 0]]))), 0, 1e-5);
});
