/**
 * The gallery's tiles as a batch job. `site --shard K/N` cuts the pyramids
 * of its share of the stills (the distinct stills, by SHA-256 of their
 * bytes, sorted; still i is shard i mod N's) into the shared tile folder,
 * the one an unsharded build uses, and marks itself done in
 * `<tiles>/shards/K-of-N.json` with the records of its pyramids. The next
 * `deno task site` ({@linkcode adoptTileShards}) checks that every shard
 * tiled the same stills with the same options and that every pyramid is
 * there, adds them to `tiles.json` (and deletes the marks), and builds
 * without tiling again: the
 * tiles and `tiles.json` are byte-identical to an unsharded build's.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, writeJsonAtomic } from "../base/atomic_write.ts";
import { removeInside, sha256Hex } from "../base/fs_safe.ts";
import {
  listSome,
  ownsItem,
  readShardMarks,
  rerunHint,
  type Shard,
  type ShardMark,
  writeShardMark,
} from "../base/shard.ts";
import {
  cutPyramid,
  DEFAULT_TILE_OPTIONS,
  dziInfoFor,
  parseDzi,
  pyramidSize,
  readTileManifest,
  sameOptions,
  tileDirName,
  tileManifestPath,
  type TileOptions,
  type TileRecord,
} from "./tiles.ts";

/** A tile shard's mark: its share of which stills, with which options, and its pyramids. */
interface TileShardMark extends ShardMark {
  options: TileOptions;
  /** The distinct stills the work was shared out from: how many, and a hash of their hashes. */
  stills: { count: number; digest: string };
  /** The pyramids of this shard's stills. */
  tiles: TileRecord[];
}

/** The distinct stills of `sources` by SHA-256 (sorted), each with its first path. */
async function distinctStills(sources: readonly string[]): Promise<{
  stills: { sha256: string; source: string }[];
  digest: string;
}> {
  const bySha = new Map<string, string>();
  for (const source of sources) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(source);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
      throw new Error(`Cannot tile "${source}": ${why}`);
    }
    const sha256 = await sha256Hex(bytes);
    if (!bySha.has(sha256)) bySha.set(sha256, source);
  }
  const shas = [...bySha.keys()].sort();
  return {
    stills: shas.map((sha256) => ({ sha256, source: bySha.get(sha256)! })),
    digest: (await sha256Hex(new TextEncoder().encode(shas.join("\n")))).slice(0, 16),
  };
}

/** What differs between a shard's mark and this run, or null if nothing. */
function markDiff(
  mark: TileShardMark,
  options: TileOptions,
  stills: { count: number; digest: string },
): string | null {
  if (!sameOptions(mark.options, options)) {
    const show = (o: TileOptions) => `${o.size} px ${o.format} q${o.quality} overlap ${o.overlap}`;
    return `tile options ${show(mark.options)} (this run: ${show(options)})`;
  }
  if (mark.stills.digest !== stills.digest) {
    return `another set of stills (${mark.stills.count}; this run: ${stills.count}): ` +
      "the gallery changed since";
  }
  return null;
}

/** Refuses when a shard's mark in `root` was made with other options or stills. */
async function checkMarks(
  root: string,
  options: TileOptions,
  stills: { count: number; digest: string },
  what: string,
  fix: string,
): Promise<TileShardMark[]> {
  const marks = await readShardMarks<TileShardMark>(root);
  for (const mark of marks) {
    const diff = markDiff(mark, options, stills);
    if (diff) {
      throw new Error(
        `${what}: shard ${mark.index}/${mark.count} was made with different settings: ${diff}; ${fix}`,
      );
    }
  }
  return marks;
}

/** What {@linkcode shardTiles} did. */
export interface TileShardResult {
  /** Distinct stills in the gallery. */
  stills: number;
  /** This shard's. */
  owned: number;
  /** Tiled now (the others' pyramids were already there). */
  made: number;
}

/**
 * Cuts the pyramids of shard `shard`'s stills into `root` (those already
 * there are kept) and marks the shard done. Shards run at once: nothing
 * else in `root` is touched.
 *
 * @param onTile called before each still that has to be tiled.
 */
export async function shardTiles(
  sources: readonly string[],
  root: string,
  shard: Shard,
  options: TileOptions = DEFAULT_TILE_OPTIONS,
  onTile?: (source: string, index: number, total: number) => void,
): Promise<TileShardResult> {
  const { stills, digest } = await distinctStills(sources);
  const summary = { count: stills.length, digest };
  const marks = await checkMarks(
    root,
    options,
    summary,
    `Cannot tile shard ${shard.index}/${shard.count} into ${root}`,
    `finish that job (deno task site) or delete ${join(root, "shards")} to start over`,
  );
  await Deno.mkdir(root, { recursive: true });
  const previous = await readTileManifest(root);
  // pyramids on disk are this job's, or the last build's if cut with these options
  const ours = new Set(marks.flatMap((m) => m.tiles.map((t) => t.sha256)));
  const trustAll = !previous || sameOptions(previous.options, options);
  const mine = stills.filter((_, i) => ownsItem(shard, i));
  const tiles: TileRecord[] = [];
  let made = 0;
  for (const [i, { sha256, source }] of mine.entries()) {
    let record = trustAll || ours.has(sha256)
      ? await existingPyramid(join(root, tileDirName(sha256)), sha256, source, options)
      : null;
    if (!record) {
      onTile?.(source, i, mine.length);
      const bytes = await Deno.readFile(source);
      record = await cutPyramid(root, { sha256, bytes, source }, options);
      made++;
    }
    tiles.push(record);
  }
  const mark: TileShardMark = {
    index: shard.index,
    count: shard.count,
    options: { ...options },
    stills: summary,
    tiles,
  };
  await writeShardMark(root, mark);
  return { stills: stills.length, owned: mine.length, made };
}

/**
 * The record of a complete pyramid already in `dir` (a folder appears only
 * complete) cut with `options`, or null.
 */
async function existingPyramid(
  dir: string,
  sha256: string,
  source: string,
  options: TileOptions,
): Promise<TileRecord | null> {
  let dzi;
  try {
    dzi = parseDzi(await Deno.readTextFile(join(dir, "image.dzi")));
  } catch {
    return null;
  }
  if (dzi.tileSize !== options.size || dzi.overlap !== options.overlap) return null;
  if (dzi.format !== options.format) return null;
  const { files, bytes } = await pyramidSize(dir);
  const info = dziInfoFor(dzi.width, dzi.height, options);
  return { sha256, dir: tileDirName(sha256), dzi: info, files, bytes, source };
}

/**
 * Before a build: when tile shards have marked `root` (or `required`), checks
 * that they tiled exactly these stills with `options` and that every
 * pyramid is there, then adds their records to `tiles.json` so the build
 * reuses them, and deletes the marks.
 *
 * @returns How many pyramids were adopted (0 without shards).
 * @throws naming the missing stills and the shards to run again, or the
 *   shard made with different settings.
 */
export async function adoptTileShards(
  sources: readonly string[],
  root: string,
  options: TileOptions = DEFAULT_TILE_OPTIONS,
  required = false,
): Promise<number> {
  const what = `Cannot finish the tiles in ${root}`;
  if (!(await exists(join(root, "shards")))) {
    if (!required) return 0;
    throw new Error(`${what}: no shard has finished there; run deno task site --shard K/N first`);
  }
  const { stills, digest } = await distinctStills(sources);
  const marks = await checkMarks(
    root,
    options,
    { count: stills.length, digest },
    what,
    "run the shards again with this gallery",
  );
  const records = new Map(marks.flatMap((m) => m.tiles).map((r) => [r.sha256, r]));
  const missing: number[] = [];
  for (const [i, { sha256 }] of stills.entries()) {
    const record = records.get(sha256);
    if (!record || !(await exists(join(root, record.dir, "image.dzi")))) missing.push(i);
  }
  if (missing.length > 0) {
    throw new Error(
      `${what}: ${missing.length} of ${stills.length} still(s) have no tiles (${
        listSome(missing.map((i) => stills[i].source))
      })${rerunHint(missing, marks, "still")}`,
    );
  }
  const previous = await readTileManifest(root);
  const tiles = previous && sameOptions(previous.options, options) ? previous.tiles : {};
  for (const record of records.values()) tiles[record.dir] = record;
  await writeJsonAtomic(tileManifestPath(root), { format: "cppn-tiles/1", options, tiles });
  await removeInside(root, join(root, "shards")); // the job is done: tiles.json has its work
  return records.size;
}
