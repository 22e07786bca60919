import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { parseCamera, zoomView } from "../../lib/latent/camera.ts";
import { FlagError } from "../../lib/base/flags.ts";

Deno.test("zoomView: geometric scale, exact ends, constant zoom factor per step", () => {
  const a = { scale: 8, center: [0, 0] as [number, number] };
  const b = { scale: 0.08, center: [1, -2] as [number, number] };
  assertEquals(zoomView(a, b, 0), a);
  assertEquals(zoomView(a, b, 1), b);
  assertAlmostEquals(zoomView(a, b, 0.5).scale, 0.8, 1e-12);
  const ratios = [0, 0.25, 0.5, 0.75].map((t) =>
    zoomView(a, b, t + 0.25).scale / zoomView(a, b, t).scale
  );
  for (const r of ratios) assertAlmostEquals(r, ratios[0], 1e-12);
});

Deno.test("zoomView: the zoom's fixed point stays at the same place on screen", () => {
  const a = { scale: 8, center: [0, 0] as [number, number] };
  const b = { scale: 0.01, center: [2, 1] as [number, number] };
  // p with (p - a.c) / a.s = (p - b.c) / b.s
  const p = [0, 1].map((i) =>
    (a.center[i] * b.scale - b.center[i] * a.scale) / (b.scale - a.scale)
  );
  for (const t of [0.1, 0.3, 0.6, 0.9]) {
    const v = zoomView(a, b, t);
    for (const i of [0, 1]) {
      assertAlmostEquals((p[i] - v.center[i]) / v.scale, (p[i] - a.center[i]) / a.scale, 1e-9);
    }
  }
  // equal scales: a straight pan
  const pan = zoomView(a, { scale: 8, center: [4, 2] }, 0.5);
  assertEquals(pan, { scale: 8, center: [2, 1] });
});

Deno.test("parseCamera: valid lists, and clear errors for bad scales and centres", () => {
  assertEquals(parseCamera([{ scale: 2 }, { scale: 0.5, center: [1, 2] }], "plan"), [
    { scale: 2, center: [0, 0] },
    { scale: 0.5, center: [1, 2] },
  ]);
  const bad = (raw: unknown, text: string) =>
    assertThrows(() => parseCamera(raw, "plan walk 0"), FlagError, text);
  bad([{ scale: 0 }], "camera 0: scale must be a number > 0");
  bad([{ scale: -1 }], "camera 0: scale must be a number > 0");
  bad([{ scale: 1 }, { scale: "x" }], "camera 1: scale must be");
  bad([{ scale: 1, center: [null, 0] }], "camera 0: center must be two finite numbers");
  bad([{ scale: 1, center: [1] }], "center must be two finite numbers");
  bad([{ scale: 1, zoom: 2 }], 'unknown key "zoom"');
  bad([], '"camera" must be a list');
  bad({ scale: 1 }, '"camera" must be a list');
});
