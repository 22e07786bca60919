/**
 * Renders one latent walk into `<out>/walks/ID/`: keyframe stills, PNG
 * frames streamed into an MP4 as they are rendered, a contact sheet, and
 * `walk.json` describing everything. An interrupted walk resumes where it
 * stopped (finished stills and frames are reused); a finished one is
 * skipped; nothing is overwritten without `force`.
 *
 * With a shard (`--shard K/N`) only the stills and frames i with
 * i mod N = K are rendered, into the same folder, and the shard marks itself
 * done in `shards/`; the run without a shard then finishes the walk from the
 * frames on disk (and refuses if any is missing).
 *
 * @module
 */
import { join } from "@std/path";
import { exists, readJson, removeStaleTemps, writeJsonAtomic } from "../base/atomic_write.ts";
import { checkName } from "../base/flags.ts";
import {
  listSome,
  ownsItem,
  readShardMarks,
  rerunHint,
  type Shard,
  type ShardMark,
  writeShardMark,
} from "../base/shard.ts";
import type { View } from "../model/coords.ts";
import { type FfmpegFound, Mp4Encoder, NO_FFMPEG_HINT } from "../media/ffmpeg.ts";
import { encodeLoop, GIF_WARN_BYTES, type VideoFormat } from "../media/loops.ts";
import { removeInside, sha256Hex } from "../base/fs_safe.ts";
import { readImage } from "../media/image.ts";
import { type Keyframe, keyframeChoice, listImages, resolveKeyframes } from "./keyframes.ts";
import { isDigitModel } from "../model/generator.ts";
import { type ModelSource, weightsIdentity } from "../model/source.ts";
import { writeGreyPng } from "../media/png_stream.ts";
import type { ImageRequest } from "../render/renderer.ts";
import { renderToPng } from "../render/pool.ts";
import type { RenderEngine } from "../render/engine.ts";
import { type Easing, EASINGS, framePosition, walkLatent } from "./walk_math.ts";
import { zoomView } from "./camera.ts";
import { FlagError } from "../base/flags.ts";
import type { WalkSettings } from "./walk_config.ts";

/** `walk.json`: everything about a walk, enough to reproduce it. */
export interface WalkRecord {
  format: "cppn-walk/1";
  id: string;
  created: string;
  complete: boolean;
  /** Hash of everything that decides the pixels. */
  identity: string;
  model: Omit<ModelSource, "checkpoint"> & { checkpoint: string };
  keyframes: {
    label: string;
    digit: number | null;
    testIndex: number | null;
    z: number[];
    still: string;
  }[];
  settings: {
    steps: number;
    fps: number;
    width: number;
    height: number;
    stillWidth: number;
    stillHeight: number;
    interp: string;
    ease: string;
    loop: boolean;
    scale: number;
    center: [number, number];
    invert: boolean;
    seed: number;
    /** The view of each keyframe, when the camera follows the keyframes. */
    camera?: View[];
    /** The view the walk zooms to over its frames. */
    zoomTo?: View;
  };
  /** `views`: the scale and centre of each frame, when the camera moves. */
  frames: { count: number; dir: string; views?: View[] };
  /** The MP4, when written. */
  video: string | null;
  /** Loops for sharing, when asked for: `walk.webm`, `walk.gif`. */
  loops?: { webm?: string; gif?: string };
  contact: string;
  command: string;
  timings: {
    total_s: number;
    render_s: number;
    png_s: number;
    video_s: number;
    frames_rendered: number;
    frames_reused: number;
  } | null;
}

/** What the caller provides for every walk of a batch. */
export interface WalkContext {
  pool: RenderEngine;
  source: ModelSource;
  ffmpeg: FfmpegFound | null;
  out: string;
  force: boolean;
  /** The command line that reproduces the walk. */
  command: string;
  /** Called after each frame. */
  onFrame?(done: number, total: number): void;
  /** Progress messages for people. */
  onMessage?(text: string): void;
  /** Render only this shard's stills and frames, no video or contact sheet. */
  shard?: Shard | null;
  /** Finish a sharded walk: every frame must be on disk already. */
  merge?: boolean;
}

/** How a walk ended. */
export interface WalkResult {
  status: "rendered" | "resumed" | "skipped" | "shard";
  dir: string;
  record: WalkRecord;
}

/** Frame file name: `000042.png`. */
export function frameName(index: number): string {
  return `${String(index).padStart(6, "0")}.png`;
}

/** Lays out equally sized 8-bit thumbnails (`c` bytes per pixel) in a grid with 4 px gaps. */
function byteGrid(tiles: Uint8Array[], w: number, h: number, cols: number, c: number): {
  width: number;
  height: number;
  pixels: Uint8Array;
} {
  const gap = 4;
  const rows = Math.ceil(tiles.length / cols);
  const width = cols * w + (cols + 1) * gap, height = rows * h + (rows + 1) * gap;
  const pixels = new Uint8Array(width * height * c).fill(128);
  tiles.forEach((tile, n) => {
    const ox = gap + (n % cols) * (w + gap), oy = gap + Math.floor(n / cols) * (h + gap);
    for (let y = 0; y < h; y++) {
      pixels.set(tile.subarray(y * w * c, (y + 1) * w * c), ((oy + y) * width + ox) * c);
    }
  });
  return { width, height, pixels };
}

/**
 * Renders (or resumes, or skips) one walk.
 *
 * @throws if the walk's folder holds a different walk (or is a file) and
 *   `force` is not set.
 */
export async function renderWalk(ctx: WalkContext, s: WalkSettings): Promise<WalkResult> {
  const t0 = performance.now();
  const plan = await planWalk(ctx, s);
  const { dir, recordPath } = plan;
  const found = await openWalkFolder(ctx, plan);
  if (found.status === "skipped") {
    // loops asked for since the walk was finished (never by a shard)
    if (!ctx.shard && await encodeLoops(ctx, s, dir, found.record)) {
      await writeJsonAtomic(recordPath, found.record);
    }
    return { status: "skipped", dir, record: found.record };
  }
  await Deno.mkdir(join(dir, "frames"), { recursive: true });
  await Deno.mkdir(join(dir, "stills"), { recursive: true });
  const record = newRecord(ctx, plan, found.created);
  const shard = ctx.shard ?? null;
  const seconds = { render: 0, png: 0, video: 0 };
  const job: WalkJob = { ctx, s, plan, record, seconds, shard, merging: false };
  if (shard) return await renderShard(job, shard);
  // what an interrupted or failed write left behind (no shard is running now)
  for (const sub of ["", "frames", "stills"]) await removeStaleTemps(join(dir, sub));
  job.merging = ctx.merge === true || (await readShardMarks(dir)).length > 0;
  if (job.merging) await checkAllFrames(job);
  await writeJsonAtomic(recordPath, record);

  await renderStills(job);
  const frames = await renderFrames(job);
  await renderContactSheet(job);
  const t1 = performance.now();
  await encodeLoops(ctx, s, dir, record);
  job.seconds.video += (performance.now() - t1) / 1000;
  record.complete = true;
  record.timings = {
    total_s: (performance.now() - t0) / 1000,
    render_s: job.seconds.render,
    png_s: job.seconds.png,
    video_s: job.seconds.video,
    frames_rendered: frames.rendered,
    frames_reused: frames.reused,
  };
  await writeJsonAtomic(recordPath, record);
  return { status: found.status, dir, record };
}

/** What a walk is: its keyframes, view, settings, identity and folder. */
interface WalkPlan {
  keys: Keyframe[];
  view: View;
  settings: WalkRecord["settings"];
  identity: string;
  id: string;
  dir: string;
  recordPath: string;
}

/** A walk being rendered, and the seconds spent in each kind of work. */
interface WalkJob {
  ctx: WalkContext;
  s: WalkSettings;
  plan: WalkPlan;
  record: WalkRecord;
  seconds: { render: number; png: number; video: number };
  /** Only this shard's share is rendered. */
  shard: Shard | null;
  /** Finishing a sharded walk: nothing may be missing. */
  merging: boolean;
}

/** Resolves a walk's keyframes and settings, and derives its identity and folder. */
async function planWalk(ctx: WalkContext, s: WalkSettings): Promise<WalkPlan> {
  const { source } = ctx;
  const spec = source.spec;
  const images = s.images === undefined ? undefined : await listImages(s.images);
  const choice = keyframeChoice({ ...s, images }, isDigitModel(spec));
  const keys: Keyframe[] = await resolveKeyframes(choice, source.checkpoint, spec.zDim, s.seed);
  const view: View = { scale: s.scale ?? spec.scale, center: s.center };
  const [width, height] = s.size, [stillWidth, stillHeight] = s.stillSize;
  const settings: WalkRecord["settings"] = {
    steps: s.steps,
    fps: s.fps,
    width,
    height,
    stillWidth,
    stillHeight,
    interp: s.interp,
    ease: s.ease,
    loop: s.loop,
    scale: view.scale,
    center: view.center,
    invert: s.invert,
    seed: s.seed,
    ...cameraSettings(s, view, keys.length),
  };
  const generatorSum = await weightsIdentity(source);
  const identity = (await sha256Hex(new TextEncoder().encode(JSON.stringify({
    generatorSum,
    z: keys.map((k) => Array.from(k.z)),
    settings,
  })))).slice(0, 12);
  const prefix = choice.kind === "digits"
    ? `d${choice.digits.join("")}`.slice(0, 24)
    : choice.kind === "random"
    ? `random${choice.count}`
    : choice.kind === "images"
    ? "images"
    : "z";
  const id = checkName(s.id ?? `${prefix}-${identity.slice(0, 8)}`, "walk id");
  const dir = join(ctx.out, "walks", id);
  return { keys, view, settings, identity, id, dir, recordPath: join(dir, "walk.json") };
}

/**
 * Looks at the walk's folder: a new walk, the same walk to resume or skip,
 * or (without `force`) something else, which is an error.
 */
async function openWalkFolder(
  ctx: WalkContext,
  { id, dir, recordPath, identity }: WalkPlan,
): Promise<
  { status: "rendered" | "resumed"; created: string } | { status: "skipped"; record: WalkRecord }
> {
  const created = new Date().toISOString();
  if (!(await exists(dir))) return { status: "rendered", created };
  const info = await Deno.stat(dir);
  if (!info.isDirectory) {
    throw new Error(`Cannot write walk "${id}": ${dir} is a file, not a folder`);
  }
  const old = await exists(recordPath) ? await readJson<WalkRecord>(recordPath) : null;
  if (ctx.force) {
    await removeInside(join(ctx.out, "walks"), dir);
    return { status: "rendered", created };
  }
  if (old?.identity === identity && old.complete) return { status: "skipped", record: old };
  if (old?.identity === identity) {
    // an interrupted encode leaves its temporary video behind
    for await (const entry of Deno.readDir(dir)) {
      if (/\.tmp-\d+\.mp4$/.test(entry.name)) await Deno.remove(join(dir, entry.name));
    }
    return { status: "resumed", created: old.created };
  }
  throw new Error(
    `Cannot write walk "${id}": ${dir} already holds ${
      old ? "a different walk" : "other files"
    }. Pass --force to replace it, or choose another --id.`,
  );
}

/** The walk's record before anything is rendered. */
function newRecord(ctx: WalkContext, plan: WalkPlan, created: string): WalkRecord {
  return {
    format: "cppn-walk/1",
    id: plan.id,
    created,
    complete: false,
    identity: plan.identity,
    model: { ...ctx.source },
    keyframes: plan.keys.map((k, i) => ({
      label: k.label,
      digit: k.digit,
      testIndex: k.testIndex,
      z: Array.from(k.z),
      still: `stills/key-${String(i).padStart(2, "0")}.png`,
    })),
    settings: plan.settings,
    frames: {
      count: plan.settings.steps,
      dir: "frames",
      ...(moving(plan.settings)
        ? { views: Array.from({ length: plan.settings.steps }, (_, f) => viewAt(plan, f)) }
        : {}),
    },
    video: null,
    contact: "contact.png",
    command: ctx.command,
    timings: null,
  };
}

/**
 * The camera part of a walk's settings: per-keyframe views or a zoom
 * target; empty for a fixed camera (so older walks keep their identity).
 */
function cameraSettings(
  s: WalkSettings,
  view: View,
  keys: number,
): Partial<WalkRecord["settings"]> {
  if (s.camera && s.zoomTo !== undefined) {
    throw new FlagError("Give either a plan's camera list or --zoom-to, not both");
  }
  if (s.camera) {
    if (s.camera.length !== keys) {
      throw new FlagError(
        `The camera list has ${s.camera.length} views but the walk has ${keys} keyframes: give one view per keyframe`,
      );
    }
    return { camera: s.camera };
  }
  if (s.zoomTo !== undefined) {
    return { zoomTo: { scale: s.zoomTo, center: s.zoomCenter ?? view.center } };
  }
  if (s.zoomCenter) throw new FlagError("--zoom-center needs --zoom-to");
  return {};
}

/** Whether a walk's camera moves. */
function moving(settings: WalkRecord["settings"]): boolean {
  return settings.camera !== undefined || settings.zoomTo !== undefined;
}

/**
 * The view of frame `f`: eased between keyframe views like the latent
 * vector, or zooming at constant speed over the whole walk, or fixed.
 */
function viewAt(plan: WalkPlan, f: number): View {
  const st = plan.settings;
  if (st.camera) {
    const p = framePosition(f, st.steps, st.camera.length, st.loop);
    return zoomView(st.camera[p.from], st.camera[p.to], EASINGS[st.ease as Easing](p.t));
  }
  if (st.zoomTo) return zoomView(plan.view, st.zoomTo, f / (st.steps - 1));
  return plan.view;
}

/** The render request of one image of the walk. */
function request(
  job: WalkJob,
  z: Float32Array,
  width: number,
  height: number,
  view = job.plan.view,
): ImageRequest {
  return { z, width, height, view, invert: job.s.invert };
}

/** The latent vector of frame `f`. */
function latent(job: WalkJob, f: number): Float32Array {
  return walkLatent(job.plan.keys.map((k) => k.z), f, job.s.steps, job.s);
}

/** Keyframe stills, streamed to disk whatever their size; finished ones are kept. */
async function renderStills(job: WalkJob): Promise<void> {
  const { ctx, plan, record } = job;
  const [stillWidth, stillHeight] = job.s.stillSize;
  for (let i = 0; i < plan.keys.length; i++) {
    const path = join(plan.dir, record.keyframes[i].still);
    if (!ownsItem(job.shard, i) || await exists(path)) continue;
    ctx.onMessage?.(
      `still ${i + 1}/${plan.keys.length} (${plan.keys[i].label}) at ${stillWidth}x${stillHeight}`,
    );
    const t = performance.now();
    const view = plan.settings.camera?.[i] ?? plan.view;
    await renderToPng(ctx.pool, request(job, plan.keys[i].z, stillWidth, stillHeight, view), path);
    job.seconds.render += (performance.now() - t) / 1000;
  }
}

/**
 * The frames as PNGs and, with ffmpeg, the MP4: frame f + 1 renders while
 * frame f is encoded; frames already on disk at the right size are reused.
 */
async function renderFrames(job: WalkJob): Promise<{ rendered: number; reused: number }> {
  const { ctx, s, plan, record, seconds } = job;
  const [width, height] = s.size;
  const { channels } = ctx.pool;
  const video = ctx.ffmpeg && formats(s).includes("mp4")
    ? Mp4Encoder.start(ctx.ffmpeg.path, join(plan.dir, "walk.mp4"), {
      width,
      height,
      fps: s.fps,
      channels,
    })
    : null;
  if (!ctx.ffmpeg) ctx.onMessage?.(NO_FFMPEG_HINT);
  let rendered = 0, reused = 0;
  const produce = async (f: number): Promise<{ pixels: Uint8Array; fresh: boolean }> => {
    const path = join(plan.dir, "frames", frameName(f));
    if (await exists(path)) {
      const image = await readImage(path, channels);
      if (image.width === width && image.height === height) {
        return { pixels: image.pixels, fresh: false };
      }
      if (job.merging) {
        throw new Error(
          `Cannot finish walk "${plan.id}": ${path} is ${image.width}x${image.height}, ` +
            `not ${width}x${height}; it was made with other settings`,
        );
      }
    }
    const t = performance.now();
    const pixels = await ctx.pool.renderImage(
      request(job, latent(job, f), width, height, viewAt(plan, f)),
    );
    seconds.render += (performance.now() - t) / 1000;
    return { pixels, fresh: true };
  };
  try {
    let next = produce(0);
    for (let f = 0; f < s.steps; f++) {
      const frame = await next;
      if (f + 1 < s.steps) next = produce(f + 1);
      const t = performance.now();
      if (frame.fresh) {
        const path = join(plan.dir, "frames", frameName(f));
        await writeGreyPng(path, width, height, frame.pixels, channels);
        rendered++;
      } else reused++;
      const t2 = performance.now();
      seconds.png += (t2 - t) / 1000;
      if (video) await video.writeFrame(frame.pixels);
      seconds.video += (performance.now() - t2) / 1000;
      ctx.onFrame?.(f + 1, s.steps);
    }
    if (video) {
      const t = performance.now();
      await video.close();
      seconds.video += (performance.now() - t) / 1000;
      record.video = "walk.mp4";
    }
  } catch (error) {
    await video?.abort();
    throw error;
  }
  return { rendered, reused };
}

/** The video formats asked for. */
function formats(s: WalkSettings): VideoFormat[] {
  return (s.format ?? "mp4").split(",") as VideoFormat[];
}

/**
 * Writes the WebM and GIF asked for and not yet on disk, from the PNG
 * frames; warns about a huge GIF. Returns whether it wrote any.
 */
async function encodeLoops(
  ctx: WalkContext,
  s: WalkSettings,
  dir: string,
  record: WalkRecord,
): Promise<boolean> {
  const wanted = formats(s).filter((f): f is "webm" | "gif" => f !== "mp4");
  if (!ctx.ffmpeg || wanted.length === 0) return false;
  let wrote = false;
  for (const format of wanted) {
    const name = `walk.${format}`;
    if (record.loops?.[format] && await exists(join(dir, name))) continue;
    ctx.onMessage?.(`encoding ${name}`);
    const settings = {
      frames: join(dir, record.frames.dir, "%06d.png"),
      fps: record.settings.fps,
      gifMaxSide: s.gifMaxSide ?? 720,
    };
    const bytes = await encodeLoop(ctx.ffmpeg.path, format, settings, join(dir, name));
    if (format === "gif" && bytes > GIF_WARN_BYTES) {
      ctx.onMessage?.(
        `warning: ${name} is ${(bytes / 2 ** 20).toFixed(0)} MB, too big for most sites; ` +
          "a smaller --gif-max-side or fewer --steps make it smaller",
      );
    }
    record.loops = { ...record.loops, [format]: name };
    wrote = true;
  }
  return wrote;
}

/** Contact sheet: up to 24 frames, evenly spaced, drawn small. */
async function renderContactSheet(job: WalkJob): Promise<void> {
  const { s } = job;
  const [width, height] = s.size;
  const shots = Math.min(24, s.steps);
  const thumbW = 160, thumbH = Math.max(1, Math.round((160 * height) / width));
  const thumbs: Uint8Array[] = [];
  for (let i = 0; i < shots; i++) {
    const f = Math.floor((i * s.steps) / shots);
    thumbs.push(
      await job.ctx.pool.renderImage(
        request(job, latent(job, f), thumbW, thumbH, viewAt(job.plan, f)),
      ),
    );
  }
  const { channels } = job.ctx.pool;
  const sheet = byteGrid(thumbs, thumbW, thumbH, Math.min(6, shots), channels);
  await writeGreyPng(
    join(job.plan.dir, job.record.contact),
    sheet.width,
    sheet.height,
    sheet.pixels,
    channels,
  );
}

/** A shard's mark in `shards/`: which walk and which share it finished. */
interface WalkShardMark extends ShardMark {
  identity: string;
}

/**
 * Renders one shard's stills and frames into the walk's folder, then marks
 * the shard done. Shards run at once, so `walk.json` is written only if absent
 * and temporary files are left for the finishing run to clear.
 */
async function renderShard(job: WalkJob, shard: Shard): Promise<WalkResult> {
  const { ctx, s, plan, record } = job;
  if (!(await exists(plan.recordPath))) await writeJsonAtomic(plan.recordPath, record);
  await renderStills(job);
  const [width, height] = s.size;
  const total = Math.ceil((s.steps - shard.index) / shard.count);
  let done = 0;
  for (let f = shard.index; f < s.steps; f += shard.count) {
    const path = join(plan.dir, "frames", frameName(f));
    const old = await exists(path) ? await readImage(path, ctx.pool.channels) : null;
    if (old?.width !== width || old?.height !== height) {
      const pixels = await ctx.pool.renderImage(
        request(job, latent(job, f), width, height, viewAt(plan, f)),
      );
      await writeGreyPng(path, width, height, pixels, ctx.pool.channels);
    }
    ctx.onFrame?.(++done, total);
  }
  const mark: WalkShardMark = { identity: plan.identity, index: shard.index, count: shard.count };
  await writeShardMark(plan.dir, mark);
  return { status: "shard", dir: plan.dir, record };
}

/** Before finishing a sharded walk: every still and frame is on disk, from this walk. */
async function checkAllFrames({ plan, record, s }: WalkJob): Promise<void> {
  const marks = await readShardMarks<WalkShardMark>(plan.dir);
  const other = marks.find((m) => m.identity !== plan.identity);
  if (other) {
    throw new Error(
      `Cannot finish walk "${plan.id}": shard ${other.index}/${other.count} was made with ` +
        `different settings (walk ${other.identity}, this is ${plan.identity})`,
    );
  }
  const missing: string[] = [];
  const owned: number[] = []; // indices of the missing stills and frames
  for (const [i, k] of record.keyframes.entries()) {
    if (await exists(join(plan.dir, k.still))) continue;
    missing.push(k.still);
    owned.push(i);
  }
  const missingFrames: number[] = [];
  for (let f = 0; f < s.steps; f++) {
    if (!(await exists(join(plan.dir, "frames", frameName(f))))) missingFrames.push(f);
  }
  missing.push(...missingFrames.map((f) => `frames/${frameName(f)}`));
  if (missing.length === 0) return;
  throw new Error(
    `Cannot finish walk "${plan.id}": ${missing.length} file(s) missing in ${plan.dir} (${
      listSome(missing)
    })${rerunHint([...owned, ...missingFrames], marks, "frame or still")}`,
  );
}
