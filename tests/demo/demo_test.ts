import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { join } from "@std/path";
import {
  DEMO_COLOUR_RENDER,
  DEMO_RENDERS,
  DEMO_ZOOM,
  demoChoice,
  runDemo,
} from "../../lib/demo/demo.ts";
import { SHIPPED_COLOUR_MODEL, SHIPPED_MODEL } from "../../lib/model/source.ts";
import { readGrey, readImage } from "../../lib/media/image.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("runDemo: a walk, a zoom walk, three stills, a random-network walk and still, and the gallery; again: reused", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const source = { model, out: tmp.path, workers: 2, backend: "wasm" as const, force: false };
  const sizes = {
    walk: { steps: 4, size: [48, 48] as [number, number], stillSize: [64, 64] as [number, number] },
    render: [80, 60] as [number, number],
  };
  const lines: string[] = [];
  const site = await runDemo(source, (l) => lines.push(l), undefined, sizes);
  const walk = JSON.parse(
    await Deno.readTextFile(join(tmp.path, "walks", "demo-digits", "walk.json")),
  );
  assertEquals([walk.complete, walk.frames.count, walk.keyframes.length], [true, 4, 10]);
  for (const r of DEMO_RENDERS) {
    const image = await readGrey(join(tmp.path, "renders", `${r.name}.png`));
    assertEquals([image.width, image.height], [80, 60]);
  }
  const zoom = JSON.parse(
    await Deno.readTextFile(join(tmp.path, "walks", "demo-zoom", "walk.json")),
  );
  const scales = zoom.frames.views.map((v: { scale: number }) => v.scale);
  assertEquals([scales[0], scales.at(-1)], [8, DEMO_ZOOM.zoomTo]);
  const art = await readImage(join(tmp.path, "renders", "demo-art.png"), 3);
  assertEquals([art.width, art.height], [80, 60]);
  assertNotEquals(
    art.pixels.filter((_, i) => i % 3 === 0),
    art.pixels.filter((_, i) => i % 3 === 2),
  );
  const artWalk = JSON.parse(
    await Deno.readTextFile(join(tmp.path, "walks", "demo-art", "walk.json")),
  );
  assertEquals([artWalk.complete, artWalk.model.kind], [true, "random"]);
  for (const page of ["walks/demo-zoom", "walks/demo-art", "stills/demo-art"]) {
    assert((await Deno.stat(join(site.dir, page, "index.html"))).isFile, page);
  }
  assert(site.pages >= 9, `${site.pages} pages`);
  assert((await Deno.stat(join(site.dir, "index.html"))).isFile);
  const again: string[] = [];
  await runDemo(source, (l) => again.push(l), undefined, sizes);
  assertEquals(again.filter((l) => l.includes("(skipped)")).length, 3, again.join("\n"));
  assertEquals(again.filter((l) => l.includes("already there")).length, 4);
});

Deno.test("demoChoice: the shipped model unless a run or folder is named (never the latest run)", () => {
  const base = { out: "output", workers: 1, backend: "wasm" as const, force: false };
  assertEquals(demoChoice(base).model, SHIPPED_MODEL);
  assertEquals(demoChoice(base).run, undefined);
  assertEquals(demoChoice({ ...base, run: "mine" }), { ...base, run: "mine" });
  assertEquals(demoChoice({ ...base, model: "m" }), { ...base, model: "m" });
});

Deno.test({
  name:
    "runDemo with the shipped models: the emoji model's walk and still, in colour, beside the digits",
  ignore: !(await Deno.stat(join(SHIPPED_COLOUR_MODEL, "checksums.sha256")).catch(() => null)),
  async fn() {
    await using tmp = await tempDir();
    const source = { out: tmp.path, workers: 2, backend: "wasm" as const, force: false };
    const sizes = {
      walk: {
        steps: 3,
        size: [32, 32] as [number, number],
        stillSize: [40, 40] as [number, number],
      },
      render: [48, 40] as [number, number],
    };
    const lines: string[] = [];
    await runDemo(source, (l) => lines.push(l), undefined, sizes);
    const walk = JSON.parse(
      await Deno.readTextFile(join(tmp.path, "walks", "demo-emoji", "walk.json")),
    );
    assertEquals([walk.complete, walk.model.name], [true, "models/emoji-cppn"]);
    const frame = await readImage(join(tmp.path, "walks", "demo-emoji", "frames", "000001.png"), 3);
    const still = await readImage(join(tmp.path, "renders", `${DEMO_COLOUR_RENDER.name}.png`), 3);
    for (const image of [frame, still]) {
      let spread = 0; // how far the channels are apart: a colour picture's are
      for (let i = 0; i < image.pixels.length; i += 3) {
        const [r, g, b] = image.pixels.subarray(i, i + 3);
        spread += Math.max(r, g, b) - Math.min(r, g, b);
      }
      assert(spread / (image.pixels.length / 3) > 10, `grey: ${spread}`);
    }
    assert(lines.some((l) => l.includes("demo-digits")), lines.join("\n"));
  },
});
