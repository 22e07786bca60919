/**
 * The gallery's manifest: scans an output folder for walks
 * (`walks/ID/walk.json`), single renders (`renders/NAME.png` with a
 * `NAME.json` sidecar) and trained runs (`runs/NAME/config.json`), checks
 * them against their formats, and lists them newest first. Broken entries
 * are skipped with a warning that says why, so one bad folder never stops
 * the gallery from building.
 *
 * @module
 */
import { isAbsolute, join, normalize, SEPARATOR } from "@std/path";
import sharp from "sharp";

/** The architecture of the model that made an image. */
export interface ModelSpec {
  /** Latent size. */
  zDim: number;
  /** Hidden layer width. */
  width: number;
  /** Hidden layers. */
  depth: number;
  /** Coordinate scale the model was trained with. */
  scale: number;
  /** Training image side in pixels. */
  size: number;
}

/** Which model made an image (`model` in walk.json and render sidecars). */
export interface ModelRef {
  /**
   * `run` (a training run under output/runs), `model` (an exported model)
   * or `random` (an untrained random network: `deno task art`).
   */
  kind: "run" | "model" | "random";
  /** Run or model name. */
  name: string;
  /** Checkpoint path it was loaded from. */
  checkpoint: string;
  /** Training step of the checkpoint, if known. */
  step: number | null;
  /** Architecture, if recorded. */
  spec: ModelSpec | null;
}

/** One keyframe of a walk. */
export interface KeyframeEntry {
  /** Position in the walk, from 0. */
  index: number;
  /** Its label (`digit 3`). */
  label: string;
  /** The digit it was chosen as, or null. */
  digit: number | null;
  /** Its latent vector. */
  z: number[];
  /** Absolute path of its large still, or null if missing. */
  still: string | null;
  /** Id of its still in {@link GalleryManifest.stills}, or null. */
  stillId: string | null;
}

/** A latent walk (`walks/ID/`). */
export interface WalkEntry {
  /** The folder name. */
  id: string;
  /** URL-safe, unique name for its page. */
  slug: string;
  /** Absolute path of the walk folder. */
  dir: string;
  /** ISO-8601 creation time. */
  created: string;
  /** The model, if recorded. */
  model: ModelRef | null;
  /** Keyframes in order. */
  keyframes: KeyframeEntry[];
  /** The walk's settings, as recorded (steps, fps, size, interp, ...). */
  settings: Record<string, unknown>;
  /** Number of frames. */
  frameCount: number;
  /** Absolute path of the first frame (the video poster), or null. */
  firstFrame: string | null;
  /** Absolute path of the MP4, or null if there is none. */
  video: string | null;
  /** Absolute path of the contact sheet, or null. */
  contact: string | null;
  /** The command that reproduces it. */
  command: string | null;
  /** Timings as recorded. */
  timings: Record<string, unknown> | null;
}

/** A single still: a render, or a walk's keyframe still. */
export interface StillEntry {
  /** URL-safe, unique id for its page. */
  id: string;
  /** Where it comes from. */
  origin: "render" | "keyframe";
  /** Display title. */
  title: string;
  /** Absolute path of the PNG. */
  path: string;
  /** ISO-8601 creation time. */
  created: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
  /** The model, if recorded. */
  model: ModelRef | null;
  /** The latent vector, if recorded. */
  z: number[] | null;
  /** The command that reproduces it, if recorded. */
  command: string | null;
  /** For renders: the sidecar's details. */
  render?: {
    /** The render's name (file name without `.png`). */
    name: string;
    /** `{ digit }`, `{ seed }` or `{ zFile }`. */
    source: Record<string, unknown> | null;
    /** `{ scale, center }`. */
    view: Record<string, unknown> | null;
    /** Whether it was rendered dark on light. */
    invert: boolean | null;
  };
  /** For keyframe stills: the walk it belongs to. */
  walk?: {
    /** Walk id. */
    id: string;
    /** Walk slug. */
    slug: string;
    /** Keyframe index. */
    index: number;
    /** Keyframe label. */
    label: string;
    /** Keyframe digit. */
    digit: number | null;
  };
}

/** One sample grid of a run. */
export interface SampleEntry {
  /** Training step. */
  step: number;
  /** Absolute path of the PNG. */
  path: string;
}

/** A training run (`runs/NAME/`). */
export interface RunEntry {
  /** The run's folder name. */
  name: string;
  /** URL-safe, unique name for its page. */
  slug: string;
  /** Absolute path of the run folder. */
  dir: string;
  /** ISO-8601 time of its last change (config, log or charts). */
  updated: string;
  /** The resolved training config. */
  config: Record<string, unknown>;
  /** Sample grids by step, ascending. */
  samples: SampleEntry[];
  /** Absolute path of `losses.png`, or null. */
  losses: string | null;
  /** The last line of `log.jsonl`, or null. */
  lastLog: Record<string, unknown> | null;
  /** Number of lines in `log.jsonl`. */
  logLines: number;
}

/** Everything the gallery shows, newest first. */
export interface GalleryManifest {
  /** The scanned output folder (absolute). */
  out: string;
  /** Walks, newest first. */
  walks: WalkEntry[];
  /** Renders and keyframe stills, newest first. */
  stills: StillEntry[];
  /** Runs, most recently updated first. */
  runs: RunEntry[];
  /** What was skipped or is incomplete, one line each. */
  warnings: string[];
}

/** The walk.json format this reader understands. */
export const WALK_FORMAT = "cppn-walk/1";
/** The render sidecar format this reader understands. */
export const RENDER_FORMAT = "cppn-render/1";

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * A URL- and file-safe form of `name`: unchanged if it only uses
 * `A-Z a-z 0-9 . _ -` (and does not start with `.` or `_`), otherwise the
 * safe characters plus a short hash of the original, so different names
 * never share a slug.
 */
export function slugify(name: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.endsWith(".")) return name;
  const base = name.normalize("NFKD").replace(/[^A-Za-z0-9._-]+/g, "-").replace(
    /^[-._]+|[-.]+$/g,
    "",
  )
    .slice(0, 60);
  return `${base || "item"}-${fnv1a(name).slice(0, 6)}`;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch {
    return null;
  }
}

/** Whether `path` is a regular file itself (a symbolic link is not: it may lead anywhere). */
async function isFile(path: string): Promise<boolean> {
  return (await Deno.lstat(path).catch(() => null))?.isFile === true;
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  try {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry);
    return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function validDate(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function mtimeIso(info: Deno.FileInfo | null): string {
  return (info?.mtime ?? new Date(0)).toISOString();
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function numbers(value: unknown): number[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === "number") ? value : null;
}

/** Reads a `model` object of walk.json or a render sidecar; null if absent or malformed. */
export function parseModelRef(value: unknown): ModelRef | null {
  if (!isObject(value) || typeof value.name !== "string") return null;
  const spec = isObject(value.spec) ? value.spec : null;
  return {
    kind: value.kind === "model" || value.kind === "random" ? value.kind : "run",
    name: value.name,
    checkpoint: typeof value.checkpoint === "string" ? value.checkpoint : "",
    step: numberOr(value.step, null),
    spec: spec
      ? {
        zDim: numberOr(spec.zDim, 0),
        width: numberOr(spec.width, 0),
        depth: numberOr(spec.depth, 0),
        scale: numberOr(spec.scale, 0),
        size: numberOr(spec.size, 0),
      }
      : null,
  };
}

/**
 * Resolves `rel` (a path from a JSON file) inside `dir`, or returns null if
 * it is absolute or climbs out of `dir`: the gallery only publishes files
 * that belong to the item.
 */
export function resolveInside(dir: string, rel: unknown): string | null {
  if (typeof rel !== "string" || rel === "" || isAbsolute(rel)) return null;
  const path = normalize(join(dir, rel));
  return path.startsWith(normalize(dir) + SEPARATOR) ? path : null;
}

async function imageSize(path: string): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(path).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
  } catch {
    return null;
  }
}

function jsonError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function scanWalk(
  out: string,
  id: string,
  warnings: string[],
): Promise<{ walk: WalkEntry; stills: StillEntry[] } | null> {
  const dir = join(out, "walks", id);
  const path = join(dir, "walk.json");
  const data = await readWalkJson(path, id, warnings);
  if (!data) return null;
  const slug = slugify(id);
  const created = validDate(data.created) ?? mtimeIso(await statOrNull(path));
  const model = parseModelRef(data.model);
  const { keyframes, stills } = await scanKeyframes(
    { dir, id, slug, created, model, data },
    warnings,
  );
  const frames = isObject(data.frames) ? data.frames : {};
  const frameDir = resolveInside(dir, typeof frames.dir === "string" ? frames.dir : "frames");
  const firstFrame = frameDir ? join(frameDir, "000000.png") : null;
  let video: string | null = null;
  if (typeof data.video === "string") {
    video = resolveInside(dir, data.video);
    if (!video || !(await isFile(video))) {
      warnings.push(`Walk "${id}": video "${data.video}" is missing; showing the contact sheet`);
      video = null;
    }
  }
  let contact: string | null = null;
  if (typeof data.contact === "string") {
    contact = resolveInside(dir, data.contact);
    if (!contact || !(await isFile(contact))) {
      warnings.push(`Walk "${id}": contact sheet "${data.contact}" is missing`);
      contact = null;
    }
  }
  const walk: WalkEntry = {
    id,
    slug,
    dir,
    created,
    model,
    keyframes,
    settings: isObject(data.settings) ? data.settings : {},
    frameCount: numberOr(frames.count, 0),
    firstFrame: firstFrame && (await isFile(firstFrame)) ? firstFrame : null,
    video,
    contact,
    command: typeof data.command === "string" ? data.command : null,
    timings: isObject(data.timings) ? data.timings : null,
  };
  return { walk, stills };
}

/**
 * A complete walk's `walk.json` with a keyframe list, or null (with a
 * warning saying why) for anything else.
 */
async function readWalkJson(
  path: string,
  id: string,
  warnings: string[],
): Promise<Record<string, unknown> & { keyframes: unknown[] } | null> {
  const text = await readText(path);
  if (text === null) {
    warnings.push(`Skipped walk "${id}": it has no walk.json (still being made?)`);
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    warnings.push(`Cannot read walk "${id}": walk.json is not valid JSON (${jsonError(error)})`);
    return null;
  }
  if (!isObject(data)) {
    warnings.push(`Cannot read walk "${id}": walk.json is not a JSON object`);
    return null;
  }
  if (data.format !== WALK_FORMAT) {
    warnings.push(
      `Cannot read walk "${id}": walk.json has format ${
        JSON.stringify(data.format ?? null)
      } (expected "${WALK_FORMAT}")`,
    );
    return null;
  }
  if (data.complete === false) {
    warnings.push(`Skipped walk "${id}": it is not complete yet (still being rendered?)`);
    return null;
  }
  if (!Array.isArray(data.keyframes)) {
    warnings.push(`Cannot read walk "${id}": walk.json has no "keyframes" list`);
    return null;
  }
  return data as Record<string, unknown> & { keyframes: unknown[] };
}

/** A walk's keyframes, and a still entry for each keyframe still that can be shown. */
async function scanKeyframes(
  walk: {
    dir: string;
    id: string;
    slug: string;
    created: string;
    model: ModelRef | null;
    data: Record<string, unknown> & { keyframes: unknown[] };
  },
  warnings: string[],
): Promise<{ keyframes: KeyframeEntry[]; stills: StillEntry[] }> {
  const { dir, id, slug, created, model, data } = walk;
  const keyframes: KeyframeEntry[] = [];
  const stills: StillEntry[] = [];
  for (const [index, raw] of data.keyframes.entries()) {
    const key = isObject(raw) ? raw : {};
    const label = typeof key.label === "string" ? key.label : `keyframe ${index + 1}`;
    const digit = typeof key.digit === "number" ? key.digit : null;
    let still: string | null = null;
    if (key.still !== undefined && key.still !== null) {
      const resolved = resolveInside(dir, key.still);
      if (!resolved) {
        warnings.push(
          `Walk "${id}": still ${JSON.stringify(key.still)} of keyframe ${index} ` +
            `is outside the walk folder; not shown`,
        );
      } else if (!(await isFile(resolved))) {
        warnings.push(`Walk "${id}": still "${key.still}" of keyframe ${index} is missing`);
      } else still = resolved;
    }
    const size = still ? await imageSize(still) : null;
    if (still && !size) {
      warnings.push(
        `Walk "${id}": still "${key.still}" of keyframe ${index} is not a readable image`,
      );
      still = null;
    }
    const stillId = still ? `${slug}-key-${String(index).padStart(2, "0")}` : null;
    keyframes.push({ index, label, digit, z: numbers(key.z) ?? [], still, stillId });
    if (still && stillId && size) {
      stills.push({
        id: stillId,
        origin: "keyframe",
        title: `${label} (walk ${id}, keyframe ${index + 1})`,
        path: still,
        created,
        width: size.width,
        height: size.height,
        model,
        z: numbers(key.z),
        command: typeof data.command === "string" ? data.command : null,
        walk: { id, slug, index, label, digit },
      });
    }
  }
  return { keyframes, stills };
}

async function scanRenders(out: string, warnings: string[]): Promise<StillEntry[]> {
  const dir = join(out, "renders");
  const entries = await listDir(dir);
  const names = new Set<string>();
  for (const entry of entries) {
    if (!entry.isFile || entry.name.startsWith(".")) continue;
    const match = entry.name.match(/^(.+)\.(png|json)$/i);
    if (match) names.add(match[1]);
  }
  const stills: StillEntry[] = [];
  for (const name of names) {
    const sidecarPath = join(dir, `${name}.json`);
    const text = await readText(sidecarPath);
    let sidecar: Record<string, unknown> | null = null;
    if (text !== null) {
      try {
        const parsed = JSON.parse(text);
        if (!isObject(parsed)) throw new Error("not a JSON object");
        sidecar = parsed;
      } catch (error) {
        warnings.push(
          `Cannot read render "${name}": ${name}.json is not valid JSON (${jsonError(error)})`,
        );
        continue;
      }
      if (sidecar.format !== RENDER_FORMAT) {
        warnings.push(
          `Cannot read render "${name}": ${name}.json has format ${
            JSON.stringify(sidecar.format ?? null)
          } (expected "${RENDER_FORMAT}")`,
        );
        continue;
      }
    }
    const image = sidecar
      ? resolveInside(dir, sidecar.image ?? `${name}.png`)
      : join(dir, `${name}.png`);
    if (!image || !(await isFile(image))) {
      warnings.push(
        `Skipped render "${name}": image ${
          JSON.stringify(sidecar?.image ?? `${name}.png`)
        } is missing`,
      );
      continue;
    }
    const size = await imageSize(image);
    if (!size) {
      warnings.push(`Skipped render "${name}": ${image} is not a readable image`);
      continue;
    }
    if (!sidecar) {
      warnings.push(`Render "${name}" has no ${name}.json sidecar; shown without details`);
    }
    const info = await statOrNull(image);
    stills.push({
      id: slugify(name),
      origin: "render",
      title: name,
      path: image,
      created: validDate(sidecar?.created) ?? mtimeIso(info),
      width: size.width,
      height: size.height,
      model: parseModelRef(sidecar?.model),
      z: numbers(sidecar?.z),
      command: typeof sidecar?.command === "string" ? sidecar.command : null,
      render: {
        name,
        source: isObject(sidecar?.source) ? sidecar.source : null,
        view: isObject(sidecar?.view) ? sidecar.view : null,
        invert: typeof sidecar?.invert === "boolean" ? sidecar.invert : null,
      },
    });
  }
  return stills;
}

async function scanRun(out: string, name: string, warnings: string[]): Promise<RunEntry | null> {
  const dir = join(out, "runs", name);
  const configPath = join(dir, "config.json");
  const text = await readText(configPath);
  if (text === null) {
    warnings.push(`Skipped run "${name}": it has no config.json`);
    return null;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    warnings.push(`Cannot read run "${name}": config.json is not valid JSON (${jsonError(error)})`);
    return null;
  }
  if (!isObject(config)) {
    warnings.push(`Cannot read run "${name}": config.json is not a JSON object`);
    return null;
  }
  const samples: SampleEntry[] = [];
  for (const entry of await listDir(join(dir, "samples"))) {
    const match = entry.name.match(/^step-(\d+)\.png$/);
    if (entry.isFile && match) {
      samples.push({ step: Number(match[1]), path: join(dir, "samples", entry.name) });
    }
  }
  samples.sort((a, b) => a.step - b.step);
  const lossesPath = join(dir, "losses.png");
  const losses = (await isFile(lossesPath)) ? lossesPath : null;
  const logText = (await readText(join(dir, "log.jsonl"))) ?? "";
  const lines = logText.split("\n").filter((line) => line.trim() !== "");
  let lastLog: Record<string, unknown> | null = null;
  for (let i = lines.length - 1; i >= 0 && !lastLog; i--) {
    try {
      const parsed = JSON.parse(lines[i]);
      if (isObject(parsed)) lastLog = parsed;
    } catch {
      // a line cut short by a crash: look at the one before
    }
  }
  const times = await Promise.all(
    [configPath, join(dir, "log.jsonl"), lossesPath, samples.at(-1)?.path ?? configPath]
      .map(async (p) => (await statOrNull(p))?.mtime?.getTime() ?? 0),
  );
  return {
    name,
    slug: slugify(name),
    dir,
    updated: new Date(Math.max(...times)).toISOString(),
    config,
    samples,
    losses,
    lastLog,
    logLines: lines.length,
  };
}

function newestFirst<T>(items: T[], time: (item: T) => string, name: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const dt = Date.parse(time(b)) - Date.parse(time(a));
    return dt !== 0 ? dt : name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
  });
}

function dedupe<T>(items: T[], get: (item: T) => string, set: (item: T, id: string) => void): void {
  const seen = new Set<string>();
  for (const item of items) {
    let id = get(item);
    for (let n = 2; seen.has(id.toLowerCase()); n++) id = `${get(item)}-${n}`;
    seen.add(id.toLowerCase());
    set(item, id);
  }
}

/**
 * Scans `out` (an output folder) for walks, renders and runs. The `latest`
 * entry of `runs/` is a pointer, not a run, and is skipped; so are hidden
 * files and folders.
 */
export async function scanGallery(out: string): Promise<GalleryManifest> {
  const root = normalize(isAbsolute(out) ? out : join(Deno.cwd(), out));
  const warnings: string[] = [];
  const walks: WalkEntry[] = [];
  const stills: StillEntry[] = [];
  for (const entry of await listDir(join(root, "walks"))) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    const found = await scanWalk(root, entry.name, warnings);
    if (found) {
      walks.push(found.walk);
      stills.push(...found.stills);
    }
  }
  stills.push(...await scanRenders(root, warnings));
  const runs: RunEntry[] = [];
  for (const entry of await listDir(join(root, "runs"))) {
    if (entry.name === "latest" || entry.name.startsWith(".") || !entry.isDirectory) continue;
    const run = await scanRun(root, entry.name, warnings);
    if (run) runs.push(run);
  }
  newestFirst(walks, (w) => w.created, (w) => w.id);
  // Keyframe stills keep their walk's order: sort by time, then walk, then index.
  stills.sort((a, b) => {
    const dt = Date.parse(b.created) - Date.parse(a.created);
    if (dt !== 0) return dt;
    const wa = a.walk?.id ?? "", wb = b.walk?.id ?? "";
    if (wa !== wb) return wa < wb ? -1 : 1;
    return (a.walk?.index ?? 0) - (b.walk?.index ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
  newestFirst(runs, (r) => r.updated, (r) => r.name);
  dedupe(walks, (w) => w.slug, (w, id) => (w.slug = id));
  dedupe(runs, (r) => r.slug, (r, id) => (r.slug = id));
  const renamed = new Map<string, string>();
  dedupe(stills, (s) => s.id, (s, id) => {
    if (s.walk && s.id !== id) renamed.set(`${s.walk.id}#${s.walk.index}`, id);
    s.id = id;
  });
  for (const walk of walks) {
    for (const key of walk.keyframes) {
      const id = renamed.get(`${walk.id}#${key.index}`);
      if (id) key.stillId = id;
    }
  }
  return { out: root, walks, stills, runs, warnings };
}
