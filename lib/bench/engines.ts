/**
 * The bench's side-by-side timing of the two render engines: the wasm
 * workers ({@linkcode RenderPool}) and ONNX Runtime ({@linkcode startOnnx}),
 * with the same thread count, rendering the same image in alternation
 * (wasm, onnx, wasm, onnx, ...) so that both see the same drift of the
 * machine's speed; and ONNX Runtime's own matMul speed at the CPPN's
 * shapes, the bound its renders are measured against.
 *
 * @module
 */
import type { BackendChoice } from "../base/backend.ts";
import { defaultView } from "../model/coords.ts";
import { Rng } from "../base/rng.ts";
import { loadOnnxRuntime, openOnnxSession } from "../render/onnx_engine.ts";
import { type RenderEngine, startOnnx } from "../render/engine.ts";
import { encodeOnnx, type OnnxNode, type OnnxTensor } from "../render/onnx_proto.ts";
import { RenderPool } from "../render/pool.ts";
import type { FoldedWeights, ImageRequest } from "../render/renderer.ts";
import { callsPerSecond } from "./flops.ts";

/**
 * The CPPN's matMuls alone as an ONNX model: `x` `[rows, width]` through
 * `layers` `[width, width]` matMuls and a `[width, 1]` one, no bias or
 * activation. Weights `N(0, 1/width)` keep the values near 1 (no
 * denormals, no overflow).
 */
function matMulModel(rows: number, width: number, layers: number): Uint8Array {
  const rng = new Rng(7, "bound");
  const scaled = (n: number) => rng.normal(n).map((v) => v / Math.sqrt(width));
  const weights: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  let s = "x";
  for (let i = 1; i <= layers; i++) {
    weights.push({ name: `w${i}`, dims: [width, width], values: scaled(width * width) });
    nodes.push({ op: "MatMul", inputs: [s, `w${i}`], outputs: [`m${i}`] });
    s = `m${i}`;
  }
  weights.push({ name: "wout", dims: [width, 1], values: scaled(width) });
  nodes.push({ op: "MatMul", inputs: [s, "wout"], outputs: ["y"] });
  return encodeOnnx({
    name: "matmul_bound",
    doc: "The CPPN's matMul shapes, for the bench",
    inputs: [{ name: "x", dims: [rows, width] }],
    outputs: [{ name: "y", dims: [rows, 1] }],
    weights,
    nodes,
    metadata: {},
    opset: 17,
    irVersion: 8,
    producer: "cppn",
  });
}

/**
 * ONNX Runtime's GFLOP/s on the CPPN's matMuls with `threads` threads:
 * `[rows, width]` through `layers` `[width, width]` matMuls and a
 * `[width, 1]` one (the output is one value per row, so copying it out
 * costs next to nothing), timed for `seconds`.
 */
export async function onnxMatMulGflops(
  threads: number,
  rows: number,
  width: number,
  layers: number,
  seconds: number,
): Promise<number> {
  const ort = await loadOnnxRuntime();
  const session = await openOnnxSession(matMulModel(rows, width, layers), threads);
  try {
    const x = new ort.Tensor("float32", new Rng(8).normal(rows * width), [rows, width]);
    const perSecond = await callsPerSecond(seconds, async () => {
      (await session.run({ x })).y.dispose();
    });
    return (perSecond * 2 * rows * width * (layers * width + 1)) / 1e9;
  } finally {
    await session.release();
  }
}

/** Seconds per render of each engine, one value per round. */
export interface EngineRounds {
  wasm: number[];
  onnx: number[];
}

/** A `size`² render request at the training view. */
export function benchRequest(weights: FoldedWeights, size: number): ImageRequest {
  return {
    z: new Rng(2).normal(weights.spec.zDim),
    width: size,
    height: size,
    view: defaultView(weights.spec.scale),
  };
}

/**
 * Times a `size`² render with `threads` wasm workers and with ONNX
 * Runtime on `threads` threads, interleaved: `rounds` times wasm then
 * onnx, after an untimed warm-up render of each. Bands go nowhere (the
 * render alone is timed).
 */
export async function timeEnginesInterleaved(
  weights: FoldedWeights,
  threads: number,
  size: number,
  rounds: number,
  backend: BackendChoice,
): Promise<EngineRounds> {
  const wasm = await RenderPool.create(weights, { workers: threads, backend });
  const onnx = await startOnnx(weights, threads);
  const request = benchRequest(weights, size);
  const time = async (engine: RenderEngine) => {
    const t0 = performance.now();
    await engine.render(request, () => {});
    return (performance.now() - t0) / 1000;
  };
  try {
    await wasm.renderImage(benchRequest(weights, 256)); // warm up every worker
    await onnx.renderImage(benchRequest(weights, 256));
    const times: EngineRounds = { wasm: [], onnx: [] };
    for (let r = 0; r < rounds; r++) {
      times.wasm.push(await time(wasm));
      times.onnx.push(await time(onnx));
    }
    return times;
  } finally {
    wasm.close();
    onnx.close();
  }
}
