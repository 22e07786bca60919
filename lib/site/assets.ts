/**
 * Images the gallery derives from the stills with sharp: responsive WebP
 * thumbnails at a few widths, video posters and Open Graph images. Each
 * file is named by the SHA-256 of its source and its recipe, so one that
 * exists is up to date (never made twice), its URL can be cached forever,
 * and files no page uses any more are deleted.
 *
 * @module
 */
import sharp from "sharp";
import { join } from "@std/path";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../base/atomic_write.ts";
import { removeInside, sha256Hex } from "../base/fs_safe.ts";

/** Widths of the thumbnails (`srcset`), in CSS pixels x density. */
export const THUMB_WIDTHS: readonly number[] = [320, 640, 960];
/** WebP quality of thumbnails and posters. */
export const THUMB_QUALITY = 80;
/** Open Graph image size (the common 1.91:1 card). */
export const OG_SIZE = { width: 1200, height: 630 } as const;

/** One derived image. */
export interface DerivedImage {
  /** File name in the derived folder (and under `img/` on the site). */
  name: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
  /** Size in bytes. */
  bytes: number;
}

/** A recipe: what to make from a source. */
export type Recipe =
  | { kind: "thumb"; width: number }
  | { kind: "poster" }
  | { kind: "og" };

/** The thumbnail widths for a source `width` pixels wide: never upscaled. */
export function thumbWidths(width: number): number[] {
  const widths = THUMB_WIDTHS.filter((w) => w < width);
  if (widths.length < THUMB_WIDTHS.length) widths.push(width);
  return widths;
}

/** The file name of `recipe` applied to a source with hash `sha256`. */
export function derivedName(sha256: string, recipe: Recipe): string {
  const h = sha256.slice(0, 16);
  switch (recipe.kind) {
    case "thumb":
      return `${h}-w${recipe.width}-q${THUMB_QUALITY}.webp`;
    case "poster":
      return `${h}-poster-q${THUMB_QUALITY + 5}.webp`;
    case "og":
      return `${h}-og${OG_SIZE.width}x${OG_SIZE.height}.jpg`;
  }
}

async function render(bytes: Uint8Array, recipe: Recipe): Promise<Uint8Array> {
  const image = sharp(bytes).flatten({ background: "#000000" });
  switch (recipe.kind) {
    case "thumb":
      return new Uint8Array(
        await image.resize({ width: recipe.width, withoutEnlargement: true })
          .webp({ quality: THUMB_QUALITY }).toBuffer(),
      );
    case "poster":
      return new Uint8Array(await image.webp({ quality: THUMB_QUALITY + 5 }).toBuffer());
    case "og":
      return new Uint8Array(
        await image.resize({ ...OG_SIZE, fit: "contain", background: "#000000" })
          .jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
      );
  }
}

/** A source image and what to make of it. */
export interface DerivedJob {
  /** Absolute path of the source image. */
  source: string;
  /** What to make. */
  recipe: Recipe;
}

/** What {@link syncDerived} did. */
export interface DerivedResult {
  /** `derivedKey(job)` -> the image. */
  images: Map<string, DerivedImage>;
  /** Number of images made now. */
  made: number;
  /** Number already there. */
  reused: number;
  /** File names deleted because nothing uses them. */
  removed: string[];
}

/** The key of a job in {@link DerivedResult.images}. */
export function derivedKey(job: DerivedJob): string {
  return `${job.source}\n${JSON.stringify(job.recipe)}`;
}

/**
 * Makes every job's image in `dir` unless it is already there, then deletes
 * every other file of `dir`. Sources are hashed once each.
 */
export async function syncDerived(
  jobs: readonly DerivedJob[],
  dir: string,
): Promise<DerivedResult> {
  await Deno.mkdir(dir, { recursive: true });
  const indexPath = join(dir, "derived.json");
  let index: Record<string, DerivedImage> = {};
  try {
    index = await readJson<Record<string, DerivedImage>>(indexPath);
  } catch {
    index = {};
  }
  const hashes = new Map<string, { sha256: string; bytes: Uint8Array }>();
  const images = new Map<string, DerivedImage>();
  const next: Record<string, DerivedImage> = {};
  let made = 0;
  let reused = 0;
  for (const job of jobs) {
    let source = hashes.get(job.source);
    if (!source) {
      const bytes = await Deno.readFile(job.source);
      source = { sha256: await sha256Hex(bytes), bytes };
      hashes.set(job.source, source);
    }
    const name = derivedName(source.sha256, job.recipe);
    let image = next[name] ?? index[name];
    const onDisk = image && (await Deno.stat(join(dir, name)).then((s) => s.size, () => -1));
    if (image && onDisk === image.bytes) {
      if (!next[name]) reused++;
    } else {
      let out: Uint8Array;
      try {
        out = await render(source.bytes, job.recipe);
      } catch (error) {
        throw new Error(
          `Cannot make a ${job.recipe.kind} image of "${job.source}": ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
      const meta = await sharp(out).metadata();
      await writeFileAtomic(join(dir, name), out);
      image = { name, width: meta.width ?? 0, height: meta.height ?? 0, bytes: out.length };
      made++;
    }
    next[name] = image;
    images.set(derivedKey(job), image);
  }
  const removed: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "derived.json" || next[entry.name]) continue;
    await removeInside(dir, join(dir, entry.name));
    removed.push(entry.name);
  }
  await writeJsonAtomic(indexPath, next);
  return { images, made, reused, removed: removed.sort() };
}
