/**
 * File helpers for generated output: deletions that refuse to leave the
 * output folder, hard links with a copy fallback, and content hashes.
 *
 * @module
 */
import { dirname, relative, resolve, SEPARATOR } from "@std/path";

/**
 * Whether `path` lies strictly inside `root` (not `root` itself), after
 * resolving both to absolute paths.
 */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${SEPARATOR}`) && !rel.startsWith("/") &&
    !/^[A-Za-z]:/.test(rel);
}

/**
 * Removes `path` (recursively) only if it lies strictly inside `root`;
 * a missing path is fine.
 *
 * @throws {Error} if `path` is not inside `root`: nothing is deleted.
 */
export async function removeInside(root: string, path: string): Promise<void> {
  if (!isInside(root, path)) {
    throw new Error(`Refusing to delete "${path}": it is not inside "${root}"`);
  }
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Makes `dest` a hard link to `src` (no bytes copied), or a copy where
 * links are not possible (another file system). Creates `dest`'s folder.
 *
 * @throws {Error} if `src` is not a regular file (a symbolic link could
 *   publish any file of the machine).
 */
export async function linkOrCopy(src: string, dest: string): Promise<void> {
  if (!(await Deno.lstat(src)).isFile) {
    throw new Error(`Refusing to copy "${escapeText(src)}": it is not a regular file`);
  }
  await Deno.mkdir(dirname(dest), { recursive: true });
  try {
    await Deno.link(src, dest);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      await Deno.remove(dest);
      return await linkOrCopy(src, dest);
    }
    if (error instanceof Deno.errors.NotFound) throw error;
    await Deno.copyFile(src, dest);
  }
}

/** The SHA-256 of `bytes` as 64 lowercase hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every file under `dir` (recursively), as paths relative to `dir` with `/`. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(sub: string): Promise<void> {
    const here = sub ? `${dir}/${sub}` : dir;
    for await (const entry of Deno.readDir(here)) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) await visit(rel);
      else out.push(rel);
    }
  }
  await visit("");
  return out.sort();
}

/**
 * `text` safe to print in a terminal: control characters (escape
 * sequences, carriage returns, bidirectional overrides) become visible
 * `\xNN` / `\uNNNN` escapes.
 */
export function escapeText(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Reads `path` only if it is a regular file: not a symbolic link (which
 * may point anywhere), a FIFO (which would block) or a device.
 *
 * @throws {Deno.errors.NotFound} if it is missing.
 * @throws {Error} "is not a regular file" otherwise.
 */
export async function readRegularFile(path: string): Promise<Uint8Array> {
  const info = await Deno.lstat(path);
  if (!info.isFile) throw new Error(`"${escapeText(path)}" is not a regular file`);
  return await Deno.readFile(path);
}
