/**
 * Which images make up each batch: every epoch is a fresh shuffle of the
 * whole set (drawn from the seed and the epoch number, so any step's batch
 * can be recomputed after a resume), cut into whole batches.
 *
 * @module
 */
import { Rng } from "../base/rng.ts";
import { randomCrops } from "./crop.ts";
import type { ImageSet } from "./mnist.ts";

/** Maps a global step number to the indices of its batch. */
export class BatchSchedule {
  readonly count: number;
  readonly batch: number;
  readonly seed: number;
  /** Whole batches per epoch. */
  readonly stepsPerEpoch: number;
  #epoch = -1;
  #order: Uint32Array = new Uint32Array(0);

  constructor(count: number, batch: number, seed: number) {
    if (batch > count) {
      throw new Error(`--batch ${batch} is larger than the data set (${count} images)`);
    }
    this.count = count;
    this.batch = batch;
    this.seed = seed;
    this.stepsPerEpoch = Math.floor(count / batch);
  }

  /** The epoch a step belongs to. */
  epochOf(step: number): number {
    return Math.floor(step / this.stepsPerEpoch);
  }

  /** The image indices of batch `step` (0-based). */
  indices(step: number): Uint32Array {
    const epoch = this.epochOf(step);
    if (epoch !== this.#epoch) {
      this.#order = new Rng(this.seed, `shuffle/${epoch}`).permutation(this.count);
      this.#epoch = epoch;
    }
    const start = (step % this.stepsPerEpoch) * this.batch;
    return this.#order.subarray(start, start + this.batch);
  }
}

/**
 * The classes of the images at `indices`, one-hot: `[indices.length,
 * classes]` flattened.
 */
export function oneHotLabels(
  labels: Uint8Array,
  indices: ArrayLike<number>,
  classes: number,
): Float32Array {
  const out = new Float32Array(indices.length * classes);
  for (let i = 0; i < indices.length; i++) {
    const label = labels[indices[i]];
    if (label >= classes) {
      throw new Error(`Image ${indices[i]} has label ${label}; the class head has ${classes}`);
    }
    out[i * classes + label] = 1;
  }
  return out;
}

/**
 * One training batch: random crops of the images at `indices` and, where
 * the discriminator has a class head (`classes` > 0), their one-hot labels.
 *
 * @returns `x`: `[indices.length, size * size * channels]` flattened;
 *   `labels`: `[indices.length, classes]` flattened, or null without a head.
 */
export function trainingBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  size: number,
  rng: Rng,
  classes: number,
): { x: Float32Array; labels: Float32Array | null } {
  const x = randomCrops(set, indices, size, rng);
  if (classes === 0) return { x, labels: null };
  if (!set.labels) throw new Error("The discriminator's class head needs the images' labels");
  return { x, labels: oneHotLabels(set.labels, indices, classes) };
}
