/** Folded generators with random weights, for the ONNX tests. */
import { type GeneratorSpec, initGenerator } from "../lib/model/generator.ts";
import { disposeParams, flatten, manifestOf } from "../lib/model/params.ts";
import { type FoldedWeights, foldWeights } from "../lib/render/renderer.ts";
import { Rng } from "../lib/base/rng.ts";

/**
 * A generator of the given depth (width 16 unless given) with weights
 * large enough that its images have many grey levels: N(0, 0.5), N(0, 0.25)
 * at depth 1 (whose softplus layer saturates the output sooner); `channels`
 * 3 for colour; `zMap` hidden layers of a mapping network on `z`.
 */
export async function randomFolded(
  depth: number,
  zEveryLayer: boolean,
  channels = 1,
  zMap = 0,
  width = 16,
): Promise<FoldedWeights> {
  const spec: GeneratorSpec = {
    zDim: 5,
    width,
    depth,
    scale: 8,
    size: 26,
    ...(zEveryLayer ? { zEveryLayer } : {}),
    ...(channels !== 1 ? { channels } : {}),
    ...(zMap ? { zMap } : {}),
  };
  const params = initGenerator(
    spec,
    new Rng(depth * 2 + Number(zEveryLayer) + 10 * zMap),
    depth === 1 ? 0.25 : 0.5,
  );
  const values = await flatten(Object.values(params));
  const folded = foldWeights({ spec, manifest: manifestOf(params), values });
  disposeParams(params);
  return folded;
}

/** The largest difference between two byte images, in grey levels. */
export function worstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`Sizes differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * How far an RGB image is from grey: the mean over pixels of the largest
 * difference between two of its channels, in levels (0 for a grey image).
 */
export function colourfulness(rgb: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < rgb.length; i += 3) {
    const [r, g, b] = [rgb[i], rgb[i + 1], rgb[i + 2]];
    sum += Math.max(r, g, b) - Math.min(r, g, b);
  }
  return sum / (rgb.length / 3);
}
