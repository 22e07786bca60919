import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { dirname, join } from "@std/path";
import * as ort from "onnxruntime-node";
import { readVerified } from "../../lib/base/checksummed_folder.ts";
import { defaultView, pixelCoords } from "../../lib/model/coords.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { foldWeights, Renderer, toBytesInto } from "../../lib/render/renderer.ts";
import { Rng } from "../../lib/base/rng.ts";
import { runScript, tempDir, tinyModel, useWasm } from "../_helpers.ts";
import { worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

Deno.test("deno task export --format onnx: generator.onnx and encoder.onnx, checksummed; the generator renders what the exported model renders", async () => {
  const out = dirname(dirname(dirname(await tinyModel()))); // <out>/runs/m/checkpoint
  await using tmp = await tempDir();
  const dest = join(tmp.path, "model");
  const run = await runScript("export", [
    "--out",
    out,
    "--run",
    "m",
    "--to",
    dest,
    "--format",
    "onnx",
  ]);
  assertEquals(run.code, 0, run.stderr);
  assertStringIncludes(run.stdout, "with generator.onnx and encoder.onnx");
  const files = await readVerified(dest, undefined, "model");
  for (const name of ["generator.onnx", "encoder.onnx", "generator.bin", "model.json"]) {
    assert(files.has(name), name);
  }
  const encoder = await ort.InferenceSession.create(files.get("encoder.onnx")!);
  assertEquals(encoder.inputNames, ["images"]);
  await encoder.release();
  const folded = foldWeights(await loadGenerator(dest));
  const session = await ort.InferenceSession.create(files.get("generator.onnx")!);
  const z = new Rng(3).normal(folded.spec.zDim);
  const view = defaultView(folded.spec.scale);
  const result = await session.run({
    coords: new ort.Tensor("float32", pixelCoords(50, 30, view), [1500, 3]),
    z: new ort.Tensor("float32", z, [1, folded.spec.zDim]),
  });
  const bytes = new Uint8Array(1500);
  toBytesInto(result.pixels.data as Float32Array, bytes, false);
  const renderer = new Renderer(folded);
  const worst = worstDifference(
    bytes,
    await renderer.renderBytes({ z, width: 50, height: 30, view }),
  );
  assert(worst <= 1, `off by ${worst} grey levels`);
  renderer.dispose();
  await session.release();
  // an export without --format onnx replaces the folder, without it
  const again = await runScript("export", ["--out", out, "--run", "m", "--to", dest]);
  assertEquals(again.code, 0, again.stderr);
  assert(!(await readVerified(dest, undefined, "model")).has("generator.onnx"));
});
