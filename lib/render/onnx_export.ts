/**
 * `deno task export --format onnx`: adds `generator.onnx` and
 * `encoder.onnx`, the networks as standard ONNX models (see
 * `onnx_model.ts`), to an exported model folder.
 *
 * @module
 */
import { readVerified, replaceFolder } from "../base/checksummed_folder.ts";
import { readNetwork } from "../model/network_files.ts";
import type { EncoderSpec } from "../model/encoder.ts";
import type { GeneratorSpec } from "../model/generator.ts";
import { encoderOnnx, generatorOnnx } from "./onnx_model.ts";
import { foldWeights } from "./renderer.ts";

/** The ONNX models' file names in a model folder. */
export const ONNX_FILES = { generator: "generator.onnx", encoder: "encoder.onnx" } as const;

/**
 * Writes `generator.onnx` and `encoder.onnx` into the exported model folder
 * `dir`: every file is read and verified, then the folder is replaced as a
 * whole with the new files added to its checksums (atomic, like the export
 * itself).
 *
 * @returns The ONNX files' size in bytes.
 */
export async function addOnnxModels(dir: string): Promise<number> {
  const files = await readVerified(dir, undefined, "model");
  const generator = await readNetwork<GeneratorSpec>(dir, "generator", { files, raw: true });
  const encoder = await readNetwork<EncoderSpec>(dir, "encoder", { files, raw: true });
  const onnx = {
    [ONNX_FILES.generator]: generatorOnnx(foldWeights(generator)),
    [ONNX_FILES.encoder]: encoderOnnx(encoder, generator.spec),
  };
  await replaceFolder(dir, { ...Object.fromEntries(files), ...onnx });
  return Object.values(onnx).reduce((sum, bytes) => sum + bytes.length, 0);
}
