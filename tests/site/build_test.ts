import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "@std/path";
import { listFiles } from "../../lib/base/fs_safe.ts";
import {
  buildSite,
  headersFile,
  HOST_LIMITS,
  hostLimitWarnings,
  normalizeBase,
  readBuildInfo,
  relativePrefix,
  rewriteBase,
  shardSiteTiles,
} from "../../lib/site/build.ts";
import { thumbWidths } from "../../lib/site/assets.ts";
import { showValue, spread } from "../../lib/site/data.ts";
import { SHIPPED_MODEL } from "../../lib/model/source.ts";
import { makeRender, makeRun, makeWalk } from "../_gallery_fixtures.ts";
import { tempDir, tinyModel } from "../_helpers.ts";

Deno.test("site: base paths and relative prefixes", () => {
  assertEquals(normalizeBase("/gallery"), "/gallery/");
  assertEquals(normalizeBase("/a/b/"), "/a/b/");
  assertEquals(normalizeBase("//a//b"), "/a/b/");
  assertEquals(normalizeBase("/"), "/");
  // whatever else it holds is percent-encoded: inert in HTML, scripts, CSS and JSON
  assertEquals(
    normalizeBase(`/"><script>alert('x')</script>/`),
    "/%22%3E%3Cscript%3Ealert%28%27x%27%29%3C/script%3E/",
  );
  assertEquals(normalizeBase("/caf%C3%A9/é/"), "/caf%C3%A9/%C3%A9/");
  for (const bad of ["gallery/", "https://x.org/g/", "/a/../b/", "/a b/", "/a?x"]) {
    assertThrows(() => normalizeBase(bad), Error, "--base must be an absolute path");
  }
  assertEquals(relativePrefix("index.html"), "./");
  assertEquals(relativePrefix("walks/w1/index.html"), "../../");
  assertEquals(relativePrefix("assets/x.css"), "../");
});

Deno.test("site: rewriteBase makes URLs relative per page, or absolute under --base", async () => {
  await using dir = await tempDir();
  const page = `<a href="/__cppn_base__/">home</a><img srcset="/__cppn_base__/img/a.webp 320w">`;
  await Deno.mkdir(join(dir.path, "walks", "w"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "index.html"), page);
  await Deno.writeTextFile(join(dir.path, "walks", "w", "index.html"), page);
  await Deno.writeTextFile(join(dir.path, "tile.png"), "/__cppn_base__/ (binary, untouched)");
  assertEquals(await rewriteBase(dir.path, null), 2);
  assertEquals(
    await Deno.readTextFile(join(dir.path, "walks", "w", "index.html")),
    `<a href="../../">home</a><img srcset="../../img/a.webp 320w">`,
  );
  assertEquals(
    await Deno.readTextFile(join(dir.path, "index.html")),
    `<a href="./">home</a><img srcset="./img/a.webp 320w">`,
  );
  await Deno.writeTextFile(join(dir.path, "index.html"), page);
  await rewriteBase(dir.path, "/sub/");
  assertMatch(await Deno.readTextFile(join(dir.path, "index.html")), /href="\/sub\/"/);
  await Deno.writeTextFile(join(dir.path, "x.js"), `fetch("/__cppn_base__/a")`);
  await assertRejects(() => rewriteBase(dir.path, null), Error, "build with --base");
  await Deno.writeTextFile(join(dir.path, "x.js"), `"__cppn_base__"`);
  await assertRejects(() => rewriteBase(dir.path, "/b/"), Error, "unexpected form");
});

Deno.test("site: _headers, host limits and small helpers", () => {
  const headers = headersFile(null);
  assertMatch(headers, /^\/tiles\/\*\n {2}Cache-Control: public, max-age=31536000, immutable$/m);
  assertMatch(headers, /^\/img\/\*$/m);
  assertMatch(headers, /^\/live\/\*\n {2}Cache-Control: public, max-age=31536000, immutable$/m);
  assertMatch(headersFile("/g/"), /^\/g\/tiles\/\*$/m);
  assertEquals(hostLimitWarnings([{ path: "a", size: 10 }]), []);
  const big = hostLimitWarnings([{
    path: "media/walks/w/walk.mp4",
    size: HOST_LIMITS.fileBytes + 1,
  }]);
  assertEquals(big.length, 1);
  assertMatch(big[0], /^media\/walks\/w\/walk\.mp4 is 25\.0 MiB, larger than 25\.0 MiB/);
  const many = Array.from({ length: HOST_LIMITS.files + 1 }, (_, i) => ({ path: `${i}`, size: 1 }));
  assertMatch(hostLimitWarnings(many)[0], /has 20001 files, more than 20000/);
  assertEquals(thumbWidths(2048), [320, 640, 960]);
  assertEquals(thumbWidths(500), [320, 500]);
  assertEquals(thumbWidths(300), [300]);
  assertEquals(spread([1, 2, 3], 12), [1, 2, 3]);
  assertEquals(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4), [0, 3, 6, 9]);
  assertEquals(showValue([0, 0]), "0, 0");
  assertEquals(showValue(true), "yes");
  assertEquals(showValue(0.1234567891), "0.123457");
  assertEquals(showValue({ digit: 3 }), "digit 3");
});

Deno.test({
  name: "site: rebuilds are incremental; removed renders disappear; --base gives absolute URLs",
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    await makeWalk(out, "w1");
    await makeRender(out, "keep", { created: "2026-01-06T00:00:00Z" });
    await makeRender(out, "drop", { created: "2026-01-07T00:00:00Z", seed: 9 });
    await makeRun(out, "run1", { checkpoint: await tinyModel() });
    const lines: string[] = [];
    const first = await buildSite({ out, base: null, site: null, log: (l) => lines.push(l) });
    assertEquals(first.tiles, { made: 4, reused: 0, removed: 0 });
    assertEquals(first.live, { made: 1, reused: 0, removed: 0 });
    assertEquals(first.pages, 1 + 1 + 4 + 1 + 1);
    assertEquals(first.warnings, []);
    const site = join(out, "site");
    const files = await listFiles(site);
    assert(files.includes("stills/drop/index.html"));
    assert(files.includes(".nojekyll"));
    assert(files.includes("_headers"));
    assertEquals(first.files, files.length);
    const dropTiles = files.filter((f) => f.startsWith("tiles/")).length;
    const html = await Deno.readTextFile(join(site, "stills", "keep", "index.html"));
    assert(!html.includes("__cppn_base__"));
    assertMatch(html, /href="\.\.\/\.\.\/"/);
    assertMatch(
      html,
      /<meta property="og:image" content="\.\.\/\.\.\/img\/[0-9a-f]{16}-og1200x630\.jpg">/,
    );
    assertEquals((await readBuildInfo(out))?.base, null);
    // The run's generator is exported for the live explorer, and its pages link there.
    assertEquals(files.filter((f) => /^live\/[0-9a-f]{16}\.(json|bin)$/.test(f)).length, 2);
    // (The fixture's z has 4 values, the model 8: the link carries the model and view only.)
    assertMatch(html, /href="\.\.\/\.\.\/explore\/#m=run1&amp;s=8&amp;c=0,0"/);
    assertMatch(
      await Deno.readTextFile(join(site, "models", "run1", "index.html")),
      /href="\.\.\/\.\.\/explore\/#m=run1"/,
    );

    // Second build: one render removed, --base and --site given.
    await Deno.remove(join(out, "renders", "drop.png"));
    await Deno.remove(join(out, "renders", "drop.json"));
    const second = await buildSite({
      out,
      base: "/sub/path",
      site: "https://example.org/sub/path/",
    });
    assertEquals(second.tiles, { made: 0, reused: 3, removed: 1 });
    assertEquals(second.images.made, 0);
    assertEquals(second.live, { made: 0, reused: 1, removed: 0 });
    assertEquals(second.pages, 7);
    const after = await listFiles(site);
    assert(!after.includes("stills/drop/index.html"));
    assert(!after.includes("media/stills/drop.png"));
    assert(after.filter((f) => f.startsWith("tiles/")).length < dropTiles);
    assertEquals(
      (await listFiles(join(out, "site-cache", "tiles"))).filter((f) => f.endsWith(".dzi")).length,
      3,
    );
    const index = await Deno.readTextFile(join(site, "index.html"));
    assert(!index.includes("drop"));
    assertMatch(index, /href="\/sub\/path\/stills\/keep\/"/);
    assertMatch(
      index,
      /<meta property="og:image" content="https:\/\/example\.org\/sub\/path\/img\//,
    );
    assertMatch(index, /<meta property="og:url" content="https:\/\/example\.org\/sub\/path\/">/);
    assertMatch(await Deno.readTextFile(join(site, "_headers")), /^\/sub\/path\/tiles\/\*$/m);
    assertEquals((await readBuildInfo(out))?.base, "/sub/path/");
    // Nothing left behind in output/ but site/ and site-cache/.
    const top = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assertEquals(top, ["renders", "runs", "site", "site-cache", "walks"]);
  },
});

Deno.test({
  name: "site: a site/ folder not made by the gallery is never replaced",
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    await Deno.mkdir(join(out, "site"), { recursive: true });
    await Deno.writeTextFile(join(out, "site", "index.html"), "<h1>my own page</h1>");
    await assertRejects(
      () => buildSite({ out, base: null, site: null }),
      Error,
      "exists and was not made by deno task site",
    );
    assertEquals(await Deno.readTextFile(join(out, "site", "index.html")), "<h1>my own page</h1>");
    assertEquals([...Deno.readDirSync(out)].map((e) => e.name), ["site"]); // refused before any work
  },
});

Deno.test({
  name:
    "site: a model folder is shown by its project path or name, never a machine's absolute path",
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    const spec = { zDim: 4, width: 8, depth: 4, scale: 8, size: 26 };
    const outside = "/home/someone/private/my-model";
    await makeRender(out, "mine", {
      model: { kind: "model", name: outside, checkpoint: outside, spec },
    });
    await makeRender(out, "shipped", {
      model: { kind: "model", name: SHIPPED_MODEL, checkpoint: SHIPPED_MODEL, spec },
    });
    await buildSite({ out, base: null, site: null, log: () => {} });
    const mine = await Deno.readTextFile(join(out, "site", "stills", "mine", "index.html"));
    const shipped = await Deno.readTextFile(join(out, "site", "stills", "shipped", "index.html"));
    assertStringIncludes(mine, "my-model");
    assertStringIncludes(shipped, "models/mnist-cppn");
    for (const file of await listFiles(join(out, "site"))) {
      if (!/\.(html|json)$/.test(file)) continue;
      const text = await Deno.readTextFile(join(out, "site", file));
      assert(!text.includes("/home/someone") && !text.includes(SHIPPED_MODEL), file);
    }
  },
});

Deno.test({
  name:
    "site --shard K/N: shards cut the tiles; the build (--merge) checks and adopts them, tiling nothing",
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    await makeRender(out, "a");
    await makeRender(out, "b", { seed: 9 });
    await makeRender(out, "c", { seed: 5 });
    await assertRejects(
      () => buildSite({ out, base: null, site: null, merge: true }),
      Error,
      "no shard has finished there; run deno task site --shard K/N first",
    );
    await shardSiteTiles(out, { index: 1, count: 2 });
    await assertRejects(
      () => buildSite({ out, base: null, site: null }),
      Error,
      "2 of 3 still(s) have no tiles",
    );
    await shardSiteTiles(out, { index: 0, count: 2 });
    const built = await buildSite({ out, base: null, site: null, merge: true });
    assertEquals(built.tiles, { made: 0, reused: 3, removed: 0 });
    const tiles = await listFiles(join(out, "site", "tiles"));
    assertEquals(tiles.filter((f) => f.endsWith("image.dzi")).length, 3);
  },
});
