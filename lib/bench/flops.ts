/**
 * FLOP counts from the architecture (multiply-adds count 2), for the
 * benchmark's achieved-GFLOP/s figures. Only the matMuls and convolutions
 * are counted: the useful work, not the elementwise overhead. Also the
 * timer of repeated calls the matMul bounds use.
 *
 * @module
 */
import { flopsPerPixel } from "../model/generator.ts";
import type { ModelSpec } from "../model/model.ts";
import type { UpdateKind } from "../train/shard_grads.ts";

/** Forward FLOPs per image of each network. */
export function forwardFlops(spec: ModelSpec): { gen: number; enc: number; disc: number } {
  const pixels = spec.generator.size * spec.generator.size;
  const gen = pixels * flopsPerPixel(spec.generator) +
    2 * spec.generator.zDim * spec.generator.width;
  const e = spec.encoder;
  let enc = 0, inputs = e.inputSize;
  for (let i = 0; i < e.layers; i++) {
    enc += 2 * inputs * e.hidden;
    inputs = e.hidden;
  }
  enc += 2 * inputs * 2 * e.zDim;
  const d = spec.discriminator;
  let disc = 0, side = d.size, cin = 1;
  for (const cout of d.channels) {
    side = Math.ceil(side / 2);
    disc += 2 * side * side * d.kernel * d.kernel * cin * cout;
    cin = cout;
  }
  disc += 2 * side * side * cin;
  return { gen, enc, disc };
}

/**
 * FLOPs of one update on a batch of `batch` images. A backward pass is
 * counted as twice its forward (input and weight gradients).
 */
export function updateFlops(spec: ModelSpec, kind: UpdateKind, batch: number): number {
  const f = forwardFlops(spec);
  const vae = f.gen + f.enc;
  switch (kind) {
    case "vae":
      return 3 * vae * batch;
    case "g":
      return 3 * (vae + f.disc) * batch;
    case "d-eval":
      return (vae + 2 * f.disc) * batch;
    case "d":
      return (vae + 3 * 2 * f.disc) * batch;
  }
}

/**
 * Calls `once` untimed, then again and again for `seconds`; returns its
 * calls per second.
 */
export async function callsPerSecond(seconds: number, once: () => Promise<void>): Promise<number> {
  await once();
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await once();
    count++;
  }
  return count / ((performance.now() - t0) / 1000);
}
