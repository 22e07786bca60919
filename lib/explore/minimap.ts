/**
 * The live explorer's minimap: a small square overview of the plane around
 * the training view, with the rectangle the main view covers, so a user deep
 * in a zoom sees where they are and can click their way back. Pure view
 * maths, no DOM.
 *
 * @module
 */
import { pixelStep, type View } from "../model/coords.ts";

/** How much more of the plane the overview shows than the training view. */
export const OVERVIEW_MARGIN = 1.25;

/** A rectangle in minimap pixels (CSS pixels from its top-left corner). */
export interface MapRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Half the width and half the height of the plane a `width` x `height` image of `view` covers. */
export function viewExtent(
  view: View,
  width: number,
  height: number,
): { halfWidth: number; halfHeight: number } {
  const step = pixelStep(width, height, view);
  return { halfWidth: (step * (width - 1)) / 2, halfHeight: (step * (height - 1)) / 2 };
}

/**
 * The overview's view: centred on the origin, {@linkcode OVERVIEW_MARGIN}
 * times the training scale, doubled as often as needed to contain the
 * main view (so panning far out grows the overview in a few steps rather
 * than at every move).
 */
export function overviewView(
  trainScale: number,
  view: View,
  width: number,
  height: number,
): View {
  const base = trainScale * OVERVIEW_MARGIN;
  const { halfWidth, halfHeight } = viewExtent(view, width, height);
  const need = Math.max(
    Math.abs(view.center[0]) + halfWidth,
    Math.abs(view.center[1]) + halfHeight,
  );
  const doublings = need > base ? Math.ceil(Math.log2(need / base)) : 0;
  return { scale: base * 2 ** doublings, center: [0, 0] };
}

/**
 * Where the main view lies on a square minimap `side` CSS pixels wide that
 * shows `overview` (its plane square `[c - s, c + s]` on both axes).
 */
export function mapRect(
  overview: View,
  side: number,
  view: View,
  width: number,
  height: number,
): MapRect {
  const { halfWidth, halfHeight } = viewExtent(view, width, height);
  const perUnit = side / (2 * overview.scale);
  const x0 = overview.center[0] - overview.scale;
  const y0 = overview.center[1] - overview.scale;
  return {
    left: (view.center[0] - halfWidth - x0) * perUnit,
    top: (view.center[1] - halfHeight - y0) * perUnit,
    width: 2 * halfWidth * perUnit,
    height: 2 * halfHeight * perUnit,
  };
}

/** The plane point under CSS pixel `(x, y)` of a square minimap `side` wide showing `overview`. */
export function mapPoint(overview: View, side: number, x: number, y: number): [number, number] {
  const perPixel = (2 * overview.scale) / side;
  return [
    overview.center[0] - overview.scale + x * perPixel,
    overview.center[1] - overview.scale + y * perPixel,
  ];
}

/** How many times the training view is magnified: `×1`, `×12.5`, `×800`, `×0.5`. */
export function zoomLabel(trainScale: number, scale: number): string {
  const factor = trainScale / scale;
  const shown = factor >= 100 ? Math.round(factor) : Number(factor.toPrecision(3));
  return `×${shown.toLocaleString("en-US")}`;
}
