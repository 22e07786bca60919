/**
 * `deno task grid`: plat-style latent sheets. A grid of random samples, a
 * 2-D interpolation between four corners, or an analogy row
 * (`a`, `b`, `c`, `a - b + c`), each cell rendered by the same engine as
 * `deno task render`, written as one PNG with a JSON sidecar. The sheet is
 * streamed a row of cells at a time, so memory holds one row of cells.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, removeStaleTemps, writeJsonAtomic } from "../base/atomic_write.ts";
import { FlagError } from "../base/flags.ts";
import { MAX_SIDE } from "../render/flags.ts";
import type { View } from "../model/coords.ts";
import type { ModelSource } from "../model/source.ts";
import type { RenderEngine } from "../render/engine.ts";
import { PngStreamWriter } from "../media/png_stream.ts";
import type { GridOptions } from "./grid_config.ts";
import { drawDigits, encodeDigits } from "./keyframes.ts";
import { seedLatent } from "./still.ts";
import { lerp, slerp } from "./walk_math.ts";

/** One cell of a sheet: a label for people and its latent vector. */
export interface GridCell {
  label: string;
  z: Float32Array;
}

/** What a sheet shows: its cells in row-major order and its shape. */
export interface GridLayout {
  kind: "samples" | "corners" | "analogy";
  cols: number;
  rows: number;
  cells: GridCell[];
}

/** The sidecar `NAME.json` of a sheet. */
export interface GridRecord {
  format: "cppn-grid/1";
  image: string;
  created: string;
  kind: GridLayout["kind"];
  cols: number;
  rows: number;
  cell: [number, number];
  gap: number;
  width: number;
  height: number;
  view: View;
  invert: boolean;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  cells: { label: string; z: number[] }[];
  model: ModelSource;
  command: string;
  timings: { render_s: number };
}

/** Grey level of the gaps between cells. */
const GAP_GREY = 128;

/**
 * Latent vectors for the numbers of `--corners` or `--analogy`: encoded
 * test digits, drawn digits, or `z ~ N(0, I)` from seeds (as `render --seed`).
 */
export async function namedLatents(
  numbers: number[],
  o: GridOptions,
  source: ModelSource,
): Promise<GridCell[]> {
  if (o.latents === "seeds") {
    return numbers.map((n) => ({ label: `seed ${n}`, z: seedLatent(n, source.spec.zDim) }));
  }
  if (source.random) {
    throw new FlagError(`--latents ${o.latents}: a random network draws no digits; use seeds`);
  }
  const bad = numbers.find((d) => d > 9);
  if (bad !== undefined) {
    throw new FlagError(`${bad} is not a digit (0 to 9); pass --latents seeds to use seeds`);
  }
  const keys = o.latents === "drawn"
    ? await drawDigits(source.checkpoint, numbers, o.seed)
    : await encodeDigits(source.checkpoint, numbers, o.seed);
  return keys.map((k) => ({ label: k.label, z: k.z }));
}

/** Bilinear (or, with `slerp`, spherical) interpolation of four corners over a grid. */
export function cornerCells(
  corners: GridCell[],
  cols: number,
  rows: number,
  interp: "slerp" | "lerp",
): GridCell[] {
  const [a, b, c, d] = corners.map((k) => k.z);
  const mix = interp === "slerp" ? slerp : lerp;
  const at = (i: number, n: number) => n > 1 ? i / (n - 1) : 0;
  const cells: GridCell[] = [];
  for (let r = 0; r < rows; r++) {
    const v = at(r, rows);
    const left = mix(a, c, v), right = mix(b, d, v);
    for (let q = 0; q < cols; q++) {
      const corner = [[0, 0], [cols - 1, 0], [0, rows - 1], [cols - 1, rows - 1]]
        .findIndex(([x, y]) => x === q && y === r);
      cells.push({
        label: corner >= 0 ? corners[corner].label : `(${q}, ${r})`,
        z: mix(left, right, at(q, cols)),
      });
    }
  }
  return cells;
}

/** `a`, `b`, `c` and `a - b + c`. */
export function analogyCells([a, b, c]: GridCell[]): GridCell[] {
  const z = a.z.map((v, i) => v - b.z[i] + c.z[i]);
  return [a, b, c, { label: `${a.label} - ${b.label} + ${c.label}`, z }];
}

/** Resolves what a sheet shows from its options. */
export async function gridLayout(o: GridOptions, source: ModelSource): Promise<GridLayout> {
  if (o.corners && o.analogy) throw new FlagError("Give only one of --corners and --analogy");
  const [cols, rows] = o.shape;
  if (o.corners) {
    if (o.corners.length !== 4) {
      throw new FlagError(
        `--corners needs 4 values (top left, top right, bottom left, bottom right), got ${o.corners.length}`,
      );
    }
    const corners = await namedLatents(o.corners, o, source);
    return { kind: "corners", cols, rows, cells: cornerCells(corners, cols, rows, o.interp) };
  }
  if (o.analogy) {
    if (o.analogy.length !== 3) {
      throw new FlagError(
        `--analogy needs 3 values a,b,c (for a - b + c), got ${o.analogy.length}`,
      );
    }
    const cells = analogyCells(await namedLatents(o.analogy, o, source));
    return { kind: "analogy", cols: 4, rows: 1, cells };
  }
  const cells = Array.from({ length: cols * rows }, (_, i) => ({
    label: `seed ${o.seed + i}`,
    z: seedLatent(o.seed + i, source.spec.zDim),
  }));
  return { kind: "samples", cols, rows, cells };
}

/** The sheet's size in pixels: cells with `gap` pixels around and between them. */
export function sheetSize(
  layout: GridLayout,
  cell: [number, number],
  gap: number,
): [number, number] {
  return [
    layout.cols * cell[0] + (layout.cols + 1) * gap,
    layout.rows * cell[1] + (layout.rows + 1) * gap,
  ];
}

/** Renders a sheet into `path` (grey or RGB, as the engine draws), a row of cells at a time. */
export async function renderSheet(
  engine: RenderEngine,
  layout: GridLayout,
  request: { cell: [number, number]; gap: number; view: View; invert: boolean },
  path: string,
): Promise<void> {
  const { cell: [cw, ch], gap, view, invert } = request;
  const [width, height] = sheetSize(layout, request.cell, gap);
  if (width > MAX_SIDE || height > MAX_SIDE) {
    throw new FlagError(`The sheet would be ${width}x${height}: at most ${MAX_SIDE} a side`);
  }
  const k = engine.channels, rowBytes = width * k, cellRow = cw * k;
  const writer = await PngStreamWriter.create(path, width, height, k);
  try {
    const gapRows = new Uint8Array(gap * rowBytes).fill(GAP_GREY);
    await writer.writeRows(gapRows);
    for (let r = 0; r < layout.rows; r++) {
      const band = new Uint8Array(ch * rowBytes).fill(GAP_GREY);
      for (let q = 0; q < layout.cols; q++) {
        const z = layout.cells[r * layout.cols + q].z;
        const pixels = await engine.renderImage({ z, width: cw, height: ch, view, invert });
        const x0 = (gap + q * (cw + gap)) * k;
        for (let y = 0; y < ch; y++) {
          band.set(pixels.subarray(y * cellRow, (y + 1) * cellRow), y * rowBytes + x0);
        }
      }
      await writer.writeRows(band);
      await writer.writeRows(gapRows);
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close();
}

/** The default file name of a sheet. */
function sheetName(o: GridOptions, layout: GridLayout): string {
  const cell = o.cell[0] === o.cell[1] ? `${o.cell[0]}` : o.cell.join("x");
  const what = layout.kind === "samples"
    ? `samples-s${o.seed}`
    : `${layout.kind}-${o.latents}-${(o.corners ?? o.analogy)!.join("-")}`;
  const art = o.random ? `art-${o.activation}-` : "";
  return `${art}${what}-${layout.cols}x${layout.rows}-${cell}${o.invert ? "-inv" : ""}`;
}

/**
 * Renders a sheet into `<out>/grids/NAME.png` (+ `NAME.json`).
 *
 * @throws if the file exists and `force` is not set.
 */
export async function renderGrid(
  engine: RenderEngine,
  source: ModelSource,
  o: GridOptions,
  command: string,
): Promise<{ path: string; record: GridRecord }> {
  const layout = await gridLayout(o, source);
  const name = o.name ?? sheetName(o, layout);
  const dir = join(o.out, "grids");
  const path = join(dir, `${name}.png`);
  if (!o.force && (await exists(path))) {
    throw new FlagError(`${path} already exists: pass --force to overwrite it, or --name`);
  }
  await Deno.mkdir(dir, { recursive: true });
  await removeStaleTemps(dir);
  const view = { scale: o.scale ?? source.spec.scale, center: o.center };
  const t0 = performance.now();
  await renderSheet(engine, layout, { cell: o.cell, gap: o.gap, view, invert: o.invert }, path);
  const [width, height] = sheetSize(layout, o.cell, o.gap);
  const record: GridRecord = {
    format: "cppn-grid/1",
    image: `${name}.png`,
    created: new Date().toISOString(),
    kind: layout.kind,
    cols: layout.cols,
    rows: layout.rows,
    cell: o.cell,
    gap: o.gap,
    width,
    height,
    view,
    invert: o.invert,
    channels: engine.channels,
    cells: layout.cells.map((c) => ({ label: c.label, z: Array.from(c.z) })),
    model: source,
    command,
    timings: { render_s: (performance.now() - t0) / 1000 },
  };
  await writeJsonAtomic(join(dir, `${name}.json`), record);
  return { path, record };
}
