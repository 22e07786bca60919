import { assert, assertEquals } from "@std/assert";
import { type RandomNetSpec, randomWeights } from "../../lib/model/random_net.ts";
import { OnnxRenderer } from "../../lib/render/onnx_engine.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { RandomRenderer } from "../../lib/render/random_renderer.ts";
import { useWasm } from "../_helpers.ts";
import { worstDifference } from "../_onnx_fixtures.ts";

await useWasm();

const SPEC: RandomNetSpec = {
  seed: 3,
  width: 24,
  depth: 5,
  activation: "tanh",
  weightScale: 3,
  inputs: ["x", "y", "r"],
  channels: 3,
  zDim: 4,
};
const REQUEST = {
  z: new Float32Array([0.5, -1, 0.25, 2]),
  width: 53,
  height: 41,
  view: { scale: 1.5, center: [0.25, -0.5] as [number, number] },
};

Deno.test("ONNX Runtime draws random networks as the wasm workers do, within 1/255 (every activation, periodic inputs, grey and colour)", async () => {
  const nets: RandomNetSpec[] = [
    ...(["tanh", "sin", "relu", "softplus"] as const).map((activation) => ({
      ...SPEC,
      activation,
      weightScale: activation === "sin" ? 1 : 3,
    })),
    { ...SPEC, inputs: ["sinx", "siny", "sinr", "xy", "r"], channels: 1 },
  ];
  for (const spec of nets) {
    const weights = randomWeights(spec);
    const engine = await OnnxRenderer.create(weights, { threads: 1, chunkPixels: 500 });
    const wasm = new RandomRenderer(weights);
    const got = await engine.renderImage(REQUEST);
    assertEquals(got.length, 53 * 41 * spec.channels);
    const worst = worstDifference(got, await wasm.renderBytes(REQUEST));
    assert(worst <= 1, `${spec.activation}, ${spec.inputs}: off by ${worst} grey levels`);
    engine.close();
    wasm.dispose();
  }
});

Deno.test("ONNX Runtime workers render a random network: the same bytes as one session, whatever the bands", async () => {
  const weights = randomWeights(SPEC);
  const single = await OnnxRenderer.create(weights, { threads: 1 });
  const pool = await RenderPool.create(weights, { workers: 2, backend: "onnx", chunkPixels: 200 });
  try {
    assertEquals([pool.backend, pool.channels], ["onnx", 3]);
    assertEquals(await pool.renderImage(REQUEST), await single.renderImage(REQUEST));
  } finally {
    pool.close();
    single.close();
  }
});
