/** Folded generators with random weights, for the ONNX tests. */
import { type GeneratorSpec, initGenerator } from "../lib/model/generator.ts";
import { disposeParams, flatten, manifestOf } from "../lib/model/params.ts";
import { type FoldedWeights, foldWeights } from "../lib/render/renderer.ts";
import { Rng } from "../lib/base/rng.ts";

/**
 * A width-16 generator of the given depth with weights large enough that
 * its images have many grey levels: N(0, 0.5), N(0, 0.25) at depth 1 (whose
 * softplus layer saturates the output sooner).
 */
export async function randomFolded(depth: number, zEveryLayer: boolean): Promise<FoldedWeights> {
  const spec: GeneratorSpec = {
    zDim: 5,
    width: 16,
    depth,
    scale: 8,
    size: 26,
    ...(zEveryLayer ? { zEveryLayer } : {}),
  };
  const params = initGenerator(
    spec,
    new Rng(depth * 2 + Number(zEveryLayer)),
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
