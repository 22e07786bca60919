/**
 * One training step of the reference model on one batch: the balancing
 * loop of `balance.ts` driving three Adam optimisers.
 *
 * - `vae` (lr_vae) on encoder + generator for the VAE loss;
 * - `g` (lr_g) on encoder + generator for `g_loss + vae_loss`;
 * - `d` (lr_d) on the discriminator for `d_loss`.
 *
 * The fake images the discriminator sees are the generator's
 * reconstructions of the batch, `G(z)` with `z ~ q(z | x)`, as in the
 * original. Every draw of `eps` comes from the step's `rng`.
 *
 * @module
 */
import { tf } from "./tf.ts";
import { Adam } from "./adam.ts";
import { type BalanceRules, generatorDone, shouldTrainDiscriminator } from "./balance.ts";
import { discriminate } from "./discriminator.ts";
import { encode, samplePosterior } from "./encoder.ts";
import { generate } from "./generator.ts";
import { discriminatorLoss, generatorLoss, vaeLoss } from "./losses.ts";
import { type Model, vaeParams } from "./model.ts";
import type { Params } from "./params.ts";
import type { Rng } from "./rng.ts";

/** The three optimisers of the reference. */
export interface Optimizers {
  /** VAE loss, encoder + generator. */
  vae: Adam;
  /** Balanced loss, encoder + generator. */
  g: Adam;
  /** Discriminator loss, discriminator. */
  d: Adam;
}

/** Learning rates and beta1 for {@linkcode createOptimizers}. */
export interface OptimizerSettings {
  /** Generator (balanced loss) learning rate. */
  lrG: number;
  /** VAE learning rate. */
  lrVae: number;
  /** Discriminator learning rate. */
  lrD: number;
  /** Adam's beta1, shared. */
  beta1: number;
}

/** Creates the three optimisers over the model's weights. */
export function createOptimizers(model: Model, s: OptimizerSettings): Optimizers {
  const encGen = vaeParams(model);
  return {
    vae: new Adam(encGen, { lr: s.lrVae, beta1: s.beta1 }),
    g: new Adam(encGen, { lr: s.lrG, beta1: s.beta1 }),
    d: new Adam(model.disc, { lr: s.lrD, beta1: s.beta1 }),
  };
}

/** Frees the optimisers' state. */
export function disposeOptimizers(o: Optimizers): void {
  o.vae.dispose();
  o.g.dispose();
  o.d.dispose();
}

/** What one step did and the losses it saw. */
export interface StepResult {
  /** The last VAE loss computed (per pixel). */
  vaeLoss: number;
  /** The last generator loss, or `null` without the GAN. */
  gLoss: number | null;
  /** The last discriminator loss, or `null` without the GAN. */
  dLoss: number | null;
  /** Updates applied by each optimiser. */
  updates: { vae: number; g: number; d: number };
}

/** A batch and the fixed tensors a step needs. */
export interface StepInputs {
  /** Real images in [0, 1], shape `[b, size * size]`. */
  x: tf.Tensor2D;
  /** Training pixel coordinates, shape `[size * size, 3]`. */
  coords: tf.Tensor2D;
}

/**
 * Computes `f()` and its gradients with respect to `params`, keyed like
 * `params`. The caller disposes the returned tensors.
 */
export function gradients(
  f: () => tf.Scalar,
  params: Params,
): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(f, Object.values(params));
  const keyed: Record<string, tf.Tensor> = {};
  for (const [key, v] of Object.entries(params)) keyed[key] = grads[v.name];
  return { value, grads: keyed };
}

function disposeAll(grads: Record<string, tf.Tensor>): void {
  for (const g of Object.values(grads)) g.dispose();
}

function noise(rng: Rng, b: number, zDim: number): tf.Tensor2D {
  return tf.tensor2d(rng.normal(b * zDim), [b, zDim]);
}

/** Encode, sample and reconstruct: `[xHat, mu, logVar]`. */
function reconstruct(model: Model, inputs: StepInputs, eps: tf.Tensor2D) {
  const q = encode(model.enc, model.spec.encoder, inputs.x);
  const z = samplePosterior(q, eps);
  const xHat = generate(model.gen, model.spec.generator, z, inputs.coords);
  return { xHat, mu: q.mu, logVar: q.logVar };
}

/** One update of `opt` on the VAE loss; returns the loss before it. */
export async function vaeUpdate(
  model: Model,
  opt: Adam,
  inputs: StepInputs,
  rng: Rng,
): Promise<number> {
  const [b, zDim] = [inputs.x.shape[0], model.spec.encoder.zDim];
  const eps = noise(rng, b, zDim);
  const { value, grads } = gradients(() => {
    const r = reconstruct(model, inputs, eps);
    return vaeLoss(inputs.x, r.xHat, r.mu, r.logVar);
  }, opt.vars);
  opt.apply(grads);
  disposeAll(grads);
  eps.dispose();
  const loss = (await value.data())[0];
  value.dispose();
  return loss;
}

/** One update of `opt` on `g_loss + vae_loss`; returns both before it. */
export async function generatorUpdate(
  model: Model,
  opt: Adam,
  inputs: StepInputs,
  rng: Rng,
): Promise<{ gLoss: number; vaeLoss: number }> {
  const [b, zDim] = [inputs.x.shape[0], model.spec.encoder.zDim];
  const eps = noise(rng, b, zDim);
  const parts: tf.Scalar[] = [];
  const { value, grads } = gradients(() => {
    const r = reconstruct(model, inputs, eps);
    const v = vaeLoss(inputs.x, r.xHat, r.mu, r.logVar);
    const g = generatorLoss(discriminate(model.disc, model.spec.discriminator, r.xHat));
    parts.push(tf.keep(g), tf.keep(v));
    return tf.add(g, v);
  }, opt.vars);
  opt.apply(grads);
  disposeAll(grads);
  eps.dispose();
  value.dispose();
  const [gLoss, vae] = await Promise.all(parts.map(async (t) => (await t.data())[0]));
  tf.dispose(parts);
  return { gLoss, vaeLoss: vae };
}

function discriminatorLossOf(model: Model, inputs: StepInputs, fake: tf.Tensor2D) {
  const spec = model.spec.discriminator;
  return discriminatorLoss(
    discriminate(model.disc, spec, inputs.x),
    discriminate(model.disc, spec, fake),
  );
}

function fakes(model: Model, inputs: StepInputs, rng: Rng): tf.Tensor2D {
  const eps = noise(rng, inputs.x.shape[0], model.spec.encoder.zDim);
  const xHat = tf.tidy(() => reconstruct(model, inputs, eps).xHat);
  eps.dispose();
  return xHat;
}

/** The discriminator loss on a fresh set of fakes, with no update. */
export async function discriminatorEval(
  model: Model,
  inputs: StepInputs,
  rng: Rng,
): Promise<number> {
  const fake = fakes(model, inputs, rng);
  const loss = tf.tidy(() => discriminatorLossOf(model, inputs, fake));
  fake.dispose();
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

/** One update of `opt` on the discriminator loss; returns the loss before it. */
export async function discriminatorUpdate(
  model: Model,
  opt: Adam,
  inputs: StepInputs,
  rng: Rng,
): Promise<number> {
  const fake = fakes(model, inputs, rng);
  const { value, grads } = gradients(
    () => discriminatorLossOf(model, inputs, fake),
    opt.vars,
  );
  opt.apply(grads);
  disposeAll(grads);
  fake.dispose();
  const loss = (await value.data())[0];
  value.dispose();
  return loss;
}

/**
 * One balanced training step on one batch (see `balance.ts`). With
 * `gan: false`, only the VAE updates run (the `--no-gan` baseline).
 */
export async function trainStep(
  model: Model,
  opts: Optimizers,
  inputs: StepInputs,
  rng: Rng,
  rules: BalanceRules,
  gan = true,
): Promise<StepResult> {
  const updates = { vae: 0, g: 0, d: 0 };
  let vae = NaN;
  for (let i = 0; i < rules.vaeSteps; i++) {
    vae = await vaeUpdate(model, opts.vae, inputs, rng);
    updates.vae++;
  }
  if (!gan) return { vaeLoss: vae, gLoss: null, dLoss: null, updates };
  let gLoss = NaN;
  for (let i = 0; i < rules.gSteps; i++) {
    const r = await generatorUpdate(model, opts.g, inputs, rng);
    gLoss = r.gLoss;
    vae = r.vaeLoss;
    updates.g++;
    if (generatorDone(gLoss, rules)) break;
  }
  let dLoss = await discriminatorEval(model, inputs, rng);
  if (shouldTrainDiscriminator(dLoss, gLoss, rules)) {
    dLoss = await discriminatorUpdate(model, opts.d, inputs, rng);
    updates.d++;
  }
  return { vaeLoss: vae, gLoss, dLoss, updates };
}
