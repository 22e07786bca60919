/**
 * Options, defaults and flags of `deno task grid`.
 *
 * @module
 */
import { SEED_FLAG } from "../base/common_flags.ts";
import type { FlagSpec } from "../base/flags.ts";
import { MAX_SIDE, SOURCE_FLAGS, type SourceOptions, VIEW_FLAGS } from "../render/flags.ts";
import { RANDOM_DEFAULTS, RANDOM_FLAGS, type RandomOptions } from "../render/random_source.ts";
import { RENDER_DEFAULTS } from "./still.ts";
import { INTERP_FLAG } from "./walk_config.ts";
import type { Interpolation } from "./walk_math.ts";

/** How the numbers of `--corners` and `--analogy` become latent vectors. */
export const LATENT_KINDS = ["digits", "drawn", "seeds"] as const;

/** Options of `deno task grid`. */
export interface GridOptions extends SourceOptions, RandomOptions {
  /** Samples: the first cell's seed; digits: which test examples. */
  seed: number;
  /** Columns and rows. */
  shape: [number, number];
  /** Cell size `[w, h]`. */
  cell: [number, number];
  /** Pixels between and around cells. */
  gap: number;
  /** Four corners of a 2-D interpolation. */
  corners?: number[];
  /** `a,b,c` of an analogy row `a - b + c`. */
  analogy?: number[];
  /** What the numbers of `corners` and `analogy` are. */
  latents: (typeof LATENT_KINDS)[number];
  /** Interpolation between the corners. */
  interp: Interpolation;
  /** Coordinate scale (default: the training scale). */
  scale?: number;
  /** View centre. */
  center: [number, number];
  /** Dark on white. */
  invert: boolean;
  /** Output name (without `.png`). */
  name?: string;
}

/** Defaults of `deno task grid` (the engine defaults are `render`'s). */
export const GRID_DEFAULTS: GridOptions = {
  out: RENDER_DEFAULTS.out,
  workers: RENDER_DEFAULTS.workers,
  backend: RENDER_DEFAULTS.backend,
  force: false,
  seed: 1,
  shape: [8, 8],
  cell: [128, 128],
  gap: 4,
  latents: "digits",
  interp: "slerp",
  center: [0, 0],
  invert: false,
  ...RANDOM_DEFAULTS,
};

/** Flags of `deno task grid`. */
export const GRID_FLAGS: readonly FlagSpec[] = [
  ...SOURCE_FLAGS,
  ...RANDOM_FLAGS,
  {
    ...SEED_FLAG,
    help: "Samples: cell i shows render --seed (N + i); digits: which test examples",
  },
  {
    name: "shape",
    key: "shape",
    type: { kind: "size", max: 256 },
    help: "Columns x rows (an analogy is one row of 4)",
    arg: "N|CxR",
  },
  {
    name: "cell",
    key: "cell",
    type: { kind: "size", max: MAX_SIDE },
    help: "Size of each cell",
    arg: "N|WxH",
  },
  {
    name: "gap",
    key: "gap",
    type: { kind: "int", min: 0, max: 1024 },
    help: "Grey pixels between and around the cells",
    arg: "PX",
  },
  {
    name: "corners",
    key: "corners",
    type: { kind: "intList", min: 0 },
    help: "A 2-D interpolation between 4 corners: top left, top right, bottom left, bottom right",
    arg: "A,B,C,D",
  },
  {
    name: "analogy",
    key: "analogy",
    type: { kind: "intList", min: 0 },
    help: "An analogy row: a, b, c and a - b + c",
    arg: "A,B,C",
  },
  {
    name: "latents",
    key: "latents",
    type: { kind: "enum", values: LATENT_KINDS },
    help: "What the numbers of --corners and --analogy are: digits (encoded test examples), " +
      "drawn (drawn samples of each digit) or seeds (z ~ N(0, I), as render --seed)",
    arg: "KIND",
  },
  { ...INTERP_FLAG, help: "Interpolation between the corners: slerp or lerp" },
  ...VIEW_FLAGS,
  {
    name: "name",
    key: "name",
    type: { kind: "name" },
    help: "Output name in output/grids/",
    arg: "NAME",
    defaultText: "from the kind, shape and cell size",
  },
];
