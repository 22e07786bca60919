import { assert, assertEquals, assertRejects } from "@std/assert";
import { defaultView } from "../../lib/model/coords.ts";
import { describeEngine, startEngine, tfBackendFor } from "../../lib/render/engine.ts";
import { OnnxUnavailableError } from "../../lib/render/onnx_engine.ts";
import { Rng } from "../../lib/base/rng.ts";
import { useWasm } from "../_helpers.ts";
import { randomFolded, worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

const request = { z: new Rng(2, "z").normal(5), width: 45, height: 38, view: defaultView(8) };

Deno.test("startEngine: onnx starts ONNX Runtime, wasm a pool of workers; their images agree within 1/255", async () => {
  const folded = await randomFolded(4, true);
  const onnx = await startEngine(folded, { backend: "onnx", workers: 2 });
  const wasm = await startEngine(folded, { backend: "wasm", workers: 2 });
  try {
    assertEquals([onnx.backend, wasm.backend], ["onnx", "wasm"]);
    assertEquals(describeEngine(onnx, 2), "onnx, 2 threads");
    assertEquals(describeEngine(wasm, 1), "wasm, 1 worker");
    const worst = worstDifference(await onnx.renderImage(request), await wasm.renderImage(request));
    assert(worst <= 1, `off by ${worst} grey levels`);
  } finally {
    onnx.close();
    wasm.close();
  }
});

Deno.test("startEngine: where ONNX Runtime cannot load, onnx says why and renders with wasm", async () => {
  const lines: string[] = [];
  const engine = await startEngine(await randomFolded(2, false), {
    backend: "onnx",
    workers: 1,
    log: (line) => lines.push(line),
    createOnnx: () => Promise.reject(new OnnxUnavailableError("libonnxruntime.so.1: not found")),
  });
  try {
    assertEquals(engine.backend, "wasm");
    assertEquals(lines, [
      "ONNX Runtime (npm:onnxruntime-node) cannot be loaded: libonnxruntime.so.1: not found; " +
      "rendering with wasm instead",
    ]);
    assertEquals((await engine.renderImage(request)).length, 45 * 38);
  } finally {
    engine.close();
  }
});

Deno.test("startEngine: any other failure of ONNX Runtime is an error, not a silent fallback", async () => {
  await assertRejects(
    () =>
      startEngine(
        { spec: { zDim: 1, width: 1, depth: 1, scale: 8, size: 26 } } as never,
        {
          backend: "onnx",
          workers: 1,
          createOnnx: () => Promise.reject(new Error("out of memory")),
        },
      ),
    Error,
    "out of memory",
  );
});

Deno.test("tfBackendFor: onnx folds on wasm; the others are themselves", () => {
  assertEquals(
    (["onnx", "auto", "wasm", "cpu"] as const).map(tfBackendFor),
    ["wasm", "auto", "wasm", "cpu"],
  );
});
