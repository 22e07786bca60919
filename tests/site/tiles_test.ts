import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { isInside, listFiles, removeInside, sha256Hex } from "../../lib/base/fs_safe.ts";
import {
  DEFAULT_TILE_OPTIONS,
  dziXml,
  levelGrid,
  levelSize,
  maxLevelFor,
  parseDzi,
  singleTileLevel,
  syncTiles,
  tileDirName,
  tilePixelSize,
  tileStill,
} from "../../lib/site/tiles.ts";
import { tempDir } from "../_helpers.ts";

/** A greyscale PNG with a horizontal ramp and a bright square (8-bit, one channel). */
async function greyPng(width: number, height: number, seed = 0): Promise<Uint8Array> {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
      pixels[y * width + x] = inSquare ? 255 : Math.round((x / width) * 200 + seed) % 256;
    }
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer(),
  );
}

Deno.test("tiles: level arithmetic follows the Deep Zoom rules", () => {
  assertEquals(maxLevelFor(2048, 2048), 11);
  assertEquals(maxLevelFor(2049, 10), 12);
  assertEquals(maxLevelFor(300, 300), 9);
  assertEquals(maxLevelFor(1, 1), 0);
  assertEquals(levelSize(2000, 1500, 11), { width: 2000, height: 1500 });
  assertEquals(levelSize(2000, 1500, 10), { width: 1000, height: 750 });
  assertEquals(levelSize(2000, 1500, 1), { width: 2, height: 2 });
  assertEquals(levelSize(2000, 1500, 0), { width: 1, height: 1 });
  assertEquals(levelSize(1001, 3, 9), { width: 501, height: 2 }); // rounds up
  assertEquals(singleTileLevel(2048, 2048, 512), 9);
  assertEquals(singleTileLevel(2000, 1500, 512), 9);
  assertEquals(singleTileLevel(300, 300, 512), 9); // already one tile
  assertEquals(singleTileLevel(2048, 2048, 254), 7);
  assertThrows(() => maxLevelFor(0, 10), Error, "Invalid image size");
});

Deno.test("tiles: dziXml and parseDzi round-trip; sharp's own layout parses too", () => {
  const info = {
    width: 2000,
    height: 1500,
    tileSize: 512,
    overlap: 1,
    format: "webp",
    minLevel: 9,
    maxLevel: 11,
  };
  assertEquals(parseDzi(dziXml(info)), {
    xmlns: "http://schemas.microsoft.com/deepzoom/2008",
    format: "webp",
    overlap: 1,
    tileSize: 512,
    width: 2000,
    height: 1500,
  });
  const vips = `<?xml version="1.0" encoding="UTF-8"?>
<Image xmlns="http://schemas.microsoft.com/deepzoom/2008"
  Format="png"
  Overlap="0"
  TileSize="256"
  >
  <Size 
    Height="20"
    Width="30"
  />
</Image>`;
  const fields = parseDzi(vips);
  assertEquals([fields.format, fields.overlap, fields.tileSize], ["png", 0, 256]);
  assertEquals([fields.width, fields.height], [30, 20]);
  assertThrows(() => parseDzi("<Image/>"), Error, "has no xmlns");
});

Deno.test("tiles: tileStill writes levels minLevel..maxLevel with exact tile sizes", async () => {
  await using dir = await tempDir();
  const png = await greyPng(1100, 700);
  const out = join(dir.path, "pyramid");
  const { info, files, bytes } = await tileStill(png, out);
  assertEquals(info, {
    width: 1100,
    height: 700,
    tileSize: 512,
    overlap: 1,
    format: "webp",
    minLevel: 9,
    maxLevel: 11,
  });
  const dzi = parseDzi(await Deno.readTextFile(join(out, "image.dzi")));
  assertEquals(dzi.xmlns, "http://schemas.microsoft.com/deepzoom/2008");
  assertEquals([dzi.width, dzi.height, dzi.tileSize, dzi.overlap, dzi.format], [
    1100,
    700,
    512,
    1,
    "webp",
  ]);
  const all = await listFiles(out);
  const levels = [
    ...new Set(all.filter((f) => f.startsWith("image_files/")).map((f) => f.split("/")[1])),
  ]
    .map(Number).sort((a, b) => a - b);
  assertEquals(levels, [9, 10, 11]);
  // Level 11 is 1100x700: 3x2 tiles; level 10 (550x350): 2x1; level 9 (275x175): 1.
  assertEquals(levelGrid(info, 11), { cols: 3, rows: 2 });
  assertEquals(levelGrid(info, 10), { cols: 2, rows: 1 });
  assertEquals(levelGrid(info, 9), { cols: 1, rows: 1 });
  assertEquals(files, all.length);
  assertEquals(all.length, 1 + 6 + 2 + 1);
  assert(!all.some((f) => f.endsWith("vips-properties.xml")));
  let total = 0;
  for (const level of levels) {
    const { cols, rows } = levelGrid(info, level);
    for (let col = 0; col < cols; col++) {
      for (let row = 0; row < rows; row++) {
        const path = join(out, "image_files", String(level), `${col}_${row}.webp`);
        const meta = await sharp(path).metadata();
        assertEquals(meta.format, "webp");
        assertEquals(
          { width: meta.width, height: meta.height },
          tilePixelSize(info, level, col, row),
          `tile ${level}/${col}_${row}`,
        );
      }
    }
  }
  for (const f of all) total += (await Deno.stat(join(out, f))).size;
  assertEquals(bytes, total);
  // An inner tile at full resolution: 512 + 2 overlap pixels wide.
  assertEquals(tilePixelSize(info, 11, 1, 0), { width: 514, height: 513 });
  // Content survives: the bright square's pixel (400, 200) is in tile 0_0 of level 11.
  const tile = await sharp(join(out, "image_files/11/0_0.webp")).extractChannel(0).raw()
    .toBuffer({ resolveWithObject: true });
  assert(tile.data[200 * tile.info.width + 400] > 240);
  assert(tile.data[500 * tile.info.width + 10] < 10); // the dark end of the ramp
});

Deno.test("tiles: tileStill rejects bytes that are not an image, leaving nothing behind", async () => {
  await using dir = await tempDir();
  await assertRejects(
    () => tileStill(new TextEncoder().encode("not a png"), join(dir.path, "x"), undefined, "a.png"),
    Error,
    `Cannot tile "a.png": not a readable image`,
  );
  assertEquals(await listFiles(dir.path), []);
});

Deno.test("tiles: syncTiles reuses unchanged stills, re-tiles changed ones, drops stale ones", async () => {
  await using dir = await tempDir();
  const a = join(dir.path, "a.png");
  const b = join(dir.path, "b.png");
  const root = join(dir.path, "tiles");
  await Deno.writeFile(a, await greyPng(600, 400, 0));
  await Deno.writeFile(b, await greyPng(300, 300, 7));
  const shaA = await sha256Hex(await Deno.readFile(a));

  const first = await syncTiles([a, b], root);
  assertEquals(first.made, [a, b]);
  assertEquals(first.reused, []);
  const recordA = first.bySource.get(a)!;
  assertEquals(recordA.sha256, shaA);
  assertEquals(recordA.dir, tileDirName(shaA));
  assertEquals(recordA.dzi.maxLevel, 10);
  const manifest = JSON.parse(await Deno.readTextFile(join(root, "tiles.json")));
  assertEquals(manifest.format, "cppn-tiles/1");
  assertEquals(manifest.options, DEFAULT_TILE_OPTIONS);
  assertEquals(manifest.tiles[recordA.dir].sha256, shaA);
  const dziA = join(root, recordA.dir, "image.dzi");
  const mtime = (await Deno.stat(dziA)).mtime;

  // Unchanged: nothing is tiled again, even when the file is rewritten with the same bytes.
  await Deno.writeFile(a, await Deno.readFile(a));
  await Deno.mkdir(join(root, "leftover.tmp-1"));
  const second = await syncTiles([a, b], root);
  assertEquals(second.made, []);
  assertEquals(second.reused, [a, b]);
  assertEquals(second.removed, ["leftover.tmp-1"]);
  assertEquals((await Deno.stat(dziA)).mtime, mtime);

  // Changed content: a new folder; the old one goes. Removed source: its folder goes.
  await Deno.writeFile(a, await greyPng(600, 400, 50));
  const third = await syncTiles([a], root);
  assertEquals(third.made, [a]);
  const newDir = third.bySource.get(a)!.dir;
  assert(newDir !== recordA.dir);
  assertEquals(third.removed.sort(), [recordA.dir, first.bySource.get(b)!.dir].sort());
  const entries = [...Deno.readDirSync(root)].map((e) => e.name).sort();
  assertEquals(entries, [newDir, "tiles.json"].sort());

  // Other options: everything is made again.
  const fourth = await syncTiles([a], root, { ...DEFAULT_TILE_OPTIONS, format: "png" });
  assertEquals(fourth.made, [a]);
  assert((await listFiles(join(root, newDir))).some((f) => f.endsWith(".png")));

  await assertRejects(() => syncTiles([join(dir.path, "gone.png")], root), Error, "no such file");
});

Deno.test("fs_safe: removeInside never deletes outside its root", async () => {
  await using dir = await tempDir();
  const root = join(dir.path, "output");
  await Deno.mkdir(join(root, "site"), { recursive: true });
  assert(isInside(root, join(root, "site")));
  assert(!isInside(root, root));
  assert(!isInside(root, join(root, "..", "other")));
  assert(!isInside(root, `${root}-sibling`));
  await assertRejects(() => removeInside(root, dir.path), Error, "Refusing to delete");
  await assertRejects(() => removeInside(root, root), Error, "Refusing to delete");
  await removeInside(root, join(root, "site"));
  await removeInside(root, join(root, "missing")); // fine
  assertEquals([...Deno.readDirSync(root)], []);
});
