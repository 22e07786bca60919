/**
 * Explicit garbage collection for long renders. V8 frees the buffers of
 * finished bands (pixels, coordinates, results) lazily, so without help a
 * large render's memory climbs for seconds before each collection. When
 * Deno runs with `--v8-flags=--expose-gc` (the render tasks do), calling
 * {@linkcode collectEvery} regularly keeps the peak flat whatever the
 * image size; otherwise it does nothing.
 *
 * @module
 */

const gc = (globalThis as { gc?: () => void }).gc;

/** Returns a function that collects garbage on every `n`-th call. */
export function collectEvery(n: number): () => void {
  let calls = 0;
  return () => {
    if (gc && ++calls % n === 0) gc();
  };
}
