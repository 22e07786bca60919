import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { DEMO_RENDERS, demoChoice, runDemo } from "../../lib/demo/demo.ts";
import { SHIPPED_MODEL } from "../../lib/model/source.ts";
import { readGrey } from "../../lib/media/image.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("runDemo: a walk, three stills at the render size, and the gallery; again: reused", async () => {
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
  assert(site.pages >= 6, `${site.pages} pages`);
  assert((await Deno.stat(join(site.dir, "index.html"))).isFile);
  const again: string[] = [];
  await runDemo(source, (l) => again.push(l), undefined, sizes);
  assert(again.some((l) => l.includes("(skipped)")), again.join("\n"));
  assertEquals(again.filter((l) => l.includes("already there")).length, 3);
});

Deno.test("demoChoice: the shipped model unless a run or folder is named (never the latest run)", () => {
  const base = { out: "output", workers: 1, backend: "wasm" as const, force: false };
  assertEquals(demoChoice(base).model, SHIPPED_MODEL);
  assertEquals(demoChoice(base).run, undefined);
  assertEquals(demoChoice({ ...base, run: "mine" }), { ...base, run: "mine" });
  assertEquals(demoChoice({ ...base, model: "m" }), { ...base, model: "m" });
});
