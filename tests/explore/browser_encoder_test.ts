import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { tf } from "../../lib/base/tf.ts";
import { encodePicture, rgbaToInput, unpackEncoder } from "../../lib/explore/browser_encoder.ts";
import { checkBrowserModelJson, unpackFoldedWeights } from "../../lib/explore/browser_model.ts";
import { decodeFitted } from "../../lib/data/images.ts";
import { encode, type EncoderSpec } from "../../lib/model/encoder.ts";
import { loadGenerator, loadNetworkParams } from "../../lib/model/network_files.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { defaultView } from "../../lib/model/coords.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { exportBrowserModel, syncLiveModels } from "../../lib/site/live_models.ts";
import { Rng } from "../../lib/base/rng.ts";
import { tempDir, tinyColourModel, useWasm, writePictures } from "../_helpers.ts";

await useWasm();

Deno.test("browser model of a colour model: RGB output layout, its encoder, the same pixels and z as the server", async () => {
  const checkpoint = await tinyColourModel();
  const { json, bin, encoderBin, warning } = await exportBrowserModel(checkpoint, "k.bin");
  assertEquals(warning, null); // no digit keyframes are expected of a colour model
  assertEquals(json.keyframes.items, []);
  assertEquals(json.spec.channels, 3);
  assertEquals(json.tensors.at(-2)!.shape, [16, 3]);
  assertEquals(json.tensors.at(-1)!.shape, [3]);
  checkBrowserModelJson(JSON.parse(JSON.stringify(json)));
  // the page's renderer draws the server's RGB pixels
  const server = new Renderer(foldWeights(await loadGenerator(checkpoint)));
  const browser = new Renderer(unpackFoldedWeights(json, bin));
  const request = { z: new Rng(2).normal(8), width: 24, height: 20, view: defaultView(8) };
  const pixels = await browser.renderBytes(request);
  assertEquals(pixels, await server.renderBytes(request));
  assertEquals(pixels.length, 24 * 20 * 3);
  server.dispose();
  browser.dispose();
  // the page's encoder gives the z the server's encoder gives
  assertEquals(json.encoder?.weights, "k.enc.bin");
  assertEquals([json.encoder?.size, json.encoder?.channels], [16, 3]);
  const enc = unpackEncoder(json.encoder!, encoderBin!);
  await using dir = await tempDir();
  const [picture] = await writePictures(dir.path, 1);
  const bytes = await decodeFitted(picture, 16, "crop");
  const x = Float32Array.from(bytes, (v) => v / 255);
  const z = encodePicture(enc, x);
  const { spec, params } = await loadNetworkParams<EncoderSpec>(checkpoint, "encoder");
  const q = encode(params, spec, tf.tensor2d(x, [1, spec.inputSize]));
  const expected = await q.mu.data();
  tf.dispose([q.mu, q.logVar]);
  disposeParams(params);
  let worst = 0;
  for (let i = 0; i < z.length; i++) worst = Math.max(worst, Math.abs(z[i] - expected[i]));
  assert(worst < 1e-4, `z differs by ${worst}`);
});

Deno.test("rgbaToInput: alpha onto black, grey as luma, RGB kept", () => {
  const rgba = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 0, 200, 200, 200, 255]);
  const levels = (x: Float32Array) => Array.from(x).map((v) => Math.round(v * 255));
  assertEquals(levels(rgbaToInput(rgba, 3)), [255, 0, 0, 0, 0, 0, 200, 200, 200]);
  assertEquals(levels(rgbaToInput(rgba, 1)), [76, 0, 200]);
});

Deno.test("syncLiveModels: a colour model's export writes and keeps its encoder file", async () => {
  const checkpoint = await tinyColourModel();
  await using dir = await tempDir();
  const source = { id: "c", kind: "run" as const, name: "c", checkpoint, runSlug: null };
  const first = await syncLiveModels([source], dir.path);
  const [model] = first.models;
  assertEquals(first.warnings, []);
  assert(model.encoderPath !== null);
  const files = (await Array.fromAsync(Deno.readDir(dir.path))).map((e) => e.name).sort();
  assertEquals(files, [`${model.key}.bin`, `${model.key}.enc.bin`, `${model.key}.json`]);
  const again = await syncLiveModels([source], dir.path);
  assertEquals([again.made, again.reused, again.removed], [0, 1, 0]);
  // the exported colour model renders in colour
  const json = checkBrowserModelJson(
    JSON.parse(await Deno.readTextFile(join(dir.path, `${model.key}.json`))),
  );
  const renderer = new Renderer(unpackFoldedWeights(json, await Deno.readFile(model.binPath)));
  assertEquals(renderer.channels, 3);
  renderer.dispose();
});
