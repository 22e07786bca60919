/**
 * Reads MNIST-format IDX files (optionally gzipped) and checks them: magic
 * number, dimensions, and that the file holds exactly the bytes it claims;
 * and encodes them.
 *
 * @module
 */

/** A parsed IDX file of unsigned bytes. */
export interface IdxData {
  /** Dimensions, e.g. `[60000, 28, 28]` for images, `[60000]` for labels. */
  dims: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * The bytes of an IDX file of unsigned bytes: magic `0x0000080N` (N = the
 * rank), each dimension as a big-endian uint32, then the values row-major.
 *
 * @throws {Error} if `data` does not hold exactly the values `dims` needs.
 */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new Error(`IDX data of ${data.length} bytes does not match dims ${dims.join("x")}`);
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, header);
  return out;
}

/**
 * Parses the bytes of an IDX file of unsigned bytes.
 *
 * @param bytes The file's contents (already gunzipped).
 * @param name The file's name, used in error messages.
 * @param rank The expected number of dimensions (3 for images, 1 for labels).
 */
export function parseIdx(bytes: Uint8Array, name: string, rank: number): IdxData {
  const fail = (what: string) => {
    throw new Error(`Cannot read IDX file "${name}": ${what}`);
  };
  if (bytes.length < 4 + 4 * rank) {
    fail(`file is truncated (${bytes.length} bytes, too short for a header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expected = (UBYTE << 8) | rank;
  if (magic !== expected) {
    fail(
      `bad magic number 0x${magic.toString(16).padStart(8, "0")} ` +
        `(expected 0x${expected.toString(16).padStart(8, "0")}: unsigned bytes, ${rank} dimension${
          rank > 1 ? "s" : ""
        })`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  if (dims.some((d) => d === 0)) fail(`a dimension is 0 (${dims.join("x")})`);
  const header = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < header + size) {
    fail(
      `file is truncated (${bytes.length} bytes; ${dims.join("x")} needs ${header + size})`,
    );
  }
  if (bytes.length > header + size) {
    fail(
      `file has ${bytes.length - header - size} unexpected bytes after ${dims.join("x")} values`,
    );
  }
  return { dims, data: bytes.subarray(header, header + size) };
}

/** Reads a file, gunzipping it if its name ends in `.gz`. */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  if (!path.endsWith(".gz")) return bytes;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(
      `Cannot read IDX file "${path}": not valid gzip (${
        error instanceof Error ? error.message : error
      })`,
    );
  }
}

/** Reads and parses an IDX file (plain or `.gz`). */
export async function readIdx(path: string, rank: number): Promise<IdxData> {
  return parseIdx(await readMaybeGzip(path), path, rank);
}
