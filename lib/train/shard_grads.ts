/**
 * The gradient work of one update on one shard of a batch: what each
 * training worker computes. Losses are the shard's share of the batch
 * mean (its sum divided by the whole batch's size), so summing the shards'
 * losses and gradients gives exactly the whole batch's.
 *
 * The GAN's fakes are the reconstructions `G(z)`, `z ~ q(z | x)` (the
 * reference), samples `G(z)`, `z ~ N(0, I)` (the images users draw), or
 * both (each loss then averages its two terms). With samples, each image's
 * noise row holds `2 * zDim` values: the reparameterisation's, then the
 * sample's `z`. The generator's loss is `vae + ganWeight * g`, and the VAE
 * loss weighs its KL term by `klWeight`. With a class head on the
 * discriminator, its loss adds the head's cross-entropy on the real images'
 * labels, and `g` adds `classWeight` times the class entropy of the fakes
 * (see `model/losses.ts`).
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { discriminate, discriminateWithClasses } from "../model/discriminator.ts";
import { encode, samplePosterior } from "../model/encoder.ts";
import { generate } from "../model/generator.ts";
import {
  classEntropyLoss,
  classLoss,
  discriminatorLoss,
  generatorLoss,
  vaeLoss,
} from "../model/losses.ts";
import { type Model, vaeParams } from "../model/model.ts";
import { flatten } from "../model/params.ts";

/** The four computations of a balanced step. */
export type UpdateKind = "vae" | "g" | "d" | "d-eval";

/** Whether an update's shards must hold whole batch-norm groups. */
export function usesDiscriminator(kind: UpdateKind): boolean {
  return kind !== "vae";
}

/** The GAN's fakes: reconstructions of the batch, samples of the prior, or both. */
export type GanFakes = "reconstructions" | "samples" | "both";

/** How the losses are formed: the GAN's part and the KL and class terms' weights. */
export interface LossSettings {
  /** What the discriminator is shown as fakes. */
  fakes: GanFakes;
  /** Weight of `g_loss` in the generator's loss `vae + weight * g`. */
  weight: number;
  /** The discriminator's target for real images (1; below: one-sided label smoothing). */
  realLabel: number;
  /** Weight of the KL term in the VAE loss `(reconstruction + klWeight * KL) / p` (reference: 1). */
  klWeight: number;
  /** Weight of the fakes' class entropy in `g` (needs a class head; reference: 0). */
  classWeight: number;
}

/**
 * The reference's losses: reconstructions as fakes, `g + vae`, real images
 * labelled 1, the KL term unweighted, no class term.
 */
export const REFERENCE_LOSS: LossSettings = {
  fakes: "reconstructions",
  weight: 1,
  realLabel: 1,
  klWeight: 1,
  classWeight: 0,
};

/** One shard of a batch. */
export interface Shard {
  /** Real images in [0, 1], `[n, size * size]`. */
  x: tf.Tensor2D;
  /**
   * N(0, 1) noise, `[n, zDim]` flattened for the reparameterisation, or
   * `[n, 2 * zDim]` when the GAN's fakes include samples (then each row's
   * second half is the sample's `z`).
   */
  eps: Float32Array;
  /** Images in the whole batch (the loss denominator). */
  total: number;
  /** Batch-norm group size of the discriminator. */
  groupSize: number;
  /** The real images' classes, one-hot `[n, classes]`: needed with a class head. */
  labels?: tf.Tensor2D | null;
}

/** A shard's losses (its share of the batch means) and gradients. */
export interface ShardResult {
  /** Present for the losses the update computes. */
  losses: { vae?: number; g?: number; d?: number };
  /** Gradients of the updated weights, flattened in their order; null for `d-eval`. */
  grads: Float32Array | null;
}

/** A shard's noise as `[n, zDim]` tensors: the reparameterisation's and the samples' `z`. */
interface Noise {
  eps: tf.Tensor2D;
  z: tf.Tensor2D | null;
}

/** Reads the shard's flat noise into tensors, once per update (the caller disposes them). */
function noiseOf(model: Model, shard: Shard): Noise {
  const n = shard.x.shape[0], zDim = model.spec.encoder.zDim;
  if (shard.eps.length === n * zDim) return { eps: tf.tensor2d(shard.eps, [n, zDim]), z: null };
  if (shard.eps.length !== 2 * n * zDim) {
    throw new Error(
      `The noise for ${n} images has ${shard.eps.length} values; expected ${n * zDim} ` +
        `or ${2 * n * zDim} (${zDim} per image, twice with sample fakes)`,
    );
  }
  const [eps, z] = tf.tidy(() =>
    tf.split(tf.tensor2d(shard.eps, [n, 2 * zDim]), 2, 1) as tf.Tensor2D[]
  );
  return { eps, z };
}

function reconstruct(model: Model, shard: Shard, noise: Noise, coords: tf.Tensor2D) {
  const q = encode(model.enc, model.spec.encoder, shard.x);
  const z = samplePosterior(q, noise.eps);
  const xHat = generate(model.gen, model.spec.generator, z, coords);
  return { xHat, mu: q.mu, logVar: q.logVar };
}

/**
 * The discriminator's fakes for this shard, as `loss.fakes` says: samples
 * (of the noise's `z`), reconstructions (`recon` if already drawn), or both.
 */
function fakeSets(
  model: Model,
  shard: Shard,
  noise: Noise,
  coords: tf.Tensor2D,
  loss: LossSettings,
  recon?: tf.Tensor2D,
): tf.Tensor2D[] {
  const sets: tf.Tensor2D[] = [];
  if (loss.fakes !== "reconstructions") {
    const { z } = noise;
    if (!z) throw new Error("Sample fakes need a z per image beside the reparameterisation noise");
    sets.push(generate(model.gen, model.spec.generator, z, coords));
  }
  if (loss.fakes !== "samples") sets.push(recon ?? reconstruct(model, shard, noise, coords).xHat);
  return sets;
}

/** The mean of one or more scalars (the scalar itself if there is one). */
function meanOf(terms: tf.Scalar[]): tf.Scalar {
  return terms.length === 1 ? terms[0] : tf.div(tf.addN(terms), terms.length) as tf.Scalar;
}

/**
 * The discriminator's loss, averaged over the sets of fakes, plus its class
 * head's cross-entropy on the real images.
 */
function dLoss(model: Model, shard: Shard, fakes: tf.Tensor2D[], realLabel: number): tf.Scalar {
  const spec = model.spec.discriminator;
  const real = discriminateWithClasses(model.disc, spec, shard.x, shard.groupSize);
  const gan = meanOf(
    fakes.map((fake) => {
      const fakeLogits = discriminate(model.disc, spec, fake, shard.groupSize);
      return discriminatorLoss(real.logits, fakeLogits, shard.total, realLabel);
    }),
  );
  if (!real.classLogits) return gan;
  if (!shard.labels) throw new Error("The discriminator's class head needs the images' labels");
  return tf.add(gan, classLoss(real.classLogits, shard.labels, shard.total)) as tf.Scalar;
}

/** The generator's GAN loss on one set of fakes, with the class term if weighted. */
function gLoss(model: Model, shard: Shard, fake: tf.Tensor2D, loss: LossSettings): tf.Scalar {
  const spec = model.spec.discriminator;
  const out = discriminateWithClasses(model.disc, spec, fake, shard.groupSize);
  const g = generatorLoss(out.logits, shard.total);
  if (!out.classLogits || loss.classWeight === 0) return g;
  const unclear = classEntropyLoss(out.classLogits, shard.total);
  return tf.add(g, tf.mul(unclear, loss.classWeight)) as tf.Scalar;
}

async function scalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

/**
 * Computes one update's losses and gradients on one shard; the gradients
 * are written into `into` if given (see {@linkcode flatten}).
 *
 * - `vae`: the VAE loss; gradients of encoder + generator.
 * - `g`: `g_loss + vae_loss` (both reported); gradients of encoder + generator.
 * - `d-eval`: the discriminator loss on fresh fakes; no gradients.
 * - `d`: the discriminator loss; gradients of the discriminator.
 */
export async function shardUpdate(
  model: Model,
  kind: UpdateKind,
  shard: Shard,
  coords: tf.Tensor2D,
  into?: Float32Array,
  loss: LossSettings = REFERENCE_LOSS,
): Promise<ShardResult> {
  const noise = noiseOf(model, shard);
  try {
    return await update(model, kind, shard, noise, coords, into, loss);
  } finally {
    tf.dispose([noise.eps, ...(noise.z ? [noise.z] : [])]);
  }
}

/** {@linkcode shardUpdate} with the shard's noise read into tensors. */
async function update(
  model: Model,
  kind: UpdateKind,
  shard: Shard,
  noise: Noise,
  coords: tf.Tensor2D,
  into: Float32Array | undefined,
  loss: LossSettings,
): Promise<ShardResult> {
  const total = shard.total;
  if (kind === "d-eval" || kind === "d") {
    const fake = tf.tidy(() => fakeSets(model, shard, noise, coords, loss));
    try {
      if (kind === "d-eval") {
        return {
          losses: { d: await scalar(tf.tidy(() => dLoss(model, shard, fake, loss.realLabel))) },
          grads: null,
        };
      }
      const params = model.disc;
      const { value, grads } = tf.variableGrads(
        () => dLoss(model, shard, fake, loss.realLabel),
        Object.values(params),
      );
      const flat = await flatten(Object.values(params).map((v) => grads[v.name]), into);
      tf.dispose(Object.values(grads));
      return { losses: { d: await scalar(value) }, grads: flat };
    } finally {
      tf.dispose(fake);
    }
  }
  const params = vaeParams(model);
  const parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const r = reconstruct(model, shard, noise, coords);
    const vae = vaeLoss(shard.x, r.xHat, r.mu, r.logVar, total, loss.klWeight);
    parts.push(tf.keep(vae));
    if (kind === "vae") return vae;
    const g = meanOf(
      fakeSets(model, shard, noise, coords, loss, r.xHat).map((fake) =>
        gLoss(model, shard, fake, loss)
      ),
    );
    parts.push(tf.keep(g));
    return tf.add(tf.mul(g, loss.weight), vae) as tf.Scalar;
  }, Object.values(params));
  const flat = await flatten(Object.values(params).map((v) => grads[v.name]), into);
  const [vae, g] = await Promise.all(parts.map(async (t) => (await t.data())[0]));
  tf.dispose([value, ...parts, ...Object.values(grads)]);
  return { losses: kind === "vae" ? { vae } : { vae, g }, grads: flat };
}
