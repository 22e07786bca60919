/**
 * A still rendered as a batch job. `render --shard K/N` renders bands of
 * `bandRows` rows (band b belongs to shard b mod N) into
 * `<out>/renders/NAME.bands/`: `band-00000.png`, ..., each written
 * atomically, `settings.json` (what every band is made with) and
 * `shards/K-of-N.json` once the shard's bands are on disk. The same command
 * without `--shard` (or with `--merge`) streams the bands into `NAME.png`,
 * one band in memory at a time (grey or RGB); the file is byte-identical to an unsharded
 * render. The bands do not depend on N, so shards of different N mix.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, readJson, removeStaleTemps, writeJsonAtomic } from "../base/atomic_write.ts";
import { sha256Hex } from "../base/fs_safe.ts";
import {
  listSome,
  readShardMarks,
  rerunHint,
  type Shard,
  type ShardMark,
  writeShardMark,
} from "../base/shard.ts";
import { readImage } from "../media/image.ts";
import { channelsOf } from "../model/generator.ts";
import { PngStreamWriter } from "../media/png_stream.ts";
import { type ModelSource, weightsIdentity } from "../model/source.ts";
import type { RenderEngine } from "../render/engine.ts";
import { renderToPng } from "../render/pool.ts";
import { DEFAULT_CHUNK_PIXELS, type ImageRequest } from "../render/renderer.ts";
import {
  planRender,
  refuseOverwrite,
  type RenderOptions,
  type RenderPlan,
  renderPlanned,
  type RenderRecord,
  writeRenderRecord,
} from "./still.ts";

/** The `format` of a band folder's `settings.json`. */
export const BANDS_FORMAT = "cppn-render-bands/1";

/** About this many bands by default: enough shares for a large cluster. */
const TARGET_BANDS = 256;

/** What every band of a sharded render is made with (`settings.json`). */
export interface BandSettings {
  format: typeof BANDS_FORMAT;
  width: number;
  height: number;
  /** Bytes per pixel: 1 (grey) or 3 (RGB, a colour model). */
  channels: number;
  /** Rows per band (the last band may have fewer). */
  bandRows: number;
  z: number[];
  view: { scale: number; center: [number, number] };
  invert: boolean;
  /** The `checksums.sha256` line of the generator weights ("" if unlisted). */
  generator: string;
}

/** A shard's mark: which share it finished, with which settings. */
interface BandMark extends ShardMark {
  /** Hash of the settings. */
  identity: string;
  settings: BandSettings;
}

/**
 * Rows per band by default: about {@linkcode TARGET_BANDS} bands, each a
 * whole number of the renderer's chunks of rows (so a band renders in the
 * same chunks as in a whole image).
 */
export function defaultBandRows(width: number, height: number): number {
  const chunkRows = Math.max(1, Math.floor(DEFAULT_CHUNK_PIXELS / width));
  const rows = Math.ceil(Math.ceil(height / TARGET_BANDS) / chunkRows) * chunkRows;
  return Math.min(height, rows);
}

/** How many bands a render has. */
export function bandCount(s: BandSettings): number {
  return Math.ceil(s.height / s.bandRows);
}

/** The file of band `b`: `band-00012.png`. */
export function bandName(b: number): string {
  return `band-${String(b).padStart(5, "0")}.png`;
}

/** The band folder of a render: `<out>/renders/NAME.bands`. */
export function bandsDir(plan: RenderPlan): string {
  return join(plan.dir, `${plan.name}.bands`);
}

/** The settings the bands of `plan` are made with. */
export async function bandSettings(
  plan: RenderPlan,
  source: ModelSource,
  bandRows?: number,
): Promise<BandSettings> {
  return {
    format: BANDS_FORMAT,
    width: plan.width,
    height: plan.height,
    channels: channelsOf(source.spec),
    bandRows: Math.min(plan.height, bandRows ?? defaultBandRows(plan.width, plan.height)),
    z: Array.from(plan.z),
    view: plan.view,
    invert: plan.invert,
    generator: await weightsIdentity(source),
  };
}

/** A short hash of band settings: equal settings, equal identity. */
export async function bandIdentity(s: BandSettings): Promise<string> {
  return (await sha256Hex(new TextEncoder().encode(JSON.stringify(s)))).slice(0, 12);
}

/** What differs between `theirs` and this run's settings `ours`, in flag terms. */
export function settingsDiff(theirs: BandSettings, ours: BandSettings): string {
  const parts: string[] = [];
  const differ = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  if (theirs.format !== ours.format) {
    parts.push(`format ${theirs.format} (this run: ${ours.format})`);
  }
  if (theirs.width !== ours.width || theirs.height !== ours.height) {
    parts.push(`--size ${theirs.width}x${theirs.height} (this run: ${ours.width}x${ours.height})`);
  }
  if (theirs.channels !== ours.channels) {
    parts.push(`${theirs.channels} channels (this run: ${ours.channels})`);
  }
  if (theirs.bandRows !== ours.bandRows) {
    parts.push(`--band-rows ${theirs.bandRows} (this run: ${ours.bandRows})`);
  }
  if (differ(theirs.z, ours.z)) parts.push("the latent vector (--digit, --seed or --z)");
  if (differ(theirs.view, ours.view)) {
    const v = (view: BandSettings["view"]) => `scale ${view.scale} at ${view.center.join(",")}`;
    parts.push(`view ${v(theirs.view)} (this run: ${v(ours.view)})`);
  }
  if (theirs.invert !== ours.invert) {
    parts.push(
      `--invert ${theirs.invert ? "on" : "off"} (this run: ${ours.invert ? "on" : "off"})`,
    );
  }
  if (theirs.generator !== ours.generator) parts.push("the model (--run or --model)");
  return parts.join(", ") || "unknown differences";
}

/** How a still is rendered: the engine, the model and, for a shard, which one. */
export interface StillContext {
  engine: RenderEngine;
  source: ModelSource;
  /** The command line, for the sidecar. */
  command: string;
  /** Render only this shard's bands. */
  shard: Shard | null;
  /** Called after each of the shard's bands (rendered or already on disk). */
  onBand?: (done: number, total: number) => void;
}

/** What {@linkcode renderStill} did. */
export interface StillResult {
  /** `shard`: this shard's bands are on disk; `skipped`: already merged. */
  status: "rendered" | "merged" | "skipped" | "shard";
  /** The PNG, or for a shard the band folder. */
  path: string;
  /** The sidecar (not for a shard). */
  record?: RenderRecord;
  /** For a shard: its bands, and how many it rendered now (the others were on disk). */
  bands?: { count: number; rendered: number };
}

/**
 * `deno task render`: with a shard, its bands; else the merge of the bands
 * when the band folder exists or `merge` is set; else the whole image.
 */
export async function renderStill(ctx: StillContext, o: RenderOptions): Promise<StillResult> {
  const plan = await planRender(ctx.source, o);
  if (!ctx.shard && !o.merge && !(await exists(bandsDir(plan)))) {
    const record = await renderPlanned(ctx.engine, ctx.source, plan, o.force, ctx.command);
    return { status: "rendered", path: plan.path, record };
  }
  const settings = await bandSettings(plan, ctx.source, o.bandRows);
  const identity = await bandIdentity(settings);
  if (ctx.shard) return await renderBands(ctx, plan, { settings, identity }, ctx.shard);
  return await mergeBands(ctx, plan, { settings, identity }, o.force);
}

interface Bands {
  settings: BandSettings;
  identity: string;
}

/** The `settings.json` in a band folder, or null if absent. */
async function readSettings(dir: string): Promise<BandSettings | null> {
  const path = join(dir, "settings.json");
  return await exists(path) ? await readJson<BandSettings>(path) : null;
}

/** Refuses when the band folder holds bands of other settings. */
async function checkSettings(dir: string, { settings, identity }: Bands, what: string) {
  const theirs = await readSettings(dir);
  if (theirs && (await bandIdentity(theirs)) !== identity) {
    throw new Error(
      `${what}: ${dir} holds bands made with different settings: ${
        settingsDiff(theirs, settings)
      }; use the same flags, or another --name`,
    );
  }
  return theirs;
}

/**
 * Renders the bands of `shard` that are not on disk yet, then marks the
 * shard done. A band file exists only complete, so a rerun keeps them.
 */
async function renderBands(
  ctx: StillContext,
  plan: RenderPlan,
  bands: Bands,
  shard: Shard,
): Promise<StillResult> {
  const dir = bandsDir(plan);
  const s = bands.settings;
  await Deno.mkdir(dir, { recursive: true });
  const what = `Cannot render shard ${shard.index}/${shard.count} of "${plan.name}"`;
  if (!(await checkSettings(dir, bands, what))) {
    await writeJsonAtomic(join(dir, "settings.json"), s);
  }
  const request: ImageRequest = {
    z: plan.z,
    width: s.width,
    height: s.height,
    view: plan.view,
    invert: plan.invert,
  };
  const mine: number[] = [];
  for (let b = shard.index; b < bandCount(s); b += shard.count) mine.push(b);
  let rendered = 0;
  for (const [i, b] of mine.entries()) {
    const path = join(dir, bandName(b));
    if (!(await exists(path))) {
      const rows: [number, number] = [b * s.bandRows, Math.min(s.height, (b + 1) * s.bandRows)];
      await renderToPng(ctx.engine, request, path, rows);
      rendered++;
    }
    ctx.onBand?.(i + 1, mine.length);
  }
  const mark: BandMark = {
    index: shard.index,
    count: shard.count,
    identity: bands.identity,
    settings: s,
  };
  await writeShardMark(dir, mark);
  return { status: "shard", path: dir, bands: { count: mine.length, rendered } };
}

/**
 * Streams every band into the PNG (one band in memory at a time) and
 * writes the sidecar. Refuses, naming them, when bands are missing or were
 * made with other settings; a render already merged from these bands is
 * skipped.
 */
async function mergeBands(
  ctx: StillContext,
  plan: RenderPlan,
  bands: Bands,
  force: boolean,
): Promise<StillResult> {
  const dir = bandsDir(plan);
  const s = bands.settings;
  const what = `Cannot merge render "${plan.name}"`;
  if (!(await exists(dir))) {
    throw new Error(`${what}: ${dir} does not exist; render its bands first (--shard K/N)`);
  }
  await checkSettings(dir, bands, what);
  const marks = await readShardMarks<BandMark>(dir);
  const other = marks.find((m) => m.identity !== bands.identity);
  if (other) {
    throw new Error(
      `${what}: shard ${other.index}/${other.count} was made with different settings: ${
        settingsDiff(other.settings, s)
      }`,
    );
  }
  const missing: number[] = [];
  for (let b = 0; b < bandCount(s); b++) {
    if (!(await exists(join(dir, bandName(b))))) missing.push(b);
  }
  if (missing.length > 0) {
    throw new Error(
      `${what}: ${missing.length} of ${bandCount(s)} band(s) missing in ${dir} (${
        listSome(missing.map(bandName))
      })${rerunHint(missing, marks, "band")}`,
    );
  }
  if (!force && (await exists(plan.path))) {
    const sidecar = join(plan.dir, `${plan.name}.json`);
    const old = await readJson<RenderRecord>(sidecar).catch(() => null);
    if (old?.sharded?.identity === bands.identity) {
      return { status: "skipped", path: plan.path, record: old };
    }
    await refuseOverwrite(plan, force);
  }
  await removeStaleTemps(plan.dir); // left by an interrupted or failed merge
  const t0 = performance.now();
  await streamBands(dir, s, plan.path);
  const record = await writeRenderRecord(
    plan,
    ctx.source,
    ctx.command,
    (performance.now() - t0) / 1000,
    {
      sharded: { identity: bands.identity, bands: bandCount(s), bandRows: s.bandRows },
    },
  );
  await removeStaleTemps(dir); // left by interrupted shards
  return { status: "merged", path: plan.path, record };
}

/** Writes the bands in `dir`, top to bottom, into one PNG at `path`. */
async function streamBands(dir: string, s: BandSettings, path: string): Promise<void> {
  const writer = await PngStreamWriter.create(path, s.width, s.height, s.channels);
  try {
    for (let b = 0; b < bandCount(s); b++) {
      const band = await readImage(join(dir, bandName(b)), s.channels);
      const rows = Math.min(s.height, (b + 1) * s.bandRows) - b * s.bandRows;
      if (band.width !== s.width || band.height !== rows) {
        throw new Error(
          `Cannot merge "${path}": ${join(dir, bandName(b))} is ${band.width}x${band.height}, ` +
            `expected ${s.width}x${rows}`,
        );
      }
      await writer.writeRows(band.pixels);
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close();
}
