import { assertAlmostEquals, assertEquals } from "@std/assert";
import {
  compactNumber,
  formatHash,
  MAX_SCALE,
  MIN_SCALE,
  panBy,
  parseHash,
  planePoint,
  roundLatent,
  roundView,
  sizeWithLongestSide,
  zoomAt,
} from "../../lib/explore/state.ts";
import { pixelCoords } from "../../lib/model/coords.ts";

Deno.test("explore state: the URL fragment is compact and round-trips", () => {
  assertEquals(compactNumber(1.23456789, 4), "1.2346");
  assertEquals(compactNumber(-0.00001, 4), "0");
  assertEquals(compactNumber(2, 4), "2");
  const z = Float32Array.from([0.123456, -1.5, 0, 2.00004]);
  const hash = formatHash({ model: "run 1", digit: null, z, scale: 0.25, center: [1.5, -2.125] });
  assertEquals(hash, "m=run%201&z=0.1235,-1.5,0,2&s=0.25&c=1.5,-2.125");
  const back = parseHash(`#${hash}`);
  assertEquals(back.model, "run 1");
  assertEquals(back.z, roundLatent(z));
  assertEquals([back.scale, back.center, back.digit, back.problems], [
    0.25,
    [1.5, -2.125],
    null,
    [],
  ]);
  // z wins over d; d alone is kept.
  assertEquals(
    formatHash({ model: "m", digit: 3, z: null, scale: 8, center: [0, 0] }),
    "m=m&d=3&s=8&c=0,0",
  );
  assertEquals(parseHash("d=3").digit, 3);
  // Deep zooms keep enough decimals of the centre for their pixels.
  const deep = formatHash({ model: null, digit: null, z: null, scale: 1e-3, center: [1 / 3, 0] });
  assertEquals(deep, "s=0.001&c=0.33333333,0");
  assertEquals(parseHash("").model, null);
});

Deno.test("explore state: unusable values are dropped with a reason, never thrown", () => {
  const parsed = parseHash("d=12&z=1,x&s=0&c=1");
  assertEquals([parsed.digit, parsed.z, parsed.scale, parsed.center], [null, null, null, null]);
  assertEquals(parsed.problems, [
    "d=12 is not a digit (0 to 9)",
    "z is not a comma-separated list of numbers",
    `s=0 is not a scale from ${MIN_SCALE} to ${MAX_SCALE}`,
    'c=1 is not a centre "x,y"',
  ]);
});

Deno.test("explore state: zooming keeps the point under the cursor; panning moves by pixels", () => {
  const view = { scale: 8, center: [1, -2] as [number, number] };
  const [w, h] = [301, 201];
  // planePoint agrees with the renderer's own pixel coordinates.
  const coords = pixelCoords(w, h, view, 17, 18);
  const [x, y] = planePoint(view, w, h, 40, 17);
  assertAlmostEquals(coords[40 * 3], x, 1e-5);
  assertAlmostEquals(coords[40 * 3 + 1], y, 1e-5);
  const zoomed = zoomAt(view, w, h, 40, 17, 4);
  assertEquals(zoomed.scale, 2);
  const [x2, y2] = planePoint(zoomed, w, h, 40, 17);
  assertAlmostEquals(x2, x, 1e-12);
  assertAlmostEquals(y2, y, 1e-12);
  // Zooming around the centre keeps the centre.
  assertEquals(zoomAt(view, w, h, (w - 1) / 2, (h - 1) / 2, 2).center, view.center);
  // Clamped at the limits.
  assertEquals(zoomAt(view, w, h, 0, 0, 1e9).scale, MIN_SCALE);
  assertEquals(zoomAt(view, w, h, 0, 0, 1e-9).scale, MAX_SCALE);
  // Dragging the picture 10 px right shows what was 10 px to the left of the centre.
  const panned = panBy(view, w, h, 10, -5);
  const [px, py] = planePoint(view, w, h, (w - 1) / 2 - 10, (h - 1) / 2 + 5);
  assertAlmostEquals(panned.center[0], px, 1e-12);
  assertAlmostEquals(panned.center[1], py, 1e-12);
});

Deno.test("explore state: saving larger keeps the aspect ratio", () => {
  assertEquals(sizeWithLongestSide(800, 600, 4096), { width: 4096, height: 3072 });
  assertEquals(sizeWithLongestSide(300, 500, 1000), { width: 600, height: 1000 });
  assertEquals(sizeWithLongestSide(1, 1000, 10), { width: 1, height: 10 });
});

Deno.test("explore state: a rounded view is exactly what its URL reopens", () => {
  const view = roundView({ scale: 5.488116360940265, center: [2.123456789, -1.00000049] });
  assertEquals(view, { scale: 5.48812, center: [2.12346, -1] });
  const parsed = parseHash(formatHash({ model: null, digit: null, z: null, ...view }));
  assertEquals({ scale: parsed.scale, center: parsed.center }, view);
  assertEquals(roundView(view), view);
});

Deno.test("explore state: a morph and the walk speed round-trip through the URL", () => {
  const hash = formatHash({
    model: "m",
    digit: 3,
    z: null,
    morph: { from: 3, to: 8, t: 0.256 },
    scale: 8,
    center: [0, 0],
    walkSeconds: 4,
  });
  assertEquals(hash, "m=m&b=3,8,0.26&s=8&c=0,0&w=4");
  const back = parseHash(hash);
  assertEquals([back.morph, back.walkSeconds, back.digit, back.problems], [
    { from: 3, to: 8, t: 0.26 },
    4,
    null,
    [],
  ]);
  // z wins over the morph; the default walk speed is not written.
  assertEquals(
    formatHash({
      model: null,
      digit: null,
      z: Float32Array.of(1),
      morph: { from: 1, to: 2, t: 0.5 },
      scale: null,
      center: null,
      walkSeconds: 2,
    }),
    "z=1",
  );
  const bad = parseHash("b=3,12,0.5&w=0");
  assertEquals([bad.morph, bad.walkSeconds], [null, null]);
  assertEquals(bad.problems, [
    'b=3,12,0.5 is not a morph "from digit,to digit,position 0 to 1"',
    "w=0 is not a walk speed from 0.5 to 8 s per digit",
  ]);
  assertEquals(parseHash("b=1,2,1.5").morph, null);
});
