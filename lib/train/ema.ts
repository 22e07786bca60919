/**
 * An exponential moving average of the encoder + generator weights
 * (Polyak averaging): the copy that samples, renders, evaluations and
 * exports use. GAN training makes the weights wander from step to step;
 * their average draws better digits than any single step's weights (on
 * this project's GAN + VAE run, three checkpoints 5 minutes apart scored
 * FD 57.6, 49.4 and 61.9; the average of their weights scored 46.4).
 *
 * ```
 * d = min(decay, (1 + n) / (10 + n))      n: training steps so far (a warm-up)
 * ema = d ema + (1 - d) w
 * ```
 *
 * @module
 */

/** A moving average over a flat vector of weights, updated once per training step. */
export class Ema {
  /** The averaged weights. */
  readonly values: Float32Array;
  /** The long-run decay per update (e.g. 0.998: an average over about 500 steps). */
  decay: number;
  /** Updates so far (the training step, for an average kept from a run's start). */
  updates: number;

  constructor(values: Float32Array, decay: number, updates = 0) {
    this.values = values;
    this.decay = decay;
    this.updates = updates;
  }

  /**
   * An average that starts at a copy of `weights`, `updates` steps into
   * its warm-up (the training step it starts at).
   */
  static of(weights: Float32Array, decay: number, updates = 0): Ema {
    return new Ema(weights.slice(), decay, updates);
  }

  /** The decay the next update uses (lower during the warm-up). */
  rate(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  /** Moves the average towards `weights`. */
  update(weights: Float32Array): void {
    const { values } = this;
    if (weights.length !== values.length) {
      throw new Error(`An average of ${values.length} weights got ${weights.length}`);
    }
    const d = this.rate();
    for (let i = 0; i < values.length; i++) values[i] = d * values[i] + (1 - d) * weights[i];
    this.updates++;
  }
}
