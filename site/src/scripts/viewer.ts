/**
 * The still page's deep-zoom viewer: OpenSeadragon (bundled) over the
 * still's Deep Zoom tiles, with a navigator, our own buttons (no button
 * images to fetch) and full screen on the viewer and its toolbar.
 *
 * @module
 */
import OpenSeadragon from "openseadragon";
import { toggleFullScreen, wireFullScreenButton } from "./full_screen.ts";

import type { DziInfo as TileSourceData } from "../../../lib/site/tiles.ts";

const element = document.getElementById("viewer");
const wrap = document.getElementById("viewer-wrap");
if (element && wrap) {
  const source = JSON.parse(element.dataset.tileSource ?? "{}") as TileSourceData;
  const viewer = OpenSeadragon({
    element,
    // The Deep Zoom descriptor inline (same fields as the .dzi), plus the
    // lowest level that was written, so no request is ever made for it.
    tileSources: {
      Image: {
        xmlns: "http://schemas.microsoft.com/deepzoom/2008",
        Url: element.dataset.tilesUrl ?? "",
        Format: source.format,
        Overlap: String(source.overlap),
        TileSize: String(source.tileSize),
        Size: { Width: String(source.width), Height: String(source.height) },
      },
      minLevel: source.minLevel,
      maxLevel: source.maxLevel,
    } as unknown as OpenSeadragon.TileSourceOptions,
    drawer: "canvas",
    showNavigationControl: false,
    showNavigator: true,
    navigatorPosition: "BOTTOM_RIGHT",
    navigatorAutoFade: false,
    visibilityRatio: 0.5,
    maxZoomPixelRatio: 4,
    animationTime: 0.6,
    gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
  });
  // Exposed for debugging and tests.
  (window as unknown as { viewer: OpenSeadragon.Viewer }).viewer = viewer;

  wireFullScreenButton(wrap);

  wrap.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    if (!button) return;
    const viewport = viewer.viewport;
    switch (button.dataset.action) {
      case "zoom-in":
        viewport.zoomBy(1.6);
        break;
      case "zoom-out":
        viewport.zoomBy(1 / 1.6);
        break;
      case "home":
        viewport.goHome();
        break;
      case "full-screen":
        toggleFullScreen(wrap);
        break;
    }
    viewport.applyConstraints();
  });
}
