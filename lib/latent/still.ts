/**
 * `deno task render`: one image of any size (streamed to disk in row
 * bands, so 16384x16384 and beyond fit in bounded memory) and a JSON
 * sidecar with everything needed to reproduce it.
 *
 * @module
 */
import { basename, join } from "@std/path";
import { exists, removeStaleTemps, writeJsonAtomic } from "../base/atomic_write.ts";
import { SEED_FLAG } from "../base/common_flags.ts";
import { FlagError, type FlagSpec } from "../base/flags.ts";
import { MERGE_FLAG, SHARD_FLAG } from "../base/shard.ts";
import { encodeDigits, encodeImages, readLatents } from "./keyframes.ts";
import type { ModelSource } from "../model/source.ts";
import type { RenderEngine } from "../render/engine.ts";
import { Rng } from "../base/rng.ts";
import {
  DEFAULT_RENDER_BACKEND,
  MAX_SIDE,
  SOURCE_FLAGS,
  type SourceOptions,
  VIEW_FLAGS,
} from "../render/flags.ts";
import { renderToPng } from "../render/pool.ts";
import { RANDOM_DEFAULTS, RANDOM_FLAGS, type RandomOptions } from "../render/random_source.ts";

/** Options of `deno task render`. */
export interface RenderOptions extends SourceOptions, RandomOptions {
  /** Render an encoded test example of this digit. */
  digit?: number;
  /** Render `z ~ N(0, I)` drawn from this seed. */
  seed?: number;
  /** Render a latent vector from this JSON file. */
  z?: string;
  /** Render the encoder's reconstruction of this picture. */
  image?: string;
  /** Which vector of the file (default 0). */
  index: number;
  /** Image size `[w, h]`. */
  size: [number, number];
  /** Coordinate scale (default: the training scale). */
  scale?: number;
  /** View centre. */
  center: [number, number];
  /** Dark on white. */
  invert: boolean;
  /** Output name (without `.png`). */
  name?: string;
  /** `K/N` or `auto/N`: render only shard K's bands (see `still_shard.ts`). */
  shard?: string;
  /** Merge a sharded render's bands; refuse if any is missing. */
  merge?: boolean;
  /** Rows per band of a sharded render (default: see `defaultBandRows`). */
  bandRows?: number;
}

/** Defaults of `deno task render`. */
export const RENDER_DEFAULTS: RenderOptions = {
  out: "output",
  workers: 0,
  backend: DEFAULT_RENDER_BACKEND,
  force: false,
  index: 0,
  size: [2048, 2048],
  center: [0, 0],
  invert: false,
  ...RANDOM_DEFAULTS,
};

/** Flags of `deno task render`. */
export const RENDER_FLAGS: readonly FlagSpec[] = [
  ...SOURCE_FLAGS,
  ...RANDOM_FLAGS,
  {
    name: "digit",
    key: "digit",
    type: { kind: "int", min: 0, max: 9 },
    help: "Render an encoded test example of this digit",
    arg: "D",
  },
  {
    ...SEED_FLAG,
    help: "Render z ~ N(0, I) drawn from this seed (also picks the test example for --digit)",
  },
  {
    name: "z",
    key: "z",
    type: { kind: "string" },
    help: "Render a latent vector from a JSON list",
    arg: "FILE",
  },
  {
    name: "image",
    key: "image",
    type: { kind: "string" },
    help: "Render your own picture (PNG, JPEG, WebP, SVG) as the model encodes it",
    arg: "FILE",
  },
  {
    name: "index",
    key: "index",
    type: { kind: "int", min: 0 },
    help: "Which vector of the --z file",
    arg: "K",
  },
  {
    name: "size",
    key: "size",
    type: { kind: "size", max: MAX_SIDE },
    help: "Image size",
    arg: "N|WxH",
  },
  ...VIEW_FLAGS,
  {
    name: "name",
    key: "name",
    type: { kind: "name" },
    help: "Output name in output/renders/",
    arg: "NAME",
    defaultText: "from the source and size",
  },
  {
    ...SHARD_FLAG,
    help: SHARD_FLAG.help + ": its bands of rows; then run once without it to merge the PNG",
  },
  {
    ...MERGE_FLAG,
    help: "Merge the bands of a sharded render into the PNG; refuse if any is missing",
  },
  {
    name: "band-rows",
    key: "bandRows",
    type: { kind: "int", min: 1, max: MAX_SIDE },
    help: "Rows per band of a sharded render (same for every shard and the merge)",
    arg: "R",
    defaultText: "about 256 bands, aligned to render chunks",
  },
];

/** The sidecar `NAME.json` of a render. */
export interface RenderRecord {
  format: "cppn-render/1";
  image: string;
  created: string;
  width: number;
  height: number;
  z: number[];
  source: { digit: number; testIndex: number; seed: number } | { seed: number } | {
    zFile: string;
    index: number;
  } | { image: string };
  view: { scale: number; center: [number, number] };
  invert: boolean;
  model: ModelSource;
  command: string;
  timings: { render_s: number };
  /** For a render merged from bands: their settings' identity and layout. */
  sharded?: { identity: string; bands: number; bandRows: number };
}

/** `z ~ N(0, I)` drawn from `seed`: what `render --seed` renders. */
export function seedLatent(seed: number, zDim: number): Float32Array {
  return new Rng(seed, "render").normal(zDim);
}

/** Resolves the latent vector a render asks for. */
export async function renderLatent(
  o: RenderOptions,
  source: ModelSource,
): Promise<{ z: Float32Array; from: RenderRecord["source"]; label: string }> {
  const chosen = [o.digit, o.z, o.image].filter((v) => v !== undefined).length;
  if (chosen > 1) throw new FlagError("Give only one of --digit and --z (or --image)");
  if (source.random && (o.digit !== undefined || o.image !== undefined)) {
    throw new FlagError(
      `--${o.digit !== undefined ? "digit" : "image"} needs a trained model's encoder: ` +
        "drop --random, or use --seed or --z",
    );
  }
  if (o.image !== undefined) {
    if (!(await Deno.stat(o.image).catch(() => null))?.isFile) {
      throw new FlagError(`--image "${o.image}" is not a file`);
    }
    const [key] = await encodeImages(source.checkpoint, [o.image]);
    const stem = basename(o.image).replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "_");
    return { z: key.z, from: { image: basename(o.image) }, label: `image-${stem || "picture"}` };
  }
  if (o.z !== undefined) {
    const list = await readLatents(o.z, source.spec.zDim);
    if (o.index >= list.length) {
      throw new FlagError(`--index ${o.index}: "${o.z}" holds only ${list.length} vectors`);
    }
    return { z: list[o.index], from: { zFile: o.z, index: o.index }, label: `z${o.index}` };
  }
  if (o.digit !== undefined) {
    const seed = o.seed ?? 1;
    const [key] = await encodeDigits(source.checkpoint, [o.digit], seed);
    return {
      z: key.z,
      from: { digit: o.digit, testIndex: key.testIndex!, seed },
      label: `digit${o.digit}-s${seed}`,
    };
  }
  if (o.seed === undefined && !source.random) {
    throw new FlagError(
      "Choose what to render: --digit D, --seed N or --z FILE.json (or --image FILE)",
    );
  }
  const seed = o.seed ?? 1;
  const random = source.random;
  return {
    z: seedLatent(seed, source.spec.zDim),
    from: { seed },
    label: random
      ? `art-${random.activation}-s${random.seed}${random.seed !== seed ? `z${seed}` : ""}`
      : `seed${seed}`,
  };
}

/** What a render makes and where: resolved from its options. */
export interface RenderPlan {
  /** The latent vector. */
  z: Float32Array;
  /** Where it came from, for the sidecar. */
  from: RenderRecord["source"];
  width: number;
  height: number;
  view: { scale: number; center: [number, number] };
  invert: boolean;
  /** The output name, without `.png`. */
  name: string;
  /** `<out>/renders`. */
  dir: string;
  /** `<out>/renders/NAME.png`. */
  path: string;
}

/** Resolves a render's latent vector, view, name and path. */
export async function planRender(source: ModelSource, o: RenderOptions): Promise<RenderPlan> {
  const { z, from, label } = await renderLatent(o, source);
  const [width, height] = o.size;
  const view = { scale: o.scale ?? source.spec.scale, center: o.center };
  const name = o.name ??
    `${label}-${width === height ? width : `${width}x${height}`}${
      o.scale !== undefined || o.center[0] || o.center[1]
        ? `-zoom${view.scale}@${view.center.join(",")}`
        : ""
    }${o.invert ? "-inv" : ""}`;
  const dir = join(o.out, "renders");
  return {
    z,
    from,
    width,
    height,
    view,
    invert: o.invert,
    name,
    dir,
    path: join(dir, `${name}.png`),
  };
}

/** Refuses to overwrite a render's PNG without `force`. */
export async function refuseOverwrite(plan: RenderPlan, force: boolean): Promise<void> {
  if (!force && (await exists(plan.path))) {
    throw new FlagError(
      `${plan.path} already exists: pass --force to overwrite it, or --name to choose another name`,
    );
  }
}

/** Writes the sidecar `NAME.json` of a render whose PNG is in place. */
export async function writeRenderRecord(
  plan: RenderPlan,
  source: ModelSource,
  command: string,
  seconds: number,
  extra: Partial<RenderRecord> = {},
): Promise<RenderRecord> {
  const record: RenderRecord = {
    format: "cppn-render/1",
    image: `${plan.name}.png`,
    created: new Date().toISOString(),
    width: plan.width,
    height: plan.height,
    z: Array.from(plan.z),
    source: plan.from,
    view: plan.view,
    invert: plan.invert,
    model: source,
    command,
    timings: { render_s: seconds },
    ...extra,
  };
  await writeJsonAtomic(join(plan.dir, `${plan.name}.json`), record);
  return record;
}

/**
 * Renders one image into `<out>/renders/NAME.png` (+ `NAME.json`).
 *
 * @throws if the file exists and `force` is not set.
 */
export async function renderSingle(
  pool: RenderEngine,
  source: ModelSource,
  o: RenderOptions,
  command: string,
): Promise<{ path: string; record: RenderRecord }> {
  const plan = await planRender(source, o);
  return { path: plan.path, record: await renderPlanned(pool, source, plan, o.force, command) };
}

/**
 * Renders a planned image into its PNG (streamed, bounded memory) and
 * writes its sidecar.
 *
 * @throws if the file exists and `force` is not set.
 */
export async function renderPlanned(
  pool: RenderEngine,
  source: ModelSource,
  plan: RenderPlan,
  force: boolean,
  command: string,
): Promise<RenderRecord> {
  await refuseOverwrite(plan, force);
  await Deno.mkdir(plan.dir, { recursive: true });
  await removeStaleTemps(plan.dir); // left by an interrupted or failed render
  const t0 = performance.now();
  const { z, width, height, view, invert } = plan;
  await renderToPng(pool, { z, width, height, view, invert }, plan.path);
  return await writeRenderRecord(plan, source, command, (performance.now() - t0) / 1000);
}
