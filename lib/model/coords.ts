/**
 * The CPPN's input coordinates. For a square image of `n` pixels a side,
 * `x_i = scale * (i - (n - 1) / 2) / ((n - 1) / 2)`, so `x` and `y` run
 * from `-scale` to `+scale` (the reference formula), and `r = sqrt(x²+y²)`.
 * A non-square image keeps pixels square: its shorter side spans
 * `[-scale, scale]` and the longer one extends further. `center` shifts the
 * view, so `scale` and `center` together zoom into the plane.
 *
 * @module
 */

/**
 * The largest coordinate scale accepted (the training scale is 8; the
 * explorer allows the same): far beyond it every pixel saturates.
 */
export const MAX_SCALE = 1e4;

/** Where an image looks in the coordinate plane. */
export interface View {
  /** Half the extent of the shorter side in plane units (training: 8). */
  scale: number;
  /** The plane point at the image centre, `[x, y]`. */
  center: [number, number];
}

/** The view the generator was trained on: `scale` 8, centred at 0. */
export function defaultView(scale = 8): View {
  return { scale, center: [0, 0] };
}

/** Plane units per pixel for a `width` x `height` image. */
export function pixelStep(width: number, height: number, view: View): number {
  const short = Math.min(width, height);
  return short > 1 ? view.scale / ((short - 1) / 2) : 0;
}

/**
 * Coordinates `[x, y, r]` of every pixel in rows `rowStart` (inclusive) to
 * `rowEnd` (exclusive) of a `width` x `height` image, row-major.
 *
 * @param out Where to write (reused to avoid garbage); a new array if omitted
 *   or too small.
 * @returns Shape `[(rowEnd - rowStart) * width, 3]`, flattened.
 */
export function pixelCoords(
  width: number,
  height: number,
  view: View,
  rowStart = 0,
  rowEnd = height,
  out?: Float32Array,
): Float32Array {
  const step = pixelStep(width, height, view);
  const size = (rowEnd - rowStart) * width * 3;
  out = out && out.length >= size ? out.subarray(0, size) : new Float32Array(size);
  const [cx, cy] = view.center;
  let k = 0;
  for (let j = rowStart; j < rowEnd; j++) {
    const y = cy + step * (j - (height - 1) / 2);
    for (let i = 0; i < width; i++) {
      const x = cx + step * (i - (width - 1) / 2);
      out[k++] = x;
      out[k++] = y;
      out[k++] = Math.sqrt(x * x + y * y);
    }
  }
  return out;
}
