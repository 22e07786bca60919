/**
 * Greyscale images: conversion from the generator's [0, 1] values to bytes,
 * grids of small images, and 8-bit PNG encoding with sharp.
 *
 * @module
 */
import sharp from "sharp";
import { writeFileAtomic } from "../base/atomic_write.ts";

/** An 8-bit greyscale image, row-major. */
export interface GreyImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** One byte per pixel, `[height, width]`. */
  pixels: Uint8Array;
}

/**
 * Converts values in [0, 1] to bytes (round to nearest), optionally
 * inverted (dark on white, as the original saved its PNGs).
 */
export function toBytes(values: ArrayLike<number>, invert = false): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    v = v < 0 ? 0 : v > 1 ? 1 : v; // also maps NaN to 0 below
    const b = Math.round(v * 255) || 0;
    out[i] = invert ? 255 - b : b;
  }
  return out;
}

/**
 * Lays out `count` square images of side `size` in a grid of `cols`
 * columns with `gap` pixels between them (background `background`).
 *
 * @param images Values in [0, 1], `[count, size * size]` flattened.
 */
export function grid(
  images: ArrayLike<number>,
  count: number,
  size: number,
  cols: number,
  gap = 2,
  background = 0,
): GreyImage {
  const rows = Math.ceil(count / cols);
  const width = cols * size + (cols + 1) * gap;
  const height = rows * size + (rows + 1) * gap;
  const pixels = new Uint8Array(width * height).fill(background);
  const bytes = toBytes(images);
  for (let n = 0; n < count; n++) {
    const ox = gap + (n % cols) * (size + gap);
    const oy = gap + Math.floor(n / cols) * (size + gap);
    for (let y = 0; y < size; y++) {
      pixels.set(
        bytes.subarray(n * size * size + y * size, n * size * size + (y + 1) * size),
        (oy + y) * width + ox,
      );
    }
  }
  return { width, height, pixels };
}

/** Encodes an 8-bit greyscale PNG (one channel). */
export async function encodePng(image: GreyImage): Promise<Uint8Array> {
  const buffer = await sharp(image.pixels, {
    raw: { width: image.width, height: image.height, channels: 1 },
  }).toColourspace("b-w").png().toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Writes an 8-bit greyscale PNG atomically. */
export async function writePng(path: string, image: GreyImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}

/** Decodes any image sharp reads into 8-bit greyscale. */
export async function readGrey(path: string): Promise<GreyImage> {
  const { data, info } = await sharp(path).toColourspace("b-w").raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) {
    throw new Error(`Cannot read "${path}" as greyscale: ${info.channels} channels`);
  }
  return {
    width: info.width,
    height: info.height,
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}
