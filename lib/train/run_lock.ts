/**
 * One process per run: `train.lock` in the run's folder, created
 * atomically (it fails if the file exists) and removed when the process
 * ends, also on `Deno.exit`. A lock whose process is gone is reported,
 * never taken over silently.
 *
 * @module
 */
import { dirname, join } from "@std/path";
import { exists, processRunning } from "../base/atomic_write.ts";
import { FlagError } from "../base/flags.ts";
import { escapeText } from "../base/fs_safe.ts";
import { runPaths } from "../model/runs.ts";

/** The lock file's name inside a run's folder. */
export const LOCK_FILE = "train.lock";

/** What a lock file records. */
interface LockRecord {
  pid: number;
  host: string;
  started: string;
}

/** The error for a run that another process holds (or held). */
export class RunLocked extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunLocked";
  }
}

async function readLock(path: string): Promise<LockRecord | null> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return Number.isInteger(value?.pid) ? value : null;
  } catch {
    return null; // being written, or not ours: treated as held
  }
}

/** The error for an existing lock: held by a live process, or stale. */
async function lockedError(path: string, run: string): Promise<RunLocked> {
  const record = await readLock(path);
  const here = record?.host === Deno.hostname();
  if (record && here && !processRunning(record.pid)) {
    return new RunLocked(
      `Run "${run}" has a stale lock: process ${record.pid} (started ${
        escapeText(String(record.started))
      }) is no longer running. If no training uses this run, delete ${path} and retry`,
    );
  }
  const who = record
    ? `process ${record.pid}${here ? "" : ` on ${escapeText(String(record.host))}`}`
    : "another process";
  return new RunLocked(
    `Run "${run}" is in use by ${who} (lock ${path}): wait for it to finish, or pick another --run`,
  );
}

/** A held lock; {@linkcode RunLock.release} removes it. */
export class RunLock {
  #path: string;
  #held = true;
  #onUnload = () => this.release();

  private constructor(path: string) {
    this.#path = path;
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /**
   * Takes the lock of the run in folder `dir` (made if missing).
   *
   * @throws {RunLocked} if it exists: held by a live process, or stale.
   */
  static async acquire(dir: string, run: string): Promise<RunLock> {
    await Deno.mkdir(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, createNew: true });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) throw await lockedError(path, run);
      throw error;
    }
    const record: LockRecord = {
      pid: Deno.pid,
      host: Deno.hostname(),
      started: new Date().toISOString(),
    };
    try {
      await file.write(new TextEncoder().encode(JSON.stringify(record) + "\n"));
    } finally {
      file.close();
    }
    return new RunLock(path);
  }

  /** Removes the lock file (once), and the run's folder if nothing else is in it. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    globalThis.removeEventListener("unload", this.#onUnload);
    for (const path of [this.#path, dirname(this.#path)]) {
      try {
        Deno.removeSync(path); // a folder only if empty
      } catch {
        // gone already, or not empty
      }
    }
  }
}

/**
 * Locks run `run` under `out` for training. A new run (not `resume`) must
 * still not exist once locked: two new runs of one name cannot both start.
 *
 * @throws {RunLocked} if another process holds the run.
 * @throws {FlagError} if a new run's name was taken meanwhile.
 */
export async function lockRun(out: string, run: string, resume: boolean): Promise<RunLock> {
  const paths = runPaths(out, run);
  const lock = await RunLock.acquire(paths.dir, run);
  if (!resume && await exists(paths.config)) {
    lock.release();
    throw new FlagError(`Run "${run}" was just created by another process: pick another --run`);
  }
  return lock;
}
