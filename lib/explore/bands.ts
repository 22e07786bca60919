/**
 * Rendering an image in row bands that can be interrupted: the live
 * explorer draws each band as it arrives, lets the page breathe between
 * bands, and drops a render as soon as the view changes. The band size
 * adapts so that each band takes about `targetMs`, whatever the backend
 * (a few ms of WebGL or tens of ms of plain JavaScript); for WebGL, band
 * heights can be kept to powers of two so that few shaders are compiled.
 *
 * Every band is computed by {@linkcode Renderer.renderBytes}, the server's
 * own code path, so a finished render has exactly the server's pixels for
 * the same weights and backend. No Deno or DOM APIs.
 *
 * @module
 */
import type { ImageRequest, Renderer } from "../render/renderer.ts";

/** Options of {@linkcode renderBands}. */
export interface BandOptions {
  /** Pixels in the first band (default 4096); later bands adapt to `targetMs`. */
  bandPixels?: number;
  /** Wanted time per band in ms (default 20). */
  targetMs?: number;
  /** Largest band in pixels (default 262144). */
  maxBandPixels?: number;
  /** Asked before each band: true stops the render (the result says it did not complete). */
  cancelled?: () => boolean;
  /** Awaited between bands to let the page handle input and paint. */
  pause?: () => Promise<void>;
  /** Receives each band: rows `rowStart` to `rowEnd` (exclusive), 8-bit grey, row-major. */
  onBand: (rowStart: number, rowEnd: number, bytes: Uint8Array) => void | Promise<void>;
  /** A millisecond clock (default `performance.now`). */
  now?: () => number;
  /**
   * Round each band down to a power of two of rows. WebGL compiles its
   * shaders for each input shape: this keeps the shapes of a session few.
   */
  powerOfTwoRows?: boolean;
}

/** What {@linkcode renderBands} did. */
export interface BandResult {
  /** Whether every row was rendered (false: cancelled). */
  completed: boolean;
  /** Bands rendered. */
  bands: number;
  /** Rows rendered. */
  rows: number;
  /** Time spent computing bands, in ms (pauses excluded). */
  ms: number;
  /** The band size in pixels the render ended with (a good start for the next one). */
  bandPixels: number;
}

/**
 * Renders `request` top to bottom in bands of whole rows, handing each to
 * `onBand`, until done or `cancelled()`.
 */
export async function renderBands(
  renderer: Renderer,
  request: ImageRequest,
  options: BandOptions,
): Promise<BandResult> {
  const now = options.now ?? (() => performance.now());
  const target = options.targetMs ?? 20;
  const maxPixels = Math.max(request.width, options.maxBandPixels ?? 262144);
  let bandPixels = Math.min(maxPixels, Math.max(request.width, options.bandPixels ?? 4096));
  const result: BandResult = { completed: false, bands: 0, rows: 0, ms: 0, bandPixels };
  let row = 0;
  while (row < request.height) {
    if (options.cancelled?.()) return result;
    let rows = Math.max(1, Math.floor(bandPixels / request.width));
    if (options.powerOfTwoRows) rows = 2 ** Math.floor(Math.log2(rows));
    const end = Math.min(request.height, row + rows);
    const started = now();
    const bytes = await renderer.renderBytes(request, row, end, (end - row) * request.width);
    const ms = now() - started;
    result.ms += ms;
    result.bands++;
    result.rows += end - row;
    if (options.cancelled?.()) return result;
    await options.onBand(row, end, bytes);
    row = end;
    // Aim the next band at the target time (at most doubling or halving at once).
    const ratio = ms > 0 ? target / ms : 2;
    bandPixels = Math.round(
      Math.min(maxPixels, Math.max(request.width, bandPixels * Math.min(2, Math.max(0.5, ratio)))),
    );
    result.bandPixels = bandPixels;
    if (row < request.height) await options.pause?.();
  }
  result.completed = true;
  return result;
}

/**
 * A running estimate of rendering speed (pixels per ms), to size quick
 * preview passes: an exponential moving average over finished bands.
 */
export class Throughput {
  #pixelsPerMs: number;

  /** @param initial The guess before any measurement, in pixels per ms. */
  constructor(initial: number) {
    this.#pixelsPerMs = initial;
  }

  /** Pixels per ms. */
  get pixelsPerMs(): number {
    return this.#pixelsPerMs;
  }

  /** Records `pixels` rendered in `ms`. */
  add(pixels: number, ms: number): void {
    if (ms <= 0 || pixels <= 0) return;
    this.#pixelsPerMs = 0.7 * this.#pixelsPerMs + 0.3 * (pixels / ms);
  }

  /**
   * The smallest integer downsampling factor (1 to `max`) at which a
   * `width` x `height` image renders within `budgetMs`.
   */
  factorFor(width: number, height: number, budgetMs: number, max = 16): number {
    const affordable = Math.max(1, this.#pixelsPerMs * budgetMs);
    const factor = Math.ceil(Math.sqrt((width * height) / affordable));
    return Math.min(max, Math.max(1, factor));
  }
}
