/// <reference lib="dom" />
/**
 * The live explorer with a colour model in Chromium: the page draws the
 * server's RGB pixels, and a picture given to its file input is encoded in
 * the page into the latent the server's encoder gives it.
 */
import { assert, assertEquals, assertGreater, assertLess } from "@std/assert";
import { join } from "@std/path";
import type { Page } from "playwright-core";
import { encodeImages } from "../../lib/latent/keyframes.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { serveStatic } from "../../lib/site/static_server.ts";
import { launch, settled, SKIP_BROWSER, watch } from "../_browser.ts";
import { contrastyCheckpoint, makeRun } from "../_gallery_fixtures.ts";
import { runScript, tempDir, tinyColourModel, useWasm, writePictures } from "../_helpers.ts";
import { colourfulness } from "../_onnx_fixtures.ts";

const PREFIX = "/gallery/";

/** The canvas as RGB bytes. */
async function canvasRgb(page: Page): Promise<Uint8Array> {
  const values = await page.evaluate(() => {
    const canvas = document.getElementById("explore-canvas") as HTMLCanvasElement;
    const rgba = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    return Array.from(rgba.filter((_, i) => i % 4 !== 3));
  });
  return Uint8Array.from(values);
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

Deno.test({
  name: "explore e2e: a colour model in colour, and a picture encoded in the page",
  ignore: SKIP_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await useWasm();
    await using dir = await tempDir();
    const out = join(dir.path, "output");
    const checkpoint = join(dir.path, "checkpoint");
    await contrastyCheckpoint(await tinyColourModel(), checkpoint);
    await makeRun(out, "colour", { checkpoint });
    const built = await runScript("site", ["--out", out]);
    assertEquals(built.code, 0, built.stderr);
    const server = new Renderer(foldWeights(await loadGenerator(checkpoint)));
    const pictures = await writePictures(join(dir.path, "pictures"), 5);
    const [small, large] = await encodeImages(checkpoint, [pictures[0], pictures[4]]);
    const http = serveStatic({ root: join(out, "site"), prefix: PREFIX });
    const browser = await launch();
    try {
      const context = await browser.newContext({ viewport: { width: 480, height: 420 } });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${http.url}explore/#m=colour&z=0.6,-1.2,0.35,0.8,-0.4,1.1,0,-0.75`);
      let state = await settled(page);
      assertEquals(state.model, "colour");
      const drawn = await canvasRgb(page);
      const expected = await server.renderBytes({
        z: Float32Array.from(state.z),
        width: state.width,
        height: state.height,
        view: state.view,
      });
      assertEquals(drawn.length, expected.length);
      let sum = 0;
      for (let i = 0; i < drawn.length; i++) sum += Math.abs(drawn[i] - expected[i]);
      assertLess(sum / drawn.length, 2, `mean difference on ${state.backend}`);
      assertGreater(colourfulness(drawn), 10, "the canvas is in colour");

      // the picture of the largest disc, through the file input
      await page.setInputFiles("#encode-file", pictures[4]);
      await page.waitForFunction(() =>
        document.getElementById("explore-notice")!.textContent!.includes("pic004.png")
      );
      state = await settled(page);
      const z = state.z;
      const toLarge = distance(z, large.z), toSmall = distance(z, small.z);
      assert(
        toLarge < toSmall,
        `the page's z is ${toLarge} from the server's, ${toSmall} from another picture's`,
      );
      assertLess(toLarge, 0.2 * Math.max(1e-6, distance(large.z, small.z)) + 0.05);
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await http.close();
      server.dispose();
    }
  },
});
