/**
 * Random-network art: an untrained CPPN, its weights drawn from a seed.
 *
 * ```
 * h = act(c W_c + z W_z + b_0)           // c: the chosen coordinate inputs
 * h = act(h W_i + b_i)   for i = 1 .. depth - 1
 * out = sigmoid(h W_out + b_out)          // [pixels, channels]
 * ```
 *
 * Every weight is N(0, (weightScale / sqrt(fan-in))²), so the weight scale
 * sets the detail whatever the width; biases are N(0, 1). The inputs are
 * chosen from `x`, `y`, `r` and periodic ones (`sin` of `x`, `y`, `r`, and
 * `x*y`); `z` (`zDim` values) moves the picture in a walk.
 *
 * @module
 */
import { Rng } from "../base/rng.ts";
import type { GeneratorSpec } from "./generator.ts";

/** The activations a random network can use. */
export const RANDOM_ACTIVATIONS = ["tanh", "sin", "relu", "softplus"] as const;

/** An activation of a random network. */
export type RandomActivation = (typeof RANDOM_ACTIVATIONS)[number];

/** The coordinate inputs a random network can take. */
export const RANDOM_INPUTS = ["x", "y", "r", "sinx", "siny", "sinr", "xy"] as const;

/** A coordinate input of a random network. */
export type RandomInput = (typeof RANDOM_INPUTS)[number];

/** Everything that decides a random network's weights. */
export interface RandomNetSpec {
  /** The seed of its weights. */
  seed: number;
  /** Units per hidden layer. */
  width: number;
  /** Hidden layers. */
  depth: number;
  /** The hidden layers' activation. */
  activation: RandomActivation;
  /** Weights are N(0, (weightScale / sqrt(fan-in))²). */
  weightScale: number;
  /** The coordinate inputs, in order. */
  inputs: RandomInput[];
  /** Output channels: 1 (grey) or 3 (RGB). */
  channels: number;
  /** Latent inputs. */
  zDim: number;
}

/**
 * The epsilon added to the variance where each pixel's hidden units are
 * normalised to mean 0 and variance 1 (both render engines use it).
 */
export const RANDOM_NORM_EPSILON = 1e-6;

/** The coordinate scale random networks are seen at by default. */
export const RANDOM_SCALE = 1;

/** A random network's weights, ready for a render worker. */
export interface RandomNetWeights {
  /** Marks these weights as a random network's. */
  kind: "random";
  /** Its definition. */
  random: RandomNetSpec;
  /** The shape the rest of the renderer reads (width, depth, channels, zDim, scale). */
  spec: GeneratorSpec;
  /** `[inputs, width]`, `[zDim, width]` and `[width]`. */
  wc: Float32Array;
  wz: Float32Array;
  b0: Float32Array;
  /** Hidden layers `[width, width]` and `[width]`. */
  layers: { w: Float32Array; b: Float32Array }[];
  /** `[width, channels]` and `[channels]`. */
  wout: Float32Array;
  bout: Float32Array;
}

/** The generator-like shape of a random network (what walks and renders read). */
export function randomShape(r: RandomNetSpec): GeneratorSpec {
  return {
    zDim: r.zDim,
    width: r.width,
    depth: r.depth,
    scale: RANDOM_SCALE,
    size: 0,
    ...(r.channels !== 1 ? { channels: r.channels } : {}),
  };
}

/** Draws a random network's weights from its seed. */
export function randomWeights(r: RandomNetSpec): RandomNetWeights {
  const rng = new Rng(r.seed, "random-net");
  const draw = (rows: number, cols: number, fanIn: number) =>
    rng.normal(rows * cols, 0, r.weightScale / Math.sqrt(fanIn));
  const wc = draw(r.inputs.length, r.width, 1);
  const wz = draw(r.zDim, r.width, r.zDim);
  const b0 = rng.normal(r.width);
  const layers = Array.from({ length: r.depth - 1 }, () => ({
    w: draw(r.width, r.width, r.width),
    b: rng.normal(r.width),
  }));
  const wout = draw(r.width, r.channels, r.width);
  const bout = rng.normal(r.channels);
  return { kind: "random", random: r, spec: randomShape(r), wc, wz, b0, layers, wout, bout };
}

/** Whether render weights are a random network's. */
export function isRandomNet(weights: object): weights is RandomNetWeights {
  return (weights as { kind?: string }).kind === "random";
}

/**
 * The chosen inputs of every pixel from its `[x, y, r]` coordinates.
 *
 * @param coords `[n, 3]` flattened.
 * @returns `[n, inputs.length]` flattened.
 */
export function randomInputs(coords: Float32Array, inputs: RandomInput[]): Float32Array {
  const n = coords.length / 3, k = inputs.length;
  const out = new Float32Array(n * k);
  for (let p = 0; p < n; p++) {
    const x = coords[3 * p], y = coords[3 * p + 1], r = coords[3 * p + 2];
    for (let j = 0; j < k; j++) out[p * k + j] = inputValue(inputs[j], x, y, r);
  }
  return out;
}

function inputValue(input: RandomInput, x: number, y: number, r: number): number {
  switch (input) {
    case "x":
      return x;
    case "y":
      return y;
    case "r":
      return r;
    case "sinx":
      return Math.sin(Math.PI * x);
    case "siny":
      return Math.sin(Math.PI * y);
    case "sinr":
      return Math.sin(Math.PI * r);
    case "xy":
      return x * y;
  }
}
