/**
 * Random crops: every draw of an image is a fresh `size` x `size` window at
 * a random offset (0..2 for 26 out of 28), scaled to [0, 1].
 *
 * @module
 */
import type { ImageSet } from "./mnist.ts";
import type { Rng } from "../base/rng.ts";

/**
 * Copies one `size` x `size` window of image `index`, at offset
 * (`dx`, `dy`), into `out` at `outOffset`, as values in [0, 1].
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
  if (dx < 0 || dy < 0 || dx + size > width || dy + size > height) {
    throw new Error(
      `Crop ${size}x${size} at (${dx}, ${dy}) does not fit a ${width}x${height} image`,
    );
  }
  const base = index * width * height;
  let k = outOffset;
  for (let y = 0; y < size; y++) {
    const row = base + (y + dy) * width + dx;
    for (let x = 0; x < size; x++) out[k++] = pixels[row + x] / 255;
  }
}

/**
 * A batch of random crops of the given images.
 *
 * @returns Shape `[indices.length, size * size]`, flattened.
 */
export function randomCrops(
  set: ImageSet,
  indices: ArrayLike<number>,
  size: number,
  rng: Rng,
): Float32Array {
  const out = new Float32Array(indices.length * size * size);
  const spanX = set.width - size + 1, spanY = set.height - size + 1;
  for (let i = 0; i < indices.length; i++) {
    const dx = rng.int(spanX), dy = rng.int(spanY);
    cropInto(set, indices[i], dx, dy, size, out, i * size * size);
  }
  return out;
}

/**
 * Centre crops (offset 1 for 26 out of 28), for evaluation and encoding.
 *
 * @returns Shape `[indices.length, size * size]`, flattened.
 */
export function centreCrops(
  set: ImageSet,
  indices: ArrayLike<number>,
  size: number,
): Float32Array {
  const out = new Float32Array(indices.length * size * size);
  const dx = Math.floor((set.width - size) / 2);
  const dy = Math.floor((set.height - size) / 2);
  for (let i = 0; i < indices.length; i++) {
    cropInto(set, indices[i], dx, dy, size, out, i * size * size);
  }
  return out;
}
