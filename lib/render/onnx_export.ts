/**
 * `deno task export --format onnx`: adds `generator.onnx`, the generator as
 * a standard ONNX model (see `onnx_model.ts`), to an exported model folder.
 *
 * @module
 */
import { readVerified, replaceFolder } from "../base/checksummed_folder.ts";
import { readNetwork } from "../model/network_files.ts";
import type { GeneratorSpec } from "../model/generator.ts";
import { generatorOnnx } from "./onnx_model.ts";
import { foldWeights } from "./renderer.ts";

/** The ONNX model's file name in a model folder. */
export const ONNX_FILE = "generator.onnx";

/**
 * Writes `generator.onnx` into the exported model folder `dir`: every file
 * is read and verified, then the folder is replaced as a whole with the new
 * file added to its checksums (atomic, like the export itself).
 *
 * @returns The ONNX file's size in bytes.
 */
export async function addOnnxModel(dir: string): Promise<number> {
  const files = await readVerified(dir, undefined, "model");
  const generator = await readNetwork<GeneratorSpec>(dir, "generator", { files, raw: true });
  const onnx = generatorOnnx(foldWeights(generator));
  await replaceFolder(dir, { ...Object.fromEntries(files), [ONNX_FILE]: onnx });
  return onnx.length;
}
