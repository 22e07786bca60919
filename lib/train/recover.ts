/**
 * Recovery from a blown-up run: when training stops with
 * {@linkcode TrainingDiverged} (a NaN loss, or a VAE loss risen past
 * `--max-loss-rise`), the run goes back to its last checkpoint, which was
 * saved before the blow-up, and goes on at a third of its learning rates,
 * up to `config.recoveries` times. The lowered rates are saved in the
 * run's `config.json`, so a later `--resume` keeps them.
 *
 * @module
 */
import { lowerRates, type TrainConfig } from "./config.ts";
import { train, type TrainEvents, TrainingDiverged, type TrainOutcome } from "./loop.ts";

/** The function that trains a run (the loop's {@linkcode train}; tests pass their own). */
export type TrainFn = (config: TrainConfig, events: TrainEvents) => Promise<TrainOutcome>;

/**
 * Trains the run as {@linkcode train} does, going back to the last
 * checkpoint at lower learning rates after a blow-up (`events.onRecover`
 * says so). It stops with the error after `config.recoveries` recoveries,
 * or at once if no checkpoint was saved yet; the last checkpoint is kept.
 *
 * @throws {TrainingDiverged} when the run cannot recover.
 */
export async function trainWithRecovery(
  config: TrainConfig,
  events: TrainEvents = {},
  trainFn: TrainFn = train,
): Promise<TrainOutcome> {
  let current = config;
  for (let attempt = 1;; attempt++) {
    try {
      return await trainFn(current, events);
    } catch (error) {
      if (!(error instanceof TrainingDiverged)) throw error;
      if (error.checkpointStep === 0 || attempt > config.recoveries) throw error;
      current = { ...current, ...lowerRates(current), resume: true };
      await events.onRecover?.({
        attempt,
        fromStep: error.checkpointStep,
        reason: error.message,
        config: current,
      });
    }
  }
}
