/**
 * A run's best checkpoint: with `--eval-every`, each measured checkpoint
 * whose FD is lower than that of the copy kept so far is copied to the
 * run's `best/` folder, with its measurement as `quality.json`. A run that
 * trains past its best point, or stops after a blow-up, still has it;
 * `deno task export --best` publishes it.
 *
 * @module
 */
import {
  locateCheckpoint,
  parseJson,
  readVerified,
  replaceFolder,
} from "../base/checksummed_folder.ts";
import type { QualityEntry } from "./quality.ts";

/** The file of a `best/` folder that records its measurement. */
export const BEST_QUALITY_FILE = "quality.json";

/**
 * The measurement of the checkpoint kept in folder `best`, or null if none
 * is kept there (or the copy cannot be read: it is then replaced by the
 * next measured checkpoint).
 */
export async function bestQuality(best: string): Promise<QualityEntry | null> {
  try {
    const dir = await locateCheckpoint(best);
    const files = await readVerified(dir, [BEST_QUALITY_FILE]);
    return parseJson<QualityEntry>(dir, BEST_QUALITY_FILE, files.get(BEST_QUALITY_FILE)!);
  } catch {
    return null;
  }
}

/**
 * Copies the checkpoint folder `checkpoint` to `best` (replaced atomically)
 * if `entry`, its measurement, has a finite FD lower than the kept copy's.
 *
 * @returns Whether the copy was made.
 */
export async function keepIfBest(
  checkpoint: string,
  best: string,
  entry: QualityEntry,
): Promise<boolean> {
  if (!Number.isFinite(entry.fd)) return false;
  const kept = await bestQuality(best);
  if (kept && kept.fd <= entry.fd) return false;
  const files = await readVerified(await locateCheckpoint(checkpoint));
  await replaceFolder(best, {
    ...Object.fromEntries(files),
    [BEST_QUALITY_FILE]: JSON.stringify(entry, null, 2) + "\n",
  });
  return true;
}
