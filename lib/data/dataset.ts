/**
 * The training data a `--data` value names: `mnist` (the bundled set), a
 * folder of MNIST-format IDX files, or a folder of pictures (see
 * `images.ts`), each as an {@linkcode ImageSet} whose images are at least
 * `size` x `size` (IDX images are cropped, pictures fitted).
 *
 * @module
 */
import { join } from "@std/path";
import { type FitMode, loadImageFolder } from "./images.ts";
import { hasMnistLabels, type ImageSet, loadMnist, type Split } from "./mnist.ts";

/** What to load: the data settings of a run. */
export interface DataOptions {
  /** `mnist`, a folder of IDX files, or a folder of pictures. */
  data: string;
  /** Side of the training images. */
  size: number;
  /** How pictures are fitted (IDX images are cropped). */
  fit?: FitMode;
  /** 1 or 3; 0 or absent: from the data. */
  channels?: number;
  /** Progress of decoding pictures (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Whether `dir` holds MNIST-format IDX files (a training or test image file). */
export async function isIdxFolder(dir: string): Promise<boolean> {
  for (const name of ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"]) {
    for (const candidate of [name, `${name}.gz`]) {
      try {
        if ((await Deno.stat(join(dir, candidate))).isFile) return true;
      } catch {
        // not there
      }
    }
  }
  return false;
}

/** Whether `data` names IDX images (MNIST's format), whose sets carry labels and crops. */
export async function isIdxData(data: string): Promise<boolean> {
  return data === "mnist" || await isIdxFolder(data);
}

/**
 * Whether the training images `data` names carry labels: MNIST, or IDX
 * files with a label file; pictures never do.
 */
export async function hasLabels(data: string): Promise<boolean> {
  return await isIdxData(data) && await hasMnistLabels(data, "train");
}

/**
 * Loads one split of the data `options.data` names.
 *
 * @throws {Error} naming the folder or file and what is wrong.
 */
export async function loadDataset(options: DataOptions, split: Split): Promise<ImageSet> {
  const { data, size } = options;
  if (data !== "mnist") {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(data);
    } catch {
      throw new Error(
        `Cannot load data from "${data}": no such folder (use --data mnist, a folder of ` +
          "pictures, or a folder of IDX files)",
      );
    }
    if (!info.isDirectory) throw new Error(`Cannot load data from "${data}": not a folder`);
  }
  if (!(await isIdxData(data))) {
    return await loadImageFolder(data, { ...options, split });
  }
  const set = await loadMnist(data, split);
  if (options.channels === 3) {
    throw new Error(`--channels 3: the IDX images of "${data}" are greyscale (use --channels 1)`);
  }
  if (set.width < size || set.height < size) {
    throw new Error(
      `--size ${size}: the IDX images of "${data}" are ${set.width}x${set.height}; they are ` +
        `cropped, not resized, so --size can be at most ${Math.min(set.width, set.height)}`,
    );
  }
  return set;
}
