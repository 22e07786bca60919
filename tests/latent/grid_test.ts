import { assert, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { FlagError } from "../../lib/base/flags.ts";
import { type GridLayout, gridLayout, renderGrid } from "../../lib/latent/grid.ts";
import { GRID_DEFAULTS, type GridOptions } from "../../lib/latent/grid_config.ts";
import { seedLatent } from "../../lib/latent/still.ts";
import { type GreyImage, readGrey, readImage } from "../../lib/media/image.ts";
import { randomWeights } from "../../lib/model/random_net.ts";
import { resolveSource } from "../../lib/render/random_source.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { type ModelSource, resolveModel } from "../../lib/model/source.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

/** Cell (q, r) of a sheet of `cell`-pixel cells with `gap`-pixel gaps. */
function cellOf(sheet: GreyImage, q: number, r: number, cell: number, gap: number): Uint8Array {
  const out = new Uint8Array(cell * cell);
  const x0 = gap + q * (cell + gap), y0 = gap + r * (cell + gap);
  for (let y = 0; y < cell; y++) {
    const start = (y0 + y) * sheet.width + x0;
    out.set(sheet.pixels.subarray(start, start + cell), y * cell);
  }
  return out;
}

async function withGrid(
  options: Partial<GridOptions>,
  check: (
    sheet: GreyImage,
    o: GridOptions,
    pool: RenderPool,
    source: ModelSource,
  ) => Promise<void> | void,
): Promise<void> {
  await using tmp = await tempDir();
  const model = await tinyModel();
  const source = await resolveModel({ model, out: tmp.path });
  const pool = await RenderPool.create(foldWeights(await loadGenerator(model)), { workers: 1 });
  try {
    const o: GridOptions = { ...GRID_DEFAULTS, out: tmp.path, cell: [20, 20], ...options };
    const { path, record } = await renderGrid(pool, source, o, "deno task grid");
    const sheet = await readGrey(path);
    assertEquals([sheet.width, sheet.height], [record.width, record.height]);
    const sidecar = JSON.parse(await Deno.readTextFile(path.replace(/\.png$/, ".json")));
    assertEquals(sidecar.cells.length, record.cols * record.rows);
    await check(sheet, o, pool, source);
  } finally {
    pool.close();
  }
}

Deno.test("grid: a sheet of random samples has cols x rows cells of the cell size, all different", async () => {
  await withGrid({ shape: [3, 2], gap: 2, seed: 5 }, async (sheet, o, pool) => {
    assertEquals([sheet.width, sheet.height], [3 * 20 + 4 * 2, 2 * 20 + 3 * 2]);
    const cells = [0, 1, 2, 3, 4, 5].map((i) => cellOf(sheet, i % 3, Math.floor(i / 3), 20, 2));
    for (let i = 1; i < cells.length; i++) assertNotEquals(cells[i], cells[0]);
    // cell 4 is what render --seed 9 draws
    const view = { scale: 8, center: [0, 0] as [number, number] };
    const z = seedLatent(o.seed + 4, 8);
    assertEquals(cells[4], await pool.renderImage({ z, width: 20, height: 20, view }));
    assertEquals(sheet.pixels[0], 128); // the gap's grey
  });
});

Deno.test("grid: the corners of a 2-D interpolation are single renders of the corner latents", async () => {
  const corners = [11, 12, 13, 14];
  const options = { shape: [4, 3] as [number, number], corners, latents: "seeds" as const };
  await withGrid(options, async (sheet, _o, pool) => {
    const view = { scale: 8, center: [0, 0] as [number, number] };
    const at = [[0, 0], [3, 0], [0, 2], [3, 2]];
    for (const [i, [q, r]] of at.entries()) {
      const z = seedLatent(corners[i], 8);
      assertEquals(
        cellOf(sheet, q, r, 20, 4),
        await pool.renderImage({ z, width: 20, height: 20, view }),
      );
    }
    assertNotEquals(cellOf(sheet, 1, 1, 20, 4), cellOf(sheet, 0, 0, 20, 4));
  });
});

Deno.test("grid: an analogy row holds a, b, c and a - b + c", async () => {
  await using tmp = await tempDir();
  const source = await resolveModel({ model: await tinyModel(), out: tmp.path });
  const o = { ...GRID_DEFAULTS, analogy: [1, 2, 3], latents: "seeds" as const };
  const layout: GridLayout = await gridLayout(o, source);
  assertEquals([layout.kind, layout.cols, layout.rows, layout.cells.length], ["analogy", 4, 1, 4]);
  const [a, b, c] = [1, 2, 3].map((s) => seedLatent(s, 8));
  const want = a.map((v, i) => v - b[i] + c[i]);
  assertEquals(layout.cells[3].z, want);
  assert(layout.cells[3].label.includes("-"));
});

Deno.test("grid: clear errors for bad corners, analogies and digits", async () => {
  await using tmp = await tempDir();
  const source = await resolveModel({ model: await tinyModel(), out: tmp.path });
  const bad: [Partial<GridOptions>, string][] = [
    [{ corners: [1, 2, 3] }, "--corners needs 4 values"],
    [{ analogy: [1, 2] }, "--analogy needs 3 values"],
    [{ corners: [1, 2, 3, 4], analogy: [1, 2, 3] }, "only one of --corners and --analogy"],
    [{ corners: [1, 2, 3, 12] }, "12 is not a digit"],
  ];
  for (const [options, message] of bad) {
    await assertRejects(
      () => gridLayout({ ...GRID_DEFAULTS, out: join(tmp.path, "x"), ...options }, source),
      FlagError,
      message,
    );
  }
});

Deno.test("grid of a random network: an RGB sheet whose corner cells are single renders", async () => {
  await using tmp = await tempDir();
  const o: GridOptions = {
    ...GRID_DEFAULTS,
    random: true,
    width: 8,
    depth: 2,
    out: tmp.path,
    shape: [3, 2],
    cell: [16, 16],
    corners: [1, 2, 3, 4],
    latents: "seeds",
  };
  const source = await resolveSource(o, 5);
  const pool = await RenderPool.create(randomWeights(source.random!), { workers: 1 });
  try {
    const { path, record } = await renderGrid(pool, source, o, "deno task grid --random");
    assertEquals(path, join(tmp.path, "grids", "art-tanh-corners-seeds-1-2-3-4-3x2-16.png"));
    assertEquals(record.channels, 3);
    const sheet = await readImage(path, 3);
    const view = { scale: 1, center: [0, 0] as [number, number] };
    const z = seedLatent(4, 8);
    const corner = await pool.renderImage({ z, width: 16, height: 16, view });
    const x0 = 4 + 2 * 20, y0 = 4 + 20;
    for (let y = 0; y < 16; y++) {
      const start = ((y0 + y) * sheet.width + x0) * 3;
      assertEquals(sheet.pixels.subarray(start, start + 48), corner.subarray(y * 48, (y + 1) * 48));
    }
    await assertRejects(
      () => gridLayout({ ...o, latents: "digits" }, source),
      FlagError,
      "a random network draws no digits",
    );
  } finally {
    pool.close();
  }
});
