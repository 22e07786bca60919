/**
 * The generator as a standard ONNX model, in the folded form the renderer
 * runs (see {@linkcode FoldedWeights}): any ONNX tool can render it.
 *
 * ```
 * inputs   coords [N, 3]   x, y, r of each pixel (see pixelCoords in model/coords.ts)
 *          z      [1, zDim] the latent vector
 * a0 = coords wc + (z wz + b0);  s = softplus(a0)
 * s  = sigmoid(s w_i + b_i [+ z u_i])     one per hidden layer
 * output   pixels [N, 1]   sigmoid(s wout + bout), grey levels in (0, 1)
 * ```
 *
 * Operators: `MatMul`, `Add`, `Softplus`, `Sigmoid` (opset 17, IR 8, which
 * every ONNX Runtime since 1.11 reads). The architecture is stored in the
 * model's metadata as `cppn.spec` (JSON).
 *
 * @module
 */
import { encodeOnnx, type OnnxModel, type OnnxNode, type OnnxTensor } from "./onnx_proto.ts";
import type { FoldedWeights } from "./renderer.ts";

/** Input and output names of the exported graph. */
export const ONNX_NAMES = { coords: "coords", z: "z", pixels: "pixels" } as const;

const DOC = "A CPPN generator of MNIST-like digits, in the folded form (every tanh layer " +
  "rewritten as a sigmoid layer computing the same image). Inputs: coords [N, 3], each " +
  "pixel's x, y and r = sqrt(x^2 + y^2) (the training images span x, y in [-scale, scale], " +
  "scale in the metadata's cppn.spec), and z [1, zDim]. Output: pixels [N, 1], grey levels " +
  "in (0, 1), white digits on black.";

/** The graph's weights and nodes, layer by layer. */
function buildGraph(f: FoldedWeights): { weights: OnnxTensor[]; nodes: OnnxNode[] } {
  const { zDim, width } = f.spec;
  const { coords, z, pixels } = ONNX_NAMES;
  const weights: OnnxTensor[] = [
    { name: "wz", dims: [zDim, width], values: f.wz },
    { name: "b0", dims: [width], values: f.b0 },
    { name: "wc", dims: [3, width], values: f.wc },
  ];
  const nodes: OnnxNode[] = [
    { op: "MatMul", inputs: [z, "wz"], outputs: ["z_wz"] },
    { op: "Add", inputs: ["z_wz", "b0"], outputs: ["bias0"] },
    { op: "MatMul", inputs: [coords, "wc"], outputs: ["coords_wc"] },
    { op: "Add", inputs: ["coords_wc", "bias0"], outputs: ["a0"] },
    { op: "Softplus", inputs: ["a0"], outputs: ["s0"] },
  ];
  let s = "s0";
  f.layers.forEach((layer, index) => {
    const i = index + 1;
    weights.push(
      { name: `w${i}`, dims: [width, width], values: layer.w },
      { name: `b${i}`, dims: [width], values: layer.b },
    );
    let bias = `b${i}`;
    if (layer.u) {
      weights.push({ name: `u${i}`, dims: [zDim, width], values: layer.u });
      nodes.push(
        { op: "MatMul", inputs: [z, `u${i}`], outputs: [`z_u${i}`] },
        { op: "Add", inputs: [`z_u${i}`, `b${i}`], outputs: [`bias${i}`] },
      );
      bias = `bias${i}`;
    }
    nodes.push(
      { op: "MatMul", inputs: [s, `w${i}`], outputs: [`m${i}`] },
      { op: "Add", inputs: [`m${i}`, bias], outputs: [`a${i}`] },
      { op: "Sigmoid", inputs: [`a${i}`], outputs: [`s${i}`] },
    );
    s = `s${i}`;
  });
  weights.push(
    { name: "wout", dims: [width, 1], values: f.wout },
    { name: "bout", dims: [1], values: f.bout },
  );
  nodes.push(
    { op: "MatMul", inputs: [s, "wout"], outputs: ["m_out"] },
    { op: "Add", inputs: ["m_out", "bout"], outputs: ["a_out"] },
    { op: "Sigmoid", inputs: ["a_out"], outputs: [pixels] },
  );
  return { weights, nodes };
}

/** The folded generator as an ONNX model file's bytes. */
export function generatorOnnx(weights: FoldedWeights): Uint8Array {
  const { spec } = weights;
  const graph = buildGraph(weights);
  const model: OnnxModel = {
    name: "cppn_generator",
    doc: DOC,
    inputs: [
      { name: ONNX_NAMES.coords, dims: ["N", 3] },
      { name: ONNX_NAMES.z, dims: [1, spec.zDim] },
    ],
    outputs: [{ name: ONNX_NAMES.pixels, dims: ["N", 1] }],
    ...graph,
    metadata: { "cppn.spec": JSON.stringify(spec) },
    opset: 17,
    irVersion: 8,
    producer: "cppn",
  };
  return encodeOnnx(model);
}
