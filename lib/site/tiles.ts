/**
 * The tiler: cuts stills into Deep Zoom (DZI) image pyramids with sharp,
 * incrementally. Each still's tiles live in a folder named by the SHA-256
 * of its PNG bytes (`<root>/<hash16>/image.dzi` and `image_files/`), so a
 * still whose content has not changed is never tiled again, a changed one
 * gets new URLs (safe to cache forever), and tiles no still uses any more
 * are deleted. A manifest (`<root>/tiles.json`) records what was made.
 *
 * Pyramids stop at the largest level that fits in one tile (`minLevel`):
 * the levels below it would be a handful of tiny files each, and the viewer
 * is told not to ask for them. See docs/gallery.md for the measurements behind
 * the defaults (512 px WebP tiles, overlap 1, quality 90).
 *
 * @module
 */
import sharp, { type Metadata } from "sharp";
import { join } from "@std/path";
import { readJson, writeError, writeJsonAtomic } from "../base/atomic_write.ts";
import { listFiles, removeInside, sha256Hex } from "../base/fs_safe.ts";

/** How tiles are cut and encoded. */
export interface TileOptions {
  /** Tile side in pixels, without the overlap. */
  size: number;
  /** Pixels each tile repeats from its neighbours on every inner edge. */
  overlap: number;
  /** Tile image format. */
  format: "webp" | "jpeg" | "png";
  /** Encoder quality (1-100) for WebP and JPEG. */
  quality: number;
}

/** The measured defaults (see docs/gallery.md): 512 px WebP at quality 90, overlap 1. */
export const DEFAULT_TILE_OPTIONS: Readonly<TileOptions> = Object.freeze({
  size: 512,
  overlap: 1,
  format: "webp",
  quality: 90,
});

/** A Deep Zoom pyramid's geometry, as a viewer needs it. */
export interface DziInfo {
  /** Full-resolution width in pixels. */
  width: number;
  /** Full-resolution height in pixels. */
  height: number;
  /** Tile side without overlap. */
  tileSize: number;
  /** Overlap in pixels. */
  overlap: number;
  /** Tile file extension (`webp`, `jpeg`, `png`). */
  format: string;
  /** The lowest level written: the largest one that fits in a single tile. */
  minLevel: number;
  /** The full-resolution level, `ceil(log2(max(width, height)))`. */
  maxLevel: number;
}

/** The DZI level of the full-resolution image: `ceil(log2(max(width, height)))`. */
export function maxLevelFor(width: number, height: number): number {
  if (!(width >= 1 && height >= 1)) throw new Error(`Invalid image size ${width}x${height}`);
  return Math.ceil(Math.log2(Math.max(width, height)));
}

/** Pixel size of `level` of an image (each level down halves, rounding up). */
export function levelSize(
  width: number,
  height: number,
  level: number,
): { width: number; height: number } {
  const scale = 2 ** (maxLevelFor(width, height) - level);
  return { width: Math.ceil(width / scale), height: Math.ceil(height / scale) };
}

/** The largest level of an image that fits in one tile of side `tileSize`. */
export function singleTileLevel(width: number, height: number, tileSize: number): number {
  let level = maxLevelFor(width, height);
  while (level > 0) {
    const s = levelSize(width, height, level);
    if (s.width <= tileSize && s.height <= tileSize) break;
    level--;
  }
  return level;
}

/** Columns and rows of tiles at `level`. */
export function levelGrid(info: DziInfo, level: number): { cols: number; rows: number } {
  const s = levelSize(info.width, info.height, level);
  return { cols: Math.ceil(s.width / info.tileSize), rows: Math.ceil(s.height / info.tileSize) };
}

/** The expected pixel size of tile `(col, row)` at `level`, overlap included. */
export function tilePixelSize(
  info: DziInfo,
  level: number,
  col: number,
  row: number,
): { width: number; height: number } {
  const s = levelSize(info.width, info.height, level);
  const span = (index: number, total: number) => {
    const start = Math.max(0, index * info.tileSize - info.overlap);
    const end = Math.min(total, (index + 1) * info.tileSize + info.overlap);
    return end - start;
  };
  return { width: span(col, s.width), height: span(row, s.height) };
}

/** The geometry of a pyramid for an image of this size, with `options`. */
export function dziInfoFor(width: number, height: number, options: TileOptions): DziInfo {
  return {
    width,
    height,
    tileSize: options.size,
    overlap: options.overlap,
    format: options.format,
    minLevel: singleTileLevel(width, height, options.size),
    maxLevel: maxLevelFor(width, height),
  };
}

/** The `.dzi` XML (Deep Zoom 2008 schema) for `info`. */
export function dziXml(info: DziInfo): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="${info.format}" ` +
    `Overlap="${info.overlap}" TileSize="${info.tileSize}">\n` +
    `  <Size Width="${info.width}" Height="${info.height}"/>\n` +
    `</Image>\n`;
}

/** The fields of a `.dzi` file. */
export interface DziFields {
  /** The `xmlns` of the root element. */
  xmlns: string;
  /** `Format`. */
  format: string;
  /** `Overlap`. */
  overlap: number;
  /** `TileSize`. */
  tileSize: number;
  /** `Size/@Width`. */
  width: number;
  /** `Size/@Height`. */
  height: number;
}

/** Reads the fields of a `.dzi` file (as written by sharp or {@link dziXml}). */
export function parseDzi(xml: string): DziFields {
  const attr = (element: string, name: string): string => {
    const tag = xml.match(new RegExp(`<${element}\\b([^>]*)>`, "s"));
    const value = tag?.[1].match(new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`));
    if (!value) throw new Error(`Invalid .dzi: <${element}> has no ${name} attribute`);
    return value[1];
  };
  const int = (element: string, name: string) => {
    const n = Number(attr(element, name));
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`Invalid .dzi: ${name}="${attr(element, name)}" is not an integer`);
    }
    return n;
  };
  return {
    xmlns: attr("Image", "xmlns"),
    format: attr("Image", "Format"),
    overlap: int("Image", "Overlap"),
    tileSize: int("Image", "TileSize"),
    width: int("Size", "Width"),
    height: int("Size", "Height"),
  };
}

/** The folder name of a pyramid: the first 16 hex digits of the PNG's SHA-256. */
export function tileDirName(sha256: string): string {
  return sha256.slice(0, 16);
}

/**
 * Cuts `png` into a pyramid in the new folder `dir` (`image.dzi` and
 * `image_files/LEVEL/COL_ROW.EXT`), levels `minLevel..maxLevel` only. The
 * work happens in a temporary folder next to `dir`, renamed into place at
 * the end, so `dir` is either complete or absent.
 *
 * @throws {Error} naming `label` if the bytes are not a readable image.
 */
export async function tileStill(
  png: Uint8Array,
  dir: string,
  options: TileOptions = DEFAULT_TILE_OPTIONS,
  label = dir,
): Promise<{ info: DziInfo; files: number; bytes: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(png).metadata();
  } catch (error) {
    throw new Error(
      `Cannot tile "${label}": not a readable image (${
        error instanceof Error ? error.message : error
      })`,
    );
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const info = dziInfoFor(width, height, options);
  const temp = `${dir}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(temp, { recursive: true });
  try {
    let image = sharp(png);
    // Greyscale stills (1 or 2 channels) stay one channel where the format allows.
    if ((meta.channels ?? 3) <= 2) image = image.toColourspace("b-w");
    if (meta.hasAlpha) image = image.flatten({ background: "#000000" });
    if (options.format === "webp") image = image.webp({ quality: options.quality });
    else if (options.format === "jpeg") {
      image = image.jpeg({ quality: options.quality, mozjpeg: true });
    } else image = image.png({ compressionLevel: 9, adaptiveFiltering: true });
    await image
      .tile({ size: options.size, overlap: options.overlap, layout: "dz", depth: "onepixel" })
      .toFile(join(temp, "image.dz"));
    const files = join(temp, "image_files");
    // libvips' metadata dump and the levels below the single-tile one are not served.
    await Deno.remove(join(files, "vips-properties.xml")).catch(() => {});
    for (let level = 0; level < info.minLevel; level++) {
      await Deno.remove(join(files, String(level)), { recursive: true });
    }
    await Deno.writeTextFile(join(temp, "image.dzi"), dziXml(info));
    const size = await pyramidSize(temp);
    await Deno.rename(temp, dir);
    return { info, ...size };
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw writeError(dir, error);
  }
}

/** How many files a pyramid folder holds, and their total size in bytes. */
export async function pyramidSize(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const rel of await listFiles(dir)) {
    files++;
    bytes += (await Deno.stat(join(dir, rel))).size;
  }
  return { files, bytes };
}

/** One pyramid in the tile manifest. */
export interface TileRecord {
  /** SHA-256 of the source PNG bytes. */
  sha256: string;
  /** Folder under the tile root ({@link tileDirName}). */
  dir: string;
  /** The pyramid's geometry. */
  dzi: DziInfo;
  /** Files written (tiles and the `.dzi`). */
  files: number;
  /** Their total size in bytes. */
  bytes: number;
  /** The source path it was last made from (informative). */
  source: string;
}

/**
 * Cuts the pyramid of one still into `<root>/<hash16>/` (replacing what is
 * there) and returns its manifest record.
 */
export async function cutPyramid(
  root: string,
  still: { sha256: string; bytes: Uint8Array; source: string },
  options: TileOptions,
): Promise<TileRecord> {
  const { sha256, bytes, source } = still;
  const name = tileDirName(sha256);
  await removeInside(root, join(root, name));
  const result = await tileStill(bytes, join(root, name), options, source);
  return { sha256, dir: name, dzi: result.info, files: result.files, bytes: result.bytes, source };
}

/** `<root>/tiles.json`: the pyramids on disk and the options they were cut with. */
export interface TileManifest {
  /** Always `cppn-tiles/1`. */
  format: "cppn-tiles/1";
  /** The options every pyramid below was made with. */
  options: TileOptions;
  /** Pyramids by folder name. */
  tiles: Record<string, TileRecord>;
}

/** What {@link syncTiles} did. */
export interface TileSyncResult {
  /** The pyramid of each source path given. */
  bySource: Map<string, TileRecord>;
  /** Source paths tiled now. */
  made: string[];
  /** Source paths whose pyramid was already there. */
  reused: string[];
  /** Folders deleted because no source uses them any more. */
  removed: string[];
  /** The manifest as written. */
  manifest: TileManifest;
}

/** The manifest file of a tile root. */
export function tileManifestPath(root: string): string {
  return join(root, "tiles.json");
}

/** The tile manifest of `root`, or null if missing or unreadable. */
export async function readTileManifest(root: string): Promise<TileManifest | null> {
  try {
    const data = await readJson<TileManifest>(tileManifestPath(root));
    return data?.format === "cppn-tiles/1" && data.tiles ? data : null;
  } catch {
    return null; // missing or corrupt: everything is re-made
  }
}

/** Whether two tile options cut the same tiles. */
export function sameOptions(a: TileOptions, b: TileOptions): boolean {
  return a.size === b.size && a.overlap === b.overlap && a.format === b.format &&
    a.quality === b.quality;
}

/**
 * Makes sure every PNG in `sources` has its pyramid under `root`, reusing
 * pyramids whose source bytes (SHA-256) and options are unchanged, and
 * deletes every other entry of `root` (stale pyramids, leftovers of an
 * interrupted run). `root` must be a folder that only the tiler writes.
 *
 * @param onTile called before each still that has to be tiled.
 */
export async function syncTiles(
  sources: readonly string[],
  root: string,
  options: TileOptions = DEFAULT_TILE_OPTIONS,
  onTile?: (source: string, index: number, total: number) => void,
): Promise<TileSyncResult> {
  await Deno.mkdir(root, { recursive: true });
  const previous = await readTileManifest(root);
  const known = previous && sameOptions(previous.options, options) ? previous.tiles : {};
  const manifest: TileManifest = { format: "cppn-tiles/1", options: { ...options }, tiles: {} };
  const bySource = new Map<string, TileRecord>();
  const made: string[] = [];
  const reused: string[] = [];
  const unique = [...new Set(sources)];
  const hashed: { source: string; bytes: Uint8Array; sha256: string }[] = [];
  for (const source of unique) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(source);
    } catch (error) {
      throw new Error(
        `Cannot tile "${source}": ${
          error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message
        }`,
      );
    }
    hashed.push({ source, bytes, sha256: await sha256Hex(bytes) });
  }
  const todo = hashed.filter(({ sha256 }) => {
    const record = known[tileDirName(sha256)];
    return !(record && record.sha256 === sha256);
  });
  let done = 0;
  for (const { source, bytes, sha256 } of hashed) {
    const name = tileDirName(sha256);
    let record = manifest.tiles[name] ?? known[name];
    const dir = join(root, name);
    const present = record?.sha256 === sha256 &&
      await Deno.stat(join(dir, "image.dzi")).then(() => true, () => false);
    if (present && record) {
      reused.push(source);
    } else {
      onTile?.(source, done++, todo.length);
      record = await cutPyramid(root, { sha256, bytes, source }, options);
      made.push(source);
    }
    manifest.tiles[name] = { ...record, source };
    bySource.set(source, manifest.tiles[name]);
  }
  const removed: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.name === "tiles.json" || manifest.tiles[entry.name]) continue;
    await removeInside(root, join(root, entry.name));
    removed.push(entry.name);
  }
  await writeJsonAtomic(tileManifestPath(root), manifest);
  return { bySource, made, reused, removed: removed.sort(), manifest };
}
