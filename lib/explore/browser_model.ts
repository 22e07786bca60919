/**
 * The browser format of a trained generator, for the gallery's live
 * explorer: the *folded* weights ({@linkcode FoldedWeights}, the exact
 * algebra the server renderer runs) as one float32 little-endian binary
 * file, and a JSON file with the architecture, the layout of the tensors in
 * the binary, the digit keyframes (one encoded test example per digit) and,
 * where the model has one, its encoder (so the page can encode a picture).
 *
 * ```
 * <key>.json   { format, spec, weights: "<key>.bin", bytes, tensors: [{ name, shape, offset }],
 *                keyframes: { seed, items: [{ digit, label, testIndex, z }] },
 *                encoder?: { spec, size, channels, weights: "<key>.enc.bin", bytes,
 *                            tensors: [{ name, shape, offset }] } }
 * <key>.bin    wz | b0 | wc | layers.0.w | layers.0.b | ... | wout | bout
 *              [| map.0.w | map.0.b | ... | map.out]   (float32 LE; map.*: a model with zMap)
 * <key>.enc.bin  w1 | b1 | ... | wh | bh   (the encoder's raw weights, float32 LE)
 * ```
 *
 * A colour model's `wout` is `[width, 3]` (`spec.channels` 3); its pixels
 * come out as RGB.
 *
 * This module has no Deno or Node imports: the browser bundle uses it to
 * read a model, and `site/live_models.ts` uses it to write one.
 *
 * @module
 */
import { channelsOf, type GeneratorSpec } from "../model/generator.ts";
import type { EncoderSpec } from "../model/encoder.ts";
import type { FoldedWeights } from "../render/renderer.ts";

/** Format tag of the JSON half. */
export const BROWSER_MODEL_FORMAT = "cppn-browser-model/1";

/** One tensor's place in the binary file. */
export interface BrowserTensor {
  /**
   * `wz`, `b0`, `wc`, `layers.I.w`, `layers.I.b`, `layers.I.u`, `wout`,
   * `bout`, `map.K.w`, `map.K.b` or `map.out`.
   */
  name: string;
  /** Its shape (row-major). */
  shape: number[];
  /** Byte offset of its first value in the binary file. */
  offset: number;
}

/** One digit keyframe: a real test example encoded with the encoder's mean. */
export interface BrowserKeyframe {
  /** The digit, 0 to 9. */
  digit: number;
  /** `digit 3`. */
  label: string;
  /** Index of the encoded image in the MNIST test set. */
  testIndex: number | null;
  /** The latent vector (`spec.zDim` values). */
  z: number[];
}

/** The JSON half of a browser model. */
export interface BrowserModelJson {
  /** {@linkcode BROWSER_MODEL_FORMAT}. */
  format: typeof BROWSER_MODEL_FORMAT;
  /** The generator's architecture. */
  spec: GeneratorSpec;
  /** Always true: the weights are folded (see `foldGenerator` in generator.ts). */
  folded: true;
  /** Always `float32`. */
  dtype: "float32";
  /** Always `little`. */
  endian: "little";
  /** File name of the binary half, relative to the JSON file. */
  weights: string;
  /** Size of the binary half in bytes. */
  bytes: number;
  /** The tensors, in file order. */
  tensors: BrowserTensor[];
  /** The digit keyframes and the seed that picked their test examples. */
  keyframes: { seed: number; items: BrowserKeyframe[] };
  /** The encoder, if exported (its weights are a file of their own). */
  encoder?: BrowserEncoderJson;
}

/** The encoder's part of a browser model (raw weights, not folded). */
export interface BrowserEncoderJson {
  /** Its architecture. */
  spec: EncoderSpec;
  /** Side of the pictures it takes (the generator's training size). */
  size: number;
  /** Channels of the pictures it takes: 1 (grey) or 3 (RGB, each pixel's together). */
  channels: number;
  /** File name of its weights, relative to the JSON file. */
  weights: string;
  /** Size of that file in bytes. */
  bytes: number;
  /** `w1, b1, ..., wh, bh` (`wh`: `mu`'s columns, then `log_var`'s), offsets into its file. */
  tensors: BrowserTensor[];
}

/** Names and shapes of the folded tensors of `spec`, in file order. */
export function foldedLayout(spec: GeneratorSpec): { name: string; shape: number[] }[] {
  const { zDim, width, depth } = spec;
  const out = [
    { name: "wz", shape: [zDim, width] },
    { name: "b0", shape: [width] },
    { name: "wc", shape: [3, width] },
  ];
  for (let i = 0; i < depth - 1; i++) {
    out.push({ name: `layers.${i}.w`, shape: [width, width] });
    out.push({ name: `layers.${i}.b`, shape: [width] });
    if (spec.zEveryLayer) out.push({ name: `layers.${i}.u`, shape: [zDim, width] });
  }
  const c = channelsOf(spec);
  out.push({ name: "wout", shape: [width, c] }, { name: "bout", shape: [c] });
  for (let k = 0; k < (spec.zMap ?? 0); k++) {
    out.push({ name: `map.${k}.w`, shape: [k === 0 ? zDim : width, width] });
    out.push({ name: `map.${k}.b`, shape: [width] });
  }
  if (spec.zMap) out.push({ name: "map.out", shape: [width, zDim] });
  return out;
}

function foldedArrays(weights: FoldedWeights): Float32Array[] {
  return [
    weights.wz,
    weights.b0,
    weights.wc,
    ...weights.layers.flatMap((l) => [l.w, l.b, ...(l.u ? [l.u] : [])]),
    weights.wout,
    weights.bout,
    ...(weights.map ? [...weights.map.layers.flatMap((l) => [l.w, l.b]), weights.map.out] : []),
  ];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Packs folded weights into the binary half (float32 little-endian, in
 * {@linkcode foldedLayout} order) and its tensor table.
 *
 * @throws {Error} if an array does not have the size its shape needs.
 */
export function packFoldedWeights(
  weights: FoldedWeights,
): { tensors: BrowserTensor[]; bytes: Uint8Array } {
  const layout = foldedLayout(weights.spec);
  const arrays = foldedArrays(weights);
  if (arrays.length !== layout.length) {
    throw new Error(
      `The folded weights have ${arrays.length} tensors; depth ${weights.spec.depth} needs ${layout.length}`,
    );
  }
  const total = layout.reduce((s, t) => s + size(t.shape), 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  const tensors: BrowserTensor[] = [];
  let offset = 0;
  layout.forEach((t, k) => {
    const values = arrays[k];
    if (values.length !== size(t.shape)) {
      throw new Error(
        `Folded tensor ${t.name} has ${values.length} values; shape [${t.shape}] needs ${
          size(t.shape)
        }`,
      );
    }
    tensors.push({ name: t.name, shape: t.shape, offset });
    for (let i = 0; i < values.length; i++) view.setFloat32(offset + 4 * i, values[i], true);
    offset += 4 * values.length;
  });
  return { tensors, bytes };
}

/** The JSON half for packed weights and keyframes. */
export function browserModelJson(
  spec: GeneratorSpec,
  packed: { tensors: BrowserTensor[]; bytes: Uint8Array },
  weightsFile: string,
  keyframes: { seed: number; items: BrowserKeyframe[] },
): BrowserModelJson {
  return {
    format: BROWSER_MODEL_FORMAT,
    spec: { ...spec },
    folded: true,
    dtype: "float32",
    endian: "little",
    weights: weightsFile,
    bytes: packed.bytes.byteLength,
    tensors: packed.tensors,
    keyframes,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positiveInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/**
 * Checks a parsed JSON half (`where` names it in errors).
 *
 * @throws {Error} that says which field is wrong.
 */
export function checkBrowserModelJson(value: unknown, where = "the model file"): BrowserModelJson {
  const fail = (what: string) => new Error(`Cannot read ${where}: ${what}`);
  if (!isObject(value)) throw fail("it is not a JSON object");
  if (value.format !== BROWSER_MODEL_FORMAT) {
    throw fail(
      `format is ${JSON.stringify(value.format ?? null)}, expected "${BROWSER_MODEL_FORMAT}"`,
    );
  }
  const spec = value.spec;
  if (
    !isObject(spec) || !positiveInt(spec.zDim) || !positiveInt(spec.width) ||
    !positiveInt(spec.depth) || typeof spec.scale !== "number" || !(spec.scale > 0)
  ) {
    throw fail("spec must have positive integers zDim, width, depth and a positive scale");
  }
  if (spec.channels !== undefined && spec.channels !== 1 && spec.channels !== 3) {
    throw fail(`spec.channels is ${JSON.stringify(spec.channels)}, expected 1 or 3`);
  }
  if (spec.zMap !== undefined && !(Number.isInteger(spec.zMap) && (spec.zMap as number) >= 0)) {
    throw fail(`spec.zMap is ${JSON.stringify(spec.zMap)}, expected a whole number >= 0`);
  }
  const encoder = value.encoder;
  if (
    encoder !== undefined &&
    (!isObject(encoder) || !isObject(encoder.spec) || !positiveInt(encoder.size) ||
      (encoder.channels !== 1 && encoder.channels !== 3) || !Array.isArray(encoder.tensors) ||
      typeof encoder.weights !== "string" || !Number.isInteger(encoder.bytes))
  ) {
    throw fail("encoder must be { spec, size, channels (1 or 3), weights, bytes, tensors: [...] }");
  }
  if (value.folded !== true || value.dtype !== "float32" || value.endian !== "little") {
    throw fail('only folded float32 little-endian weights are supported ("folded": true)');
  }
  if (typeof value.weights !== "string" || !value.weights) throw fail("weights is not a file name");
  if (!Number.isInteger(value.bytes)) throw fail("bytes is not an integer");
  if (!Array.isArray(value.tensors)) throw fail("tensors is not a list");
  const keyframes = value.keyframes;
  if (!isObject(keyframes) || !Array.isArray(keyframes.items)) {
    throw fail("keyframes must be { seed, items: [...] }");
  }
  const zDim = spec.zDim as number;
  for (const [i, k] of keyframes.items.entries()) {
    if (
      !isObject(k) || typeof k.digit !== "number" || !Array.isArray(k.z) || k.z.length !== zDim ||
      k.z.some((v) => typeof v !== "number" || !Number.isFinite(v))
    ) {
      throw fail(`keyframe ${i} must have a digit and a z of ${zDim} finite numbers`);
    }
  }
  return value as unknown as BrowserModelJson;
}

/**
 * Reads folded weights back from the two halves of a browser model: the
 * exact float32 values {@linkcode packFoldedWeights} wrote.
 *
 * @throws {Error} if the binary's size or the tensor table does not match
 *   the architecture.
 */
export function unpackFoldedWeights(
  json: BrowserModelJson,
  data: ArrayBuffer | Uint8Array,
): FoldedWeights {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const fail = (what: string) =>
    new Error(`Cannot read the model weights ${json.weights}: ${what}`);
  if (bytes.byteLength !== json.bytes) {
    throw fail(`the file has ${bytes.byteLength} bytes, the model JSON says ${json.bytes}`);
  }
  const layout = foldedLayout(json.spec);
  const describe = (list: { name: string; shape: number[] }[]) =>
    list.map((t) => `${t.name}[${t.shape.join(",")}]`).join(" ");
  if (describe(json.tensors) !== describe(layout)) {
    throw fail(`its tensors are ${describe(json.tensors)}, expected ${describe(layout)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const arrays = json.tensors.map((t) => {
    const n = size(t.shape);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + 4 * n > bytes.byteLength) {
      throw fail(`tensor ${t.name} (offset ${t.offset}, ${n} values) lies outside the file`);
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(t.offset + 4 * i, true);
    return out;
  });
  const byName = new Map(json.tensors.map((t, k) => [t.name, arrays[k]]));
  const get = (name: string) => byName.get(name)!;
  const layers = [];
  for (let i = 0; i < json.spec.depth - 1; i++) {
    const u = byName.get(`layers.${i}.u`);
    layers.push({
      w: get(`layers.${i}.w`),
      b: get(`layers.${i}.b`),
      ...(u ? { u } : {}),
    });
  }
  const map = [];
  for (let k = 0; k < (json.spec.zMap ?? 0); k++) {
    map.push({ w: get(`map.${k}.w`), b: get(`map.${k}.b`) });
  }
  return {
    spec: { ...json.spec },
    wz: get("wz"),
    b0: get("b0"),
    wc: get("wc"),
    layers,
    wout: get("wout"),
    bout: get("bout"),
    ...(json.spec.zMap ? { map: { layers: map, out: get("map.out") } } : {}),
  };
}
