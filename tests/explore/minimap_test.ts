import { assertAlmostEquals, assertEquals } from "@std/assert";
import {
  mapPoint,
  mapRect,
  OVERVIEW_MARGIN,
  overviewView,
  viewExtent,
  zoomLabel,
} from "../../lib/explore/minimap.ts";
import { planePoint } from "../../lib/explore/state.ts";

Deno.test("minimap: the view's extent agrees with the renderer's pixel coordinates", () => {
  const view = { scale: 2, center: [1, -1] as [number, number] };
  const { halfWidth, halfHeight } = viewExtent(view, 301, 201);
  assertAlmostEquals(halfHeight, 2, 1e-12);
  assertAlmostEquals(halfWidth, 3, 1e-12);
  const [x0, y0] = planePoint(view, 301, 201, 0, 0);
  assertAlmostEquals(x0, 1 - 3, 1e-12);
  assertAlmostEquals(y0, -1 - 2, 1e-12);
});

Deno.test("minimap: the overview holds the training view and grows by doubling to hold the view", () => {
  const train = 8;
  const base = train * OVERVIEW_MARGIN;
  assertEquals(overviewView(train, { scale: 8, center: [0, 0] }, 100, 100), {
    scale: base,
    center: [0, 0],
  });
  // Deep zooms inside it keep the same overview.
  assertEquals(overviewView(train, { scale: 0.01, center: [3, -4] }, 640, 480).scale, base);
  // A view reaching to x = 25 needs two doublings of 10.
  assertEquals(overviewView(train, { scale: 1, center: [24, 0] }, 100, 100).scale, 4 * base);
});

Deno.test("minimap: the view's rectangle shrinks with the zoom and points map back", () => {
  const overview = { scale: 10, center: [0, 0] as [number, number] };
  const side = 100;
  // The whole overview is the whole map.
  const full = mapRect(overview, side, { scale: 10, center: [0, 0] }, 51, 51);
  assertEquals(full, { left: 0, top: 0, width: 100, height: 100 });
  const zoomed = mapRect(overview, side, { scale: 1, center: [5, -5] }, 51, 51);
  assertEquals(zoomed, { left: 70, top: 20, width: 10, height: 10 });
  const twice = mapRect(overview, side, { scale: 0.5, center: [5, -5] }, 51, 51);
  assertEquals([twice.width, twice.height], [5, 5]);
  // A wide canvas gives a wide rectangle.
  const wide = mapRect(overview, side, { scale: 1, center: [0, 0] }, 201, 101);
  assertEquals([wide.width, wide.height], [20, 10]);
  assertEquals(mapPoint(overview, side, 75, 25), [5, -5]);
  assertEquals(mapPoint(overview, side, 50, 50), [0, 0]);
});

Deno.test("minimap: the zoom label says how many times the training view is magnified", () => {
  assertEquals(zoomLabel(8, 8), "×1");
  assertEquals(zoomLabel(8, 16), "×0.5");
  assertEquals(zoomLabel(8, 0.64), "×12.5");
  assertEquals(zoomLabel(8, 0.01), "×800");
  assertEquals(zoomLabel(8, 0.001), "×8,000");
});
