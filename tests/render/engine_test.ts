import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { FlagError } from "../../lib/base/flags.ts";
import { defaultView, type View } from "../../lib/model/coords.ts";
import { DEFAULT_RENDER_BACKEND } from "../../lib/render/flags.ts";
import { describeEngine, startEngine, startOnnx, tfBackendFor } from "../../lib/render/engine.ts";
import { OnnxRenderer, OnnxUnavailableError } from "../../lib/render/onnx_engine.ts";
import { Rng } from "../../lib/base/rng.ts";
import { useWasm } from "../_helpers.ts";
import { randomFolded, worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

const request = { z: new Rng(2, "z").normal(5), width: 45, height: 38, view: defaultView(8) };

Deno.test("startEngine: onnx starts ONNX Runtime, wasm a pool of workers; their images agree within 1/255", async () => {
  const folded = await randomFolded(4, true);
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const onnx = await startEngine(folded, { backend: "onnx", workers: 2, log });
  const wasm = await startEngine(folded, { backend: "wasm", workers: 2, log });
  try {
    assertEquals([onnx.backend, wasm.backend], ["onnx", "wasm"]);
    assertEquals(onnx.version, "1.30.0");
    assertEquals(describeEngine(onnx, 2), "onnx (onnxruntime-node 1.30.0, 2 threads)");
    assertEquals(describeEngine(wasm, 1), "wasm (1 worker)");
    assertEquals(lines, [
      "render engine: onnx (onnxruntime-node 1.30.0, 2 threads)",
      "render engine: wasm (2 workers; as --backend wasm asks)",
    ]);
    const worst = worstDifference(await onnx.renderImage(request), await wasm.renderImage(request));
    assert(worst <= 1, `off by ${worst} grey levels`);
  } finally {
    onnx.close();
    wasm.close();
  }
});

Deno.test("startOnnx: 2 threads are 2 workers with a session each, drawing the single session's pixels exactly, bands in order", async () => {
  const folded = await randomFolded(4, false);
  const pooled = await startOnnx(folded, 2);
  const single = await OnnxRenderer.create(folded, { threads: 1, chunkPixels: 700 });
  try {
    assertEquals([pooled.backend, pooled.version], ["onnx", "1.30.0"]);
    assert(!(pooled instanceof OnnxRenderer));
    const request = { z: new Rng(5, "z").normal(5), width: 301, height: 190, view: defaultView(8) };
    const starts: number[] = [];
    const image = new Uint8Array(301 * 190);
    await pooled.render(request, (bytes, row) => {
      starts.push(row);
      image.set(bytes, row * 301);
    });
    // 16,384-pixel bands: 54 rows of 301 pixels
    assertEquals(starts, [0, 54, 108, 162]);
    assertEquals(image, await single.renderImage(request));
    assert(new Set(image).size > 20, "the image is flat");
  } finally {
    pooled.close();
    single.close();
  }
});

Deno.test("startEngine: the default engine (auto: ONNX Runtime) draws the wasm workers' images within 1/255 (sizes, views, both architectures)", async () => {
  // 300x250 is five of the workers' bands (ONNX Runtime's too), each several runs of ONNX Runtime
  const sizes: [number, number][] = [[1, 1], [45, 38], [23, 130], [300, 250]];
  const views: View[] = [defaultView(8), { scale: 1.5, center: [3, -2] }, {
    scale: 60,
    center: [0, 0],
  }];
  for (const zEveryLayer of [false, true]) {
    const folded = await randomFolded(4, zEveryLayer);
    const auto = await startEngine(folded, { backend: DEFAULT_RENDER_BACKEND, workers: 2 });
    const wasm = await startEngine(folded, { backend: "wasm", workers: 2 });
    try {
      assertEquals(auto.backend, "onnx");
      for (const [width, height] of sizes) {
        for (const [v, view] of views.entries()) {
          const request = { z: new Rng(v, "z").normal(5), width, height, view, invert: v === 1 };
          const a = await auto.renderImage(request);
          const worst = worstDifference(a, await wasm.renderImage(request));
          const what = `zEveryLayer ${zEveryLayer}, ${width}x${height}, view ${v}`;
          assert(worst <= 1, `${what}: off by ${worst} grey levels`);
          if (width * height > 1000) assert(new Set(a).size > 20, `${what}: the image is flat`);
        }
      }
    } finally {
      auto.close();
      wasm.close();
    }
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
      "render engine: wasm (1 worker; ONNX Runtime did not load: libonnxruntime.so.1: not found)",
    ]);
    assertEquals((await engine.renderImage(request)).length, 45 * 38);
  } finally {
    engine.close();
  }
});

Deno.test("startEngine: auto is ONNX Runtime where it loads, else the TensorFlow.js backends (saying why)", async () => {
  const folded = await randomFolded(2, false);
  const lines: string[] = [];
  const native = await startEngine(folded, {
    backend: "auto",
    workers: 1,
    log: (line) => lines.push(line),
  });
  assertEquals(native.backend, "onnx");
  native.close();
  const fallback = await startEngine(folded, {
    backend: "auto",
    workers: 1,
    log: (line) => lines.push(line),
    createOnnx: () => Promise.reject(new OnnxUnavailableError("not here")),
  });
  assert(["gpu", "node", "wasm"].includes(fallback.backend), fallback.backend);
  fallback.close();
  assertEquals(lines, [
    "render engine: onnx (onnxruntime-node 1.30.0, 1 thread)",
    `render engine: ${fallback.backend} (1 worker; ONNX Runtime did not load: not here)`,
  ]);
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

Deno.test("startEngine: --device cuda, coreml, dml render within 1/255 where this ONNX Runtime has them, else are a clear flag error", async () => {
  const folded = await randomFolded(2, true);
  const wasm = await startEngine(folded, { backend: "wasm", workers: 1 });
  const expected = await wasm.renderImage(request);
  wasm.close();
  for (const device of ["cuda", "coreml", "dml"] as const) {
    let engine;
    try {
      engine = await startEngine(folded, { backend: "onnx", workers: 1, device });
    } catch (error) {
      assert(error instanceof FlagError, `${device}: ${error}`);
      assertStringIncludes(error.message, `--device ${device}: ONNX Runtime cannot use it here`);
      assertStringIncludes(error.message, "This ONNX Runtime offers: cpu");
      continue;
    }
    const worst = worstDifference(await engine.renderImage(request), expected);
    engine.close();
    assert(worst <= 1, `${device}: off by ${worst} grey levels`);
  }
});

Deno.test("startEngine: a device other than the CPU needs --backend onnx, and ONNX Runtime itself", async () => {
  const folded = await randomFolded(2, false);
  await assertRejects(
    () => startEngine(folded, { backend: "wasm", workers: 1, device: "cuda" }),
    FlagError,
    "--device cuda needs --backend onnx",
  );
  await assertRejects(
    () =>
      startEngine(folded, {
        backend: "onnx",
        workers: 1,
        device: "cuda",
        createOnnx: () => Promise.reject(new OnnxUnavailableError("no binding")),
      }),
    FlagError,
    "--device cuda: ONNX Runtime (npm:onnxruntime-node) cannot be loaded: no binding",
  );
});

Deno.test("tfBackendFor: onnx folds on wasm; the others are themselves", () => {
  assertEquals(
    (["onnx", "auto", "wasm", "cpu"] as const).map(tfBackendFor),
    ["wasm", "auto", "wasm", "cpu"],
  );
});
