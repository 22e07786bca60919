/**
 * Checks of a checkpoint's contents beyond its checksums: a file can match
 * its listing and still hold nonsense (NaN weights, a negative step, a
 * spec with zero latent dimensions, tensors that do not fit the spec).
 * Each check returns what is wrong, in words for the user, or null.
 *
 * @module
 */
import { MAX_SCALE } from "./coords.ts";
import { escapeText } from "../base/fs_safe.ts";
import { initEncoder } from "./encoder.ts";
import { initGenerator } from "./generator.ts";
import { disposeParams, type Manifest, manifestOf, type Params } from "./params.ts";
import { Rng } from "../base/rng.ts";

/** Integer spec fields and their largest accepted value. */
const SPEC_LIMITS: Record<string, number> = {
  zDim: 1024,
  width: 1024,
  depth: 16,
  size: 4096,
  inputSize: 4096 * 4096,
  hidden: 4096,
  layers: 8,
};

/** The spec fields every network of a name must have. */
const REQUIRED: Record<string, string[]> = {
  generator: ["zDim", "width", "depth", "scale", "size"],
  encoder: ["inputSize", "hidden", "layers", "zDim"],
};

/** What is wrong with the `spec` of network `name`, or null. */
export function specProblem(spec: unknown, name = ""): string | null {
  if (typeof spec !== "object" || spec === null) return "its spec is not an object";
  const missing = (REQUIRED[name] ?? []).find((key) => !(key in spec));
  if (missing) return `its spec has no ${missing}`;
  for (const [key, value] of Object.entries(spec)) {
    const max = SPEC_LIMITS[key];
    if (max !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
      return `its spec has ${key} ${escapeText(JSON.stringify(value))}, expected an integer ` +
        `from 1 to ${max}`;
    }
    // a discriminator's `channels` are its convolutions' (a list)
    const colour = key === "inputChannels" || (key === "channels" && name !== "discriminator");
    if (colour && value !== 1 && value !== 3) {
      return `its spec has ${key} ${escapeText(JSON.stringify(value))}, expected 1 or 3`;
    }
    if (key === "zMap" && !(Number.isInteger(value) && value >= 0 && value <= 8)) {
      return `its spec has zMap ${escapeText(JSON.stringify(value))}, expected an integer ` +
        "from 0 to 8";
    }
    if (key === "scale" && !(typeof value === "number" && value > 0 && value <= MAX_SCALE)) {
      return `its spec has scale ${escapeText(JSON.stringify(value))}, expected a number ` +
        `above 0 and at most ${MAX_SCALE}`;
    }
  }
  return null;
}

/** What is wrong with a tensor list (names and positive integer shapes), or null. */
export function tensorsProblem(tensors: unknown): string | null {
  const ok = Array.isArray(tensors) &&
    tensors.every((t) =>
      typeof t?.name === "string" && Array.isArray(t.shape) &&
      t.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 1)
    );
  return ok ? null : "its tensor list is not a list of names and positive integer shapes";
}

/** Where `values` holds NaN or an infinity, as a message, or null. */
export function finiteProblem(values: Float32Array): string | null {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) return `value ${i} is ${values[i]} (not a finite number)`;
  }
  return null;
}

/**
 * Whether `tensors` are the ones network `name` with `spec` has (only the
 * generator and the encoder are checked here; the discriminator is checked
 * against the run's config on resume).
 */
export function shapeProblem(name: string, spec: unknown, tensors: Manifest): string | null {
  const init = name === "generator" ? initGenerator : name === "encoder" ? initEncoder : null;
  if (!init) return null;
  let params: Params;
  try {
    params = init(spec as never, new Rng(0, "shapes"));
  } catch {
    return "its spec does not describe a network";
  }
  const expected = manifestOf(params);
  disposeParams(params);
  const show = (m: Manifest) => m.map((t) => `${t.name}[${t.shape.join(",")}]`).join(" ");
  return show(expected) === show(tensors)
    ? null
    : `its tensors ${escapeText(show(tensors))} do not fit its spec (expected ${show(expected)})`;
}

/** What is wrong with a training state (`state.json`), or null. */
export function stateProblem(state: unknown): string | null {
  const s = state as Record<string, unknown> | null;
  if (typeof s !== "object" || s === null) return "it is not an object";
  for (const key of ["step", "epoch"]) {
    if (!(Number.isInteger(s[key]) && (s[key] as number) >= 0)) {
      return `${key} is ${escapeText(JSON.stringify(s[key]))}, expected an integer >= 0`;
    }
  }
  if (!(typeof s.elapsedMs === "number" && s.elapsedMs >= 0 && Number.isFinite(s.elapsedMs))) {
    return `elapsedMs is ${escapeText(JSON.stringify(s.elapsedMs))}, expected a number >= 0`;
  }
  const rng = s.rng;
  if (!(Array.isArray(rng) && rng.length === 4 && rng.every((v) => Number.isInteger(v)))) {
    return "rng is not a list of 4 integers";
  }
  return null;
}
