/// <reference lib="dom" />
/**
 * The live explorer in a real browser: builds a gallery with one real
 * (tiny) model, serves it, and checks in Chromium that the page renders
 * the generator with TensorFlow.js and gets the server's pixels for the
 * same view, that URLs reopen views, that zooming and panning re-render,
 * that the latent controls and Save PNG work, and that nothing leaks.
 */
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertMatch,
} from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import type { View } from "../../lib/model/coords.ts";
import { checkBrowserModelJson } from "../../lib/explore/browser_model.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { type ExplorerSnapshot, parseHash, roundLatent } from "../../lib/explore/state.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { serveStatic } from "../../lib/site/static_server.ts";
import { slerp } from "../../lib/latent/walk_math.ts";
import { mapPoint, mapRect, zoomLabel } from "../../lib/explore/minimap.ts";
import {
  horizontalOverflow,
  launch,
  screenshotDir,
  settled,
  SKIP_BROWSER,
  watch,
} from "../_browser.ts";
import { contrastyCheckpoint, makeRender, makeRun } from "../_gallery_fixtures.ts";
import { runScript, tempDir, tinyModel, useWasm } from "../_helpers.ts";

const PREFIX = "/gallery/";

/** The canvas's grey levels (its red channel), row-major. */
async function canvasGrey(page: Page): Promise<Uint8Array> {
  const values = await page.evaluate(() => {
    const canvas = document.getElementById("explore-canvas") as HTMLCanvasElement;
    const rgba = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const grey: number[] = new Array(rgba.length / 4);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
    return grey;
  });
  return Uint8Array.from(values);
}

function numTensors(page: Page): Promise<number> {
  // deno-lint-ignore no-explicit-any
  return page.evaluate(() => (window as any).cppnExplorer.numTensors());
}

/** Mean absolute difference and the fraction of pixels within `tolerance` grey levels. */
function difference(a: Uint8Array, b: Uint8Array, tolerance = 8): { mean: number; within: number } {
  assertEquals(a.length, b.length, "image sizes differ");
  let sum = 0, close = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d <= tolerance) close++;
  }
  return { mean: sum / a.length, within: close / a.length };
}

function spread(a: Uint8Array): number {
  let sum = 0, sq = 0;
  for (const v of a) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / a.length;
  return Math.sqrt(sq / a.length - mean * mean);
}

Deno.test({
  name: "explore e2e: the live explorer renders the model in Chromium like the server does",
  ignore: SKIP_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await useWasm();
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    const checkpoint = join(dir.path, "checkpoint");
    await contrastyCheckpoint(await tinyModel(), checkpoint);
    await makeRun(out, "run1", { checkpoint });
    const stillZ = [0.6, -1.2, 0.35, 0.8, -0.4, 1.1, 0, -0.75];
    await makeRender(out, "r1", { z: stillZ, view: { scale: 20, center: [3, -2] } });

    const built = await runScript("site", ["--out", out]);
    assertEquals(built.code, 0, built.stderr);
    assertMatch(built.stderr, /Live explorer: 1 model \(1 exported, 0 unchanged/);
    const liveDir = join(out, "site", "live");
    const files = (await Array.fromAsync(Deno.readDir(liveDir))).map((e) => e.name).sort();
    assertEquals(files.length, 3); // the JSON, the generator and the encoder
    const json = checkBrowserModelJson(
      JSON.parse(await Deno.readTextFile(join(liveDir, files.find((f) => f.endsWith(".json"))!))),
    );
    assertEquals(json.keyframes.items.length, 10);

    const server = new Renderer(foldWeights(await loadGenerator(checkpoint)));
    const serverRender = (state: ExplorerSnapshot) =>
      server.renderBytes({
        z: Float32Array.from(state.z),
        width: state.width,
        height: state.height,
        view: state.view,
      });
    const http = serveStatic({ root: join(out, "site"), prefix: PREFIX });
    const browser = await launch();
    try {
      // A small viewport keeps the canvas small: software WebGL is slow.
      const context = await browser.newContext({ viewport: { width: 480, height: 420 } });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      const problems = watch(page);
      const shots = screenshotDir(dir.path);
      let tensors = 0;
      let first: Uint8Array = new Uint8Array(0);

      await t.step("the still's link opens its view; the pixels match the server's", async () => {
        await page.goto(`${http.url}stills/r1/`, { waitUntil: "load" });
        const link = page.getByRole("link", { name: "Open this view in the live explorer" });
        assertMatch(
          (await link.getAttribute("href")) ?? "",
          /^\.\.\/\.\.\/explore\/#m=run1&z=0\.6,-1\.2,0\.35,0\.8,-0\.4,1\.1,0,-0\.75&s=20&c=3,-2$/,
        );
        assertEquals(
          await page.getByRole("link", { name: "Live explorer", exact: true }).count(),
          1,
        );
        await link.click();
        const state = await settled(page);
        assertEquals(state.model, "run1");
        assertEquals(state.view, { scale: 20, center: [3, -2] });
        assertEquals(state.z, Array.from(Float32Array.from(stillZ)));
        assertEquals(state.width, Math.round(state.width));
        assertGreater(state.width, 100);
        assertGreater(state.renders, 0);
        first = await canvasGrey(page);
        assertGreater(spread(first), 20, "the canvas is not blank");
        const diff = difference(first, await serverRender(state));
        assertLess(diff.mean, 2, `mean difference on ${state.backend}`);
        assertGreater(diff.within, 0.99, `pixels within 8 levels on ${state.backend}`);
        tensors = await numTensors(page);
        assertEquals(problems, []);
      });

      await t.step("zoom buttons, the wheel and the keys re-render new coordinates", async () => {
        await page.click('button[data-action="zoom-in"]');
        await page.waitForFunction(() => location.hash.includes("&s=10&"));
        let state = await settled(page);
        assertEquals(state.view, { scale: 10, center: [3, -2] });
        const zoomed = await canvasGrey(page);
        assertGreater(difference(zoomed, first).mean, 2, "the zoomed image is new");
        const diff = difference(zoomed, await serverRender(state));
        assertLess(diff.mean, 2);
        assertGreater(diff.within, 0.99);

        await page.locator("#explore-canvas").scrollIntoViewIfNeeded();
        const box = (await page.locator("#explore-canvas").boundingBox())!;
        await page.mouse.move(box.x + box.width / 4, box.y + box.height / 4);
        await page.mouse.wheel(0, -300);
        await page.waitForFunction(() => !location.hash.includes("&s=10&"));
        state = await settled(page);
        assertLess(state.view.scale, 10);
        // The point under the cursor stayed put: the centre moved towards it (up and left).
        assertLess(state.view.center[0], 3);
        assertLess(state.view.center[1], -2);
        assertEquals(parseHash(await page.evaluate(() => location.hash)).scale, state.view.scale);

        await page.focus("#explore-canvas");
        const before = state.view;
        await page.keyboard.press("ArrowLeft");
        await page.keyboard.press("-");
        state = await settled(page);
        assertLess(state.view.center[0], before.center[0]);
        assertGreater(state.view.scale, before.scale);
        // Dragging moves the image with the pointer.
        await page.mouse.move(box.x + 100, box.y + 100);
        await page.mouse.down();
        await page.mouse.move(box.x + 140, box.y + 100, { steps: 4 });
        await page.mouse.up();
        const dragged = await settled(page);
        assertLess(dragged.view.center[0], state.view.center[0]);
        assertEquals(dragged.view.center[1], state.view.center[1]);
        assertEquals(await numTensors(page), tensors, "no tensors leak across renders");
        assertEquals(problems, []);
      });

      await t.step("a URL with a view reopens it, on the CPU backend too", async () => {
        const url = page.url();
        const expected = await settled(page);
        const pixels = await canvasGrey(page);
        for (const query of ["", "?backend=cpu", "no WebGL"]) {
          const other = await context.newPage();
          const otherProblems = watch(other);
          if (query === "no WebGL") {
            // A browser without WebGL: the explorer falls back to the CPU backend.
            await other.addInitScript(() => {
              for (const type of [HTMLCanvasElement, OffscreenCanvas]) {
                const proto = type.prototype as unknown as {
                  getContext(kind: string, options?: unknown): unknown;
                };
                const getContext = proto.getContext;
                proto.getContext = function (kind: string, options?: unknown) {
                  return kind.includes("webgl") ? null : getContext.call(this, kind, options);
                };
              }
            });
          }
          const search = query.startsWith("?") ? query : "";
          await other.goto(url.replace("/explore/#", `/explore/${search}#`), { waitUntil: "load" });
          const state = await settled(other);
          assertEquals(state.view, parseHashView(url));
          assertEquals(state.z, expected.z);
          if (query) {
            assertEquals(state.backend, "cpu");
            assert(await other.isVisible("#explore-notice"), "the CPU backend is announced");
            if (query === "no WebGL") {
              assertMatch(
                await other.textContent("#explore-notice") ?? "",
                /WebGL is not available/,
              );
            }
          }
          const again = await canvasGrey(other);
          assertEquals(state.view, expected.view);
          if (state.backend === expected.backend) assertEquals(difference(again, pixels).mean, 0);
          const diff = difference(again, await serverRender(state));
          assertLess(diff.mean, 2, `mean difference on ${state.backend}`);
          assertGreater(diff.within, 0.99, `pixels within 8 levels on ${state.backend}`);
          assertEquals(otherProblems, []);
          await other.close();
        }
        // Editing the address in place shows the new view too.
        await page.evaluate(() => location.hash = "#m=run1&d=5&s=4&c=0.5,0");
        await page.waitForFunction(() =>
          // deno-lint-ignore no-explicit-any
          (window as any).cppnExplorer.state().view.scale === 4
        );
        const edited = await settled(page);
        assertEquals(edited.view, { scale: 4, center: [0.5, 0] });
        assertEquals(edited.z, Array.from(Float32Array.from(json.keyframes.items[5].z)));
        assertEquals(problems, []);
      });

      await t.step(
        "digits, morphs, dimensions, random z and the walk drive the latent",
        async () => {
          await page.click('button[data-digit="3"]');
          await page.waitForFunction(() => location.hash.includes("&d=3&"));
          let state = await settled(page);
          assertEquals(state.z, Array.from(Float32Array.from(json.keyframes.items[3].z)));
          assertEquals(await page.getAttribute('button[data-digit="3"]', "aria-pressed"), "true");

          const setRange = (selector: string, value: string) =>
            page.locator(selector).evaluate((input: HTMLInputElement, v: string) => {
              input.value = v;
              input.dispatchEvent(new Event("input", { bubbles: true }));
            }, value);
          await setRange("#blend-t", "0.5");
          state = await settled(page);
          const k3 = Float32Array.from(json.keyframes.items[3].z);
          const k1 = Float32Array.from(json.keyframes.items[1].z);
          assertEquals(state.z, Array.from(roundLatent(slerp(k3, k1, 0.5))));

          await setRange("#z-2", "1.25");
          state = await settled(page);
          assertEquals(state.z[2], 1.25);
          await page.waitForFunction(() => /&z=[^&]*,1\.25,/.test(location.hash));

          await page.click("#randomise");
          const random = await settled(page);
          assert(random.z.every((v, i) => v !== state.z[i]), "a new random z");

          await page.click("#walk-play");
          assertEquals(await page.getAttribute("#walk-play", "aria-pressed"), "true");
          await page.waitForTimeout(600);
          await page.click("#walk-play");
          const walked = await settled(page);
          assert(walked.z.some((v, i) => v !== random.z[i]), "the walk moved z");
          assertEquals(await numTensors(page), tensors, "no tensors leak across renders");
          assertEquals(problems, []);
        },
      );

      await t.step("Save PNG downloads the view, rendered in bands", async () => {
        await page.selectOption("#save-size", "0");
        const state = await settled(page);
        const [download] = await Promise.all([
          page.waitForEvent("download", { timeout: 30_000 }),
          page.click("#save-png"),
        ]);
        assertMatch(download.suggestedFilename(), /^cppn-run1-\d+x\d+\.png$/);
        const path = join(dir.path, "saved.png");
        await download.saveAs(path);
        const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
        assertEquals([info.width, info.height], [state.width, state.height]);
        const grey = new Uint8Array(info.width * info.height);
        for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels];
        assertEquals(difference(grey, await canvasGrey(page)).mean, 0);
        await page.waitForFunction(() =>
          document.getElementById("save-status")?.textContent?.startsWith("Saved ")
        );
        assertEquals(await numTensors(page), tensors);
        assertEquals(problems, []);
      });

      await t.step("keyboard focus is visible; dark mode applies", async () => {
        // Tab from the toolbar to the image: keyboard focus shows its outline.
        await page.focus('button[data-action="reset"]');
        for (let i = 0; i < 3; i++) {
          await page.keyboard.press("Tab");
          if (await page.evaluate(() => document.activeElement?.id === "explore-canvas")) break;
        }
        const outline = await page.evaluate(() => {
          const style = getComputedStyle(document.activeElement!);
          return `${style.outlineStyle} ${style.outlineWidth}`;
        });
        assertEquals(outline, "solid 3px");
        const dark = await browser.newContext({ colorScheme: "dark" });
        const darkPage = await dark.newPage();
        await darkPage.goto(`${http.url}explore/`, { waitUntil: "load" });
        const colors = await darkPage.evaluate(() => ({
          body: getComputedStyle(document.body).backgroundColor,
          panel: getComputedStyle(document.querySelector(".explore-controls fieldset")!)
            .backgroundColor,
        }));
        assertEquals(colors, { body: "rgb(17, 18, 19)", panel: "rgb(27, 28, 30)" });
        await dark.close();
      });

      await t.step(
        "desktop: the controls and the image fit 1280x800; the minimap follows the zoom",
        async () => {
          const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          desk.setDefaultTimeout(30_000);
          const page = await desk.newPage();
          const deskProblems = watch(page);
          await page.goto(`${http.url}explore/#m=run1&b=3,1,0.5&s=2&c=1,-1&w=4`, {
            waitUntil: "load",
          });
          let state = await settled(page);
          const k3 = Float32Array.from(json.keyframes.items[3].z);
          const k1 = Float32Array.from(json.keyframes.items[1].z);
          assertEquals(state.z, Array.from(roundLatent(slerp(k3, k1, 0.5))));
          assertEquals(state.view, { scale: 2, center: [1, -1] });
          assertEquals(await controlValues(page), ["3", "1", "0.5", "4"]);
          assertMatch(state.hash, /&b=3,1,0\.5&s=2&c=1,-1&w=4$/);
          // Everything to watch and to use is on screen, without scrolling.
          for (const selector of VISIBLE_CONTROLS) {
            const box = (await page.locator(selector).first().boundingBox())!;
            assert(box, `${selector} is shown`);
            assert(
              box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 800,
              `${selector} lies within 1280x800: ${JSON.stringify(box)}`,
            );
          }
          assertEquals(await page.evaluate(() => scrollY), 0);
          assertEquals(await horizontalOverflow(page), []);

          // The minimap shows the view's rectangle on the overview, and the magnification.
          const train = json.spec.scale;
          const side = await page.locator("#explore-minimap").evaluate((e) => e.clientWidth);
          let map = await minimapOf(page);
          assertEquals(map.zoom, zoomLabel(train, 2));
          assertRect(map.rect, mapRect(map.overview, side, state.view, state.width, state.height));
          await page.click('button[data-action="zoom-in"]');
          await page.waitForFunction(() => location.hash.includes("&s=1&"));
          state = await settled(page);
          const zoomed = await minimapOf(page);
          assertEquals(zoomed.zoom, zoomLabel(train, 1));
          assertAlmostEquals(zoomed.rect.width, map.rect.width / 2, 0.01);
          assertAlmostEquals(zoomed.rect.height, map.rect.height / 2, 0.01);
          // The overview is the network's own render of the overview's view.
          const overview = await minimapGrey(page);
          const mapSide = Math.sqrt(overview.length);
          assertEquals(mapSide, side);
          const expected = await server.renderBytes({
            z: Float32Array.from(state.z),
            width: mapSide,
            height: mapSide,
            view: zoomed.overview,
          });
          assertLess(difference(overview, expected).mean, 2);
          // Clicking the minimap moves the view there.
          const box = (await page.locator("#explore-minimap").boundingBox())!;
          await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.75);
          state = await settled(page);
          map = await minimapOf(page);
          const [x, y] = mapPoint(map.overview, side, side * 0.25, side * 0.75);
          assertAlmostEquals(state.view.center[0], x, side ? (2 * map.overview.scale) / side : 1);
          assertAlmostEquals(state.view.center[1], y, side ? (2 * map.overview.scale) / side : 1);
          assertEquals(state.view.scale, 1);
          const pixels = await canvasGrey(page);
          await page.screenshot({ path: join(shots, "explorer-desktop.png") });
          const shot = await sharp(join(shots, "explorer-desktop.png")).metadata();
          assertEquals([shot.width, shot.height], [1280, 800]);

          // A reload restores the view, the latent and the morph controls.
          await page.waitForFunction((hash) => location.hash === `#${hash}`, state.hash);
          await page.reload({ waitUntil: "load" });
          const again = await settled(page);
          assertEquals([again.view, again.z, again.hash], [state.view, state.z, state.hash]);
          assertEquals(await controlValues(page), ["3", "1", "0.5", "4"]);
          assertEquals(difference(await canvasGrey(page), pixels).mean, 0);
          assertEquals(deskProblems, []);
          await desk.close();
        },
      );

      await t.step("phone: 390 px wide, nothing spills; the image stays in view", async () => {
        const phone = await browser.newContext({
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
        });
        phone.setDefaultTimeout(30_000);
        const page = await phone.newPage();
        const phoneProblems = watch(page);
        await page.goto(`${http.url}explore/#m=run1&d=7&s=3&c=0.5,0.5`, { waitUntil: "load" });
        const state = await settled(page);
        assertEquals(state.view, { scale: 3, center: [0.5, 0.5] });
        assertEquals(await horizontalOverflow(page), []);
        assertEquals(await page.evaluate(() => document.documentElement.scrollWidth), 390);
        // The toolbar's buttons wrap inside the stage.
        const stage = (await page.locator("#explore-stage").boundingBox())!;
        for (const button of await page.locator("#explore-stage button").all()) {
          const b = (await button.boundingBox())!;
          assert(b.x >= stage.x && b.x + b.width <= stage.x + stage.width, "button inside");
        }
        assert(await page.isVisible("#explore-minimap"));
        await page.screenshot({ path: join(shots, "explorer-phone.png") });
        // Scrolled down to the last control, the image is still on screen.
        await page.locator("#save-png").scrollIntoViewIfNeeded();
        assertGreater(await page.evaluate(() => scrollY), 0);
        const canvas = (await page.locator("#explore-canvas").boundingBox())!;
        const save = (await page.locator("#save-png").boundingBox())!;
        await page.screenshot({ path: join(shots, "explorer-phone-scrolled.png") });
        assert(
          canvas.y >= 0 && canvas.y + canvas.height <= save.y,
          `the image stays above: ${JSON.stringify([canvas, save])}`,
        );
        assertEquals(phoneProblems, []);
        await phone.close();
      });
      await context.close();
    } finally {
      server.dispose();
      await browser.close();
      await http.close();
    }
  },
});

/** What must be on screen at 1280x800 without scrolling. */
const VISIBLE_CONTROLS = [
  "#explore-canvas",
  "#explore-minimap",
  'button[data-action="zoom-in"]',
  'button[data-action="reset"]',
  "#explore-model",
  'button[data-digit="0"]',
  'button[data-digit="9"]',
  "#blend-from",
  "#blend-to",
  "#blend-t",
  "#walk-play",
  "#randomise",
  "#walk-speed",
  ".latent-dims summary",
  "#save-size",
  "#save-png",
];

/** The morph's from, to and position, and the walk's seconds per digit, as the controls show them. */
function controlValues(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    ["blend-from", "blend-to", "blend-t", "walk-speed"].map((id) =>
      (document.getElementById(id) as HTMLInputElement).value
    )
  );
}

type MinimapState = {
  overview: View;
  rect: { left: number; top: number; width: number; height: number };
  zoom: string;
};

function minimapOf(page: Page): Promise<MinimapState> {
  // deno-lint-ignore no-explicit-any
  return page.evaluate(() => (window as any).cppnExplorer.minimap());
}

/** The minimap's grey levels. */
async function minimapGrey(page: Page): Promise<Uint8Array> {
  return Uint8Array.from(
    await page.evaluate(() => {
      const canvas = document.getElementById("minimap-canvas") as HTMLCanvasElement;
      const rgba = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      return Array.from(rgba.filter((_, i) => i % 4 === 0));
    }),
  );
}

/** The drawn rectangle is the view's (enlarged to 6 px about its centre when smaller). */
function assertRect(drawn: MinimapState["rect"], view: MinimapState["rect"]): void {
  const w = Math.max(6, view.width), h = Math.max(6, view.height);
  assertAlmostEquals(drawn.width, w, 0.01);
  assertAlmostEquals(drawn.height, h, 0.01);
  assertAlmostEquals(drawn.left + drawn.width / 2, view.left + view.width / 2, 0.01);
  assertAlmostEquals(drawn.top + drawn.height / 2, view.top + view.height / 2, 0.01);
}

function parseHashView(url: string): View {
  const parsed = parseHash(new URL(url).hash);
  return { scale: parsed.scale!, center: parsed.center! };
}
