/**
 * Logs of a run kept as JSON lines, one per step it was written at
 * (`log.jsonl`, `quality.jsonl`): read back up to a checkpoint's step when
 * a run resumes, so that nothing after the checkpoint is repeated.
 *
 * @module
 */
import { exists, writeFileAtomic } from "./atomic_write.ts";

/**
 * The entries of a JSON-lines log with `step <= upToStep`; a missing file
 * is an empty log, and unreadable lines (a line cut short by a crash) are
 * skipped.
 */
export async function readStepLog<T extends { step: number }>(
  path: string,
  upToStep: number,
): Promise<T[]> {
  if (!(await exists(path))) return [];
  const entries: T[] = [];
  for (const line of (await Deno.readTextFile(path)).split("\n")) {
    try {
      const entry = JSON.parse(line) as T;
      if (entry.step <= upToStep) entries.push(entry);
    } catch {
      // an empty line, or a line cut short by a crash: skip it
    }
  }
  return entries;
}

/** Replaces a JSON-lines log with `entries` (atomically). */
export async function writeStepLog(path: string, entries: { step: number }[]): Promise<void> {
  await writeFileAtomic(path, entries.map((e) => JSON.stringify(e) + "\n").join(""));
}

/** Appends one entry to a JSON-lines log. */
export async function appendStepLog(path: string, entry: { step: number }): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(entry) + "\n", { append: true });
}
