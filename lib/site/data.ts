/**
 * The data the gallery's Astro pages render (`SiteData`), shaped from the
 * gallery manifest, the tile pyramids and the derived images, plus the list
 * of files to publish next to the pages. Every URL in it is relative to the
 * site root without a leading slash (`walks/ID/`); the pages put the base
 * in front.
 *
 * @module
 */
import sharp from "sharp";
import type {
  GalleryManifest,
  ModelRef,
  ModelSpec,
  RunEntry,
  StillEntry,
  WalkEntry,
} from "./manifest.ts";
import { formatHash } from "../explore/state.ts";
import { displayPath, SHIPPED_CREDITS } from "../model/source.ts";
import { type DerivedImage, type DerivedJob, derivedKey, thumbWidths } from "./assets.ts";
import { type LiveModel, matchLiveModel } from "./live_models.ts";
import { FEATURED_STILLS, rank } from "./feature.ts";
import type { DziInfo, TileRecord } from "./tiles.ts";

/** An image with its intrinsic size. */
export interface SiteImage {
  /** URL relative to the site root. */
  src: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
}

/** A responsive image: `src` plus a `srcset` of WebP widths. */
export interface ResponsiveImage extends SiteImage {
  /** `url 320w, url 640w, ...` (URLs relative to the site root, base added by the page). */
  srcset: { src: string; width: number }[];
}

/** A card of the index grid. */
export interface SiteCard {
  /** `walk` or `still`. */
  kind: "walk" | "still";
  /** What it is, in a word or two: `Walk`, `Zoom walk`, `Still`, `Art` (an untrained network). */
  badge: string;
  /** Page URL. */
  href: string;
  /** Title. */
  title: string;
  /** One line under the title. */
  subtitle: string;
  /** ISO date. */
  date: string;
  /** Thumbnail, or null. */
  thumb: ResponsiveImage | null;
  /** Alt text of the thumbnail. */
  alt: string;
}

/** A model reference with its page, if the run is in the gallery. */
export interface SiteModel extends ModelRef {
  /** URL of the run's page, or null. */
  href: string | null;
  /** The credit its training data asks for (a shipped model's), or null. */
  credit: string | null;
}

/** A walk's page. */
export interface SiteWalk {
  /** Walk id (folder name). */
  id: string;
  /** URL-safe id. */
  slug: string;
  /** Page URL. */
  href: string;
  /** Title. */
  title: string;
  /** ISO date. */
  created: string;
  /** The model. */
  model: SiteModel | null;
  /** The MP4, or null. */
  video: { src: string; type: string; bytes: number; width: number; height: number } | null;
  /** The poster frame, or null. */
  poster: SiteImage | null;
  /** The contact sheet, or null. */
  contact: SiteImage | null;
  /** The keyframe strip. */
  keyframes: {
    index: number;
    label: string;
    digit: number | null;
    z: number[];
    href: string | null;
    thumb: ResponsiveImage | null;
  }[];
  /** Settings as label/value rows. */
  settings: [string, string][];
  /** Frames. */
  frameCount: number;
  /** Command that reproduces it. */
  command: string | null;
  /** Seconds it took, if recorded. */
  seconds: number | null;
  /** Open Graph image, or null. */
  og: SiteImage | null;
  /** Alt text of its images. */
  alt: string;
  /** The live explorer at its first keyframe, if its model is exported; else null. */
  explore: string | null;
}

/** A still's page. */
export interface SiteStill {
  /** URL-safe id. */
  id: string;
  /** Page URL. */
  href: string;
  /** Title. */
  title: string;
  /** `render` or `keyframe`. */
  origin: "render" | "keyframe";
  /** ISO date. */
  created: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
  /** The model. */
  model: SiteModel | null;
  /** Latent vector, or null. */
  z: number[] | null;
  /** Command that reproduces it, or null. */
  command: string | null;
  /** Render details as label/value rows. */
  details: [string, string][];
  /** For a keyframe still: its walk. */
  walk: { href: string; title: string; index: number; label: string } | null;
  /** The Deep Zoom pyramid. */
  dzi: DziInfo & { url: string; tilesUrl: string };
  /** The original PNG. */
  download: { src: string; bytes: number };
  /** Thumbnail. */
  thumb: ResponsiveImage | null;
  /** Open Graph image. */
  og: SiteImage | null;
  /** Alt text. */
  alt: string;
  /** The live explorer at this still's latent and view, if its model is exported; else null. */
  explore: string | null;
}

/** A run's page. */
export interface SiteRun {
  /** Run name. */
  name: string;
  /** URL-safe name. */
  slug: string;
  /** Page URL. */
  href: string;
  /** ISO date of the last change. */
  updated: string;
  /** Config as label/value rows. */
  config: [string, string][];
  /** The sample grids shown (a spread over training, always with the last). */
  samples: { step: number; image: SiteImage }[];
  /** Sample grids in the run. */
  samplesTotal: number;
  /** The loss curves, or null. */
  losses: SiteImage | null;
  /** The last log line as label/value rows. */
  lastLog: [string, string][];
  /** Steps logged. */
  logLines: number;
  /** Thumbnail (latest sample grid), or null. */
  thumb: ResponsiveImage | null;
  /** Open Graph image, or null. */
  og: SiteImage | null;
  /** The live explorer with this run's model, if it is exported; else null. */
  explore: string | null;
}

/** A model of the live explorer (`explore/`). */
export interface SiteLiveModel {
  /** Id in explorer URLs (`m=`). */
  id: string;
  /** Display name. */
  title: string;
  /** `run` or `model`. */
  kind: "run" | "model";
  /** Training steps behind it, if recorded. */
  step: number | null;
  /** The generator's architecture. */
  spec: ModelSpec;
  /** URL of the exported model's JSON (relative to the site root). */
  json: string;
  /** Size of its weights in bytes. */
  bytes: number;
  /** Digit keyframes available. */
  keyframes: number;
  /** The run's page, or null. */
  href: string | null;
}

/** What the index opens on: the best walk video and the cleanest stills (`site/feature.ts`). */
export interface SiteFeatured {
  /** The walk whose video plays first, or null if no walk has a video. */
  walk: {
    href: string;
    title: string;
    subtitle: string;
    video: NonNullable<SiteWalk["video"]>;
    poster: SiteImage | null;
    alt: string;
  } | null;
  /** The cleanest stills (renders and keyframe stills), best first. */
  stills: SiteCard[];
}

/** Everything the pages render. */
export interface SiteData {
  /** Always `cppn-site/1`. */
  format: "cppn-site/1";
  /** When the data was made. */
  generated: string;
  /** Absolute site URL for Open Graph (`--site`), or null. */
  site: string | null;
  /** What the index opens on. */
  featured: SiteFeatured;
  /** Index cards: walks and renders, newest first. */
  cards: SiteCard[];
  /** Walk pages. */
  walks: SiteWalk[];
  /** Still pages (renders and keyframe stills). */
  stills: SiteStill[];
  /** Run pages. */
  runs: SiteRun[];
  /** Open Graph image of the index, or null. */
  og: SiteImage | null;
  /** The live explorer: its page and models. */
  explore: { href: string; models: SiteLiveModel[] };
}

/** A file to publish: `from` (absolute) goes to `to` (relative to the site root). */
export interface SiteFile {
  /** Absolute source path. */
  from: string;
  /** Path in the site. */
  to: string;
}

/** The most sample grids a run page shows. */
export const MAX_SAMPLES_SHOWN = 12;

/** At most `max` items spread evenly over `items`, always with the first and last. */
export function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return items.slice(-1);
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(Math.round((i * (items.length - 1)) / (max - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]);
}

/** A value as shown in a metadata table. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : String(+value.toPrecision(6));
  }
  if (Array.isArray(value)) return value.map(showValue).join(", ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k} ${showValue(v)}`)
      .join(", ");
  }
  return String(value);
}

function rows(record: Record<string, unknown> | null | undefined): [string, string][] {
  return Object.entries(record ?? {}).map(([k, v]) => [k, showValue(v)]);
}

/** The image a walk is shown by: its first keyframe still, else its first frame or contact sheet. */
export function walkCover(walk: WalkEntry): string | null {
  return walk.keyframes.find((k) => k.still)?.still ?? walk.firstFrame ?? walk.contact;
}

/** Every derived image the gallery needs (thumbnails, posters, Open Graph images). */
export async function planDerived(manifest: GalleryManifest): Promise<DerivedJob[]> {
  const jobs: DerivedJob[] = [];
  const sizes = new Map<string, number>(manifest.stills.map((s) => [s.path, s.width]));
  const thumbs = async (source: string) => {
    const width = sizes.get(source) ?? (await imageSize(source)).width;
    for (const w of thumbWidths(width)) jobs.push({ source, recipe: { kind: "thumb", width: w } });
  };
  for (const walk of manifest.walks) {
    const cover = walkCover(walk);
    if (cover) {
      jobs.push({ source: cover, recipe: { kind: "og" } });
      if (!sizes.has(cover)) await thumbs(cover);
    }
    if (walk.firstFrame) jobs.push({ source: walk.firstFrame, recipe: { kind: "poster" } });
  }
  for (const still of manifest.stills) {
    await thumbs(still.path);
    jobs.push({ source: still.path, recipe: { kind: "og" } });
  }
  for (const run of manifest.runs) {
    const last = run.samples.at(-1);
    if (last) {
      await thumbs(last.path);
      jobs.push({ source: last.path, recipe: { kind: "og" } });
    }
  }
  return jobs;
}

async function imageSize(path: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(path).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

async function fileSize(path: string): Promise<number> {
  return (await Deno.stat(path)).size;
}

/**
 * Shapes the gallery into {@link SiteData} and lists the files to publish.
 *
 * @param tiles the pyramid of each still's PNG path.
 * @param derived the images made from {@link planDerived}'s jobs.
 * @param site absolute URL the site will be served from (for Open Graph), or null.
 * @param live the models exported for the live explorer (`site/live_models.ts`).
 * @param clean the cleanliness of each still and walk cover by source path
 *   (`cleanScores` of `site/feature.ts`); what the index features is ranked by it.
 */
export async function buildSiteData(
  manifest: GalleryManifest,
  tiles: Map<string, TileRecord>,
  derived: Map<string, DerivedImage>,
  site: string | null = null,
  live: readonly LiveModel[] = [],
  clean: ReadonlyMap<string, number> = new Map(),
): Promise<{ data: SiteData; files: SiteFile[] }> {
  const shaper = new PageShaper(manifest, tiles, derived, live);
  for (const m of live) {
    shaper.files.push({ from: m.jsonPath, to: `live/${m.key}.json` });
    shaper.files.push({ from: m.binPath, to: `live/${m.key}.bin` });
    if (m.encoderPath) shaper.files.push({ from: m.encoderPath, to: `live/${m.key}.enc.bin` });
  }
  const walks: SiteWalk[] = [];
  for (const walk of manifest.walks) walks.push(await walkPage(shaper, walk));
  const stills: SiteStill[] = [];
  for (const still of manifest.stills) stills.push(await stillPage(shaper, still));
  const runs: SiteRun[] = [];
  for (const run of manifest.runs) runs.push(await runPage(shaper, run));
  const cards = indexCards(shaper, walks, stills);
  const featured = featuredItems(manifest, walks, stills, clean);
  const best = featured.walk ?? featured.stills[0] ?? cards[0];
  const indexOg = best
    ? (walks.find((w) => w.href === best.href)?.og ??
      stills.find((s) => s.href === best.href)?.og) ?? null
    : runs[0]?.og ?? null;
  const data: SiteData = {
    format: "cppn-site/1",
    generated: new Date().toISOString(),
    site,
    featured,
    cards,
    walks,
    stills,
    runs,
    og: indexOg,
    explore: { href: "explore/", models: live.map(exploreModel) },
  };
  return { data, files: shaper.files };
}

/**
 * What every page is shaped with: the gallery, its tiles, derived images
 * and live models, and the files to publish, which pages add to.
 */
class PageShaper {
  /** Files to publish, in the order pages asked for them. */
  readonly files: SiteFile[] = [];
  readonly #runSlugs: Map<string, string>;

  constructor(
    readonly manifest: GalleryManifest,
    readonly tiles: Map<string, TileRecord>,
    readonly derived: Map<string, DerivedImage>,
    readonly live: readonly LiveModel[],
  ) {
    this.#runSlugs = new Map(manifest.runs.map((r) => [r.name, r.slug]));
  }

  /** A link into the explorer for a model, latent and view; null if the model is not exported. */
  async explore(
    ref: ModelRef | LiveModel | null,
    z: number[] | null,
    view: Record<string, unknown> | null,
  ): Promise<string | null> {
    const model = ref && "key" in ref ? ref : await matchLiveModel(this.live, ref);
    if (!model) return null;
    const scale = typeof view?.scale === "number" && view.scale > 0 ? view.scale : null;
    const c = Array.isArray(view?.center) ? view.center : null;
    const center: [number, number] | null = c?.length === 2 && c.every(Number.isFinite)
      ? [c[0], c[1]]
      : null;
    const hash = formatHash({
      model: model.id,
      digit: null,
      z: z && z.length === model.spec.zDim ? Float32Array.from(z) : null,
      scale,
      center,
    });
    return `explore/#${hash}`;
  }

  /** A derived image as a page shows it. */
  img(image: DerivedImage): SiteImage {
    return { src: `img/${image.name}`, width: image.width, height: image.height };
  }

  /** The image made from `source` by `recipe`, if it was made. */
  derivedFor(source: string, recipe: DerivedJob["recipe"]): DerivedImage | undefined {
    return this.derived.get(derivedKey({ source, recipe }));
  }

  /** The thumbnails of `source` as a responsive image, or null if it has none. */
  responsive(source: string | null): ResponsiveImage | null {
    if (!source) return null;
    const set: DerivedImage[] = [];
    for (const [key, image] of this.derived) {
      if (key.startsWith(`${source}\n`) && key.includes(`"kind":"thumb"`)) set.push(image);
    }
    if (!set.length) return null;
    set.sort((a, b) => a.width - b.width);
    const middle = set[Math.min(1, set.length - 1)];
    return {
      ...this.img(middle),
      srcset: set.map((image) => ({ src: `img/${image.name}`, width: image.width })),
    };
  }

  /** The Open Graph image of `source`, or null. */
  og(source: string | null): SiteImage | null {
    const image = source ? this.derivedFor(source, { kind: "og" }) : undefined;
    return image ? this.img(image) : null;
  }

  /** A model reference with its run's page, if the run is in the gallery. */
  model(ref: ModelRef | null): SiteModel | null {
    if (!ref) return null;
    const slug = ref.kind === "run" ? this.#runSlugs.get(ref.name) : undefined;
    const shown = ref.kind === "model" ? displayPath(ref.name) : ref.name;
    return {
      ...ref,
      name: shown,
      checkpoint: displayPath(ref.checkpoint),
      href: slug ? `models/${slug}/` : null,
      credit: SHIPPED_CREDITS[displayPath(ref.checkpoint)] ?? null,
    };
  }
}

async function walkPage(shaper: PageShaper, walk: WalkEntry): Promise<SiteWalk> {
  const base = `media/walks/${walk.slug}`;
  let video: SiteWalk["video"] = null;
  const width = typeof walk.settings.width === "number" ? walk.settings.width : 0;
  const height = typeof walk.settings.height === "number" ? walk.settings.height : 0;
  if (walk.video) {
    shaper.files.push({ from: walk.video, to: `${base}/walk.mp4` });
    video = {
      src: `${base}/walk.mp4`,
      type: "video/mp4",
      bytes: await fileSize(walk.video),
      width,
      height,
    };
  }
  let contact: SiteImage | null = null;
  if (walk.contact) {
    shaper.files.push({ from: walk.contact, to: `${base}/contact.png` });
    contact = { src: `${base}/contact.png`, ...await imageSize(walk.contact) };
  }
  const posterImage = walk.firstFrame
    ? shaper.derivedFor(walk.firstFrame, { kind: "poster" })
    : undefined;
  const labels = walk.keyframes.map((k) => k.label).join(" → ");
  const timings = walk.timings ?? {};
  return {
    id: walk.id,
    slug: walk.slug,
    href: `walks/${walk.slug}/`,
    title: `Walk ${walk.id}`,
    created: walk.created,
    model: shaper.model(walk.model),
    video,
    poster: posterImage ? shaper.img(posterImage) : null,
    contact,
    keyframes: walk.keyframes.map((k) => ({
      index: k.index,
      label: k.label,
      digit: k.digit,
      z: k.z,
      href: k.stillId ? `stills/${k.stillId}/` : null,
      thumb: shaper.responsive(k.still),
    })),
    settings: rows(walk.settings),
    frameCount: walk.frameCount,
    command: walk.command,
    seconds: typeof timings.total_s === "number" ? timings.total_s : null,
    og: shaper.og(walkCover(walk)),
    alt: `A latent walk through ${walk.keyframes.length} keyframes (${labels || "none"})`,
    explore: await shaper.explore(walk.model, walk.keyframes[0]?.z ?? null, walk.settings),
  };
}

async function stillPage(shaper: PageShaper, still: StillEntry): Promise<SiteStill> {
  const { manifest } = shaper;
  const record = shaper.tiles.get(still.path);
  if (!record) throw new Error(`Still "${still.id}" has no tiles (${still.path})`);
  const download = `media/stills/${still.id}.png`;
  shaper.files.push({ from: still.path, to: download });
  const walk = still.walk
    ? {
      href: `walks/${
        manifest.walks.find((w) => w.id === still.walk!.id)?.slug ?? still.walk.slug
      }/`,
      title: `Walk ${still.walk.id}`,
      index: still.walk.index,
      label: still.walk.label,
    }
    : null;
  const details: [string, string][] = [];
  if (still.render) {
    if (still.render.source) details.push(["source", showValue(still.render.source)]);
    if (still.render.view) details.push(...rows(still.render.view));
    if (still.render.invert !== null) details.push(["invert", showValue(still.render.invert)]);
  }
  const what = still.walk ? `keyframe "${still.walk.label}"` : `render "${still.title}"`;
  return {
    id: still.id,
    href: `stills/${still.id}/`,
    title: still.title,
    origin: still.origin,
    created: still.created,
    width: still.width,
    height: still.height,
    model: shaper.model(still.model),
    z: still.z,
    command: still.command,
    details,
    walk,
    dzi: {
      ...record.dzi,
      url: `tiles/${record.dir}/image.dzi`,
      tilesUrl: `tiles/${record.dir}/image_files/`,
    },
    download: { src: download, bytes: await fileSize(still.path) },
    thumb: shaper.responsive(still.path),
    og: shaper.og(still.path),
    alt: `CPPN image, ${what}, ${still.width} by ${still.height} pixels`,
    explore: await shaper.explore(
      still.model,
      still.z,
      still.render?.view ??
        manifest.walks.find((w) => w.id === still.walk?.id)?.settings ?? null,
    ),
  };
}

async function runPage(shaper: PageShaper, run: RunEntry): Promise<SiteRun> {
  const base = `media/runs/${run.slug}`;
  const samples: SiteRun["samples"] = [];
  for (const sample of spread(run.samples, MAX_SAMPLES_SHOWN)) {
    const name = `step-${String(sample.step).padStart(6, "0")}.png`;
    shaper.files.push({ from: sample.path, to: `${base}/${name}` });
    samples.push({
      step: sample.step,
      image: { src: `${base}/${name}`, ...await imageSize(sample.path) },
    });
  }
  let losses: SiteImage | null = null;
  if (run.losses) {
    shaper.files.push({ from: run.losses, to: `${base}/losses.png` });
    losses = { src: `${base}/losses.png`, ...await imageSize(run.losses) };
  }
  const last = run.samples.at(-1)?.path ?? null;
  const liveModel = shaper.live.find((m) => m.runSlug === run.slug) ?? null;
  return {
    name: run.name,
    slug: run.slug,
    href: `models/${run.slug}/`,
    updated: run.updated,
    config: rows(run.config),
    samples,
    samplesTotal: run.samples.length,
    losses,
    lastLog: rows(run.lastLog),
    logLines: run.logLines,
    thumb: shaper.responsive(last),
    og: shaper.og(last),
    explore: await shaper.explore(liveModel, null, null),
  };
}

/**
 * A walk's badge: `Zoom walk` when its camera zooms, `Art walk` for an
 * untrained network's, else `Walk`.
 */
export function walkBadge(walk: WalkEntry): string {
  const camera = walk.settings.camera;
  const zooms = walk.settings.zoomTo !== undefined ||
    (Array.isArray(camera) &&
      camera.some((v) => v?.scale !== camera[0]?.scale));
  if (zooms) return "Zoom walk";
  return walk.model?.kind === "random" ? "Art walk" : "Walk";
}

/** The index grid: walks and renders (not keyframe stills), newest first. */
function indexCards(shaper: PageShaper, walks: SiteWalk[], stills: SiteStill[]): SiteCard[] {
  const cards: SiteCard[] = [];
  for (const walk of walks) {
    const entry = shaper.manifest.walks.find((w) => w.slug === walk.slug)!;
    cards.push({
      kind: "walk",
      badge: walkBadge(entry),
      href: walk.href,
      title: walk.title,
      subtitle: `${walk.keyframes.map((k) => k.label).join(" → ")} · ${walk.frameCount} frames`,
      date: walk.created,
      thumb: shaper.responsive(walkCover(entry)),
      alt: walk.alt,
    });
  }
  for (const still of stills) {
    if (still.origin !== "render") continue;
    cards.push({
      kind: "still",
      badge: still.model?.kind === "random" ? "Art" : "Still",
      href: still.href,
      title: still.title,
      subtitle: `Render · ${still.width}×${still.height}`,
      date: still.created,
      thumb: still.thumb,
      alt: still.alt,
    });
  }
  cards.sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
  return cards;
}

/**
 * What the index opens on: of the walks with a video, the one whose
 * keyframe stills (else its cover) are cleanest on average; and the
 * {@linkcode FEATURED_STILLS} cleanest stills. Ties go to the smaller id, so
 * the same gallery always opens on the same pictures.
 */
export function featuredItems(
  manifest: GalleryManifest,
  walks: readonly SiteWalk[],
  stills: readonly SiteStill[],
  clean: ReadonlyMap<string, number>,
): SiteFeatured {
  const score = (path: string | null) => (path ? clean.get(path) ?? 0 : 0);
  const videos = manifest.walks.flatMap((entry) => {
    const page = walks.find((w) => w.slug === entry.slug);
    if (!page?.video) return [];
    const keys = entry.keyframes.flatMap((k) => (k.still ? [score(k.still)] : []));
    const value = keys.length
      ? keys.reduce((a, b) => a + b, 0) / keys.length
      : score(walkCover(entry));
    return [{ id: entry.id, score: value, page, video: page.video }];
  });
  const top = rank(videos)[0];
  const pathOf = new Map(manifest.stills.map((s) => [s.id, s.path]));
  const ranked = rank(stills.map((s) => ({ id: s.id, score: score(pathOf.get(s.id) ?? null), s })));
  return {
    walk: top
      ? {
        href: top.page.href,
        title: top.page.title,
        subtitle: top.page.keyframes.map((k) => k.label).join(" → "),
        video: top.video,
        poster: top.page.poster,
        alt: top.page.alt,
      }
      : null,
    stills: ranked.slice(0, FEATURED_STILLS).map(({ s }) => ({
      kind: "still",
      badge: s.model?.kind === "random" ? "Art" : "Still",
      href: s.href,
      title: s.walk ? `${s.walk.title}: ${s.walk.label}` : s.title,
      subtitle: `${s.origin === "render" ? "Render" : "Keyframe"} · ${s.width}×${s.height}`,
      date: s.created,
      thumb: s.thumb,
      alt: s.alt,
    })),
  };
}

/** A live model as the explorer page lists it. */
function exploreModel(m: LiveModel): SiteData["explore"]["models"][number] {
  return {
    id: m.id,
    title: m.kind === "run" ? `run ${m.name}` : `model ${m.id}`,
    kind: m.kind,
    step: m.step,
    spec: { ...m.spec },
    json: `live/${m.key}.json`,
    bytes: m.bytes,
    keyframes: m.keyframes,
    href: m.runSlug ? `models/${m.runSlug}/` : null,
  };
}
