/// <reference lib="dom" />
/**
 * The live explorer's minimap: a small overview of the plane around the
 * training view (rendered by the same network, lib/explore/minimap.ts
 * chooses its view), the main view's rectangle on it, and the zoom factor.
 * Clicking a point of it moves the view there.
 *
 * @module
 */
import type { View } from "../../../lib/model/coords.ts";
import type { Renderer } from "../../../lib/render/renderer.ts";
import { renderBands } from "../../../lib/explore/bands.ts";
import { mapPoint, mapRect, overviewView, zoomLabel } from "../../../lib/explore/minimap.ts";

/** The smallest rectangle drawn, in CSS pixels, so a deep zoom still shows where it is. */
const MIN_RECT = 6;

/** What the page reports of the minimap (for tests): the overview and the rectangle drawn. */
export interface MinimapSnapshot {
  overview: View;
  rect: { left: number; top: number; width: number; height: number };
  zoom: string;
}

/** The minimap's elements and what it last drew. */
export class Minimap {
  overview: View = { scale: 1, center: [0, 0] };
  /** What the overview image shows (z and overview), to know when to render it again. */
  #drawn = "";
  #wanted = "";
  readonly #ctx: CanvasRenderingContext2D;

  constructor(
    readonly root: HTMLElement,
    readonly canvas: HTMLCanvasElement,
    readonly rect: HTMLElement,
    readonly zoom: HTMLElement,
  ) {
    this.#ctx = canvas.getContext("2d", { alpha: false })!;
  }

  /** The minimap's side in CSS pixels. */
  side(): number {
    return this.root.clientWidth;
  }

  /**
   * Places the view's rectangle and the zoom factor for `view` shown on a
   * `width` x `height` canvas, and picks the overview (which may need a new
   * render: see {@linkcode Minimap.stale}).
   */
  place(trainScale: number, view: View, width: number, height: number, z: Float32Array): void {
    this.overview = overviewView(trainScale, view, width, height);
    const side = this.side();
    const r = mapRect(this.overview, side, view, width, height);
    const w = Math.max(MIN_RECT, r.width), h = Math.max(MIN_RECT, r.height);
    const left = r.left + (r.width - w) / 2, top = r.top + (r.height - h) / 2;
    Object.assign(this.rect.style, {
      left: `${left}px`,
      top: `${top}px`,
      width: `${w}px`,
      height: `${h}px`,
    });
    this.zoom.textContent = zoomLabel(trainScale, view.scale);
    const pixels = this.pixelSide();
    this.#wanted = `${pixels}|${this.overview.scale}|${Array.from(z).join(",")}`;
  }

  /** Whether the overview image is not what {@linkcode Minimap.place} last asked for. */
  stale(): boolean {
    return this.#wanted !== "" && this.#wanted !== this.#drawn;
  }

  pixelSide(): number {
    return Math.max(1, Math.round(this.side() * (devicePixelRatio || 1)));
  }

  /** Renders the overview image of `z`; gives up (returns false) when `cancelled` says so. */
  async render(
    renderer: Renderer,
    z: Float32Array,
    backend: string,
    cancelled: () => boolean,
    pause: () => Promise<void>,
    paint: (bytes: Uint8Array, width: number, rows: number) => ImageData,
  ): Promise<boolean> {
    const wanted = this.#wanted;
    const side = this.pixelSide();
    if (this.canvas.width !== side) this.canvas.width = this.canvas.height = side;
    const result = await renderBands(
      renderer,
      { z, width: side, height: side, view: this.overview },
      {
        cancelled,
        targetMs: backend === "webgl" ? 30 : 16,
        powerOfTwoRows: backend === "webgl",
        pause,
        onBand: (rowStart, rowEnd, bytes) => {
          this.#ctx.putImageData(paint(bytes, side, rowEnd - rowStart), 0, rowStart);
        },
      },
    );
    if (result.completed) this.#drawn = wanted;
    return result.completed;
  }

  /** The plane point under a pointer event on the minimap. */
  pointAt(event: { clientX: number; clientY: number }): [number, number] {
    const box = this.root.getBoundingClientRect();
    const x = event.clientX - box.left - this.root.clientLeft;
    const y = event.clientY - box.top - this.root.clientTop;
    return mapPoint(this.overview, this.side(), x, y);
  }

  snapshot(): MinimapSnapshot {
    const px = (v: string) => Number.parseFloat(v) || 0;
    const { left, top, width, height } = this.rect.style;
    return {
      overview: { scale: this.overview.scale, center: [...this.overview.center] },
      rect: { left: px(left), top: px(top), width: px(width), height: px(height) },
      zoom: this.zoom.textContent ?? "",
    };
  }
}
