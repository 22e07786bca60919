/**
 * The maths of latent walks: interpolation between latent vectors
 * (spherical by default, linear as an option), easing curves, and the
 * schedule that spreads a walk's frames over its segments.
 *
 * Spherical interpolation keeps samples near the Gaussian shell where the
 * prior puts almost all its mass (linear interpolation cuts through the
 * middle, where images are blurrier).
 *
 * @module
 */

/** How to move between two keyframes. */
export type Interpolation = "slerp" | "lerp";

/** Every valid interpolation name. */
export const INTERPOLATIONS: readonly Interpolation[] = ["slerp", "lerp"];

/** The easing curves: increasing maps of [0, 1] onto [0, 1] with ends fixed. */
export const EASINGS = {
  /** Constant speed. */
  none: (t: number) => t,
  /** Half a cosine: `(1 - cos(pi t)) / 2`, slow at both ends (the default). */
  cosine: (t: number) => (1 - Math.cos(Math.PI * t)) / 2,
  /** Smoothstep: `3t² - 2t³`. */
  cubic: (t: number) => t * t * (3 - 2 * t),
  /** Smootherstep: `6t⁵ - 15t⁴ + 10t³`, zero speed and acceleration at the ends. */
  quintic: (t: number) => t * t * t * (t * (6 * t - 15) + 10),
  /** The original's ease-out `sin(pi t / 2)`: full speed at the start, slowing to a stop. */
  "sine-out": (t: number) => Math.sin((Math.PI * t) / 2),
} as const;

/** The name of an easing curve. */
export type Easing = keyof typeof EASINGS;

/** Every valid easing name. */
export const EASING_NAMES = Object.keys(EASINGS) as Easing[];

/** Linear interpolation `(1 - t) a + t b`. */
export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
  return out;
}

/**
 * Spherical interpolation along the great circle from `a` to `b` (norms
 * interpolated too). Falls back to linear interpolation when the vectors
 * are nearly parallel or opposite, where the great circle is undefined, so
 * it never returns NaN. `t = 0` gives `a` and `t = 1` gives `b` exactly.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) {
    throw new Error(`Cannot interpolate vectors of ${a.length} and ${b.length} values`);
  }
  if (t === 0) return a.slice();
  if (t === 1) return b.slice();
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const denom = Math.sqrt(na * nb);
  if (denom === 0) return lerp(a, b, t);
  const cos = Math.min(1, Math.max(-1, dot / denom));
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  if (sin < 1e-6) return lerp(a, b, t);
  const ka = Math.sin((1 - t) * omega) / sin;
  const kb = Math.sin(t * omega) / sin;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ka * a[i] + kb * b[i];
  return out;
}

/** Where a frame of a walk sits: between keyframe `from` and `to`, at `t`. */
export interface FramePosition {
  /** Index of the keyframe the segment starts at. */
  from: number;
  /** Index of the keyframe it ends at. */
  to: number;
  /** Position in the segment before easing, in [0, 1]. */
  t: number;
}

/**
 * The position of frame `frame` of `frames` in a walk through `keys`
 * keyframes. A loop has `keys` segments (the last returns to the first)
 * and never repeats frame 0 at the end, so it plays seamlessly on repeat;
 * an open walk has `keys - 1` segments and ends exactly on the last key.
 */
export function framePosition(
  frame: number,
  frames: number,
  keys: number,
  loop: boolean,
): FramePosition {
  if (keys < 1) throw new Error("A walk needs at least one keyframe");
  if (keys === 1) return { from: 0, to: 0, t: 0 };
  const segments = loop ? keys : keys - 1;
  const u = loop ? (frame * segments) / frames : frames > 1 ? (frame * segments) / (frames - 1) : 0;
  const from = Math.min(Math.floor(u), segments - 1);
  const t = u - from;
  return { from, to: (from + 1) % keys, t };
}

/** The latent vector of frame `frame` of a walk. */
export function walkLatent(
  keys: Float32Array[],
  frame: number,
  frames: number,
  options: { loop: boolean; interp: Interpolation; ease: Easing },
): Float32Array {
  const p = framePosition(frame, frames, keys.length, options.loop);
  const t = EASINGS[options.ease](p.t);
  const f = options.interp === "slerp" ? slerp : lerp;
  return f(keys[p.from], keys[p.to], t);
}
