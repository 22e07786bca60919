import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { listFiles } from "../../lib/base/fs_safe.ts";
import { adoptTileShards, shardTiles } from "../../lib/site/tile_shards.ts";
import { syncTiles, type TileOptions } from "../../lib/site/tiles.ts";
import { shardSiteTiles, sitePaths } from "../../lib/site/build.ts";
import { tempDir } from "../_helpers.ts";

/** Small tiles so tiny stills make pyramids of several levels. */
const OPTIONS: TileOptions = { size: 64, overlap: 1, format: "webp", quality: 90 };

/** A greyscale PNG of a ramp whose slope depends on `seed`. */
async function stillPng(path: string, width: number, height: number, seed: number) {
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (seed + 1) + (i % width) * seed) % 251;
  await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toFile(path);
}

/** Four distinct stills and a copy of one under another name. */
async function gallery(dir: string): Promise<string[]> {
  const sizes: [number, number][] = [[150, 100], [90, 130], [64, 64], [200, 40]];
  const paths: string[] = [];
  for (const [i, [w, h]] of sizes.entries()) {
    paths.push(join(dir, `still${i}.png`));
    await stillPng(paths[i], w, h, i);
  }
  await Deno.copyFile(paths[1], join(dir, "copy.png"));
  return [...paths, join(dir, "copy.png")];
}

/** Every file's bytes under `root`. */
async function tree(root: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const rel of await listFiles(root)) files.set(rel, await Deno.readFile(join(root, rel)));
  return files;
}

Deno.test("site --shard K/N: N = 1, 2, 3 tile shards then the build's tiles equal an unsharded build's, byte for byte", async () => {
  await using tmp = await tempDir();
  const sources = await gallery(tmp.path);
  const whole = join(tmp.path, "whole");
  await syncTiles(sources, whole, OPTIONS);
  const expected = await tree(whole);
  assertEquals(expected.has("tiles.json"), true);
  for (const n of [1, 2, 3]) {
    const root = join(tmp.path, `shards${n}`);
    let made = 0;
    for (let k = n - 1; k >= 0; k--) {
      const r = await shardTiles(sources, root, { index: k, count: n }, OPTIONS);
      assertEquals([r.stills, r.owned], [4, Math.ceil((4 - k) / n)]);
      made += r.made;
    }
    assertEquals(made, 4);
    // a retried shard cuts nothing and changes nothing
    const before = await tree(root);
    assertEquals((await shardTiles(sources, root, { index: 0, count: n }, OPTIONS)).made, 0);
    assertEquals(await tree(root), before);
    // the build: adopt the shards' pyramids, then sync (which tiles nothing)
    assertEquals(await adoptTileShards(sources, root, OPTIONS), 4);
    const sync = await syncTiles(sources, root, OPTIONS);
    assertEquals([sync.made.length, sync.reused.length, sync.removed], [0, 5, []]);
    assertEquals(await tree(root), expected, `${n} shards`);
  }
});

Deno.test("site: the build refuses clearly when a tile shard is missing or was made with other settings", async () => {
  await using tmp = await tempDir();
  const sources = await gallery(tmp.path);
  const root = join(tmp.path, "tiles");
  await assertRejects(
    () => adoptTileShards(sources, root, OPTIONS, true),
    Error,
    `Cannot finish the tiles in ${root}: no shard has finished there; ` +
      "run deno task site --shard K/N first",
  );
  assertEquals(await adoptTileShards(sources, root, OPTIONS), 0); // an unsharded build
  await shardTiles(sources, root, { index: 0, count: 3 }, OPTIONS);
  await shardTiles(sources, root, { index: 2, count: 3 }, OPTIONS);
  const missing = await assertRejects(() => adoptTileShards(sources, root, OPTIONS));
  const message = (missing as Error).message;
  assertEquals(
    message.startsWith(`Cannot finish the tiles in ${root}: 1 of 4 still(s) have no tiles (`),
    true,
    message,
  );
  assertEquals(message.endsWith("); run again shard(s) 1/3 (--shard K/N)"), true, message);
  // other tile options, or a gallery that changed between the shards and the build
  const png: TileOptions = { ...OPTIONS, format: "png" };
  await assertRejects(
    () => shardTiles(sources, root, { index: 1, count: 3 }, png),
    Error,
    `Cannot tile shard 1/3 into ${root}: shard 0/3 was made with different settings: ` +
      "tile options 64 px webp q90 overlap 1 (this run: 64 px png q90 overlap 1); " +
      `finish that job (deno task site) or delete ${join(root, "shards")} to start over`,
  );
  const added = join(tmp.path, "new.png");
  await stillPng(added, 30, 30, 9);
  await assertRejects(
    () => adoptTileShards([...sources, added], root, OPTIONS),
    Error,
    `Cannot finish the tiles in ${root}: shard 0/3 was made with different settings: ` +
      "another set of stills (4; this run: 5): the gallery changed since; " +
      "run the shards again with this gallery",
  );
  await shardTiles(sources, root, { index: 1, count: 3 }, OPTIONS);
  assertEquals(await adoptTileShards(sources, root, OPTIONS), 4);
});

Deno.test("shardSiteTiles: a shard of `deno task site` tiles its share of the renders in <out>", async () => {
  await using tmp = await tempDir();
  const renders = join(tmp.path, "renders");
  await Deno.mkdir(renders);
  await stillPng(join(renders, "a.png"), 40, 30, 1);
  await stillPng(join(renders, "b.png"), 30, 40, 2);
  const r0 = await shardSiteTiles(tmp.path, { index: 0, count: 2 });
  const r1 = await shardSiteTiles(tmp.path, { index: 1, count: 2 });
  assertEquals([r0.stills, r0.owned, r0.made, r1.owned, r1.made], [2, 1, 1, 1, 1]);
  assertEquals(r0.dir, sitePaths(tmp.path).tiles);
  const files = await listFiles(r0.dir);
  assertEquals(files.filter((f) => f.endsWith("image.dzi")).length, 2);
  assertEquals(files.filter((f) => f.startsWith("shards/")), [
    "shards/0-of-2.json",
    "shards/1-of-2.json",
  ]);
});
