/**
 * Samples for outside tools: `count` digits drawn from `z ~ N(0, I)` (seeded)
 * with the weights renders use (the moving average, if the checkpoint has
 * one), at the training size, as an IDX file of unsigned bytes (MNIST's own
 * format, `idx3-ubyte`: `count x size x size`).
 *
 * @module
 */
import { writeFileAtomic } from "../base/atomic_write.ts";
import { locateCheckpoint } from "../base/checksummed_folder.ts";
import { encodeIdx } from "../data/idx.ts";
import { toBytes } from "../media/image.ts";
import type { GeneratorSpec } from "../model/generator.ts";
import { loadNetworkParams } from "../model/network_files.ts";
import { disposeParams } from "../model/params.ts";
import { renderSamples } from "./evaluate.ts";

/** What {@linkcode writeSampleIdx} wrote. */
export interface SampleFile {
  /** IDX dimensions, `[count, size, size]`. */
  dims: number[];
  /** Bytes written. */
  bytes: number;
}

/**
 * Draws the samples and writes them to `out` atomically.
 *
 * @param onProgress Called with the samples drawn so far.
 */
export async function writeSampleIdx(
  checkpoint: string,
  count: number,
  seed: number,
  out: string,
  onProgress?: (done: number) => void,
): Promise<SampleFile> {
  const gen = await loadNetworkParams<GeneratorSpec>(
    await locateCheckpoint(checkpoint),
    "generator",
  );
  const { size } = gen.spec;
  const data = new Uint8Array(count * size * size);
  try {
    await renderSamples(gen, count, seed, size, (images, start) => {
      data.set(toBytes(images), start * size * size);
      onProgress?.(start + images.length / (size * size));
      return Promise.resolve();
    });
  } finally {
    disposeParams(gen.params);
  }
  const dims = [count, size, size];
  const file = encodeIdx(dims, data);
  await writeFileAtomic(out, file);
  return { dims, bytes: file.length };
}
