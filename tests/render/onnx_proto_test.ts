import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import * as ort from "onnxruntime-node";
import { encodeOnnx, type OnnxModel } from "../../lib/render/onnx_proto.ts";

function addModel(values: Float32Array): OnnxModel {
  return {
    name: "add",
    doc: "y = x + w",
    inputs: [{ name: "x", dims: ["N", values.length] }],
    outputs: [{ name: "y", dims: ["N", values.length] }],
    weights: [{ name: "w", dims: [values.length], values }],
    nodes: [{ op: "Add", inputs: ["x", "w"], outputs: ["y"] }],
    metadata: { "test.key": "value" },
    opset: 17,
    irVersion: 8,
    producer: "test",
  };
}

Deno.test("encodeOnnx: the IR version comes first (field 1, varint) and the producer's name follows", () => {
  const bytes = encodeOnnx(addModel(new Float32Array([1])));
  assertEquals(Array.from(bytes.subarray(0, 8)), [
    0x08,
    8,
    0x12,
    4,
    ...new TextEncoder().encode("test"),
  ]);
});

Deno.test("encodeOnnx: ONNX Runtime reads the model and computes with its weights exactly (multi-byte lengths, negative and tiny values)", async () => {
  // 300 values: a 1,200-byte raw_data field and a 300 dimension, both multi-byte varints
  const w = new Float32Array(300).map((_, i) =>
    (i % 2 ? -1 : 1) * i * 1e-3 + (i === 7 ? 1e-30 : 0)
  );
  const session = await ort.InferenceSession.create(encodeOnnx(addModel(w)));
  const x = new Float32Array(600).map((_, i) => i);
  const out = await session.run({ x: new ort.Tensor("float32", x, [2, 300]) });
  assertEquals(out.y.dims, [2, 300]);
  assertEquals(
    Array.from(out.y.data as Float32Array),
    Array.from(x, (v, i) => Math.fround(v + w[i % 300])),
  );
  await session.release();
});

Deno.test("encodeOnnx: a weight whose values do not fill its shape is refused", () => {
  const model = addModel(new Float32Array(3));
  model.weights[0].dims = [4];
  assertThrows(() => encodeOnnx(model), Error, "Tensor w: shape [4] needs 4 values, got 3");
});

Deno.test("encodeOnnx: a node's float attribute reaches ONNX Runtime (LayerNormalization's epsilon)", async () => {
  // one row [0, 2]: mean 1, variance 1, so y = (x - 1) / sqrt(1 + epsilon)
  const model = (epsilon: number): OnnxModel => ({
    ...addModel(new Float32Array([1, 1])),
    nodes: [{ op: "LayerNormalization", inputs: ["x", "w"], outputs: ["y"], floats: { epsilon } }],
  });
  for (const epsilon of [3, 0.25]) {
    const session = await ort.InferenceSession.create(encodeOnnx(model(epsilon)));
    const out = await session.run({
      x: new ort.Tensor("float32", new Float32Array([0, 2]), [1, 2]),
    });
    const y = out.y.data as Float32Array;
    const want = 1 / Math.sqrt(1 + epsilon);
    assertAlmostEquals(-y[0], want, 1e-6);
    assertAlmostEquals(y[1], want, 1e-6);
  }
});

Deno.test("encodeOnnx: a node's integer-list attribute reaches ONNX Runtime (Transpose's perm); a weight may be a view into a larger array", async () => {
  // y = transpose(x) + w, w the middle three values of a larger array
  const backing = new Float32Array([9, 10, 20, 30, 9]);
  const model: OnnxModel = {
    ...addModel(backing.subarray(1, 4)),
    inputs: [{ name: "x", dims: [3, 2] }],
    outputs: [{ name: "y", dims: [2, 3] }],
    nodes: [
      { op: "Transpose", inputs: ["x"], outputs: ["t"], intLists: { perm: [1, 0] } },
      { op: "Add", inputs: ["t", "w"], outputs: ["y"] },
    ],
  };
  const session = await ort.InferenceSession.create(encodeOnnx(model));
  const x = new Float32Array([1, 2, 3, 4, 5, 6]); // rows [1, 2], [3, 4], [5, 6]
  const out = await session.run({ x: new ort.Tensor("float32", x, [3, 2]) });
  assertEquals(out.y.dims, [2, 3]);
  assertEquals(Array.from(out.y.data as Float32Array), [11, 23, 35, 12, 24, 36]);
  await session.release();
});
