import { assert, assertAlmostEquals, assertEquals, assertGreater, assertLess } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { cleanliness, FEATURED_STILLS, imageCleanliness, rank } from "../../lib/site/feature.ts";
import { buildSite } from "../../lib/site/build.ts";
import { type SiteData, walkBadge } from "../../lib/site/data.ts";
import type { WalkEntry } from "../../lib/site/manifest.ts";
import { findTestFfmpeg, makeRender, makeWalk } from "../_gallery_fixtures.ts";
import { tempDir } from "../_helpers.ts";

/** A 64x64 image: `ink` (0..1 of the rows) of bright stroke on black, edges `soft` pixels wide. */
function stroke(ink: number, soft = 0, invert = false): Uint8Array {
  const side = 64, grey = new Uint8Array(side * side);
  const half = (ink * side) / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const d = Math.abs(x - side / 2 + 0.5) - half; // a vertical bar
      const v = soft > 0 ? 1 / (1 + Math.exp(d / soft)) : d < 0 ? 1 : 0;
      grey[y * side + x] = Math.round(255 * (invert ? 1 - v : v));
    }
  }
  return grey;
}

Deno.test("feature: crisp strokes on a plain ground are cleanest; blobs and blanks score half", () => {
  const crisp = cleanliness(stroke(0.125), 64, 64);
  assertEquals(crisp, 1);
  const soft = cleanliness(stroke(0.125, 3), 64, 64);
  assertLess(soft, crisp);
  assertGreater(soft, 0.5);
  // Dark on light is as clean as light on dark (the background is read from the border).
  assertEquals(cleanliness(stroke(0.125, 0, true), 64, 64), crisp);
  // A white blob over most of the frame, or nothing at all, is halved.
  assertEquals(cleanliness(stroke(0.6), 64, 64), 0.5);
  assertEquals(cleanliness(new Uint8Array(64 * 64), 64, 64), 0.5);
  // A wash of mid-grey is the least clean.
  assertAlmostEquals(cleanliness(new Uint8Array(64 * 64).fill(128), 64, 64), 0, 0.01);
});

Deno.test("feature: ranking is by score, ties by id, whatever the input order", () => {
  const items = [
    { id: "b", score: 0.5 },
    { id: "c", score: 0.9 },
    { id: "a", score: 0.5 },
  ];
  assertEquals(rank(items).map((i) => i.id), ["c", "a", "b"]);
  assertEquals(rank([...items].reverse()).map((i) => i.id), ["c", "a", "b"]);
});

async function writeGrey(path: string, grey: Uint8Array, side = 64, scale = 4): Promise<void> {
  await sharp(grey, { raw: { width: side, height: side, channels: 1 } })
    .resize(side * scale, side * scale, { kernel: "nearest" })
    .png()
    .toFile(path);
}

Deno.test({
  name: "feature: the index opens on the cleanest stills and a walk video, not the newest file",
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    const ffmpeg = await findTestFfmpeg();
    await makeWalk(out, "w1", { ffmpeg });
    // The newest render is a white blob; older ones are strokes, crisp to soft.
    const renders: [string, Uint8Array, string][] = [
      ["blob", stroke(0.7, 1), "2026-01-09T00:00:00Z"],
      ["soft", stroke(0.15, 2.5), "2026-01-05T00:00:00Z"],
      ["crisp", stroke(0.15, 0.3), "2026-01-04T00:00:00Z"],
    ];
    for (const [name, grey, created] of renders) {
      await makeRender(out, name, { created, width: 256, height: 256 });
      await writeGrey(join(out, "renders", `${name}.png`), grey);
    }
    assertLess(
      await imageCleanliness(join(out, "renders", "blob.png")),
      await imageCleanliness(join(out, "renders", "soft.png")),
    );
    await buildSite({ out, base: null, site: null, log: () => {} });
    const data = JSON.parse(
      await Deno.readTextFile(join(out, "site-cache", "site-data.json")),
    ) as SiteData;
    // The newest-first grid still starts with the blob; the featured stills do not.
    assertEquals(data.cards[0].href, "stills/blob/");
    const featured = data.featured.stills.map((s) => s.href);
    assertEquals(featured.length, Math.min(FEATURED_STILLS, data.stills.length));
    assertEquals(featured[0], "stills/crisp/");
    assertEquals(featured.at(-1), "stills/blob/");
    assertLess(featured.indexOf("stills/soft/"), featured.indexOf("stills/blob/"));
    const index = await Deno.readTextFile(join(out, "site", "index.html"));
    const grid = index.slice(index.indexOf('class="feature-stills"'));
    const [crisp, blob] = ["crisp", "blob"].map((id) => grid.indexOf(`href="./stills/${id}/"`));
    assert(crisp >= 0 && crisp < blob, "the crisp still comes first in the featured grid");
    // Link previews show the best picture too.
    const best = ffmpeg ? data.walks[0].og : data.stills.find((s) => s.id === "crisp")!.og;
    assertEquals(data.og, best);
    if (ffmpeg) {
      assertEquals(data.featured.walk?.href, "walks/w1/");
      assert(/<video[^>]*id="feature-video"/.test(index), "the index plays the walk");
      assert(index.includes('src="./media/walks/w1/walk.mp4"'));
    } else assertEquals(data.featured.walk, null);
  },
});

Deno.test("feature: cards say what a piece is: a zoom walk, an untrained network's art", () => {
  const walk = (settings: Record<string, unknown>, kind: "run" | "random" = "run") =>
    ({
      settings,
      model: { kind, name: "m", checkpoint: "", step: null, spec: null },
    }) as unknown as WalkEntry;
  assertEquals(walkBadge(walk({ steps: 10 })), "Walk");
  assertEquals(walkBadge(walk({ zoomTo: { scale: 0.6, center: [0, 0] } })), "Zoom walk");
  const pan = [{ scale: 8, center: [0, 0] }, { scale: 8, center: [1, 0] }];
  assertEquals(walkBadge(walk({ camera: pan })), "Walk");
  assertEquals(walkBadge(walk({ camera: [pan[0], { scale: 2, center: [0, 0] }] })), "Zoom walk");
  assertEquals(walkBadge(walk({}, "random")), "Art walk");
});
