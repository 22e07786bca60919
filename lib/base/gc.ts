/**
 * Explicit garbage collection for long renders. V8 frees the buffers of
 * finished bands (pixels, coordinates, results) lazily, so without help a
 * large render's memory climbs for seconds before each collection. When
 * Deno runs with `--v8-flags=--expose-gc` (the render tasks do), the
 * collector of {@linkcode collectPerPixels}, called after every band,
 * keeps the peak flat whatever the image size; otherwise it does nothing.
 *
 * @module
 */

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Pixels rendered between two collections: a full collection takes 15 to
 * 20 ms, about 1% of the time a core takes to render this many pixels at
 * width 128, and their bands leave about 17 MiB of garbage (each grey
 * pixel's coordinates, value and byte).
 */
export const COLLECT_PIXELS = 1 << 20;

/**
 * Returns a function to call after each band with its number of pixels:
 * it calls `collect` (V8's full collection, where exposed) each time
 * `every` more pixels have gone by, counted across calls (and so across
 * the images of a walk).
 */
export function collectPerPixels(
  every: number = COLLECT_PIXELS,
  collect: (() => void) | undefined = gc,
): (pixels: number) => void {
  let pending = 0;
  return (pixels) => {
    pending += pixels;
    if (collect && pending >= every) {
      pending = 0;
      collect();
    }
  };
}
