/**
 * One training step on one batch, driving three Adam optimisers:
 *
 * - `vae` (lr_vae) on encoder + generator for the VAE loss;
 * - `g` (lr_g) on encoder + generator for `vae_loss + ganWeight * g_loss`;
 * - `d` (lr_d) on the discriminator for `d_loss`.
 *
 * Two loops: `balanced`, the reference's (see `balance.ts`), and
 * `alternating`: one `d` update, then one `g` update (a `vae` update
 * alone while the GAN has not joined yet). The discriminator's fakes are
 * the batch's reconstructions (the original) or samples of the prior (see
 * `shard_grads.ts`). The workers of a `TrainPool` compute the gradients (each on its
 * shard of the batch) and apply the optimisers, to weights and moments in
 * memory shared with this thread. Every draw of `eps` comes from the step's
 * `rng`, in a fixed order.
 *
 * @module
 */
import { Adam } from "../model/adam.ts";
import { type BalanceRules, generatorDone, shouldTrainDiscriminator } from "./balance.ts";
import { type Model, vaeParams } from "../model/model.ts";
import { assignFlat, countParams, flatten } from "../model/params.ts";
import type { Rng } from "../base/rng.ts";
import type { GanFakes, UpdateKind } from "./shard_grads.ts";
import type { TrainPool, UpdateLosses } from "./pool.ts";

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

/**
 * Creates the three optimisers: `vae` and `g` over the encoder + generator
 * weights (in {@linkcode vaeParams} order), `d` over the discriminator's;
 * their moments are in shared memory, for a `TrainPool`'s workers.
 */
export function createOptimizers(model: Model, s: OptimizerSettings): Optimizers {
  const encGen = countParams(model.enc) + countParams(model.gen);
  const { beta1 } = s;
  return {
    vae: new Adam(encGen, { lr: s.lrVae, beta1, shared: true }),
    g: new Adam(encGen, { lr: s.lrG, beta1, shared: true }),
    d: new Adam(countParams(model.disc), { lr: s.lrD, beta1, shared: true }),
  };
}

/** Sets the optimisers' learning rates to `scale` times the settings' (a schedule's step). */
export function setRates(opts: Optimizers, s: OptimizerSettings, scale: number): void {
  opts.vae.lr = s.lrVae * scale;
  opts.g.lr = s.lrG * scale;
  opts.d.lr = s.lrD * scale;
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
 * The training's master copy of the weights, as flat arrays in memory
 * shared with the workers, whose optimisers update them in place; the
 * model's tensors are brought up to date only when needed (checkpoints,
 * samples).
 */
export class MasterWeights {
  /** Encoder then generator weights (the order of their gradients). */
  readonly encGen: Float32Array;
  /** Discriminator weights. */
  readonly disc: Float32Array;
  /** Values of the encoder at the start of `encGen`. */
  readonly encSize: number;

  private constructor(encGen: Float32Array, disc: Float32Array, encSize: number) {
    this.encGen = encGen;
    this.disc = disc;
    this.encSize = encSize;
  }

  /** A copy of the model's current weights, in shared memory. */
  static async of(model: Model): Promise<MasterWeights> {
    const shared = (values: Float32Array) => {
      const out = new Float32Array(new SharedArrayBuffer(values.byteLength));
      out.set(values);
      return out;
    };
    return new MasterWeights(
      shared(await flatten(Object.values(vaeParams(model)))),
      shared(await flatten(Object.values(model.disc))),
      countParams(model.enc),
    );
  }

  /** Writes the master weights into the model's tensors. */
  writeTo(model: Model): void {
    assignFlat(model.enc, this.encGen.subarray(0, this.encSize));
    assignFlat(model.gen, this.encGen.subarray(this.encSize));
    assignFlat(model.disc, this.disc);
  }
}

/** Everything a step needs besides the model and optimisers. */
export interface StepContext {
  pool: TrainPool;
  weights: MasterWeights;
  rng: Rng;
  rules: BalanceRules;
  /** Train the GAN (false: VAE updates only). */
  gan: boolean;
  /** The step's loop. */
  loop: "balanced" | "alternating";
  /** Draw each GAN update's sample `z` beside its reparameterisation noise. */
  sampleFakes: boolean;
  /** Discriminator batch-norm group size. */
  groupSize: number;
}

/**
 * The context of a run's steps: a master copy of the model's weights,
 * shared with the pool's workers with the optimisers' moments.
 */
export async function stepContext(
  model: Model,
  opts: Optimizers,
  pool: TrainPool,
  rng: Rng,
  settings: BalanceRules & {
    gan: boolean;
    batch: number;
    bnGroups: number;
    loop: StepContext["loop"];
    ganFakes: GanFakes;
  },
): Promise<StepContext> {
  const weights = await MasterWeights.of(model);
  pool.attach(weights.encGen, weights.encSize, weights.disc, opts);
  return {
    pool,
    weights,
    rng,
    rules: settings,
    gan: settings.gan,
    loop: settings.loop,
    sampleFakes: settings.ganFakes !== "reconstructions",
    groupSize: settings.batch / settings.bnGroups,
  };
}

/**
 * One balanced training step on one batch (see `train/balance.ts`). Updates
 * `ctx.weights` and the optimisers attached to `ctx.pool`; the model's
 * tensors are left as they were.
 *
 * @param x The batch, `[batch, size * size]` flattened, values in [0, 1].
 * @param labels Its classes, one-hot `[batch, classes]` flattened: needed
 *   when the discriminator has a class head.
 */
export async function trainStep(
  model: Model,
  x: Float32Array,
  batch: number,
  ctx: StepContext,
  labels: Float32Array | null = null,
): Promise<StepResult> {
  const { pool, rng, rules } = ctx;
  const zDim = model.spec.encoder.zDim;
  pool.setBatch(x, batch, labels);
  // per image: the reparameterisation's noise, then a sample's z if needed
  const perImage = (kind: UpdateKind) => (kind !== "vae" && ctx.sampleFakes ? 2 : 1) * zDim;
  const run = (kind: UpdateKind): Promise<UpdateLosses> =>
    pool.run(kind, rng.normal(batch * perImage(kind)), batch, ctx.groupSize);
  if (ctx.loop === "alternating") return await alternatingStep(run, ctx.gan);

  const updates = { vae: 0, g: 0, d: 0 };
  let vae = NaN;
  for (let i = 0; i < rules.vaeSteps; i++) {
    vae = (await run("vae")).vae!;
    updates.vae++;
  }
  if (!ctx.gan) return { vaeLoss: vae, gLoss: null, dLoss: null, updates };
  let gLoss = NaN;
  for (let i = 0; i < rules.gSteps; i++) {
    const losses = await run("g");
    gLoss = losses.g!;
    vae = losses.vae!;
    updates.g++;
    if (generatorDone(gLoss, rules)) break;
  }
  let dLoss = (await run("d-eval")).d!;
  if (shouldTrainDiscriminator(dLoss, gLoss, rules)) {
    dLoss = (await run("d")).d!;
    updates.d++;
  }
  return { vaeLoss: vae, gLoss, dLoss, updates };
}

/** The alternating loop: a `d` then a `g` update, or one `vae` update before the GAN joins. */
async function alternatingStep(
  run: (kind: UpdateKind) => Promise<UpdateLosses>,
  gan: boolean,
): Promise<StepResult> {
  if (!gan) {
    const { vae } = await run("vae");
    return { vaeLoss: vae!, gLoss: null, dLoss: null, updates: { vae: 1, g: 0, d: 0 } };
  }
  const { d } = await run("d");
  const { vae, g } = await run("g");
  return { vaeLoss: vae!, gLoss: g!, dLoss: d!, updates: { vae: 0, g: 1, d: 1 } };
}
