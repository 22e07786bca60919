/**
 * A folder of pictures as a training set: PNG, JPEG, WebP (and SVG) files
 * of any size, greyscale or colour, decoded with sharp and fitted to
 * `size` x `size`. See docs/data.md for the rules.
 *
 * - Files are found in the folder and its subfolders, in sorted path
 *   order; files of other types are skipped.
 * - Fit: `crop` (scale the shorter side to `size`, cut the centre),
 *   `resize` (squash to `size` x `size`, aspect ratio ignored), `pad`
 *   (scale the longer side to `size`, black bars) or `none` (every image
 *   must already be `size` x `size`).
 * - Transparency is flattened onto black.
 * - Colour: 3 channels if any pixel of any image has channels that differ
 *   by more than {@linkcode GREY_TOLERANCE}, else 1; `channels` overrides.
 * - Split: one image in ten (the 10th, 20th, ... by path) is held out as
 *   the `test` split; sets of fewer than {@linkcode MIN_SPLIT} are not split.
 *
 * @module
 */
import { extname, join, relative } from "@std/path";
import sharp, { type ResizeOptions, type Sharp } from "sharp";
import { decodeAs } from "../media/image.ts";
import type { ImageSet, Split } from "./mnist.ts";

/** How an image is fitted to `size` x `size`: `--fit`. */
export type FitMode = "crop" | "resize" | "pad" | "none";

/** Every `--fit` value. */
export const FIT_MODES: readonly FitMode[] = ["crop", "resize", "pad", "none"];

/** The file types read, by extension (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg", ".webp", ".svg"];

/** Channels closer than this (JPEG noise) count as grey when detecting colour. */
export const GREY_TOLERANCE = 8;

/** Sets smaller than this are not split into training and held-out images. */
export const MIN_SPLIT = 20;

/** Options of {@linkcode loadImageFolder}. */
export interface FolderOptions {
  /** Side of the fitted images. */
  size: number;
  /** How each image is fitted (default `crop`). */
  fit?: FitMode;
  /** 1 (grey) or 3 (RGB); 0 or absent: detected from the pixels. */
  channels?: number;
  /** Which images: `train` (all but the held-out tenth), `test` (the held-out) or `all`. */
  split?: Split | "all";
  /** Called as images are decoded (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** A folder's decoded images, with the paths they came from. */
export interface FolderSet extends ImageSet {
  /** Each image's path, in the order of `pixels`. */
  paths: string[];
}

/** The image files under `dir` (recursively), sorted; throws naming the folder if none. */
export async function imageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  let others = 0;
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory) await walk(path);
      else if (IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) files.push(path);
      else others++;
    }
  };
  await walk(dir);
  if (files.length === 0) {
    throw new Error(
      `Cannot load data from "${dir}": no PNG, JPEG, WebP or SVG files in it` +
        (others ? ` (${others} other file${others > 1 ? "s" : ""})` : " (it is empty)") +
        "; use --data mnist, a folder of pictures, or a folder of IDX files",
    );
  }
  return files.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
}

/** Whether image `i` (in path order) of `count` belongs to `split`. */
export function inSplit(i: number, count: number, split: Split | "all"): boolean {
  if (split === "all" || count < MIN_SPLIT) return true;
  const heldOut = i % 10 === 9;
  return split === "test" ? heldOut : !heldOut;
}

/** The sharp resize options of a fit mode. */
function resizeFor(fit: FitMode, size: number): ResizeOptions | null {
  if (fit === "none") return null;
  const mode = { crop: "cover", resize: "fill", pad: "contain" } as const;
  return {
    width: size,
    height: size,
    fit: mode[fit],
    position: "centre",
    background: { r: 0, g: 0, b: 0, alpha: 1 },
    kernel: "lanczos3",
  };
}

/** Reads one file's pixels as `size` x `size` RGB; throws naming the file. */
export async function decodeFitted(
  path: string,
  size: number,
  fit: FitMode,
  channels = 3,
): Promise<Uint8Array> {
  const fail = (what: string) => new Error(`Cannot read image "${path}": ${what}`);
  let image: Sharp;
  try {
    const meta = await sharp(path).metadata();
    const w = meta.width ?? 0, h = meta.height ?? 0;
    if (fit === "none" && (w !== size || h !== size)) {
      throw fail(
        `it is ${w}x${h}, not ${size}x${size} (with --fit none every image must be ` +
          `--size x --size; --fit crop, resize or pad fits images of any size)`,
      );
    }
    // vector images are drawn at the resolution the fit needs
    const density = meta.format === "svg" && w > 0 && h > 0
      ? Math.min(2400, Math.max(72, (72 * 2 * size) / Math.min(w, h)))
      : undefined;
    image = sharp(path, density ? { density } : {});
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Cannot read image")) throw error;
    throw fail(`not a readable image (${(error as Error).message})`);
  }
  const resize = resizeFor(fit, size);
  try {
    const flat = decodeAs(image, channels);
    const { data, info } = await (resize ? flat.resize(resize) : flat)
      .raw().toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== channels) {
      throw fail(`decoded as ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Cannot read image")) throw error;
    throw fail(`the file is corrupt or truncated (${(error as Error).message.split("\n")[0]})`);
  }
}

/** Whether any pixel of these RGB images has channels further apart than the tolerance. */
export function hasColour(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
    if (
      Math.abs(r - g) > GREY_TOLERANCE || Math.abs(g - b) > GREY_TOLERANCE ||
      Math.abs(r - b) > GREY_TOLERANCE
    ) return true;
  }
  return false;
}

/** RGB bytes to grey (ITU-R BT.601 luma, as sharp's b-w). */
function toGrey(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) {
    const k = 3 * i;
    out[i] = Math.round(0.299 * rgb[k] + 0.587 * rgb[k + 1] + 0.114 * rgb[k + 2]);
  }
  return out;
}

/**
 * Loads the pictures of folder `dir`, fitted to `size` x `size`, as an
 * {@linkcode ImageSet} (no labels). Colour is detected over every file of
 * the folder, whatever the split, so both splits agree.
 *
 * @throws {Error} naming the folder (no images) or the file (unreadable,
 *   corrupt, or not `size` x `size` with fit `none`).
 */
export async function loadImageFolder(dir: string, options: FolderOptions): Promise<FolderSet> {
  const { size, fit = "crop", split = "all" } = options;
  const files = await imageFiles(dir);
  const each = size * size * 3;
  const rgb = new Uint8Array(files.length * each);
  let done = 0, next = 0;
  const errors = new Map<number, unknown>();
  const decodeNext = async () => {
    while (next < files.length) {
      const i = next++;
      try {
        rgb.set(await decodeFitted(files[i], size, fit), i * each);
      } catch (error) {
        errors.set(i, error);
        next = files.length; // start no more; the first bad file in path order is reported
      }
      options.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, decodeNext));
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
  const channels = options.channels || (hasColour(rgb) ? 3 : 1);
  const picked = files.map((_, i) => i).filter((i) => inSplit(i, files.length, split));
  const per = size * size * channels;
  const pixels = new Uint8Array(picked.length * per);
  picked.forEach((i, k) => {
    const image = rgb.subarray(i * each, (i + 1) * each);
    pixels.set(channels === 3 ? image : toGrey(image), k * per);
  });
  return {
    count: picked.length,
    height: size,
    width: size,
    ...(channels === 3 ? { channels } : {}),
    pixels,
    labels: null,
    paths: picked.map((i) => relative(dir, files[i])),
  };
}
