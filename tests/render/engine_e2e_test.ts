import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { readGrey } from "../../lib/media/image.ts";
import { runScript, tempDir, tinyModel } from "../_helpers.ts";
import { worstDifference } from "../_onnx_fixtures.ts";

Deno.test("deno task render: ONNX Runtime by default (saying so), its PNG equals the wasm workers' within 1/255", async () => {
  await using tmp = await tempDir();
  const args = [
    "--model",
    "models/mnist-cppn",
    "--out",
    tmp.path,
    "--seed",
    "5",
    "--size",
    "150x90",
  ];
  const view = ["--scale", "3", "--center", "1,-2", "--invert"];
  const onnx = await runScript("render", [...args, ...view, "--name", "o"]);
  assertEquals(onnx.code, 0, onnx.stderr);
  assertStringIncludes(onnx.stderr, "render engine: onnx (onnxruntime-node 1.30.0, ");
  assertStringIncludes(onnx.stdout, "onnx (onnxruntime-node 1.30.0, ");
  const wasm = await runScript("render", [...args, ...view, "--backend", "wasm", "--name", "w"]);
  assertEquals(wasm.code, 0, wasm.stderr);
  assertStringIncludes(wasm.stderr, "render engine: wasm (");
  const a = await readGrey(join(tmp.path, "renders", "o.png"));
  const b = await readGrey(join(tmp.path, "renders", "w.png"));
  assertEquals([a.width, a.height], [150, 90]);
  const worst = worstDifference(a.pixels, b.pixels);
  assert(worst <= 1, `off by ${worst} grey levels`);
  assert(new Set(a.pixels).size > 50, "the image is not flat");
});

Deno.test("deno task walk --backend onnx: frames and stills with ONNX Runtime's threads", async () => {
  await using tmp = await tempDir();
  const r = await runScript("walk", [
    "--model",
    await tinyModel(),
    "--out",
    tmp.path,
    "--steps",
    "2",
    "--size",
    "24",
    "--still-size",
    "20",
    "--keyframes",
    "random:2",
    "--workers",
    "1",
    "--backend",
    "onnx",
    "--id",
    "o",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "render engine: onnx (onnxruntime-node 1.30.0, 1 thread)");
  const frames = [...Deno.readDirSync(join(tmp.path, "walks", "o", "frames"))];
  assert(frames.length >= 2, `${frames.length} frames`);
});
