/**
 * Adam, as in TensorFlow 1 (the reference's optimiser), with its whole state
 * (moments and step count) readable and writable for checkpoints.
 *
 * ```
 * m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g²;   t += 1
 * w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
 * ```
 *
 * @module
 */
import { tf } from "./tf.ts";
import type { Params } from "./params.ts";

/** Adam's settings. */
export interface AdamOptions {
  /** Learning rate. */
  lr: number;
  /** Decay of the first moment (reference: 0.65). */
  beta1: number;
  /** Decay of the second moment (TensorFlow's default 0.999). */
  beta2?: number;
  /** Added to the denominator (TensorFlow's default 1e-8). */
  epsilon?: number;
}

/** An Adam optimiser over a fixed list of named variables. */
export class Adam {
  /** Updates applied so far. */
  step = 0;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** The variables it updates, by a unique name. */
  readonly vars: Params;
  /** First moments, one per variable. */
  readonly m: Params = {};
  /** Second moments, one per variable. */
  readonly v: Params = {};

  constructor(vars: Params, options: AdamOptions) {
    this.vars = vars;
    this.lr = options.lr;
    this.beta1 = options.beta1;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    for (const [name, v] of Object.entries(vars)) {
      this.m[name] = tf.variable(tf.zerosLike(v), false);
      this.v[name] = tf.variable(tf.zerosLike(v), false);
    }
  }

  /** Applies one update from gradients keyed like `vars` (missing: skipped). */
  apply(grads: Record<string, tf.Tensor>): void {
    this.step++;
    const t = this.step;
    const lrT = this.lr * Math.sqrt(1 - this.beta2 ** t) / (1 - this.beta1 ** t);
    tf.tidy(() => {
      for (const [name, variable] of Object.entries(this.vars)) {
        const g = grads[name];
        if (!g) continue;
        const m = tf.add(tf.mul(this.m[name], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(
          tf.mul(this.v[name], this.beta2),
          tf.mul(tf.square(g), 1 - this.beta2),
        );
        this.m[name].assign(m);
        this.v[name].assign(v);
        variable.assign(
          tf.sub(variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), lrT)),
        );
      }
    });
  }

  /** Frees the moment tensors (not the variables it updates). */
  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) {
      t.dispose();
    }
  }
}
