/**
 * Greyscale and RGB images: conversion from the generator's [0, 1] values to
 * bytes, grids of small images, and 8-bit PNG encoding with sharp.
 *
 * @module
 */
import sharp, { type Sharp } from "sharp";
import { writeFileAtomic } from "../base/atomic_write.ts";

/** An 8-bit greyscale (or RGB) image, row-major. */
export interface GreyImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bytes per pixel: 1 (grey) or 3 (RGB); absent: 1. */
  channels?: number;
  /** `channels` bytes per pixel, `[height, width, channels]`. */
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
 * @param images Values in [0, 1], `[count, size * size * channels]`
 *   flattened, each pixel's channels together.
 * @param channels 1 (grey) or 3 (RGB).
 */
export function grid(
  images: ArrayLike<number>,
  count: number,
  size: number,
  cols: number,
  gap = 2,
  background = 0,
  channels = 1,
): GreyImage {
  const rows = Math.ceil(count / cols);
  const width = cols * size + (cols + 1) * gap;
  const height = rows * size + (rows + 1) * gap;
  const pixels = new Uint8Array(width * height * channels).fill(background);
  const bytes = toBytes(images);
  const row = size * channels, image = size * row;
  for (let n = 0; n < count; n++) {
    const ox = gap + (n % cols) * (size + gap);
    const oy = gap + Math.floor(n / cols) * (size + gap);
    for (let y = 0; y < size; y++) {
      pixels.set(
        bytes.subarray(n * image + y * row, n * image + (y + 1) * row),
        ((oy + y) * width + ox) * channels,
      );
    }
  }
  return channels === 1 ? { width, height, pixels } : { width, height, channels, pixels };
}

/** Encodes an 8-bit PNG: greyscale (one channel) or RGB. */
export async function encodePng(image: GreyImage): Promise<Uint8Array> {
  const channels = image.channels ?? 1;
  const raw = sharp(image.pixels, {
    raw: { width: image.width, height: image.height, channels: channels as 1 | 3 },
  });
  const buffer = await (channels === 1 ? raw.toColourspace("b-w") : raw).png().toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Writes an 8-bit greyscale (or RGB) PNG atomically. */
export async function writePng(path: string, image: GreyImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}

/** Decodes any image sharp reads into 8-bit greyscale. */
export async function readGrey(path: string): Promise<GreyImage> {
  return await readImage(path, 1);
}

/**
 * Decodes any image sharp reads into 8-bit greyscale (`channels` 1) or RGB
 * (3): colour is converted to grey, grey repeated in each channel, and any
 * transparency flattened onto black.
 */
export async function readImage(path: string, channels: number): Promise<GreyImage> {
  const { data, info } = await decodeAs(sharp(path), channels)
    .raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) {
    throw new Error(`Cannot read "${path}" with ${channels} channels: got ${info.channels}`);
  }
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return channels === 1
    ? { width: info.width, height: info.height, pixels }
    : { width: info.width, height: info.height, channels, pixels };
}

/** A sharp pipeline turned into `channels` 1 (grey) or 3 (sRGB), without alpha. */
export function decodeAs(image: Sharp, channels: number): Sharp {
  const flat = image.flatten({ background: "#000000" });
  return channels === 1 ? flat.toColourspace("b-w") : flat.toColourspace("srgb");
}
