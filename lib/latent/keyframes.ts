/**
 * Keyframes of a latent walk: real test-set digits encoded with the
 * encoder's mean (the original's digit loop), drawn digits (samples of the
 * prior that the MNIST classifier is surest show each digit), random draws
 * from the prior, your own pictures encoded, or vectors read from a JSON
 * file.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { readJson } from "../base/atomic_write.ts";
import { basename } from "@std/path";
import { loadGenerator, loadNetworkParams } from "../model/network_files.ts";
import { decodeFitted, imageFiles } from "../data/images.ts";
import { centreCrops } from "../data/crop.ts";
import { encode, type EncoderSpec } from "../model/encoder.ts";
import { FlagError } from "../base/flags.ts";
import { loadMnist } from "../data/mnist.ts";
import { disposeParams } from "../model/params.ts";
import { Rng } from "../base/rng.ts";
import { defaultView, pixelCoords } from "../model/coords.ts";
import { channelsOf, generate, type GeneratorSpec, isDigitModel } from "../model/generator.ts";
import { CLASSIFIER_DIR, classify, disposeClassifier, loadClassifier } from "../eval/classifier.ts";

/** One keyframe: a label for people and its latent vector. */
export interface Keyframe {
  /** E.g. `digit 3`, `random 2`, `z 0`. */
  label: string;
  /** The digit it encodes, if any. */
  digit: number | null;
  /** Index of the encoded test image, if any. */
  testIndex: number | null;
  /** The encoded picture's file, if any. */
  image?: string;
  /** The latent vector. */
  z: Float32Array;
}

/** How the keyframes are chosen. */
export type KeyframeChoice =
  | { kind: "digits"; digits: number[] }
  | { kind: "drawn"; digits: number[] }
  | { kind: "random"; count: number }
  | { kind: "images"; paths: string[] }
  | { kind: "file"; path: string };

/**
 * Parses `--keyframes` (`digits`, `drawn`, `random:N`), `--digits`, `--z`
 * and `--images` (already listed as files) into a choice. Without any,
 * a digit model walks through the digits, any other model (`digitModel`
 * false: colour, or another size) through 10 random draws.
 */
export function keyframeChoice(
  options: { keyframes?: string; digits?: number[]; z?: string; images?: string[] },
  digitModel = true,
): KeyframeChoice {
  const given = [options.keyframes, options.digits, options.z, options.images].filter((v) =>
    v !== undefined
  );
  if (given.length > 1) {
    throw new FlagError("Give only one of --keyframes, --digits and --z (or --images)");
  }
  if (options.z) return { kind: "file", path: options.z };
  if (options.images) return { kind: "images", paths: options.images };
  if (given.length === 0 && !digitModel) return { kind: "random", count: 10 };
  if (options.digits) {
    const bad = options.digits.find((d) => !Number.isInteger(d) || d < 0 || d > 9);
    if (bad !== undefined) throw new FlagError(`--digits: ${bad} is not a digit (0 to 9)`);
    if (!options.digits.length) throw new FlagError("--digits needs at least one digit");
    return { kind: "digits", digits: options.digits };
  }
  const k = options.keyframes ?? "digits";
  const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (k === "digits") return { kind: "digits", digits: all };
  if (k === "drawn") return { kind: "drawn", digits: all };
  const m = /^random:(\d+)$/.exec(k);
  if (m && Number(m[1]) >= 1) return { kind: "random", count: Number(m[1]) };
  throw new FlagError(
    `--keyframes must be "digits", "drawn" or "random:N" with N >= 1, got "${k}"`,
  );
}

/** Reads latent vectors from a JSON file: a list of lists of `zDim` numbers. */
export async function readLatents(path: string, zDim: number): Promise<Float32Array[]> {
  const data = await readJson<unknown>(path);
  const list = Array.isArray(data) ? data : (data as { z?: unknown })?.z;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`Cannot read latent vectors "${path}": expected a non-empty list of vectors`);
  }
  return list.map((v, i) => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
      throw new Error(`Cannot read latent vectors "${path}": entry ${i} is not a list of numbers`);
    }
    if (v.length !== zDim) {
      throw new Error(
        `Cannot read latent vectors "${path}": entry ${i} has ${v.length} values, the model needs ${zDim}`,
      );
    }
    return Float32Array.from(v);
  });
}

/** The error for digit keyframes asked of a model that does not draw digits. */
function notDigits(spec: GeneratorSpec, what: string): FlagError {
  const kind = channelsOf(spec) === 3 ? "colour" : "greyscale";
  return new FlagError(
    `${what}: this model draws ${kind} ${spec.size}x${spec.size} pictures, not MNIST digits; ` +
      "give your own pictures (--image / --images), a --seed or --keyframes random:N, or --z",
  );
}

/**
 * Encodes pictures (any file sharp reads, fitted to the model's size by a
 * centre crop, in its channels) with the encoder's mean.
 *
 * @throws {Error} naming a file that cannot be read.
 */
export async function encodeImages(checkpoint: string, paths: string[]): Promise<Keyframe[]> {
  const gen = await loadGenerator(checkpoint);
  const { spec, params } = await loadNetworkParams<EncoderSpec>(checkpoint, "encoder");
  const side = gen.spec.size, channels = channelsOf(gen.spec);
  try {
    const each = side * side * channels;
    const pixels = new Float32Array(paths.length * each);
    for (const [i, path] of paths.entries()) {
      const bytes = await decodeFitted(path, side, "crop", channels);
      for (let k = 0; k < each; k++) pixels[i * each + k] = bytes[k] / 255;
    }
    const x = tf.tensor2d(pixels, [paths.length, spec.inputSize]);
    const q = encode(params, spec, x);
    const mu = await q.mu.data() as Float32Array;
    tf.dispose([x, q.mu, q.logVar]);
    return paths.map((path, i) => ({
      label: basename(path),
      digit: null,
      testIndex: null,
      image: path,
      z: mu.slice(i * spec.zDim, (i + 1) * spec.zDim),
    }));
  } finally {
    disposeParams(params);
  }
}

/**
 * The pictures `--images` names: a comma-separated list of files, or one
 * folder (its pictures in path order).
 */
export async function listImages(value: string): Promise<string[]> {
  const parts = value.split(",").map((p) => p.trim()).filter((p) => p);
  if (parts.length === 1) {
    const info = await Deno.stat(parts[0]).catch(() => null);
    if (info?.isDirectory) return await imageFiles(parts[0]);
  }
  for (const path of parts) {
    const info = await Deno.stat(path).catch(() => null);
    if (!info?.isFile) throw new FlagError(`--images: "${path}" is not a file`);
  }
  if (parts.length === 0) throw new FlagError("--images needs at least one picture");
  return parts;
}

/**
 * Encodes one test-set example of each requested digit (picked with
 * `seed`) with the encoder's mean.
 */
export async function encodeDigits(
  checkpoint: string,
  digits: number[],
  seed: number,
): Promise<Keyframe[]> {
  const gen = await loadGenerator(checkpoint);
  if (!isDigitModel(gen.spec)) throw notDigits(gen.spec, "Digit keyframes");
  const test = await loadMnist("mnist", "test");
  const labels = test.labels!;
  const indices = digits.map((d) => {
    const candidates: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === d) candidates.push(i);
    return candidates[new Rng(seed, `digit/${d}`).int(candidates.length)];
  });
  const { spec, params } = await loadNetworkParams<EncoderSpec>(checkpoint, "encoder");
  const side = Math.round(Math.sqrt(spec.inputSize));
  try {
    const x = tf.tensor2d(centreCrops(test, indices, side), [indices.length, spec.inputSize]);
    const q = encode(params, spec, x);
    const mu = await q.mu.data() as Float32Array;
    tf.dispose([x, q.mu, q.logVar]);
    return digits.map((d, i) => ({
      label: `digit ${d}`,
      digit: d,
      testIndex: indices[i],
      z: mu.slice(i * spec.zDim, (i + 1) * spec.zDim),
    }));
  } finally {
    disposeParams(params);
  }
}

/** Prior samples drawn per call of {@linkcode drawDigits}, to choose from. */
export const DRAWN_CANDIDATES = 400;

/**
 * For each requested digit, the sample `z ~ N(0, I)` (of
 * {@linkcode DRAWN_CANDIDATES}, seeded) that the MNIST classifier is surest
 * shows it, drawn at the training size with the weights renders use.
 */
export async function drawDigits(
  checkpoint: string,
  digits: number[],
  seed: number,
  classifierDir = CLASSIFIER_DIR,
): Promise<Keyframe[]> {
  const { spec, params } = await loadNetworkParams<GeneratorSpec>(checkpoint, "generator");
  if (!isDigitModel(spec)) {
    disposeParams(params);
    throw notDigits(spec, "Drawn digit keyframes");
  }
  const classifier = await loadClassifier(classifierDir);
  try {
    const n = DRAWN_CANDIDATES, side = spec.size;
    const z = new Rng(seed, "drawn").normal(n * spec.zDim);
    const coords = tf.tensor2d(pixelCoords(side, side, defaultView(spec.scale)), [side * side, 3]);
    const out = generate(params, spec, tf.tensor2d(z, [n, spec.zDim]), coords);
    const images = await out.data() as Float32Array;
    tf.dispose([coords, out]);
    const { probs } = await classify(classifier, images);
    const classes = classifier.spec.classes;
    return digits.map((d) => {
      let best = 0;
      for (let i = 1; i < n; i++) if (probs[i * classes + d] > probs[best * classes + d]) best = i;
      return {
        label: `drawn ${d}`,
        digit: d,
        testIndex: null,
        z: z.slice(best * spec.zDim, (best + 1) * spec.zDim),
      };
    });
  } finally {
    disposeParams(params);
    disposeClassifier(classifier);
  }
}

/** Resolves a keyframe choice into latent vectors for a model. */
export async function resolveKeyframes(
  choice: KeyframeChoice,
  checkpoint: string,
  zDim: number,
  seed: number,
): Promise<Keyframe[]> {
  if (!checkpoint && ["digits", "drawn", "images"].includes(choice.kind)) {
    throw new FlagError(
      "A random network has no encoder and draws no digits: use --keyframes random:N or --z FILE.json",
    );
  }
  switch (choice.kind) {
    case "digits":
      return await encodeDigits(checkpoint, choice.digits, seed);
    case "drawn":
      return await drawDigits(checkpoint, choice.digits, seed);
    case "random": {
      const rng = new Rng(seed, "keyframes");
      return Array.from({ length: choice.count }, (_, i) => ({
        label: `random ${i}`,
        digit: null,
        testIndex: null,
        z: rng.normal(zDim),
      }));
    }
    case "images":
      return await encodeImages(checkpoint, choice.paths);
    case "file":
      return (await readLatents(choice.path, zDim)).map((z, i) => ({
        label: `z ${i}`,
        digit: null,
        testIndex: null,
        z,
      }));
  }
}
