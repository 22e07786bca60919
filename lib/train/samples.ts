/**
 * Sample grids: digits drawn from fixed latent vectors, so successive grids
 * of a run show the same "seeds" improving.
 *
 * @module
 */
import { tf } from "../base/tf.ts";
import { defaultView, pixelCoords } from "../model/coords.ts";
import { channelsOf, generate, type GeneratorSpec } from "../model/generator.ts";
import { type GreyImage, grid } from "../media/image.ts";
import type { Params } from "../model/params.ts";
import { Rng } from "../base/rng.ts";

/** `count` fixed latent vectors of a run, N(0, I) from its seed. */
export function sampleLatents(seed: number, count: number, zDim: number): Float32Array {
  return new Rng(seed, "samples").normal(count * zDim);
}

/**
 * Renders each latent vector at `size` x `size` (training view) and lays
 * them out `cols` to a row.
 *
 * @param z `[count, zDim]` flattened.
 */
export async function sampleGrid(
  params: Params,
  spec: GeneratorSpec,
  z: Float32Array,
  size: number,
  cols: number,
): Promise<GreyImage> {
  const count = z.length / spec.zDim;
  const out = tf.tidy(() =>
    generate(
      params,
      spec,
      tf.tensor2d(z, [count, spec.zDim]),
      tf.tensor2d(pixelCoords(size, size, defaultView(spec.scale)), [size * size, 3]),
    )
  );
  const values = await out.data();
  out.dispose();
  return grid(values, count, size, cols, 2, 0, channelsOf(spec));
}
