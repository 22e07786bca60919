/**
 * What the gallery's front page opens on: the walk video and the stills
 * that look best, chosen by a deterministic score of the images' pixels,
 * never by which file happens to be found or made first.
 *
 * The score is {@link cleanliness}: a clean image is a few confident
 * strokes on a plain background (grey levels near the two ends, not a wash
 * of mid-greys), with some ink but not a page of it.
 *
 * @module
 */
import sharp from "sharp";
import { join } from "@std/path";
import type { GalleryManifest, WalkEntry } from "./manifest.ts";
import type { DerivedImage } from "./assets.ts";

/** Side of the grey thumbnail an image is scored on. */
export const SCORE_SIDE = 64;
/** The share of ink (pixels far from the background) a clean picture has. */
export const CLEAN_INK: readonly [number, number] = [0.03, 0.3];
/** Stills on the front page. */
export const FEATURED_STILLS = 6;

/**
 * How clean a greyscale image looks, from 0 to 1: one minus the mean
 * distance of its grey levels from the nearer end (0 or 255), halved when
 * the ink (pixels more than 128 levels from the background, the median of
 * the border pixels) covers less than 3% or more than 30% of it (an MNIST digit covers 10 to 20%): a blank
 * frame, or a white blob.
 */
export function cleanliness(grey: Uint8Array, width: number, height: number): number {
  if (grey.length === 0) return 0;
  let mud = 0;
  for (const v of grey) mud += Math.min(v, 255 - v);
  const clean = 1 - mud / grey.length / 127.5;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(grey[x], grey[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(grey[y * width], grey[y * width + width - 1]);
  border.sort((a, b) => a - b);
  const background = border[border.length >> 1];
  let ink = 0;
  for (const v of grey) if (Math.abs(v - background) > 128) ink++;
  const share = ink / grey.length;
  return share >= CLEAN_INK[0] && share <= CLEAN_INK[1] ? clean : clean / 2;
}

/** The {@link cleanliness} of an image file, scored on a {@linkcode SCORE_SIDE}-pixel grey copy. */
export async function imageCleanliness(path: string): Promise<number> {
  const { data, info } = await sharp(path)
    .flatten({ background: "#000000" })
    .greyscale()
    .resize(SCORE_SIDE, SCORE_SIDE, { fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const grey = info.channels === 1
    ? new Uint8Array(data)
    : Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]);
  return cleanliness(grey, info.width, info.height);
}

/**
 * The cleanliness of every still and walk cover of the gallery, by source
 * path, scored on its smallest thumbnail in `imagesDir` (already made and
 * cached, so scoring costs a few milliseconds per image).
 */
export async function cleanScores(
  manifest: GalleryManifest,
  derived: ReadonlyMap<string, DerivedImage>,
  imagesDir: string,
  walkCover: (walk: WalkEntry) => string | null,
): Promise<Map<string, number>> {
  const sources = new Set<string>(manifest.stills.map((s) => s.path));
  for (const walk of manifest.walks) {
    const cover = walkCover(walk);
    if (cover) sources.add(cover);
  }
  const scores = new Map<string, number>();
  for (const source of sources) {
    const thumb = smallestThumb(derived, source);
    scores.set(source, thumb ? await imageCleanliness(join(imagesDir, thumb.name)) : 0);
  }
  return scores;
}

/** The smallest thumbnail made of `source`, if any. */
function smallestThumb(
  derived: ReadonlyMap<string, DerivedImage>,
  source: string,
): DerivedImage | undefined {
  let best: DerivedImage | undefined;
  for (const [key, image] of derived) {
    if (key.startsWith(`${source}\n`) && key.includes(`"kind":"thumb"`)) {
      if (!best || image.width < best.width) best = image;
    }
  }
  return best;
}

/** Something that can be featured, with the score it is ranked by. */
export interface Ranked {
  /** Its id (ties are broken by it, so the order never depends on the scan). */
  id: string;
  /** Higher is better. */
  score: number;
}

/** The items in order of falling score, ties broken by id. */
export function rank<T extends Ranked>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
