/**
 * Writes that never leave a half-written file behind: data goes to a
 * temporary file in the same folder, is flushed to disk, then renamed over
 * the target in one step.
 *
 * @module
 */
import { escapeText } from "./fs_safe.ts";
import { dirname, join } from "@std/path";

/** A temporary name next to `path`, unique to this process and call. */
export function tempPathFor(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? "file";
  const suffix = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  return join(dirname(path), `.${name}.tmp-${suffix}`);
}

/** A name {@linkcode tempPathFor} made, and the pid in it. */
const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/**
 * Whether process `pid` runs on this machine: `/proc` where it may be read
 * (Deno allows that only with every permission), else `kill -0`; true
 * where neither can tell.
 */
export function processRunning(pid: number): boolean {
  if (Deno.build.os === "windows") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
  }
  try {
    const probe = new Deno.Command("kill", {
      args: ["-0", String(pid)],
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    // another user's process answers "Operation not permitted": running
    return probe.success || !/no such process/i.test(new TextDecoder().decode(probe.stderr));
  } catch {
    return true; // no permission to run it, or no `kill`: cannot tell
  }
}

/**
 * Deletes the temporary files {@linkcode tempPathFor} left in `dir` (not
 * in sub-folders) by processes that are no longer running: an interrupted
 * or failed write. A missing `dir` is fine.
 *
 * @returns How many were deleted.
 */
export async function removeStaleTemps(dir: string): Promise<number> {
  let removed = 0;
  try {
    for await (const entry of Deno.readDir(dir)) {
      const pid = TEMP_NAME.exec(entry.name)?.[1];
      if (!entry.isFile || !pid || processRunning(Number(pid))) continue;
      await Deno.remove(join(dir, entry.name));
      removed++;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}

/**
 * A full disk (or quota) while writing `path` as one clear error naming
 * the file; any other error as it is.
 */
export function writeError(path: string, error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/os error (28|122)\b|ENOSPC|EDQUOT/.test(message)) {
    return new Error(`Cannot write "${path}": no space left on device`);
  }
  return error;
}

/** Writes `data` to `path` atomically (temp file, fsync, rename). */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const temp = tempPathFor(path);
  try {
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw writeError(path, error);
  }
}

/** Writes `value` as pretty JSON (with a final newline) atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** Reads and parses a JSON file, with an error that names the file. */
export async function readJson<T = unknown>(path: string): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read "${path}": no such file`);
    }
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(
      `Cannot read "${path}": not valid JSON (${
        escapeText(error instanceof Error ? error.message : String(error))
      })`,
    );
  }
}

/** Whether `path` exists (file, folder or link). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
