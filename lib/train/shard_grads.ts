/**
 * The gradient work of one update on one shard of a batch: what each
 * training worker computes. Losses are the shard's share of the batch
 * mean (its sum divided by the whole batch's size), so summing the shards'
 * losses and gradients gives exactly the whole batch's.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { discriminate } from "../model/discriminator.ts";
import { encode, samplePosterior } from "../model/encoder.ts";
import { generate } from "../model/generator.ts";
import { bcePerExample, vaeLossPerImage } from "../model/losses.ts";
import { type Model, vaeParams } from "../model/model.ts";
import { flatten } from "../model/params.ts";

/** The four computations of a balanced step. */
export type UpdateKind = "vae" | "g" | "d" | "d-eval";

/** Whether an update's shards must hold whole batch-norm groups. */
export function usesDiscriminator(kind: UpdateKind): boolean {
  return kind !== "vae";
}

/** One shard of a batch. */
export interface Shard {
  /** Real images in [0, 1], `[n, size * size]`. */
  x: tf.Tensor2D;
  /** N(0, 1) noise for the reparameterisation, `[n * zDim]`. */
  eps: Float32Array;
  /** Images in the whole batch (the loss denominator). */
  total: number;
  /** Batch-norm group size of the discriminator. */
  groupSize: number;
}

/** A shard's losses (its share of the batch means) and gradients. */
export interface ShardResult {
  /** Present for the losses the update computes. */
  losses: { vae?: number; g?: number; d?: number };
  /** Gradients of the updated weights, flattened in their order; null for `d-eval`. */
  grads: Float32Array | null;
}

function reconstruct(model: Model, shard: Shard, coords: tf.Tensor2D) {
  const n = shard.x.shape[0];
  const q = encode(model.enc, model.spec.encoder, shard.x);
  const z = samplePosterior(q, tf.tensor2d(shard.eps, [n, model.spec.encoder.zDim]));
  const xHat = generate(model.gen, model.spec.generator, z, coords);
  return { xHat, mu: q.mu, logVar: q.logVar };
}

function dLoss(model: Model, shard: Shard, fake: tf.Tensor2D): tf.Scalar {
  const spec = model.spec.discriminator;
  const real = discriminate(model.disc, spec, shard.x, shard.groupSize);
  const faked = discriminate(model.disc, spec, fake, shard.groupSize);
  return tf.div(
    tf.mul(0.5, tf.add(tf.sum(bcePerExample(real, 1)), tf.sum(bcePerExample(faked, 0)))),
    shard.total,
  ) as tf.Scalar;
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
): Promise<ShardResult> {
  const total = shard.total;
  if (kind === "d-eval" || kind === "d") {
    const fake = tf.tidy(() => reconstruct(model, shard, coords).xHat);
    try {
      if (kind === "d-eval") {
        return {
          losses: { d: await scalar(tf.tidy(() => dLoss(model, shard, fake))) },
          grads: null,
        };
      }
      const params = model.disc;
      const { value, grads } = tf.variableGrads(
        () => dLoss(model, shard, fake),
        Object.values(params),
      );
      const flat = await flatten(Object.values(params).map((v) => grads[v.name]), into);
      tf.dispose(Object.values(grads));
      return { losses: { d: await scalar(value) }, grads: flat };
    } finally {
      fake.dispose();
    }
  }
  const params = vaeParams(model);
  const parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const r = reconstruct(model, shard, coords);
    const vae = tf.div(
      tf.sum(vaeLossPerImage(shard.x, r.xHat, r.mu, r.logVar)),
      total,
    ) as tf.Scalar;
    parts.push(tf.keep(vae));
    if (kind === "vae") return vae;
    const logits = discriminate(model.disc, model.spec.discriminator, r.xHat, shard.groupSize);
    const g = tf.div(tf.sum(bcePerExample(logits, 1)), total) as tf.Scalar;
    parts.push(tf.keep(g));
    return tf.add(g, vae) as tf.Scalar;
  }, Object.values(params));
  const flat = await flatten(Object.values(params).map((v) => grads[v.name]), into);
  const [vae, g] = await Promise.all(parts.map(async (t) => (await t.data())[0]));
  tf.dispose([value, ...parts, ...Object.values(grads)]);
  return { losses: kind === "vae" ? { vae } : { vae, g }, grads: flat };
}
