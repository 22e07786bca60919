/**
 * Folders of files with a SHA-256 checksum of each, listed in
 * `checksums.sha256` (`sha256sum -c` format): checkpoints, exported models
 * and the classifier are such folders.
 *
 * A folder is replaced as a whole: written as `DIR.tmp`, then swapped in
 * with two renames (the old one is kept as `DIR.prev` until the swap is
 * done), so a crash at any moment leaves a complete folder. Reading
 * verifies every checksum and refuses a folder that does not match.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, writeFileAtomic } from "./atomic_write.ts";
import { escapeText, listFiles, readRegularFile, sha256Hex } from "./fs_safe.ts";

/**
 * The error for a checkpoint (or another folder of checksummed files, named
 * by `kind`) that cannot be used.
 */
export class CheckpointError extends Error {
  constructor(dir: string, what: string, kind = "checkpoint") {
    super(`Cannot read ${kind} "${dir}": ${what}`);
    this.name = "CheckpointError";
  }
}

/** The bytes of `values` (float32 little-endian), without a copy. */
export function floatBytes(values: Float32Array): Uint8Array {
  // float32 little-endian on every platform Deno runs on.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Writes files into `dir` and their checksums as `checksums.sha256`. */
export async function writeWithChecksums(
  dir: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  const lines: string[] = [];
  for (const [name, data] of Object.entries(files)) {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await writeFileAtomic(join(dir, name), bytes);
    lines.push(`${await sha256Hex(bytes)}  ${name}`);
  }
  await writeFileAtomic(join(dir, "checksums.sha256"), lines.join("\n") + "\n");
}

/**
 * Writes `files` and their `checksums.sha256` as the folder `dir`,
 * atomically: into `dir.tmp`, then swapped in with two renames (the old
 * folder is kept as `dir.prev` until the swap is done).
 */
export async function replaceFolder(
  dir: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  const temp = `${dir}.tmp`;
  const previous = `${dir}.prev`;
  await Deno.remove(temp, { recursive: true }).catch(() => {});
  await Deno.mkdir(temp, { recursive: true });
  await writeWithChecksums(temp, files);
  if (await exists(dir)) {
    await Deno.remove(previous, { recursive: true }).catch(() => {});
    await Deno.rename(dir, previous);
  }
  await Deno.rename(temp, dir);
  await Deno.remove(previous, { recursive: true }).catch(() => {});
}

/**
 * The first file in folder `dir` that its `checksums.sha256` does not list
 * (nor `extra` names), or null: a folder this project wrote holds only
 * listed files, so one that holds anything else must not be replaced. A
 * missing or empty folder has none; a file where the folder should be is
 * itself reported.
 */
export async function unlistedFile(
  dir: string,
  extra: readonly string[] = [],
): Promise<string | null> {
  if (!(await exists(dir))) return null;
  if (!(await Deno.lstat(dir)).isDirectory) return dir;
  const listing = await readChecksums(dir).catch(() => null);
  const known = (name: string) =>
    name === "checksums.sha256" || extra.includes(name) || (listing?.has(name) ?? false);
  return (await listFiles(dir)).find((name) => !known(name)) ?? null;
}

/**
 * Finds the checkpoint folder to read: `dir`, or `dir.prev` if a save was
 * interrupted between its two renames.
 */
export async function locateCheckpoint(dir: string): Promise<string> {
  if (await exists(join(dir, "checksums.sha256"))) return dir;
  if (await exists(join(`${dir}.prev`, "checksums.sha256"))) return `${dir}.prev`;
  if (await exists(dir)) {
    throw new CheckpointError(dir, "checksums.sha256 is missing");
  }
  throw new CheckpointError(dir, "no such folder");
}

/**
 * The `checksums.sha256` of folder `dir` as file name -> SHA-256 hex, or
 * null if it has none (`kind` names the folder in errors).
 */
export async function readChecksums(
  dir: string,
  kind = "checkpoint",
): Promise<Map<string, string> | null> {
  let listing: string;
  try {
    listing = new TextDecoder().decode(await readRegularFile(join(dir, "checksums.sha256")));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new CheckpointError(dir, "checksums.sha256 is not a regular file", kind);
  }
  const sums = new Map<string, string>();
  for (const line of listing.split("\n")) {
    if (!line.trim()) continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) {
      throw new CheckpointError(
        dir,
        `checksums.sha256 has a bad line "${escapeText(line.slice(0, 200))}"`,
        kind,
      );
    }
    if (!/^[\w.-]+$/.test(match[2]) || match[2] === "." || match[2] === "..") {
      throw new CheckpointError(
        dir,
        `checksums.sha256 names "${escapeText(match[2])}", which is not a file of this folder`,
        kind,
      );
    }
    sums.set(match[2], match[1]);
  }
  return sums;
}

/**
 * Adds (or updates) the checksums of files `names`, already written in
 * `dir`, to its `checksums.sha256`, keeping the other lines.
 */
export async function addChecksums(dir: string, names: string[]): Promise<void> {
  const sums = await readChecksums(dir) ?? new Map<string, string>();
  for (const name of names) sums.set(name, await sha256Hex(await Deno.readFile(join(dir, name))));
  const lines = [...sums].map(([name, hash]) => `${hash}  ${name}`);
  await writeFileAtomic(join(dir, "checksums.sha256"), lines.join("\n") + "\n");
}

/**
 * Reads the files of a checkpoint and verifies their checksums.
 *
 * @param names The files wanted (all listed ones are verified if omitted).
 * @param kind What the folder is, for error messages ("checkpoint").
 * @returns Their bytes by name.
 */
export async function readVerified(
  dir: string,
  names?: string[],
  kind = "checkpoint",
): Promise<Map<string, Uint8Array>> {
  const fail = (what: string) => new CheckpointError(dir, what, kind);
  const expected = await readChecksums(dir, kind);
  if (!expected) throw fail("checksums.sha256 is missing");
  const out = new Map<string, Uint8Array>();
  for (const name of names ?? [...expected.keys()]) {
    const hash = expected.get(name);
    if (!hash) throw fail(`${name} is not in checksums.sha256`);
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(join(dir, name));
    } catch (error) {
      throw fail(
        `${name} ${error instanceof Deno.errors.NotFound ? "is missing" : "is not a regular file"}`,
      );
    }
    if (await sha256Hex(bytes) !== hash) {
      throw fail(
        `${name} does not match its checksum (the file is corrupt, truncated or was changed)`,
      );
    }
    out.set(name, bytes);
  }
  return out;
}

/** Parses the JSON file `name` of folder `dir` (`kind` names it in errors). */
export function parseJson<T>(dir: string, name: string, bytes: Uint8Array, kind = "checkpoint"): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new CheckpointError(dir, `${name} is not valid JSON`, kind);
  }
}

/**
 * The float32 values of the `.bin` file `name`, which must hold exactly
 * `count` of them (`kind` names the folder in errors).
 */
export function floatsOf(
  dir: string,
  name: string,
  bytes: Uint8Array,
  count: number,
  kind = "checkpoint",
): Float32Array {
  if (bytes.byteLength !== count * 4) {
    throw new CheckpointError(
      dir,
      `${name} holds ${bytes.byteLength} bytes, expected ${count * 4} (file is truncated)`,
      kind,
    );
  }
  return new Float32Array(bytes.slice().buffer);
}
