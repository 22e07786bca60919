/**
 * Random crops: every draw of an image is a fresh `size` x `size` window at
 * a random offset (0..2 for 26 out of 28), scaled to [0, 1]. A colour
 * set's crops keep each pixel's channels together (`r g b r g b ...`).
 *
 * @module
 */
import type { ImageSet } from "./mnist.ts";
import type { Rng } from "../base/rng.ts";

/**
 * Copies one `size` x `size` window of image `index`, at offset
 * (`dx`, `dy`), into `out` at `outOffset`, as values in [0, 1]
 * (`size * size * channels` of them).
 */
export function cropInto(
  set: ImageSet,
  index: number,
  dx: number,
  dy: number,
  size: number,
  out: Float32Array,
  outOffset: number,
): void {
  const { width, height, pixels } = set;
  const c = set.channels ?? 1;
  if (dx < 0 || dy < 0 || dx + size > width || dy + size > height) {
    throw new Error(
      `Crop ${size}x${size} at (${dx}, ${dy}) does not fit a ${width}x${height} image`,
    );
  }
  const base = index * width * height * c;
  let k = outOffset;
  for (let y = 0; y < size; y++) {
    const row = base + ((y + dy) * width + dx) * c;
    for (let x = 0; x < size * c; x++) out[k++] = pixels[row + x] / 255;
  }
}

/**
 * A batch of random crops of the given images.
 *
 * @returns Shape `[indices.length, size * size * channels]`, flattened.
 */
export function randomCrops(
  set: ImageSet,
  indices: ArrayLike<number>,
  size: number,
  rng: Rng,
): Float32Array {
  const each = size * size * (set.channels ?? 1);
  const out = new Float32Array(indices.length * each);
  const spanX = set.width - size + 1, spanY = set.height - size + 1;
  for (let i = 0; i < indices.length; i++) {
    const dx = rng.int(spanX), dy = rng.int(spanY);
    cropInto(set, indices[i], dx, dy, size, out, i * each);
  }
  return out;
}

/**
 * Centre crops (offset 1 for 26 out of 28), for evaluation and encoding.
 *
 * @returns Shape `[indices.length, size * size * channels]`, flattened.
 */
export function centreCrops(
  set: ImageSet,
  indices: ArrayLike<number>,
  size: number,
): Float32Array {
  const each = size * size * (set.channels ?? 1);
  const out = new Float32Array(indices.length * each);
  const dx = Math.floor((set.width - size) / 2);
  const dy = Math.floor((set.height - size) / 2);
  for (let i = 0; i < indices.length; i++) {
    cropInto(set, indices[i], dx, dy, size, out, i * each);
  }
  return out;
}
