/// <reference lib="dom" />
/**
 * The gallery in a real browser: builds the site from a tiny fixture with
 * `scripts/site.ts`, serves it under a sub-path with lib/site/static_server.ts,
 * and drives Debian's Chromium with playwright-core.
 */
import { assert, assertEquals, assertGreater, assertMatch } from "@std/assert";
import { join } from "@std/path";
import type { Page } from "playwright-core";
import { serveStatic } from "../../lib/site/static_server.ts";
import { parseDzi } from "../../lib/site/tiles.ts";
import { horizontalOverflow, launch, screenshotDir, SKIP_BROWSER, watch } from "../_browser.ts";
import { findTestFfmpeg, makeRender, makeRun, makeWalk } from "../_gallery_fixtures.ts";
import { runScript, tempDir } from "../_helpers.ts";

const PREFIX = "/gallery/";
const SIZES = [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const;

/** Every URL a page refers to (links, images, srcsets, media, scripts, icons, og:image). */
function pageUrls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const urls: string[] = [];
    const add = (value: string | null) => {
      if (value) urls.push(new URL(value, document.baseURI).href);
    };
    document.querySelectorAll("a[href]").forEach((a) => add(a.getAttribute("href")));
    document.querySelectorAll("img").forEach((img) => {
      add(img.getAttribute("src"));
      for (const part of (img.getAttribute("srcset") ?? "").split(",")) {
        add(part.trim().split(/\s+/)[0] || null);
      }
    });
    document.querySelectorAll("source[src], script[src]").forEach((e) =>
      add(e.getAttribute("src"))
    );
    document.querySelectorAll("video[poster]").forEach((v) => add(v.getAttribute("poster")));
    document.querySelectorAll("link[href]").forEach((l) => add(l.getAttribute("href")));
    document.querySelectorAll('meta[property="og:image"]').forEach((m) =>
      add(m.getAttribute("content"))
    );
    return urls;
  });
}

Deno.test({
  name: "site e2e: the gallery builds, serves under a sub-path and works in Chromium",
  ignore: SKIP_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    const ffmpeg = await findTestFfmpeg();
    const { video: hasVideo } = await makeWalk(out, "w1", { ffmpeg });
    // Large enough for three pyramid levels (9, 10 and 11) with 512 px tiles.
    await makeRender(out, "big", { width: 2000, height: 1500, created: "2026-01-04T00:00:00Z" });
    await makeRender(out, "small one", { created: "2026-01-05T00:00:00Z" });
    await makeRun(out, "run1");

    const built = await runScript("site", ["--out", out]);
    assertEquals(built.code, 0, built.stderr);
    assertMatch(built.stdout, /Built .*: 8 pages/);
    assertMatch(built.stderr, /Tiles: 4 stills tiled/);

    const server = serveStatic({ root: join(out, "site"), prefix: PREFIX });
    const browser = await launch();
    try {
      const context = await browser.newContext({ viewport: { width: 800, height: 600 } });

      await t.step(
        "the index loads with no console errors and well-formed thumbnails",
        async () => {
          const page = await context.newPage();
          const problems = watch(page);
          await page.goto(server.url, { waitUntil: "networkidle" });
          assertEquals(await page.title(), "CPPN gallery");
          const cards = await page.$$eval(".card a", (links) =>
            links.map((a) => ({
              href: a.getAttribute("href"),
              title: a.querySelector(".title")?.textContent,
            })));
          // Newest first: the two renders, then the walk; then the model.
          assertEquals(cards.map((c) => c.title), ["small one", "big", "Walk w1", "run1"]);
          assertEquals(cards[0].href, "./stills/small-one-1fc59f/");
          const thumbs = await page.$$eval(".card img", (imgs) =>
            imgs.map((img) => ({
              srcset: img.getAttribute("srcset"),
              sizes: img.getAttribute("sizes"),
              width: img.getAttribute("width"),
              height: img.getAttribute("height"),
              loading: img.getAttribute("loading"),
              alt: img.getAttribute("alt"),
              complete: (img as HTMLImageElement).complete &&
                (img as HTMLImageElement).naturalWidth > 0,
              current: (img as HTMLImageElement).currentSrc,
            })));
          assertEquals(thumbs.length, 4);
          for (const thumb of thumbs) {
            assertMatch(thumb.srcset ?? "", /\.webp \d+w/);
            assert(thumb.sizes, "sizes");
            assertGreater(Number(thumb.width), 0);
            assertGreater(Number(thumb.height), 0);
            assertEquals(thumb.loading, "lazy");
            assert(thumb.alt && thumb.alt.length > 10, `alt text: ${thumb.alt}`);
            assert(thumb.complete, `thumbnail loaded: ${thumb.current}`);
          }
          // "big" is 2000 px wide: three widths.
          assertMatch(
            thumbs[1].srcset ?? "",
            /w320-q80\.webp 320w, .*w640-q80\.webp 640w, .*960w$/,
          );
          assertEquals(problems, []);
          await page.close();
        },
      );

      await t.step("every internal link and asset answers 200, under the sub-path", async () => {
        const page = await context.newPage();
        const problems = watch(page);
        const pages = [server.url];
        const seen = new Set<string>(pages);
        const assets = new Set<string>();
        const origin = new URL(server.url).origin;
        for (let i = 0; i < pages.length; i++) {
          const response = await page.goto(pages[i], { waitUntil: "networkidle" });
          assertEquals(response?.status(), 200, pages[i]);
          // Every page: a title, Open Graph title and image, alt text on every image.
          const head = await page.evaluate(() => ({
            og: document.querySelector('meta[property="og:title"]')?.getAttribute("content"),
            ogImage: document.querySelector('meta[property="og:image"]')?.getAttribute("content"),
            noAlt: [...document.querySelectorAll("img")].filter((img) => !img.getAttribute("alt"))
              .length,
          }));
          assert(head.og, `og:title on ${pages[i]}`);
          assert(head.ogImage, `og:image on ${pages[i]}`);
          assertEquals(head.noAlt, 0, `images without alt text on ${pages[i]}`);
          for (const raw of await pageUrls(page)) {
            const url = new URL(raw);
            url.hash = "";
            if (url.origin !== origin) continue;
            assert(
              url.pathname.startsWith(PREFIX),
              `${url.href} (from ${pages[i]}) leaves ${PREFIX}`,
            );
            const href = url.href;
            if (href.endsWith("/")) {
              if (!seen.has(href)) {
                seen.add(href);
                pages.push(href);
              }
            } else assets.add(href);
          }
        }
        // Index, walk, 4 stills (2 keyframes, 2 renders), run, explorer: all 8 reached by links.
        assertEquals(pages.length, 8, pages.join("\n"));
        assertGreater(assets.size, 15);
        for (const href of assets) {
          const response = await fetch(href);
          await response.body?.cancel();
          assertEquals(response.status, 200, href);
          if (href.endsWith(".dzi")) {
            const again = await fetch(href);
            const fields = parseDzi(await again.text());
            assertEquals(fields.xmlns, "http://schemas.microsoft.com/deepzoom/2008");
            assertEquals(again.headers.get("content-type"), "application/xml; charset=utf-8");
          }
        }
        assertEquals(problems, []);
        await page.close();
      });

      await t.step("the deep-zoom viewer loads deeper tiles after zooming in", async () => {
        const page = await context.newPage();
        const problems = watch(page);
        const levels: number[] = [];
        page.on("request", (request) => {
          const m = request.url().match(
            /\/tiles\/[0-9a-f]{16}\/image_files\/(\d+)\/\d+_\d+\.webp$/,
          );
          if (m) levels.push(Number(m[1]));
        });
        await page.goto(`${server.url}stills/big/`, { waitUntil: "networkidle" });
        await page.waitForFunction(
          () => {
            const viewer = (window as unknown as {
              viewer?: {
                world: { getItemAt(i: number): { getFullyLoaded(): boolean } | undefined };
              };
            }).viewer;
            return viewer?.world.getItemAt(0)?.getFullyLoaded() === true;
          },
          undefined,
          { timeout: 15_000 },
        );
        assertGreater(levels.length, 0);
        const before = Math.max(...levels);
        assertEquals(Math.min(...levels), 9, "the lowest level written is the one-tile level");
        assert(before < 11, `before zooming the viewer should not need level 11, got ${before}`);
        for (let i = 0; i < 3; i++) await page.click('button[data-action="zoom-in"]');
        await page.waitForFunction(
          () =>
            performance.getEntriesByType("resource").some((e) => /image_files\/11\//.test(e.name)),
          undefined,
          { timeout: 15_000 },
        );
        assertEquals(Math.max(...levels), 11);
        // Keyboard: with the viewer focused, "-" zooms out.
        const zoom = () =>
          page.evaluate(() =>
            (window as unknown as { viewer: { viewport: { getZoom(): number } } }).viewer.viewport
              .getZoom()
          );
        const zoomed = await zoom();
        await page.focus(".openseadragon-canvas");
        await page.keyboard.press("-");
        await page.waitForTimeout(1000);
        assert((await zoom()) < zoomed, "the - key zooms out");
        // The navigator is there; no OpenSeadragon button images are requested.
        assertEquals(await page.locator(".navigator").count(), 1);
        assertEquals(problems, []);
        await page.close();
      });

      await t.step({
        name:
          "the walk's video, on its page and the index, loads (autoplay only without reduced motion)",
        ignore: !hasVideo,
        fn: async () => {
          for (
            const [path, reducedMotion] of [
              ["walks/w1/", "no-preference"],
              ["walks/w1/", "reduce"],
              ["", "no-preference"],
              ["", "reduce"],
            ] as const
          ) {
            const ctx = await browser.newContext({ reducedMotion });
            const page = await ctx.newPage();
            const problems = watch(page);
            await page.goto(`${server.url}${path}`, { waitUntil: "load" });
            await page.waitForFunction(
              () => {
                const v = document.querySelector("video");
                return v !== null && (v.readyState >= 2 || v.error !== null);
              },
              undefined,
              { timeout: 15_000 },
            );
            await page.waitForTimeout(500);
            const state = await page.$eval("video", (v) => ({
              error: v.error?.code ?? null,
              readyState: v.readyState,
              duration: v.duration,
              src: v.currentSrc,
              paused: v.paused,
              poster: v.getAttribute("poster"),
              autoplay: v.autoplay,
            }));
            assertEquals(state.error, null);
            assertGreater(state.readyState, 1);
            assertGreater(state.duration, 0.5); // 8 frames at 8 fps
            assertMatch(state.src, /\/gallery\/media\/walks\/w1\/walk\.mp4$/);
            assertMatch(state.poster ?? "", /\.webp$/);
            assertEquals(state.autoplay, false);
            assertEquals(state.paused, reducedMotion === "reduce", `paused with ${reducedMotion}`);
            assertEquals(problems, []);
            await ctx.close();
          }
        },
      });
      if (!hasVideo) console.log("No ffmpeg available: the video check was skipped.");

      await t.step(
        "the front page opens on its best pictures, at 1280x800 and 390x844",
        async () => {
          const shots = screenshotDir(dir.path);
          for (const [name, viewport] of SIZES) {
            const ctx = await browser.newContext({ viewport, isMobile: name === "phone" });
            const page = await ctx.newPage();
            const problems = watch(page);
            await page.goto(server.url, { waitUntil: "networkidle" });
            assertEquals(await horizontalOverflow(page), []);
            // The featured stills: the cleanest first (the fixture's renders are alike, so by id).
            const featured = await page.$$eval(
              ".feature-stills a",
              (links) => links.map((a) => a.getAttribute("href")),
            );
            assertEquals(featured.length, 4);
            // The first picture (the video, else the best still) starts within the first screen.
            const first = page.locator(hasVideo ? "#feature-video" : ".feature-stills img").first();
            const box = (await first.boundingBox())!;
            assertGreater(box.height, 100);
            assert(box.y + 100 < viewport.height, `${name}: the first picture is on screen`);
            await page.screenshot({ path: join(shots, `index-${name}.png`) });
            assertEquals(problems, []);
            await ctx.close();
          }
        },
      );

      await t.step("dark mode follows prefers-color-scheme; focus is visible", async () => {
        const colors: string[] = [];
        for (const colorScheme of ["light", "dark"] as const) {
          const ctx = await browser.newContext({ colorScheme });
          const page = await ctx.newPage();
          await page.goto(server.url, { waitUntil: "load" });
          colors.push(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
          if (colorScheme === "light") {
            await page.keyboard.press("Tab"); // the skip link
            await page.keyboard.press("Tab"); // the brand link
            const outline = await page.evaluate(() => {
              const style = getComputedStyle(document.activeElement!);
              return `${style.outlineStyle} ${style.outlineWidth}`;
            });
            assertEquals(outline, "solid 3px");
          }
          await ctx.close();
        }
        assertEquals(colors, ["rgb(246, 246, 244)", "rgb(17, 18, 19)"]);
      });
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
