/**
 * `deno task site`: builds the gallery into `<out>/site/`, a folder that
 * can be uploaded as is to any static host.
 *
 * Steps: scan `<out>` ({@link scanGallery}); cut Deep Zoom tiles for every
 * still, derive thumbnails, posters and Open Graph images, and export each
 * model's generator for the live explorer (all incremental, cached in
 * `<out>/site-cache/`); write the page data; run
 * Astro (`site/`) into `<out>/.site-next/`; rewrite its URLs to be relative
 * (or to start with `--base`); publish tiles, images and media next to the
 * pages as hard links; add `_headers` and `.nojekyll`; check static-host
 * limits; and swap the new folder in for the old one in two renames.
 *
 * @module
 */
import { dirname, fromFileUrl, join, relative, resolve } from "@std/path";
import { exists, readJson, writeFileAtomic, writeJsonAtomic } from "../base/atomic_write.ts";
import { escapeText, linkOrCopy, listFiles, removeInside } from "../base/fs_safe.ts";
import { type GalleryManifest, scanGallery } from "./manifest.ts";
import { type DerivedResult, syncDerived } from "./assets.ts";
import { buildSiteData, planDerived, type SiteFile, walkCover } from "./data.ts";
import { cleanScores } from "./feature.ts";
import { liveModelSources, type LiveModelSync, syncLiveModels } from "./live_models.ts";
import { syncTiles, type TileSyncResult } from "./tiles.ts";
import { adoptTileShards, shardTiles, type TileShardResult } from "./tile_shards.ts";
import type { Shard } from "../base/shard.ts";

/** The base every page is built under, rewritten after the Astro build. */
export const BASE_PLACEHOLDER = "/__cppn_base__/";

/** Common static-host limits (Cloudflare Pages: 20,000 files, 25 MiB per file). */
export const HOST_LIMITS = { files: 20_000, fileBytes: 25 * 1024 * 1024 } as const;

/** The repository root (where `deno.json` and `site/` are). */
export const REPO_ROOT: string = dirname(dirname(dirname(fromFileUrl(import.meta.url))));

/** Options of {@link buildSite}. */
export interface SiteOptions {
  /** The output folder to scan and to build `site/` in. */
  out: string;
  /** Absolute path the site will be served under (`/sub/path/`), or null for relative URLs. */
  base: string | null;
  /** Absolute URL of the deployed site (for Open Graph), or null. */
  site: string | null;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Finish tiles cut by `site --shard K/N`: refuse if no shard has finished. */
  merge?: boolean;
}

/** What {@link buildSite} made. */
export interface SiteBuildResult {
  /** The site folder. */
  dir: string;
  /** HTML pages. */
  pages: number;
  /** Files in the site. */
  files: number;
  /** Their total size. */
  bytes: number;
  /** Skipped inputs and host-limit problems. */
  warnings: string[];
  /** Stills tiled now / reused / pyramids removed. */
  tiles: { made: number; reused: number; removed: number };
  /** Derived images made now / reused / removed. */
  images: { made: number; reused: number; removed: number };
  /** Live explorer models exported now / reused / stale files removed. */
  live: { made: number; reused: number; removed: number };
  /** Wall time in seconds. */
  seconds: number;
}

/** What the last build recorded in `<out>/site-cache/build.json`. */
export interface SiteBuildInfo {
  /** Always `cppn-site-build/1`. */
  format: "cppn-site-build/1";
  /** The `--base` it was built with, or null (relative URLs). */
  base: string | null;
  /** When. */
  built: string;
  /** Files and bytes. */
  files: number;
  /** Total size. */
  bytes: number;
}

/**
 * Checks and normalises a `--base`: an absolute path, with one slash at
 * each end (`/gallery/`), each segment percent-encoded.
 *
 * @throws {Error} for anything else (a full URL, `..`, spaces).
 */
export function normalizeBase(base: string): string {
  const trimmed = base.trim();
  if (!trimmed.startsWith("/") || /[\s?#\\]/.test(trimmed) || /(^|\/)\.\.?(\/|$)/.test(trimmed)) {
    throw new Error(
      `--base must be an absolute path such as /gallery/ (no host, no "..", no spaces), got "${base}"`,
    );
  }
  const segments = trimmed.split("/").filter(Boolean).map(encodeSegment);
  return `/${segments.join("/")}/`.replace(/^\/\/$/, "/");
}

/**
 * One path segment percent-encoded, quotes and brackets too, so the base
 * is inert in HTML, scripts, CSS and JSON alike (`%20` stays as given).
 */
function encodeSegment(segment: string): string {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // a lone "%": encode it as it is
  }
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The relative way back to the site root from a file at `path` (`walks/x/index.html` -> `../../`). */
export function relativePrefix(path: string): string {
  const depth = path.split("/").length - 1;
  return depth === 0 ? "./" : "../".repeat(depth);
}

/**
 * Rewrites {@link BASE_PLACEHOLDER} in every text file under `dir`: to a
 * relative prefix per file (`base` null) or to `base`.
 *
 * @throws {Error} if a script refers to the base (a script's URLs cannot be
 *   made relative to each page), or a placeholder is left anywhere.
 */
export async function rewriteBase(dir: string, base: string | null): Promise<number> {
  let changed = 0;
  for (const rel of await listFiles(dir)) {
    if (!/\.(html|css|js|mjs|json|xml|svg|txt|webmanifest)$/.test(rel)) continue;
    const path = join(dir, rel);
    const text = await Deno.readTextFile(path);
    if (!text.includes("__cppn_base__")) continue;
    if (base === null && /\.m?js$/.test(rel)) {
      throw new Error(
        `The script ${rel} refers to the site's base URL, which relative URLs cannot express; ` +
          `build with --base /path/ instead`,
      );
    }
    const replaced = text.replaceAll(BASE_PLACEHOLDER, base ?? relativePrefix(rel));
    if (replaced.includes("__cppn_base__")) {
      throw new Error(`Cannot rewrite the base URL in ${rel}: an unexpected form of it is left`);
    }
    await Deno.writeTextFile(path, replaced);
    changed++;
  }
  return changed;
}

/** The `_headers` file (Netlify and Cloudflare Pages): long cache lifetimes for content-addressed files. */
export function headersFile(base: string | null): string {
  const root = base ?? "/";
  const forever = "  Cache-Control: public, max-age=31536000, immutable";
  return [
    "# Netlify / Cloudflare Pages headers, written by deno task site.",
    "# Tiles, derived images and bundled assets are named by their content: cache forever.",
    `${root}tiles/*`,
    forever,
    `${root}tiles/:hash/image.dzi`,
    "  Content-Type: application/xml",
    `${root}img/*`,
    forever,
    `${root}live/*`,
    forever,
    `${root}assets/*`,
    forever,
    "# Media keep their names when remade: cache for a day.",
    `${root}media/*`,
    "  Cache-Control: public, max-age=86400",
    `${root}*`,
    "  X-Content-Type-Options: nosniff",
    "",
  ].join("\n");
}

/** Warnings for files and sizes over {@link HOST_LIMITS}. */
export function hostLimitWarnings(files: { path: string; size: number }[]): string[] {
  const warnings: string[] = [];
  if (files.length > HOST_LIMITS.files) {
    warnings.push(
      `The site has ${files.length} files, more than ${HOST_LIMITS.files} ` +
        `(the limit of Cloudflare Pages and others): remove old renders or walks from output/`,
    );
  }
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  for (const file of files.filter((f) => f.size > HOST_LIMITS.fileBytes)) {
    warnings.push(
      `${file.path} is ${mib(file.size)}, larger than ${mib(HOST_LIMITS.fileBytes)} ` +
        `(the per-file limit of Cloudflare Pages and others)`,
    );
  }
  return warnings;
}

/** The `npm:astro@VERSION` specifier pinned in deno.json. */
export async function astroSpecifier(): Promise<string> {
  const config = await readJson<{ imports?: Record<string, string> }>(join(REPO_ROOT, "deno.json"));
  const spec = config.imports?.astro;
  if (!spec?.startsWith("npm:astro@")) {
    throw new Error(`deno.json has no pinned "astro" import (expected "npm:astro@X.Y.Z")`);
  }
  return spec;
}

/**
 * Runs `astro build` on `site/` with Deno, into `outDir`. Astro's own output
 * is shown only if it fails.
 */
export async function runAstro(dataPath: string, outDir: string, cacheDir: string): Promise<void> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", await astroSpecifier(), "build", "--root", "site"],
    cwd: REPO_ROOT,
    env: {
      CPPN_SITE_DATA: dataPath,
      CPPN_SITE_OUT: outDir,
      CPPN_SITE_CACHE: cacheDir,
      ASTRO_TELEMETRY_DISABLED: "1",
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  if (code !== 0) {
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    throw new Error(await astroFailure(code, text, cacheDir));
  }
}

/**
 * The one line that reports a failed `astro build`; its full output goes
 * to `astro-error.log` in `cacheDir` (if the disk has room), and the
 * temporary folders it left in its cache are removed.
 */
async function astroFailure(code: number, output: string, cacheDir: string): Promise<string> {
  const vite = join(cacheDir, "vite");
  const entries = await Array.fromAsync(Deno.readDir(vite)).catch(() => []);
  for (const entry of entries) {
    if (entry.name.startsWith("deps_temp_")) await removeInside(vite, join(vite, entry.name));
  }
  if (/No space left on device|ENOSPC/.test(output)) {
    return "astro build failed: no space left on device";
  }
  const log = join(cacheDir, "astro-error.log");
  const saved = await Deno.writeTextFile(log, output).then(() => true, () => false);
  const last = output.trim().split("\n").filter((l) => /error/i.test(l)).at(-1) ?? "";
  return `astro build failed (exit ${code})${last ? `: ${escapeText(last.trim())}` : ""}` +
    (saved ? ` (full output: ${log})` : "");
}

/** Throws if `dir` exists and is not a gallery build (it would be replaced). */
async function refuseForeignSite(dir: string): Promise<void> {
  if ((await exists(dir)) && !(await isOurSite(dir))) {
    throw new Error(
      `${dir} exists and was not made by deno task site: move it away, then build again`,
    );
  }
}

async function isOurSite(dir: string): Promise<boolean> {
  const entries = [...await Array.fromAsync(Deno.readDir(dir))];
  if (entries.length === 0) return true;
  try {
    const html = await Deno.readTextFile(join(dir, "index.html"));
    return html.includes(`<meta name="generator" content="cppn-mnist gallery">`);
  } catch {
    return false;
  }
}

/** The paths of the cache and build folders under `out`. */
export function sitePaths(out: string): {
  site: string;
  next: string;
  cache: string;
  tiles: string;
  images: string;
  live: string;
  astro: string;
  data: string;
  info: string;
} {
  const cache = join(out, "site-cache");
  return {
    site: join(out, "site"),
    next: join(out, ".site-next"),
    cache,
    tiles: join(cache, "tiles"),
    images: join(cache, "img"),
    live: join(cache, "live"),
    astro: join(cache, "astro"),
    data: join(cache, "site-data.json"),
    info: join(cache, "build.json"),
  };
}

/** Reads `<out>/site-cache/build.json`, or null if there has been no build. */
export async function readBuildInfo(out: string): Promise<SiteBuildInfo | null> {
  try {
    const info = await readJson<SiteBuildInfo>(sitePaths(out).info);
    return info?.format === "cppn-site-build/1" ? info : null;
  } catch {
    return null;
  }
}

/** Builds the gallery into `<out>/site/` (see the module doc). */
export async function buildSite(options: SiteOptions): Promise<SiteBuildResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const out = resolve(options.out);
  const base = options.base === null ? null : normalizeBase(options.base);
  const paths = sitePaths(out);
  await refuseForeignSite(paths.site);
  await Deno.mkdir(paths.cache, { recursive: true });
  const warnings: string[] = [];
  const warn = (warning: string) => {
    warnings.push(warning);
    log(`warning: ${escapeText(warning)}`); // names and text from files, shown inert
  };

  const manifest = await scanGallery(out);
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  log(
    `Found ${count(manifest.walks.length, "walk")}, ${
      count(manifest.stills.length, "still")
    } and ` +
      `${count(manifest.runs.length, "run")} in ${options.out}`,
  );
  manifest.warnings.forEach(warn);
  const { tiles, derived, live } = await syncAssets(manifest, out, paths, {
    log,
    warn,
    merge: options.merge ?? false,
  });
  const { data, files } = await buildSiteData(
    manifest,
    tiles.bySource,
    derived.images,
    options.site,
    live.models,
    await cleanScores(manifest, derived.images, paths.images, walkCover),
  );
  await writeJsonAtomic(paths.data, data);
  const pages = await buildPages(out, paths, base, log);
  await publishFiles(paths, files, tiles, derived);
  await Deno.writeTextFile(join(paths.next, "_headers"), headersFile(base));
  await Deno.writeTextFile(join(paths.next, ".nojekyll"), "");
  const { count: fileCount, bytes } = await measureSite(paths.next, warn);
  await swapIn(out, paths);

  const info: SiteBuildInfo = {
    format: "cppn-site-build/1",
    base,
    built: new Date().toISOString(),
    files: fileCount,
    bytes,
  };
  await writeJsonAtomic(paths.info, info);
  await writeFileAtomic(join(paths.cache, "README.txt"), CACHE_README);
  return {
    dir: paths.site,
    pages,
    files: fileCount,
    bytes,
    warnings,
    tiles: { made: tiles.made.length, reused: tiles.reused.length, removed: tiles.removed.length },
    images: { made: derived.made, reused: derived.reused, removed: derived.removed.length },
    live: { made: live.made, reused: live.reused, removed: live.removed },
    seconds: (performance.now() - started) / 1000,
  };
}

type SitePaths = ReturnType<typeof sitePaths>;

/**
 * `site --shard K/N`: cuts the tiles of this shard's share of the stills in
 * `<out>` into the tile cache (see `tile_shards.ts`); the next build
 * without a shard finishes the gallery.
 */
export async function shardSiteTiles(
  out: string,
  shard: Shard,
  log: (line: string) => void = () => {},
): Promise<TileShardResult & { dir: string }> {
  const root = resolve(out);
  const manifest = await scanGallery(root);
  const dir = sitePaths(root).tiles;
  const result = await shardTiles(
    manifest.stills.map((s) => s.path),
    dir,
    shard,
    undefined,
    (source, i, total) => log(`Tiling ${i + 1}/${total}: ${relative(root, source)}`),
  );
  return { ...result, dir };
}

/** Brings the cached tiles, derived images and live models up to date with the gallery. */
async function syncAssets(
  manifest: GalleryManifest,
  out: string,
  paths: SitePaths,
  { log, warn, merge }: {
    log: (line: string) => void;
    warn: (warning: string) => void;
    merge: boolean;
  },
): Promise<{ tiles: TileSyncResult; derived: DerivedResult; live: LiveModelSync }> {
  const sources = manifest.stills.map((s) => s.path);
  const adopted = await adoptTileShards(sources, paths.tiles, undefined, merge);
  if (adopted > 0) log(`Tiles: ${adopted} pyramids cut by shards (site --shard K/N)`);
  const tiles = await syncTiles(
    sources,
    paths.tiles,
    undefined,
    (source, i, total) => log(`Tiling ${i + 1}/${total}: ${relative(out, source)}`),
  );
  log(
    `Tiles: ${tiles.made.length} stills tiled, ${tiles.reused.length} unchanged, ` +
      `${tiles.removed.length} stale pyramids removed`,
  );
  const derived = await syncDerived(await planDerived(manifest), paths.images);
  log(
    `Images: ${derived.made} made, ${derived.reused} unchanged, ${derived.removed.length} removed`,
  );
  const live = await syncLiveModels(await liveModelSources(manifest), paths.live, log);
  live.warnings.forEach(warn);
  log(
    `Live explorer: ${live.models.length} model${live.models.length === 1 ? "" : "s"} ` +
      `(${live.made} exported, ${live.reused} unchanged, ${live.removed} stale files removed)`,
  );
  return { tiles, derived, live };
}

/** Runs Astro into the next site's folder and sets its base; returns the number of pages. */
async function buildPages(
  out: string,
  paths: SitePaths,
  base: string | null,
  log: (line: string) => void,
): Promise<number> {
  const astroStarted = performance.now();
  await removeInside(out, paths.next);
  await runAstro(paths.data, paths.next, paths.astro);
  await rewriteBase(paths.next, base);
  const pages = (await listFiles(paths.next)).filter((f) => f.endsWith(".html")).length;
  log(`Astro: ${pages} pages in ${((performance.now() - astroStarted) / 1000).toFixed(1)} s`);
  return pages;
}

/** Publishes tiles, derived images and media next to the pages (linked where possible). */
async function publishFiles(
  paths: SitePaths,
  files: readonly SiteFile[],
  tiles: TileSyncResult,
  derived: DerivedResult,
): Promise<void> {
  const publish: SiteFile[] = [...files];
  for (const record of new Set(tiles.bySource.values())) {
    for (const rel of await listFiles(join(paths.tiles, record.dir))) {
      publish.push({ from: join(paths.tiles, record.dir, rel), to: `tiles/${record.dir}/${rel}` });
    }
  }
  for (const image of new Set(derived.images.values())) {
    publish.push({ from: join(paths.images, image.name), to: `img/${image.name}` });
  }
  const targets = new Map<string, string>();
  for (const file of publish) {
    const previous = targets.get(file.to);
    if (previous !== undefined && previous !== file.from) {
      throw new Error(`Two files would be published as ${file.to}: ${previous} and ${file.from}`);
    }
    if (previous === undefined) {
      targets.set(file.to, file.from);
      await linkOrCopy(file.from, join(paths.next, file.to));
    }
  }
}

/** Counts the files and bytes of a built site and warns where hosts' limits are crossed. */
async function measureSite(
  dir: string,
  warn: (warning: string) => void,
): Promise<{ count: number; bytes: number }> {
  const all = await listFiles(dir);
  const sized = await Promise.all(
    all.map(async (path) => ({ path, size: (await Deno.stat(join(dir, path))).size })),
  );
  hostLimitWarnings(sized).forEach(warn);
  return { count: all.length, bytes: sized.reduce((sum, f) => sum + f.size, 0) };
}

/** Swaps the new site in: the old one stays complete until the last moment. */
async function swapIn(out: string, paths: SitePaths): Promise<void> {
  if (await exists(paths.site)) {
    await refuseForeignSite(paths.site).catch(async (error) => {
      await removeInside(out, paths.next);
      throw error;
    });
    const old = join(out, `.site-old-${Deno.pid}`);
    await Deno.rename(paths.site, old);
    await Deno.rename(paths.next, paths.site);
    await removeInside(out, old);
  } else {
    await Deno.rename(paths.next, paths.site);
  }
}

const CACHE_README = "Made by `deno task site`: tiles and images kept between builds so that\n" +
  "unchanged stills are not processed again. Safe to delete (the next build re-makes it);\n" +
  "not part of the site: upload ../site/ only.\n";
