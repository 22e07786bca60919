/**
 * The encoder in a browser model (see `browser_model.ts`): packing its raw
 * weights after the generator's, reading them back, and encoding a picture
 * in plain JavaScript (two softplus layers and the `mu` head: about a
 * million multiply-adds for a 26 x 26 digit, a few milliseconds), so the
 * live explorer can turn a dropped picture into its latent vector.
 *
 * No Deno or DOM APIs.
 *
 * @module
 */
import type { EncoderSpec } from "../model/encoder.ts";
import type { BrowserEncoderJson, BrowserTensor } from "./browser_model.ts";

/** An encoder's tensors by name (`w1, b1, ..., wh, bh`), as stored in a checkpoint. */
export type EncoderArrays = Record<string, { shape: number[]; values: Float32Array }>;

/** An encoder read back from a browser model, ready for {@linkcode encodePicture}. */
export interface BrowserEncoder {
  spec: EncoderSpec;
  size: number;
  channels: number;
  layers: { w: Float32Array; b: Float32Array; inputs: number }[];
  wh: Float32Array;
  bh: Float32Array;
}

/** The encoder's tensor names in file order. */
function encoderNames(spec: EncoderSpec): string[] {
  const names: string[] = [];
  for (let i = 1; i <= spec.layers; i++) names.push(`w${i}`, `b${i}`);
  return [...names, "wh", "bh"];
}

/**
 * Packs an encoder's weights (float32 little-endian) into the file
 * `weightsFile` and describes them for the JSON half.
 */
export function packEncoder(
  spec: EncoderSpec,
  arrays: EncoderArrays,
  picture: { size: number; channels: number },
  weightsFile: string,
): { json: BrowserEncoderJson; bytes: Uint8Array } {
  const names = encoderNames(spec);
  const total = names.reduce((s, n) => s + arrays[n].values.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  const tensors: BrowserTensor[] = [];
  let at = 0;
  for (const name of names) {
    const { shape, values } = arrays[name];
    tensors.push({ name, shape, offset: at });
    for (let i = 0; i < values.length; i++) view.setFloat32(at + 4 * i, values[i], true);
    at += 4 * values.length;
  }
  const json = { spec: { ...spec }, ...picture, weights: weightsFile, bytes: bytes.byteLength };
  return { json: { ...json, tensors }, bytes };
}

/**
 * Reads a browser model's encoder back from its file.
 *
 * @throws {Error} if its tensors do not fit its spec or lie outside the file.
 */
export function unpackEncoder(
  enc: BrowserEncoderJson,
  data: ArrayBuffer | Uint8Array,
): BrowserEncoder {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string) => new Error(`Cannot read the encoder ${enc.weights}: ${what}`);
  if (bytes.byteLength !== enc.bytes) {
    throw fail(`the file has ${bytes.byteLength} bytes, the model JSON says ${enc.bytes}`);
  }
  const { spec } = enc;
  if (spec.inputSize !== enc.size * enc.size * enc.channels) {
    throw fail(`it takes ${spec.inputSize} values, not ${enc.size}x${enc.size}x${enc.channels}`);
  }
  const byName = new Map<string, Float32Array>();
  let inputs = spec.inputSize;
  const expected = new Map<string, number[]>();
  for (let i = 1; i <= spec.layers; i++) {
    expected.set(`w${i}`, [inputs, spec.hidden]).set(`b${i}`, [spec.hidden]);
    inputs = spec.hidden;
  }
  expected.set("wh", [inputs, 2 * spec.zDim]).set("bh", [2 * spec.zDim]);
  for (const [name, shape] of expected) {
    const t = enc.tensors.find((t) => t.name === name);
    if (!t || t.shape.join(",") !== shape.join(",")) throw fail(`${name} should be [${shape}]`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + 4 * n > bytes.byteLength) {
      throw fail(`${name} lies outside the file`);
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(t.offset + 4 * i, true);
    byName.set(name, out);
  }
  const layers = [];
  inputs = spec.inputSize;
  for (let i = 1; i <= spec.layers; i++) {
    layers.push({ w: byName.get(`w${i}`)!, b: byName.get(`b${i}`)!, inputs });
    inputs = spec.hidden;
  }
  return {
    spec,
    size: enc.size,
    channels: enc.channels,
    layers,
    wh: byName.get("wh")!,
    bh: byName.get("bh")!,
  };
}

/** `softplus(x W + b)` (or without softplus), `x`: one row. */
function dense(x: Float32Array, w: Float32Array, b: Float32Array, soft: boolean): Float32Array {
  const cols = b.length;
  const out = Float32Array.from(b);
  for (let k = 0; k < x.length; k++) {
    const v = x[k];
    if (v === 0) continue;
    const row = k * cols;
    for (let c = 0; c < cols; c++) out[c] += v * w[row + c];
  }
  if (soft) {
    for (let c = 0; c < cols; c++) {
      const a = out[c];
      out[c] = a > 20 ? a : Math.log1p(Math.exp(a));
    }
  }
  return out;
}

/**
 * The latent vector (the posterior mean `mu`) of one picture: `size * size
 * * channels` values in [0, 1], row by row, each pixel's channels together.
 */
export function encodePicture(enc: BrowserEncoder, pixels: Float32Array): Float32Array {
  if (pixels.length !== enc.spec.inputSize) {
    throw new Error(`The encoder takes ${enc.spec.inputSize} values, got ${pixels.length}`);
  }
  let h = pixels;
  for (const layer of enc.layers) h = dense(h, layer.w, layer.b, true);
  const heads = dense(h, enc.wh, enc.bh, false);
  return heads.slice(0, enc.spec.zDim);
}

/**
 * RGBA pixels (as a canvas gives them) as the encoder's input: transparency
 * flattened onto black, grey as ITU-R BT.601 luma for a one-channel model.
 */
export function rgbaToInput(rgba: Uint8ClampedArray | Uint8Array, channels: number): Float32Array {
  const n = rgba.length / 4;
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3] / 255;
    const r = rgba[4 * i] * a, g = rgba[4 * i + 1] * a, b = rgba[4 * i + 2] * a;
    if (channels === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else [out[3 * i], out[3 * i + 1], out[3 * i + 2]] = [r / 255, g / 255, b / 255];
  }
  return out;
}
