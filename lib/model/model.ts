/**
 * The three networks trained together: the CPPN generator, the VAE encoder
 * and the GAN discriminator, with their architectures.
 *
 * @module
 */
import { type GeneratorSpec, initGenerator } from "./generator.ts";
import { type EncoderSpec, initEncoder } from "./encoder.ts";
import { type DiscriminatorSpec, initDiscriminator } from "./discriminator.ts";
import { disposeParams, type Params } from "./params.ts";
import { Rng } from "../base/rng.ts";

/** The architectures of all three networks. */
export interface ModelSpec {
  /** The CPPN. */
  generator: GeneratorSpec;
  /** The VAE encoder. */
  encoder: EncoderSpec;
  /** The GAN discriminator. */
  discriminator: DiscriminatorSpec;
}

/** The weights of all three networks, with their architectures. */
export interface Model {
  /** Architectures. */
  spec: ModelSpec;
  /** Generator weights. */
  gen: Params;
  /** Encoder weights. */
  enc: Params;
  /** Discriminator weights. */
  disc: Params;
}

/** The settings a {@linkcode ModelSpec} is built from. */
export interface ModelSettings {
  /** Latent dimensions. */
  zDim: number;
  /** Generator width. */
  width: number;
  /** Generator hidden layers. */
  depth: number;
  /** Training coordinate scale. */
  scale: number;
  /** Side of the training crops. */
  size: number;
  /** Colour channels of the images: 1 (grey) or 3 (RGB); absent or 0: 1. */
  channels?: number;
  /** `z` enters every generator layer, not only the first (default false). */
  zEveryLayer?: boolean;
  /** Hidden layers of the generator's mapping network on `z` (default 0: none). */
  zMap?: number;
  /** Encoder hidden width. */
  encoderWidth: number;
  /** Discriminator channels. */
  discChannels: number[];
  /** Above 0, the discriminator has a class head for the 10 digits (see `discriminator.ts`). */
  classWeight?: number;
}

/** The classes of a discriminator's class head: MNIST's ten digits. */
export const HEAD_CLASSES = 10;

/**
 * Builds the architectures from flat settings. A greyscale model's specs
 * are exactly those of models made before colour existed (no channel
 * fields).
 */
export function modelSpec(s: ModelSettings): ModelSpec {
  const channels = s.channels || 1, colour = channels !== 1;
  return {
    generator: {
      zDim: s.zDim,
      width: s.width,
      depth: s.depth,
      scale: s.scale,
      size: s.size,
      ...(s.zEveryLayer ? { zEveryLayer: true } : {}),
      ...(s.zMap ? { zMap: s.zMap } : {}),
      ...(colour ? { channels } : {}),
    },
    encoder: {
      inputSize: s.size * s.size * channels,
      hidden: s.encoderWidth,
      layers: 2,
      zDim: s.zDim,
    },
    discriminator: {
      size: s.size,
      channels: s.discChannels,
      kernel: 5,
      ...(colour ? { inputChannels: channels } : {}),
      ...(s.classWeight ? { classes: HEAD_CLASSES } : {}),
    },
  };
}

/** Fresh weights for all three networks, drawn from `seed`. */
export function initModel(spec: ModelSpec, seed: number): Model {
  return {
    spec,
    gen: initGenerator(spec.generator, new Rng(seed, "init/generator")),
    enc: initEncoder(spec.encoder, new Rng(seed, "init/encoder")),
    disc: initDiscriminator(spec.discriminator, new Rng(seed, "init/discriminator")),
  };
}

/** Frees every weight of the model. */
export function disposeModel(model: Model): void {
  disposeParams(model.gen, model.enc, model.disc);
}

/** The encoder and generator weights as one set, keys prefixed `enc/`, `gen/`. */
export function vaeParams(model: Model): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(model.enc)) out[`enc/${k}`] = v;
  for (const [k, v] of Object.entries(model.gen)) out[`gen/${k}`] = v;
  return out;
}
