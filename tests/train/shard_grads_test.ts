/**
 * The losses training computes (shardUpdate) against the reference
 * formulas, written plainly in probabilities as the 2016 code has them.
 */
import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { discriminate, discriminateWithClasses } from "../../lib/model/discriminator.ts";
import { encode } from "../../lib/model/encoder.ts";
import { generate } from "../../lib/model/generator.ts";
import { initModel, type Model, modelSpec } from "../../lib/model/model.ts";
import { Rng } from "../../lib/base/rng.ts";
import { type LossSettings, type Shard, shardUpdate } from "../../lib/train/shard_grads.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

const SIZE = 26, N = 4, Z = 3;
const SETTINGS = {
  zDim: Z,
  width: 6,
  depth: 3,
  scale: 8,
  size: SIZE,
  zEveryLayer: true,
  encoderWidth: 8,
  discChannels: [2, 2, 2],
};
const model: Model = initModel(modelSpec(SETTINGS), 5);
const coords = tf.tensor2d(pixelCoords(SIZE, SIZE, defaultView(8)), [SIZE * SIZE, 3]);
const rng = new Rng(1);
const xValues = Float32Array.from({ length: N * SIZE * SIZE }, () => rng.uniform());
const eps = new Rng(2).normal(N * Z), zSample = new Rng(3).normal(N * Z);

/** `[n, zDim]` rows of eps then z, as the step draws them for sample fakes. */
function interleave(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(2 * a.length);
  for (let i = 0; i < N; i++) {
    out.set(a.subarray(i * Z, (i + 1) * Z), 2 * i * Z);
    out.set(b.subarray(i * Z, (i + 1) * Z), (2 * i + 1) * Z);
  }
  return out;
}

const read = async (t: tf.Tensor) => Array.from(await t.data());
const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const bce = (p: number, t: number) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p));

/** The VAE loss of the batch (KL weighted by `klWeight`), per pixel, and its reconstructions. */
async function referenceVae(x: tf.Tensor2D, klWeight = 1) {
  const q = encode(model.enc, model.spec.encoder, x);
  const [mu, logVar] = [await read(q.mu), await read(q.logVar)];
  const z = mu.map((m, i) => m + Math.sqrt(Math.exp(logVar[i])) * eps[i]);
  const xHat = generate(model.gen, model.spec.generator, tf.tensor2d(z, [N, Z]), coords);
  const [xs, ys] = [Array.from(xValues), await read(xHat)];
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    total -= xs[i] * Math.log(1e-10 + ys[i]) + (1 - xs[i]) * Math.log(1e-10 + 1 - ys[i]);
  }
  for (let i = 0; i < mu.length; i++) {
    total += klWeight * -0.5 * (1 + logVar[i] - mu[i] ** 2 - Math.exp(logVar[i]));
  }
  return { vae: total / N / (SIZE * SIZE), xHat };
}

async function scores(images: tf.Tensor2D): Promise<number[]> {
  return (await read(discriminate(model.disc, model.spec.discriminator, images))).map(sigmoid);
}

const near = (a: number, b: number, what: string) =>
  assert(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

Deno.test("shardUpdate: vae, g and d losses equal the reference formulas (reconstruction fakes)", async () => {
  const x = tf.tensor2d(xValues, [N, SIZE * SIZE]);
  const shard: Shard = { x, eps, total: N, groupSize: N };
  const { vae, xHat } = await referenceVae(x);
  const dReal = await scores(x), dFake = await scores(xHat);
  const g = dFake.reduce((s, p) => s + bce(p, 1), 0) / N;
  const d = 0.5 * (dReal.reduce((s, p) => s + bce(p, 1), 0) / N) +
    0.5 * (dFake.reduce((s, p) => s + bce(p, 0), 0) / N);

  near((await shardUpdate(model, "vae", shard, coords)).losses.vae!, vae, "vae");
  const gUpdate = await shardUpdate(model, "g", shard, coords);
  near(gUpdate.losses.vae!, vae, "vae of g");
  near(gUpdate.losses.g!, g, "g");
  near((await shardUpdate(model, "d-eval", shard, coords)).losses.d!, d, "d");
  assertEquals((await shardUpdate(model, "d-eval", shard, coords)).grads, null);
});

Deno.test("shardUpdate: with sample fakes, G and D see G(z) of the prior's z; the KL weight; a shard is its share", async () => {
  const x = tf.tensor2d(xValues, [N, SIZE * SIZE]);
  // real images labelled 0.9 (one-sided label smoothing): only D's loss on them changes;
  // the KL term weighted by 2
  const gan: LossSettings = {
    fakes: "samples",
    weight: 0.25,
    realLabel: 0.9,
    klWeight: 2,
    classWeight: 0,
  };
  const shard: Shard = { x, eps: interleave(eps, zSample), total: N, groupSize: N };
  const { vae } = await referenceVae(x, 2);
  const samples = generate(model.gen, model.spec.generator, tf.tensor2d(zSample, [N, Z]), coords);
  const dReal = await scores(x), dFake = await scores(samples);
  const g = dFake.reduce((s, p) => s + bce(p, 1), 0) / N;
  const d = 0.5 * (dReal.reduce((s, p) => s + bce(p, 0.9), 0) / N) +
    0.5 * (dFake.reduce((s, p) => s + bce(p, 0), 0) / N);

  const gUpdate = await shardUpdate(model, "g", shard, coords, undefined, gan);
  near(gUpdate.losses.vae!, vae, "vae");
  near(gUpdate.losses.g!, g, "g");
  near((await shardUpdate(model, "d-eval", shard, coords, undefined, gan)).losses.d!, d, "d");
  // half of the batch, as a shard of it: half of each mean
  const half: Shard = { ...shard, total: 2 * N };
  near((await shardUpdate(model, "g", half, coords, undefined, gan)).losses.g!, g / 2, "g/2");
});

Deno.test("shardUpdate: with both kinds of fakes, each GAN loss averages its sample and reconstruction terms", async () => {
  const x = tf.tensor2d(xValues, [N, SIZE * SIZE]);
  const gan: LossSettings = {
    fakes: "both",
    weight: 0.5,
    realLabel: 1,
    klWeight: 1,
    classWeight: 0,
  };
  const shard: Shard = { x, eps: interleave(eps, zSample), total: N, groupSize: N };
  const { vae, xHat } = await referenceVae(x);
  const samples = generate(model.gen, model.spec.generator, tf.tensor2d(zSample, [N, Z]), coords);
  const dReal = await scores(x), dSample = await scores(samples), dRecon = await scores(xHat);
  const mean = (ps: number[], t: number) => ps.reduce((s, p) => s + bce(p, t), 0) / N;
  const g = (mean(dSample, 1) + mean(dRecon, 1)) / 2;
  const d = 0.5 * mean(dReal, 1) + 0.5 * (mean(dSample, 0) + mean(dRecon, 0)) / 2;

  const gUpdate = await shardUpdate(model, "g", shard, coords, undefined, gan);
  near(gUpdate.losses.vae!, vae, "vae");
  near(gUpdate.losses.g!, g, "g");
  near((await shardUpdate(model, "d-eval", shard, coords, undefined, gan)).losses.d!, d, "d");
});

Deno.test("shardUpdate: a class head adds its cross-entropy on the labels to d, W times the fakes' class entropy to g", async () => {
  const headed = initModel(modelSpec({ ...SETTINGS, classWeight: 1 }), 5);
  const x = tf.tensor2d(xValues, [N, SIZE * SIZE]);
  const classes = [3, 1, 4, 1];
  const labels = tf.oneHot(tf.tensor1d(classes, "int32"), 10).toFloat() as tf.Tensor2D;
  const loss: LossSettings = {
    fakes: "samples",
    weight: 0.5,
    realLabel: 1,
    klWeight: 1,
    classWeight: 2,
  };
  const shard: Shard = { x, eps: interleave(eps, zSample), total: N, groupSize: N, labels };
  const spec = headed.spec.discriminator;
  const samples = generate(headed.gen, headed.spec.generator, tf.tensor2d(zSample, [N, Z]), coords);
  const real = discriminateWithClasses(headed.disc, spec, x);
  const fake = discriminateWithClasses(headed.disc, spec, samples);
  const probs = async (t: tf.Tensor2D) => {
    const rows = (await t.array()) as number[][];
    return rows.map((r) => {
      const e = r.map((l) => Math.exp(l)), sum = e.reduce((a, b) => a + b);
      return e.map((x) => x / sum);
    });
  };
  const pReal = await probs(real.classLogits!), pFake = await probs(fake.classLogits!);
  const ce = pReal.reduce((s, p, i) => s - Math.log(p[classes[i]]), 0) / N;
  const h = (p: number[]) => -p.reduce((s, x) => s + x * Math.log(x), 0);
  const mean = pFake[0].map((_, c) => pFake.reduce((s, p) => s + p[c], 0) / N);
  const unclear = (pFake.reduce((s, p) => s + h(p), 0) - N * h(mean)) / N;
  const dReal = (await read(real.logits)).map(sigmoid),
    dFake = (await read(fake.logits)).map(sigmoid);
  const g = dFake.reduce((s, p) => s + bce(p, 1), 0) / N;
  const d = 0.5 * (dReal.reduce((s, p) => s + bce(p, 1), 0) / N) +
    0.5 * (dFake.reduce((s, p) => s + bce(p, 0), 0) / N);

  near(
    (await shardUpdate(headed, "d-eval", shard, coords, undefined, loss)).losses.d!,
    d + ce,
    "d",
  );
  near(
    (await shardUpdate(headed, "g", shard, coords, undefined, loss)).losses.g!,
    g + 2 * unclear,
    "g",
  );
  // with the weight at 0 the generator's loss is the plain GAN loss
  const plain = { ...loss, classWeight: 0 };
  near((await shardUpdate(headed, "g", shard, coords, undefined, plain)).losses.g!, g, "g at 0");
  const unlabelled = { ...shard, labels: null };
  let message = "";
  await shardUpdate(headed, "d", unlabelled, coords, undefined, loss).catch((e) =>
    message = e.message
  );
  assertEquals(message, "The discriminator's class head needs the images' labels");
});
