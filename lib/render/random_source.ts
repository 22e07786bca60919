/**
 * Random-network art in the rendering commands: the flags that define an
 * untrained CPPN (`--random`, `--width`, `--activation`, ...), the model
 * source they resolve to, and the engine that renders either kind of model.
 *
 * @module
 */
import { initBackend } from "../base/backend.ts";
import { FlagError, type FlagSpec, toArgs } from "../base/flags.ts";
import { loadGenerator } from "../model/network_files.ts";
import {
  RANDOM_ACTIVATIONS,
  RANDOM_INPUTS,
  type RandomActivation,
  type RandomInput,
  type RandomNetSpec,
  randomShape,
  randomWeights,
} from "../model/random_net.ts";
import { type ModelSource, resolveModel } from "../model/source.ts";
import { type EngineOptions, type RenderEngine, startEngine, tfBackendFor } from "./engine.ts";
import type { SourceOptions } from "./flags.ts";
import { defaultWorkers } from "./pool.ts";
import { foldWeights } from "./renderer.ts";

/** The options that define a random network. */
export interface RandomOptions {
  /** Render an untrained random network instead of a trained model. */
  random?: boolean;
  /** The seed of its weights (default: the command's `--seed`). */
  netSeed?: number;
  /** Units per hidden layer. */
  width: number;
  /** Hidden layers. */
  depth: number;
  /** The hidden layers' activation. */
  activation: RandomActivation;
  /** Weights are N(0, (weightScale / sqrt(fan-in))²). */
  weightScale: number;
  /** Comma list of coordinate inputs. */
  inputs: string;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Latent inputs. */
  zDim: number;
}

/** The defaults of a random network: colourful tanh networks with some detail. */
export const RANDOM_DEFAULTS: RandomOptions = {
  width: 32,
  depth: 6,
  activation: "tanh",
  weightScale: 3,
  inputs: "x,y,r",
  channels: 3,
  zDim: 8,
};

/** The flags that define a random network (`render`, `walk`, `art`). */
export const RANDOM_FLAGS: readonly FlagSpec[] = [
  {
    name: "random",
    key: "random",
    type: { kind: "boolean" },
    help: "Render an untrained random network instead of a trained model",
  },
  {
    name: "net-seed",
    key: "netSeed",
    type: { kind: "int", min: 0 },
    help: "Random network: the seed of its weights",
    arg: "N",
    defaultText: "--seed",
  },
  {
    name: "width",
    key: "width",
    type: { kind: "int", min: 1, max: 1024 },
    help: "Random network: units per hidden layer",
    arg: "N",
  },
  {
    name: "depth",
    key: "depth",
    type: { kind: "int", min: 1, max: 64 },
    help: "Random network: hidden layers",
    arg: "N",
  },
  {
    name: "activation",
    key: "activation",
    type: { kind: "enum", values: RANDOM_ACTIVATIONS },
    help: `Random network: activation of the hidden layers (${RANDOM_ACTIVATIONS.join(", ")})`,
    arg: "NAME",
  },
  {
    name: "weight-scale",
    key: "weightScale",
    type: { kind: "number", min: 0, exclusiveMin: true, max: 100 },
    help: "Random network: weight scale; larger gives finer detail (sin likes about 1)",
    arg: "X",
  },
  {
    name: "inputs",
    key: "inputs",
    type: {
      kind: "string",
      pattern: new RegExp(`^(${RANDOM_INPUTS.join("|")})(,(${RANDOM_INPUTS.join("|")}))*$`),
      hint: `a comma list of ${RANDOM_INPUTS.join(", ")}`,
    },
    help: `Random network: coordinate inputs (${RANDOM_INPUTS.join(", ")}; sin* are sin(pi v))`,
    arg: "A,B,...",
  },
  {
    name: "channels",
    key: "channels",
    type: { kind: "enum", values: ["1", "3"] },
    help: "Random network: 3 (colour) or 1 (grey)",
    arg: "N",
  },
  {
    name: "z-dim",
    key: "zDim",
    type: { kind: "int", min: 1, max: 1024 },
    help: "Random network: latent inputs (a walk moves through them)",
    arg: "N",
  },
];

/** The random network the options define, its weights drawn from `--net-seed`, else `seed`. */
export function randomSpec(o: RandomOptions, seed: number): RandomNetSpec {
  return {
    seed: o.netSeed ?? seed,
    width: o.width,
    depth: o.depth,
    activation: o.activation,
    weightScale: o.weightScale,
    inputs: o.inputs.split(",") as RandomInput[],
    channels: Number(o.channels),
    zDim: o.zDim,
  };
}

/** A random network as a model source (what renders and walks record). */
export function randomSource(random: RandomNetSpec): ModelSource {
  const { activation, width, depth, seed } = random;
  return {
    kind: "random",
    name: `${activation} ${width}x${depth} seed ${seed}`,
    checkpoint: "",
    step: null,
    spec: randomShape(random),
    random,
  };
}

/**
 * The model a command renders: a random network with `--random` (its
 * weights from `seed`), else the trained model `resolveModel` finds.
 */
export async function resolveSource(
  o: SourceOptions & Partial<RandomOptions>,
  seed: number,
): Promise<ModelSource> {
  if (!o.random) return await resolveModel(o);
  if (o.run || o.model) throw new FlagError("--random renders no model: drop --run and --model");
  return randomSource(randomSpec({ ...RANDOM_DEFAULTS, ...o }, seed));
}

/** The flags that name a source's random network (none for a trained model). */
export function randomArgs(source: ModelSource): string[] {
  const r = source.random;
  if (!r) return [];
  const values = { ...r, random: true, netSeed: r.seed, inputs: r.inputs.join(",") };
  return toArgs(values, RANDOM_FLAGS);
}

/**
 * Starts the engine for a model source ({@linkcode startEngine}), on a
 * trained generator's folded weights or on a random network's: ONNX
 * Runtime renders both.
 */
export async function startSourceEngine(
  source: ModelSource,
  options: EngineOptions,
): Promise<RenderEngine> {
  const weights = source.random
    ? randomWeights(source.random)
    : foldWeights(await loadGenerator(source.checkpoint));
  return await startEngine(weights, options);
}

/**
 * A command's engine for `source`: the TensorFlow.js backend set up, then
 * {@linkcode startSourceEngine} with the command's `--workers` (default:
 * one per core), `--backend` and `--device`; which engine, and why, goes to
 * stderr.
 */
export async function startCommandEngine(
  source: ModelSource,
  o: SourceOptions,
): Promise<{ engine: RenderEngine; workers: number }> {
  await initBackend(tfBackendFor(o.backend));
  const workers = o.workers || defaultWorkers();
  const engine = await startSourceEngine(source, {
    workers,
    backend: o.backend,
    device: o.device,
    log: (line) => console.error(line),
  });
  return { engine, workers };
}
