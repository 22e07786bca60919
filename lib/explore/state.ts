/**
 * The live explorer's state in a URL, and the view maths of panning and
 * zooming. Shared by the gallery build (links into the explorer) and the
 * browser (reading and writing the address bar); no Deno or DOM APIs.
 *
 * The state lives in the URL's fragment, as `key=value` pairs joined by `&`:
 *
 * | key | value                                            | example              |
 * | --- | ------------------------------------------------ | -------------------- |
 * | `m` | the model's id in the gallery                    | `m=digits`           |
 * | `d` | a digit: its encoded keyframe is the latent      | `d=3`                |
 * | `b` | a morph: from digit, to digit, position 0 to 1   | `b=3,8,0.25`         |
 * | `z` | the latent vector, comma-separated, 4 decimals   | `z=0.1234,-1.5,...`  |
 * | `s` | the view's scale (half the shorter side)         | `s=0.25`             |
 * | `c` | the view's centre `x,y`                          | `c=1.5,-2.25`        |
 * | `w` | seconds per digit of the walk (when not 2)       | `w=4`                |
 *
 * `z` wins over `b`, and `b` over `d`. Every key is optional: the explorer
 * fills in the first model, its first keyframe and the training view.
 *
 * @module
 */
import { pixelStep, type View } from "../model/coords.ts";

/**
 * The smallest scale the explorer zooms to (8000 times the training view):
 * beyond it, neighbouring pixels' float32 coordinates start to coincide.
 */
export const MIN_SCALE = 1e-3;
/** The largest scale the explorer zooms out to. */
export const MAX_SCALE = 1e4;
/** Decimals of `z` in a URL. */
export const Z_DECIMALS = 4;
/** Decimals of a morph's position in a URL (the slider's step is 0.01). */
export const MORPH_DECIMALS = 2;
/** The walk's default seconds per digit (not written to the URL). */
export const WALK_SECONDS = 2;

/** The walk speed's range in seconds per digit (the slider's). */
export const MIN_WALK_SECONDS = 0.5;
/** See {@linkcode MIN_WALK_SECONDS}. */
export const MAX_WALK_SECONDS = 8;

/** A spherical interpolation between two digits' keyframes, as the morph slider sets it. */
export interface Morph {
  /** The digit at position 0. */
  from: number;
  /** The digit at position 1. */
  to: number;
  /** Position from 0 to 1. */
  t: number;
}

/** What the explorer shows, as a URL records it. */
export interface ExploreState {
  /** Model id, or null for the default model. */
  model: string | null;
  /** A digit whose keyframe is the latent vector, or null. */
  digit: number | null;
  /** The latent vector (wins over `digit`), or null. */
  z: Float32Array | null;
  /** The view's scale, or null for the model's training scale. */
  scale: number | null;
  /** The view's centre, or null for `[0, 0]`. */
  center: [number, number] | null;
  /** A morph whose position is the latent (used when `z` is null), or null. */
  morph?: Morph | null;
  /** Seconds per digit of the walk, or null for {@linkcode WALK_SECONDS}. */
  walkSeconds?: number | null;
}

/**
 * What the live explorer page reports of itself
 * (`window.cppnExplorer.state()`), for debugging and tests.
 */
export interface ExplorerSnapshot {
  /** The TensorFlow.js backend it renders with. */
  backend: string;
  /** Id of the model shown, or null before one is loaded. */
  model: string | null;
  /** The latent vector. */
  z: number[];
  /** The view. */
  view: View;
  /** Canvas size in pixels. */
  width: number;
  height: number;
  /** Whether a render is running. */
  rendering: boolean;
  /** Renders finished so far. */
  renders: number;
  /** The URL fragment of the state. */
  hash: string;
}

/** A number in a URL: at most `decimals` decimals, no trailing zeros, no `-0`. */
export function compactNumber(value: number, decimals: number): string {
  const text = value.toFixed(decimals).replace(/\.?0+$/, "");
  return text === "-0" ? "0" : text;
}

/** Decimals that keep a centre exact to a hundredth of a pixel at any zoom. */
function centerDecimals(scale: number): number {
  return Math.min(12, Math.max(2, Math.ceil(-Math.log10(scale)) + 5));
}

/** Rounds `z` as the URL does ({@linkcode Z_DECIMALS} decimals), so a link reopens exactly what it shows. */
export function roundLatent(z: Float32Array): Float32Array {
  return Float32Array.from(z, (v) => Number(compactNumber(v, Z_DECIMALS)));
}

/**
 * A view rounded as the URL writes it (scale to 6 significant digits, the
 * centre to a hundredth of a pixel or finer), so that the explorer can keep
 * exactly the view its URL reopens.
 */
export function roundView(view: View): View {
  const scale = Number(view.scale.toPrecision(6));
  const d = centerDecimals(scale);
  return {
    scale,
    center: [Number(compactNumber(view.center[0], d)), Number(compactNumber(view.center[1], d))],
  };
}

/** The URL fragment (without `#`) for a state. */
export function formatHash(state: ExploreState): string {
  const parts: string[] = [];
  if (state.model !== null) parts.push(`m=${encodeURIComponent(state.model)}`);
  if (state.z !== null) {
    parts.push(`z=${Array.from(state.z, (v) => compactNumber(v, Z_DECIMALS)).join(",")}`);
  } else if (state.morph) {
    const { from, to, t } = state.morph;
    parts.push(`b=${from},${to},${compactNumber(t, MORPH_DECIMALS)}`);
  } else if (state.digit !== null) parts.push(`d=${state.digit}`);
  if (state.scale !== null) parts.push(`s=${Number(state.scale.toPrecision(6))}`);
  if (state.center !== null) {
    const d = centerDecimals(state.scale ?? 1);
    parts.push(`c=${compactNumber(state.center[0], d)},${compactNumber(state.center[1], d)}`);
  }
  if (state.walkSeconds != null && state.walkSeconds !== WALK_SECONDS) {
    parts.push(`w=${compactNumber(state.walkSeconds, 2)}`);
  }
  return parts.join("&");
}

/** A state read from a URL fragment, with what could not be used. */
export interface ParsedHash extends ExploreState {
  /** One line per ignored value, saying why. */
  problems: string[];
}

function finiteNumbers(text: string): number[] | null {
  const values = text.split(",").map((v) => (v.trim() === "" ? NaN : Number(v)));
  return values.every(Number.isFinite) ? values : null;
}

/**
 * Reads a URL fragment (with or without `#`). Values that cannot be used
 * are left out (null) and described in `problems`; it never throws.
 */
export function parseHash(hash: string): ParsedHash {
  const out: ParsedHash = {
    model: null,
    digit: null,
    z: null,
    scale: null,
    center: null,
    morph: null,
    walkSeconds: null,
    problems: [],
  };
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const model = params.get("m");
  if (model) out.model = model;
  const digit = params.get("d");
  if (digit !== null) {
    if (/^[0-9]$/.test(digit)) out.digit = Number(digit);
    else out.problems.push(`d=${digit} is not a digit (0 to 9)`);
  }
  const z = params.get("z");
  if (z !== null) {
    const values = finiteNumbers(z);
    if (values && values.length > 0) out.z = Float32Array.from(values);
    else out.problems.push("z is not a comma-separated list of numbers");
  }
  const scale = params.get("s");
  if (scale !== null) {
    const value = Number(scale);
    if (scale.trim() !== "" && value >= MIN_SCALE && value <= MAX_SCALE) out.scale = value;
    else out.problems.push(`s=${scale} is not a scale from ${MIN_SCALE} to ${MAX_SCALE}`);
  }
  const center = params.get("c");
  if (center !== null) {
    const values = finiteNumbers(center);
    if (values && values.length === 2) out.center = [values[0], values[1]];
    else out.problems.push(`c=${center} is not a centre "x,y"`);
  }
  const morph = params.get("b");
  if (morph !== null) {
    const m = /^([0-9]),([0-9]),([0-9.]+)$/.exec(morph);
    const t = m ? Number(m[3]) : NaN;
    if (m && t >= 0 && t <= 1) out.morph = { from: Number(m[1]), to: Number(m[2]), t };
    else out.problems.push(`b=${morph} is not a morph "from digit,to digit,position 0 to 1"`);
  }
  const seconds = params.get("w");
  if (seconds !== null) {
    const value = Number(seconds);
    if (seconds.trim() !== "" && value >= MIN_WALK_SECONDS && value <= MAX_WALK_SECONDS) {
      out.walkSeconds = value;
    } else {
      out.problems.push(
        `w=${seconds} is not a walk speed from ${MIN_WALK_SECONDS} to ${MAX_WALK_SECONDS} s per digit`,
      );
    }
  }
  return out;
}

/** Clamps a scale to [{@linkcode MIN_SCALE}, {@linkcode MAX_SCALE}]. */
export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/**
 * The plane point under pixel `(px, py)` (fractional pixels allowed) of a
 * `width` x `height` image of `view`: pixel centres are at integers, as in
 * `pixelCoords`.
 */
export function planePoint(
  view: View,
  width: number,
  height: number,
  px: number,
  py: number,
): [number, number] {
  const step = pixelStep(width, height, view);
  return [
    view.center[0] + step * (px - (width - 1) / 2),
    view.center[1] + step * (py - (height - 1) / 2),
  ];
}

/**
 * The view after moving the image by `(dx, dy)` pixels (dragging the
 * picture right by 10 pixels shows what was 10 pixels to its left).
 */
export function panBy(view: View, width: number, height: number, dx: number, dy: number): View {
  const step = pixelStep(width, height, view);
  return { scale: view.scale, center: [view.center[0] - dx * step, view.center[1] - dy * step] };
}

/**
 * The view after zooming in by `factor` (> 1 zooms in) around pixel
 * `(px, py)`, which stays over the same plane point. The scale is clamped
 * to the explorer's limits.
 */
export function zoomAt(
  view: View,
  width: number,
  height: number,
  px: number,
  py: number,
  factor: number,
): View {
  const scale = clampScale(view.scale / factor);
  const [x, y] = planePoint(view, width, height, px, py);
  const step = pixelStep(width, height, { scale, center: [0, 0] });
  return {
    scale,
    center: [x - step * (px - (width - 1) / 2), y - step * (py - (height - 1) / 2)],
  };
}

/**
 * The size of an image whose longer side is `longest` pixels, with the
 * aspect ratio of a `width` x `height` one (for saving the view larger).
 */
export function sizeWithLongestSide(
  width: number,
  height: number,
  longest: number,
): { width: number; height: number } {
  if (width >= height) {
    return { width: longest, height: Math.max(1, Math.round((longest * height) / width)) };
  }
  return { width: Math.max(1, Math.round((longest * width) / height)), height: longest };
}
