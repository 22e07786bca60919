/**
 * A random network (random-network art, see `model/random_net.ts`) as an
 * ONNX model, for the ONNX Runtime render engine:
 *
 * ```
 * inputs   inputs [N, k]    each pixel's chosen coordinate inputs (randomInputs)
 *          z      [1, zDim] the latent vector
 * h = norm(act(inputs wc + z wz + b0))
 * h = norm(act(h w_i + b_i))              one per further hidden layer
 * output   pixels [N, C]    sigmoid(h wout + bout), grey (C = 1) or RGB (C = 3) in (0, 1)
 * ```
 *
 * `norm` puts each pixel's units at mean 0 and variance 1
 * (`LayerNormalization`, epsilon `RANDOM_NORM_EPSILON`), as the wasm workers do; `act` is
 * `Tanh`, `Sin`, `Relu`, or the softplus of `onnx_model.ts`.
 *
 * @module
 */
import {
  RANDOM_NORM_EPSILON,
  type RandomActivation,
  type RandomNetWeights,
} from "../model/random_net.ts";
import { ONNX_NAMES, ONNX_VERSIONS, softplusNodes } from "./onnx_model.ts";
import { encodeOnnx, type OnnxNode, type OnnxTensor } from "./onnx_proto.ts";

/** The input of each pixel's chosen coordinate inputs, `[N, k]`. */
export const RANDOM_INPUTS = "inputs";

/** `act(x)` then the normalisation, into `out`. */
function activate(x: string, activation: RandomActivation, out: string): OnnxNode[] {
  const act = `${x}_act`;
  const ops: Record<Exclude<RandomActivation, "softplus">, string> = {
    tanh: "Tanh",
    sin: "Sin",
    relu: "Relu",
  };
  return [
    ...(activation === "softplus"
      ? softplusNodes(x, act)
      : [{ op: ops[activation], inputs: [x], outputs: [act] }]),
    {
      op: "LayerNormalization",
      inputs: [act, "ones"],
      outputs: [out],
      floats: { epsilon: RANDOM_NORM_EPSILON },
    },
  ];
}

/** The random network `net` as an ONNX model file's bytes. */
export function randomNetOnnx(net: RandomNetWeights): Uint8Array {
  const { width, inputs, channels, zDim, activation } = net.random;
  const { z, pixels } = ONNX_NAMES;
  const weights: OnnxTensor[] = [
    { name: "wc", dims: [inputs.length, width], values: net.wc },
    { name: "wz", dims: [zDim, width], values: net.wz },
    { name: "b0", dims: [width], values: net.b0 },
    { name: "ones", dims: [width], values: new Float32Array(width).fill(1) },
  ];
  const nodes: OnnxNode[] = [
    { op: "MatMul", inputs: [z, "wz"], outputs: ["z_wz"] },
    { op: "Add", inputs: ["z_wz", "b0"], outputs: ["bias0"] },
    { op: "MatMul", inputs: [RANDOM_INPUTS, "wc"], outputs: ["m0"] },
    { op: "Add", inputs: ["m0", "bias0"], outputs: ["a0"] },
    ...activate("a0", activation, "h0"),
  ];
  net.layers.forEach((layer, index) => {
    const i = index + 1;
    weights.push(
      { name: `w${i}`, dims: [width, width], values: layer.w },
      { name: `b${i}`, dims: [width], values: layer.b },
    );
    nodes.push(
      { op: "MatMul", inputs: [`h${i - 1}`, `w${i}`], outputs: [`m${i}`] },
      { op: "Add", inputs: [`m${i}`, `b${i}`], outputs: [`a${i}`] },
      ...activate(`a${i}`, activation, `h${i}`),
    );
  });
  weights.push(
    { name: "wout", dims: [width, channels], values: net.wout },
    { name: "bout", dims: [channels], values: net.bout },
  );
  nodes.push(
    { op: "MatMul", inputs: [`h${net.layers.length}`, "wout"], outputs: ["m_out"] },
    { op: "Add", inputs: ["m_out", "bout"], outputs: ["a_out"] },
    { op: "Sigmoid", inputs: ["a_out"], outputs: [pixels] },
  );
  return encodeOnnx({
    name: "cppn_random_network",
    doc: `An untrained random CPPN (random-network art): ${JSON.stringify(net.random)}`,
    inputs: [
      { name: RANDOM_INPUTS, dims: ["N", inputs.length] },
      { name: z, dims: [1, zDim] },
    ],
    outputs: [{ name: pixels, dims: ["N", channels] }],
    weights,
    nodes,
    metadata: { "cppn.random": JSON.stringify(net.random) },
    ...ONNX_VERSIONS,
  });
}
