/**
 * The reference's balancing rules, which keep the GAN's two players level
 * while the VAE loss falls. Per batch: `vaeSteps` VAE updates; then up to
 * `gSteps` generator updates, stopping early once `g_loss < gStopBelow`;
 * then one discriminator update only if `d_loss > dTrainAbove` and
 * `g_loss < dTrainIfGBelow`.
 *
 * @module
 */

/** The thresholds and step counts of the balancing loop. */
export interface BalanceRules {
  /** VAE updates per batch (reference: 4). */
  vaeSteps: number;
  /** Most generator updates per batch (reference: 4). */
  gSteps: number;
  /** Stop the generator updates once `g_loss` is below this (0.6). */
  gStopBelow: number;
  /** Train D only if `d_loss` is above this (0.6) ... */
  dTrainAbove: number;
  /** ... and `g_loss` is below this (0.75). */
  dTrainIfGBelow: number;
}

/** The reference's rules. */
export const REFERENCE_BALANCE: BalanceRules = {
  vaeSteps: 4,
  gSteps: 4,
  gStopBelow: 0.6,
  dTrainAbove: 0.6,
  dTrainIfGBelow: 0.75,
};

/** Whether to stop the generator updates after one with this `g_loss`. */
export function generatorDone(gLoss: number, rules: BalanceRules): boolean {
  return gLoss < rules.gStopBelow;
}

/** Whether to give the discriminator an update this batch. */
export function shouldTrainDiscriminator(
  dLoss: number,
  gLoss: number,
  rules: BalanceRules,
): boolean {
  return dLoss > rules.dTrainAbove && gLoss < rules.dTrainIfGBelow;
}
