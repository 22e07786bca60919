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
 * original. Gradients are computed by the workers of a `TrainPool` (each on
 * its shard of the batch); the optimisers and the weights live here. Every
 * draw of `eps` comes from the step's `rng`, in a fixed order.
 *
 * @module
 */
import { tf } from "./tf.ts";
import { Adam } from "./adam.ts";
import { type BalanceRules, generatorDone, shouldTrainDiscriminator } from "./balance.ts";
import { type Model, vaeParams } from "./model.ts";
import { flatten, manifestOf, type Params, unflatten } from "./params.ts";
import type { Rng } from "./rng.ts";
import type { UpdateKind } from "./shard_grads.ts";
import type { TrainPool, UpdateResult } from "./train_pool.ts";
import type { WeightUpdate } from "./train_worker.ts";

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

/**
 * Keeps the workers' replicas in step with the weights here: networks
 * changed by an update are sent (once) with the next request.
 */
export class WeightSync {
  #model: Model;
  #dirty = { enc: true, gen: true, disc: true };

  constructor(model: Model) {
    this.#model = model;
  }

  /** Marks networks as changed. */
  mark(...nets: ("enc" | "gen" | "disc")[]): void {
    for (const n of nets) this.#dirty[n] = true;
  }

  /** The changed networks' weights, flattened; clears the marks. */
  async collect(): Promise<WeightUpdate> {
    const out: WeightUpdate = {};
    for (const n of ["enc", "gen", "disc"] as const) {
      if (!this.#dirty[n]) continue;
      out[n] = await flatten(Object.values(this.#model[n]));
      this.#dirty[n] = false;
    }
    return out;
  }
}

/** Applies flattened gradients (in the order of `opt.vars`) with `opt`. */
function applyFlat(opt: Adam, flat: Float32Array): void {
  const parts = unflatten(flat, manifestOf(opt.vars));
  const grads: Record<string, tf.Tensor> = {};
  for (const [k, { shape, values }] of Object.entries(parts)) grads[k] = tf.tensor(values, shape);
  opt.apply(grads);
  tf.dispose(Object.values(grads));
}

/** Everything a step needs besides the model and optimisers. */
export interface StepContext {
  pool: TrainPool;
  sync: WeightSync;
  rng: Rng;
  rules: BalanceRules;
  /** Train the GAN (false: VAE updates only). */
  gan: boolean;
  /** Discriminator batch-norm group size. */
  groupSize: number;
}

/**
 * One balanced training step on one batch (see `balance.ts`).
 *
 * @param x The batch, `[batch, size * size]` flattened, values in [0, 1].
 */
export async function trainStep(
  model: Model,
  opts: Optimizers,
  x: Float32Array,
  batch: number,
  ctx: StepContext,
): Promise<StepResult> {
  const { pool, sync, rng, rules } = ctx;
  const zDim = model.spec.encoder.zDim;
  pool.setBatch(x, batch);
  const run = async (kind: UpdateKind): Promise<UpdateResult> =>
    pool.run(kind, rng.normal(batch * zDim), batch, ctx.groupSize, await sync.collect());

  const updates = { vae: 0, g: 0, d: 0 };
  let vae = NaN;
  for (let i = 0; i < rules.vaeSteps; i++) {
    const r = await run("vae");
    applyFlat(opts.vae, r.grads!);
    sync.mark("enc", "gen");
    vae = r.losses.vae!;
    updates.vae++;
  }
  if (!ctx.gan) return { vaeLoss: vae, gLoss: null, dLoss: null, updates };
  let gLoss = NaN;
  for (let i = 0; i < rules.gSteps; i++) {
    const r = await run("g");
    applyFlat(opts.g, r.grads!);
    sync.mark("enc", "gen");
    gLoss = r.losses.g!;
    vae = r.losses.vae!;
    updates.g++;
    if (generatorDone(gLoss, rules)) break;
  }
  let dLoss = (await run("d-eval")).losses.d!;
  if (shouldTrainDiscriminator(dLoss, gLoss, rules)) {
    const r = await run("d");
    applyFlat(opts.d, r.grads!);
    sync.mark("disc");
    dLoss = r.losses.d!;
    updates.d++;
  }
  return { vaeLoss: vae, gLoss, dLoss, updates };
}
