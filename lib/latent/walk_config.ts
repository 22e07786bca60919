/**
 * Settings of `deno task walk` and `deno task render`: defaults, flags and
 * resolution. A walk's identity (its default folder name) is a hash of
 * everything that changes its pixels, so running the same command again
 * finds and resumes (or skips) the same walk instead of starting over.
 *
 * @module
 */
import { SEED_FLAG } from "../base/common_flags.ts";
import type { FlagSpec } from "../base/flags.ts";
import { MERGE_FLAG, SHARD_FLAG } from "../base/shard.ts";
import {
  DEFAULT_RENDER_BACKEND,
  MAX_SIDE,
  SOURCE_FLAGS,
  type SourceOptions,
  VIEW_FLAGS,
} from "../render/flags.ts";
import { MAX_SCALE, type View } from "../model/coords.ts";
import { RANDOM_DEFAULTS, RANDOM_FLAGS, type RandomOptions } from "../render/random_source.ts";
import { type Easing, EASING_NAMES, type Interpolation, INTERPOLATIONS } from "./walk_math.ts";

/** Everything that decides a walk's frames. */
export interface WalkSettings {
  /** Folder name under `<out>/walks/` (default: derived from the settings). */
  id?: string;
  /** `digits`, `drawn` or `random:N`. */
  keyframes?: string;
  /** Digits to walk through, e.g. 3,1,4,1,5. */
  digits?: number[];
  /** A JSON file of latent vectors. */
  z?: string;
  /** Pictures to morph between: files, comma-separated, or one folder. */
  images?: string;
  /** Seed: which test examples, which random keyframes. */
  seed: number;
  /** Total frames of the whole walk. */
  steps: number;
  /** Frames per second of the MP4. */
  fps: number;
  /** Frame size `[w, h]`. */
  size: [number, number];
  /** Keyframe still size `[w, h]`. */
  stillSize: [number, number];
  /** Interpolation between keyframes. */
  interp: Interpolation;
  /** Easing within each segment. */
  ease: Easing;
  /** Return to the first keyframe at the end. */
  loop: boolean;
  /** Coordinate scale (default: the model's training scale). */
  scale?: number;
  /** Centre of the view. */
  center: [number, number];
  /** Dark digits on white. */
  invert: boolean;
  /** Camera path: one view per keyframe (plan files only). */
  camera?: View[];
  /** Videos to write: a comma list of mp4, webm, gif. */
  format?: string;
  /** Longest side of a GIF (larger frames are scaled down). */
  gifMaxSide?: number;
  /** Zoom over the whole walk to this scale. */
  zoomTo?: number;
  /** Centre the zoom ends on (default: `center`). */
  zoomCenter?: [number, number];
}

/** All options of `deno task walk`. */
export interface WalkOptions extends SourceOptions, WalkSettings, RandomOptions {
  /** Render N walks, seeds `seed .. seed + N - 1`. */
  count: number;
  /** A JSON file listing walks, each an object of walk settings. */
  plan?: string;
  /** ffmpeg to use. */
  ffmpeg?: string;
  /** `K/N` or `auto/N`: render only shard K's frames and stills. */
  shard?: string;
  /** Finish a sharded walk from the frames on disk; refuse if any is missing. */
  merge?: boolean;
}

/** The defaults of `deno task walk`. */
export const WALK_DEFAULTS: WalkOptions = {
  out: "output",
  workers: 0, // 0: one per core
  backend: DEFAULT_RENDER_BACKEND,
  force: false,
  seed: 1,
  steps: 120,
  fps: 30,
  size: [1080, 1080],
  stillSize: [2048, 2048],
  interp: "slerp",
  ease: "cosine",
  loop: true,
  center: [0, 0],
  invert: false,
  format: "mp4",
  gifMaxSide: 720,
  count: 1,
  ...RANDOM_DEFAULTS,
};

/** `--interp slerp|lerp`: how latent vectors are interpolated. */
export const INTERP_FLAG: FlagSpec = {
  name: "interp",
  key: "interp",
  type: { kind: "enum", values: INTERPOLATIONS },
  help: "Interpolation: slerp or lerp",
  arg: "KIND",
};

/** The flags that describe one walk (also the keys allowed in a plan). */
export const WALK_SETTING_FLAGS: readonly FlagSpec[] = [
  {
    name: "id",
    key: "id",
    type: { kind: "name" },
    help: "Walk folder name under output/walks/",
    arg: "NAME",
    defaultText: "derived from the settings",
  },
  {
    name: "keyframes",
    key: "keyframes",
    type: { kind: "string" },
    help: "digits (one test example of each 0-9, encoded), drawn (a drawn sample of each " +
      "0-9, as sharp as samples) or random:N",
    arg: "KIND",
    defaultText: "digits; random:10 for a model of other pictures",
  },
  {
    name: "images",
    key: "images",
    type: { kind: "string" },
    help: "Morph between your own pictures, encoded: files a.png,b.jpg,... or a folder",
    arg: "FILES|DIR",
  },
  {
    name: "digits",
    key: "digits",
    type: { kind: "intList", min: 0 },
    help: "Walk through these digits, e.g. 3,1,4,1,5",
    arg: "D,D,...",
  },
  {
    name: "z",
    key: "z",
    type: { kind: "string" },
    help: "Keyframes from a JSON list of latent vectors",
    arg: "FILE",
  },
  { ...SEED_FLAG, help: "Seed: which test examples / random keyframes" },
  {
    name: "steps",
    key: "steps",
    type: { kind: "int", min: 2 },
    help: "Total frames of the walk",
    arg: "N",
  },
  {
    name: "fps",
    key: "fps",
    type: { kind: "int", min: 1, max: 240 },
    help: "Frames per second of the MP4",
    arg: "N",
  },
  {
    name: "size",
    key: "size",
    type: { kind: "size", max: MAX_SIDE },
    help: "Frame size",
    arg: "N|WxH",
  },
  {
    name: "still-size",
    key: "stillSize",
    type: { kind: "size", max: MAX_SIDE },
    help: "Size of each keyframe's still",
    arg: "N|WxH",
  },
  INTERP_FLAG,
  {
    name: "ease",
    key: "ease",
    type: { kind: "enum", values: EASING_NAMES },
    help: `Easing: ${EASING_NAMES.join(", ")}`,
    arg: "KIND",
  },
  {
    name: "loop",
    key: "loop",
    type: { kind: "boolean" },
    help: "End the walk on its last keyframe instead of looping back",
  },
  {
    name: "format",
    key: "format",
    type: {
      kind: "string",
      pattern: /^(mp4|webm|gif)(,(mp4|webm|gif))*$/,
      hint: "a comma list of mp4, webm, gif",
    },
    help: "Videos to write: mp4 (H.264), webm (VP9), gif (with its own palette), e.g. mp4,gif",
    arg: "F,F,...",
  },
  {
    name: "gif-max-side",
    key: "gifMaxSide",
    type: { kind: "int", min: 16, max: 4096 },
    help: "Longest side of a GIF: larger frames are scaled down (GIFs grow fast)",
    arg: "N",
  },
  ...VIEW_FLAGS,
  {
    name: "zoom-to",
    key: "zoomTo",
    type: { kind: "number", min: 0, exclusiveMin: true, max: MAX_SCALE },
    help: "Zoom geometrically over the walk from --scale to this scale (smaller zooms in)",
    arg: "S",
  },
  {
    name: "zoom-center",
    key: "zoomCenter",
    type: { kind: "point" },
    help: "Plane point the zoom ends centred on (default: --center)",
    arg: "X,Y",
  },
];

/** Every flag of `deno task walk`. */
export const WALK_FLAGS: readonly FlagSpec[] = [
  ...SOURCE_FLAGS,
  ...RANDOM_FLAGS,
  ...WALK_SETTING_FLAGS,
  {
    name: "count",
    key: "count",
    type: { kind: "int", min: 1 },
    help: "Render N walks, with seeds seed .. seed+N-1",
    arg: "N",
  },
  {
    name: "plan",
    key: "plan",
    type: { kind: "string" },
    help: "Render the walks listed in a JSON file (each an object of walk flags)",
    arg: "FILE",
  },
  {
    name: "ffmpeg",
    key: "ffmpeg",
    type: { kind: "string" },
    help: "ffmpeg to use (else FFMPEG_PATH, the npm one, PATH)",
    arg: "PATH",
  },
  { ...SHARD_FLAG, help: SHARD_FLAG.help + "; then run once without it to encode the MP4" },
  { ...MERGE_FLAG, help: "Finish sharded walks from the frames on disk; refuse if any is missing" },
];
