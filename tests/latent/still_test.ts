import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { FlagError } from "../../lib/base/flags.ts";
import { Rng } from "../../lib/base/rng.ts";
import { RENDER_DEFAULTS, renderLatent, renderSingle } from "../../lib/latent/still.ts";
import { readGrey } from "../../lib/media/image.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { resolveModel } from "../../lib/model/source.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("renderLatent: z from the seed or a file; clear errors for none, both, or a bad index", async () => {
  await using tmp = await tempDir();
  const source = await resolveModel({ model: await tinyModel(), out: tmp.path });
  const zDim = source.spec.zDim;
  const seeded = await renderLatent({ ...RENDER_DEFAULTS, seed: 42 }, source);
  assertEquals(seeded.z, new Rng(42, "render").normal(zDim));
  assertEquals([seeded.from, seeded.label], [{ seed: 42 }, "seed42"]);
  const file = join(tmp.path, "z.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify([new Array(zDim).fill(0), new Array(zDim).fill(1)]),
  );
  const listed = await renderLatent({ ...RENDER_DEFAULTS, z: file, index: 1 }, source);
  assertEquals([listed.z, listed.label], [new Float32Array(zDim).fill(1), "z1"]);
  await assertRejects(
    () => renderLatent({ ...RENDER_DEFAULTS, z: file, index: 2 }, source),
    FlagError,
    `--index 2: "${file}" holds only 2 vectors`,
  );
  await assertRejects(
    () => renderLatent({ ...RENDER_DEFAULTS, z: file, digit: 3 }, source),
    FlagError,
    "Give only one of --digit and --z",
  );
  await assertRejects(
    () => renderLatent({ ...RENDER_DEFAULTS }, source),
    FlagError,
    "Choose what to render: --digit D, --seed N or --z FILE.json",
  );
});

Deno.test("renderSingle: the PNG and its sidecar, named by source, size and view; never overwritten", async () => {
  await using tmp = await tempDir();
  const model = await tinyModel();
  const source = await resolveModel({ model, out: tmp.path });
  const pool = await RenderPool.create(foldWeights(await loadGenerator(model)), { workers: 1 });
  try {
    const o = { ...RENDER_DEFAULTS, out: tmp.path, seed: 7, size: [24, 16] as [number, number] };
    const { path, record } = await renderSingle(pool, source, o, "deno task render --seed 7");
    assertEquals(path, join(tmp.path, "renders", "seed7-24x16.png"));
    const image = await readGrey(path);
    assertEquals([image.width, image.height], [24, 16]);
    const sidecar = JSON.parse(
      await Deno.readTextFile(join(tmp.path, "renders", "seed7-24x16.json")),
    );
    assertEquals(sidecar, JSON.parse(JSON.stringify(record)));
    assertEquals([record.format, record.image, record.source], [
      "cppn-render/1",
      "seed7-24x16.png",
      {
        seed: 7,
      },
    ]);
    assertEquals(record.view, { scale: source.spec.scale, center: [0, 0] });
    await assertRejects(
      () => renderSingle(pool, source, o, ""),
      FlagError,
      `${path} already exists: pass --force to overwrite it, or --name to choose another name`,
    );
    const zoomed = await renderSingle(pool, source, {
      ...o,
      scale: 2,
      center: [1, -1],
      invert: true,
    }, "");
    assertEquals(zoomed.path, join(tmp.path, "renders", "seed7-24x16-zoom2@1,-1-inv.png"));
  } finally {
    pool.close();
  }
});
