/**
 * Camera paths of walks: the view (scale and centre) of every frame.
 * Zoom is interpolated geometrically, so each frame magnifies by the same
 * factor (constant apparent speed), and the centre moves so that the one
 * plane point both end views show at the same place on screen stays put:
 * zooming into a point keeps that point still.
 *
 * @module
 */
import { MAX_SCALE, type View } from "../model/coords.ts";
import { FlagError } from "../base/flags.ts";

/**
 * The view `t` of the way from `a` to `b` (`t` in [0, 1]): scale
 * `a.scale^(1-t) b.scale^t`, centre about the fixed point of the zoom.
 */
export function zoomView(a: View, b: View, t: number): View {
  if (t === 0) return { scale: a.scale, center: [...a.center] };
  if (t === 1) return { scale: b.scale, center: [...b.center] };
  const scale = a.scale * Math.pow(b.scale / a.scale, t);
  if (Math.abs(Math.log(b.scale / a.scale)) < 1e-6) {
    const c = a.center.map((v, i) => (1 - t) * v + t * b.center[i]) as [number, number];
    return { scale, center: c };
  }
  // the plane point p with (p - a.center) / a.scale = (p - b.center) / b.scale
  const k = scale / a.scale;
  const center = a.center.map((c0, i) => {
    const p = (c0 * b.scale - b.center[i] * a.scale) / (b.scale - a.scale);
    return p + (c0 - p) * k;
  }) as [number, number];
  return { scale, center };
}

/**
 * Checks a plan's `camera` list: one `{ "scale": S, "center": [X, Y] }`
 * per keyframe (`center` optional, default `[0, 0]`).
 *
 * @throws FlagError naming `where` and the bad entry.
 */
export function parseCamera(raw: unknown, where: string): View[] {
  const valid = `a list of { "scale": S > 0, "center": [X, Y] }, one per keyframe`;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new FlagError(`${where}: "camera" must be ${valid}`);
  }
  return raw.map((entry, i) => {
    const at = `${where}: camera ${i}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new FlagError(`${at} must be an object { "scale": S, "center": [X, Y] }`);
    }
    const { scale, center = [0, 0], ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) {
      throw new FlagError(`${at} has unknown key "${extra[0]}" (valid: scale, center)`);
    }
    if (typeof scale !== "number" || !(scale > 0) || scale > MAX_SCALE) {
      throw new FlagError(
        `${at}: scale must be a number > 0 and <= ${MAX_SCALE}, got ${JSON.stringify(scale)}`,
      );
    }
    if (
      !Array.isArray(center) || center.length !== 2 ||
      !center.every((v) => typeof v === "number" && Number.isFinite(v))
    ) {
      throw new FlagError(
        `${at}: center must be two finite numbers [X, Y], got ${JSON.stringify(center)}`,
      );
    }
    return { scale, center: [center[0], center[1]] as [number, number] };
  });
}
