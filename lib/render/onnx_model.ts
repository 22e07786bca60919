/**
 * The generator as a standard ONNX model, in the folded form the renderer
 * runs (see {@linkcode FoldedWeights}): any ONNX tool can render it. Also
 * the encoder ({@linkcode encoderOnnx}), which turns an image into its `z`.
 *
 * ```
 * inputs   coords [N, 3]   x, y, r of each pixel (see pixelCoords in model/coords.ts)
 *          z      [1, zDim] the latent vector
 * z  = z + tanh(... tanh(z m_1 + c_1) ...) m_out   a model's mapping network (zMap), if any
 * a0 = coords wc + (z wz + b0);  s = softplus(a0) = relu(a0) - log(sigmoid(|a0|))
 * s  = sigmoid(s w_i + b_i [+ z u_i])     one per hidden layer
 * output   pixels [N, C]   sigmoid(s wout + bout), grey levels (C = 1) or RGB (C = 3) in (0, 1)
 * ```
 *
 * Operators: `MatMul`, `Add`, `Sigmoid`, `Tanh` (the mapping network), and
 * `Abs`, `Log`, `Relu`, `Sub` for the softplus (opset 17, IR 8, which every
 * ONNX Runtime since 1.11 reads).
 * The architecture is stored in the model's metadata as `cppn.spec` (JSON).
 *
 * @module
 */
import type { EncoderSpec } from "../model/encoder.ts";
import { channelsOf, type GeneratorSpec, isDigitModel } from "../model/generator.ts";
import type { LoadedNetwork } from "../model/network_files.ts";
import { unflatten } from "../model/params.ts";
import { encodeOnnx, type OnnxModel, type OnnxNode, type OnnxTensor } from "./onnx_proto.ts";
import type { FoldedWeights } from "./renderer.ts";

/** Input and output names of the exported generator. */
export const ONNX_NAMES = { coords: "coords", z: "z", pixels: "pixels" } as const;

/** Input and output names of the exported encoder. */
export const ENCODER_NAMES = { images: "images", mu: "mu", logVar: "log_var" } as const;

/** The ONNX version this project writes: opset 17, IR 8 (ONNX Runtime 1.11 and later). */
export const ONNX_VERSIONS = { opset: 17, irVersion: 8, producer: "cppn" } as const;

const FOLDED = "in the folded form (every tanh layer rewritten as a sigmoid layer computing the " +
  "same image). Inputs: coords [N, 3], each pixel's x, y and r = sqrt(x^2 + y^2) (the training " +
  "images span x, y in [-scale, scale], scale in the metadata's cppn.spec), and z [1, zDim].";

/**
 * What a model of `spec` was trained on, in words: `MNIST-like digits`
 * (greyscale 26 x 26, see {@linkcode isDigitModel}), else its pictures'
 * size and colour (`32x32 colour (RGB) pictures`).
 */
function trainedOn(spec: GeneratorSpec): string {
  if (isDigitModel(spec)) return "MNIST-like digits";
  const colour = channelsOf(spec) === 3 ? "colour (RGB)" : "greyscale";
  return `${spec.size}x${spec.size} ${colour} pictures`;
}

/** The generator's doc string: what it draws, its inputs and its output. */
export function generatorDoc(spec: GeneratorSpec): string {
  const output = channelsOf(spec) === 3
    ? "pixels [N, 3], each pixel's red, green and blue in (0, 1)."
    : `pixels [N, 1], grey levels in (0, 1)${isDigitModel(spec) ? ", white digits on black" : ""}.`;
  return `A CPPN generator of ${trainedOn(spec)}, ${FOLDED} Output: ${output}`;
}

/**
 * The encoder's doc string, for the generator `drawn` it belongs to: what
 * the model was trained on and how an image is laid out as its input.
 */
export function encoderDoc(drawn: GeneratorSpec): string {
  const { size } = drawn, channels = channelsOf(drawn);
  const image = isDigitModel(drawn)
    ? "a centred 26x26 crop of a 28x28 MNIST digit, row by row, grey levels / 255 " +
      "(white digit on black)"
    : `a ${size}x${size} picture fitted as the training pictures were (--fit; transparency ` +
      "flattened onto black), row by row, " +
      (channels === 3 ? "each pixel's red, green and blue together" : "grey levels") +
      " / 255";
  return `The VAE encoder of a CPPN generator of ${trainedOn(drawn)}. Input: images ` +
    `[B, ${size * size * channels}], each ${image}. Outputs: mu and log_var [B, zDim], the ` +
    "mean and log variance of q(z | x); mu is the z that draws the image.";
}

/**
 * `softplus(x) = log(1 + e^x)` as `relu(x) - log(sigmoid(|x|))`, as the
 * wasm renderer computes it: ONNX Runtime's `Softplus` (on the CPU) takes
 * both `exp` and `log1p` of every value; these five operators take under
 * half its time (see docs/onnx.md, "Speed"). `sigmoid(|x|)` lies in
 * [0.5, 1], so the log never sees 0 and large `|x|` stays exact.
 */
export function softplusNodes(x: string, out: string): OnnxNode[] {
  return [
    { op: "Abs", inputs: [x], outputs: [`${x}_abs`] },
    { op: "Sigmoid", inputs: [`${x}_abs`], outputs: [`${x}_sig`] },
    { op: "Log", inputs: [`${x}_sig`], outputs: [`${x}_log`] },
    { op: "Relu", inputs: [x], outputs: [`${x}_relu`] },
    { op: "Sub", inputs: [`${x}_relu`, `${x}_log`], outputs: [out] },
  ];
}

/**
 * The mapping network's weights and nodes (none for a model without one):
 * the name of the mapped latent vector, `[1, zDim]`, is `z_mapped`.
 */
function mapGraph(f: FoldedWeights): { weights: OnnxTensor[]; nodes: OnnxNode[]; z: string } {
  const { zDim, width } = f.spec;
  if (!f.map) return { weights: [], nodes: [], z: ONNX_NAMES.z };
  const weights: OnnxTensor[] = [], nodes: OnnxNode[] = [];
  let h: string = ONNX_NAMES.z;
  f.map.layers.forEach((layer, k) => {
    weights.push(
      { name: `map${k}_w`, dims: [k === 0 ? zDim : width, width], values: layer.w },
      { name: `map${k}_b`, dims: [width], values: layer.b },
    );
    nodes.push(
      { op: "MatMul", inputs: [h, `map${k}_w`], outputs: [`map${k}_m`] },
      { op: "Add", inputs: [`map${k}_m`, `map${k}_b`], outputs: [`map${k}_a`] },
      { op: "Tanh", inputs: [`map${k}_a`], outputs: [`map${k}_h`] },
    );
    h = `map${k}_h`;
  });
  weights.push({ name: "map_out", dims: [width, zDim], values: f.map.out });
  nodes.push(
    { op: "MatMul", inputs: [h, "map_out"], outputs: ["map_m"] },
    { op: "Add", inputs: [ONNX_NAMES.z, "map_m"], outputs: ["z_mapped"] },
  );
  return { weights, nodes, z: "z_mapped" };
}

/**
 * The input of a graph built without its first layer (see
 * {@linkcode GeneratorOnnxOptions.firstLayer}): the first layer's
 * activations, `[N, width]`.
 */
export const FIRST_LAYER_INPUT = "s0";

/** Options for {@linkcode generatorOnnx}. */
export interface GeneratorOnnxOptions {
  /**
   * `graph` (the default, and what `export` writes): the whole generator.
   * `input`: the graph leaves out the first layer and takes its
   * activations as the input {@linkcode FIRST_LAYER_INPUT} instead of
   * `coords` (the render engine computes them itself: see first_layer.ts).
   */
  firstLayer?: "graph" | "input";
}

/** The first layer's weights and nodes: `coords` and the latent vector `z` in, `s0` out. */
function firstLayerGraph(
  f: FoldedWeights,
  z: string,
): { weights: OnnxTensor[]; nodes: OnnxNode[] } {
  const { zDim, width } = f.spec;
  return {
    weights: [
      { name: "wz", dims: [zDim, width], values: f.wz },
      { name: "b0", dims: [width], values: f.b0 },
      { name: "wc", dims: [3, width], values: f.wc },
    ],
    nodes: [
      { op: "MatMul", inputs: [z, "wz"], outputs: ["z_wz"] },
      { op: "Add", inputs: ["z_wz", "b0"], outputs: ["bias0"] },
      { op: "MatMul", inputs: [ONNX_NAMES.coords, "wc"], outputs: ["coords_wc"] },
      { op: "Add", inputs: ["coords_wc", "bias0"], outputs: ["a0"] },
      ...softplusNodes("a0", FIRST_LAYER_INPUT),
    ],
  };
}

/** The graph's weights and nodes, layer by layer (the first one if `first`). */
function buildGraph(
  f: FoldedWeights,
  first: boolean,
): { weights: OnnxTensor[]; nodes: OnnxNode[] } {
  const { zDim, width } = f.spec;
  const { pixels } = ONNX_NAMES;
  // without the first layer, z matters only to later layers with a z term
  const needsZ = first || f.layers.some((layer) => layer.u);
  const map = needsZ ? mapGraph(f) : { weights: [], nodes: [], z: ONNX_NAMES.z };
  const z = map.z;
  const layer0 = first ? firstLayerGraph(f, z) : { weights: [], nodes: [] };
  const weights: OnnxTensor[] = [...map.weights, ...layer0.weights];
  const nodes: OnnxNode[] = [...map.nodes, ...layer0.nodes];
  let s: string = FIRST_LAYER_INPUT;
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
    { name: "wout", dims: [width, channelsOf(f.spec)], values: f.wout },
    { name: "bout", dims: [channelsOf(f.spec)], values: f.bout },
  );
  nodes.push(
    { op: "MatMul", inputs: [s, "wout"], outputs: ["m_out"] },
    { op: "Add", inputs: ["m_out", "bout"], outputs: ["a_out"] },
    { op: "Sigmoid", inputs: ["a_out"], outputs: [pixels] },
  );
  return { weights, nodes };
}

/**
 * The generator after its first layer, for the render engine on the CPU,
 * with one image's hidden-layer biases as constants (`biases`, one
 * `[width]` per hidden layer: see `imageBiases` in renderer.ts):
 *
 * ```
 * input    s0 [1, 1, N, width]    the first layer's activations, pixel by pixel (first_layer.ts)
 * s  = sigmoid(conv(s, W_i) + bias_i)   1x1 convolutions over [1, width, 1, N], one per hidden layer
 * output   pixels [1, 1, N, C]    sigmoid(conv(s, W_out) + b_out), as generatorOnnx's [N, C]
 * ```
 *
 * A 1x1 convolution is the layer's matMul with the pixels as columns. ONNX
 * Runtime's CPU runs convolutions in its blocked layout (NCHWc), whose
 * kernels add the bias and apply the sigmoid to each block of the output
 * while it is in the cache; `Gemm` writes the bias over its whole output
 * first and applies the sigmoid in a pass of its own. It does so only where
 * the weights and the bias are constants: hence the biases baked in.
 */
export function bakedLayersOnnx(weights: FoldedWeights, biases: Float32Array[]): Uint8Array {
  const { width } = weights.spec, channels = channelsOf(weights.spec);
  const nodes: OnnxNode[] = [
    {
      op: "Transpose",
      inputs: [FIRST_LAYER_INPUT],
      outputs: ["s0_t"],
      intLists: { perm: [0, 3, 1, 2] },
    },
  ];
  const tensors: OnnxTensor[] = [];
  let s = "s0_t";
  const layer = (name: string, w: Float32Array, b: Float32Array, out: string) => {
    const outputs = b.length;
    tensors.push(
      { name: `${name}_w`, dims: [outputs, width, 1, 1], values: transposed(w, width, outputs) },
      { name: `${name}_b`, dims: [outputs], values: b },
    );
    nodes.push(
      { op: "Conv", inputs: [s, `${name}_w`, `${name}_b`], outputs: [`${name}_a`] },
      { op: "Sigmoid", inputs: [`${name}_a`], outputs: [out] },
    );
    s = out;
  };
  weights.layers.forEach((l, index) => layer(`l${index + 1}`, l.w, biases[index], `s${index + 1}`));
  layer("out", weights.wout, weights.bout, "pixels_t");
  nodes.push({
    op: "Transpose",
    inputs: [s],
    outputs: [ONNX_NAMES.pixels],
    intLists: { perm: [0, 2, 3, 1] },
  });
  return encodeOnnx({
    name: "cppn_generator_layers",
    doc: "The hidden and output layers of a CPPN generator, for one image (see cppn.spec).",
    inputs: [{ name: FIRST_LAYER_INPUT, dims: [1, 1, "N", width] }],
    outputs: [{ name: ONNX_NAMES.pixels, dims: [1, 1, "N", channels] }],
    weights: tensors,
    nodes,
    metadata: { "cppn.spec": JSON.stringify(weights.spec) },
    ...ONNX_VERSIONS,
  });
}

/** `[rows, columns]` row-major values as `[columns, rows]`. */
function transposed(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  }
  return out;
}

/** The folded generator as an ONNX model file's bytes. */
export function generatorOnnx(
  weights: FoldedWeights,
  options: GeneratorOnnxOptions = {},
): Uint8Array {
  const { spec } = weights;
  const first = (options.firstLayer ?? "graph") === "graph";
  const graph = buildGraph(weights, first);
  const model: OnnxModel = {
    name: "cppn_generator",
    doc: generatorDoc(spec),
    inputs: [
      first
        ? { name: ONNX_NAMES.coords, dims: ["N", 3] }
        : { name: FIRST_LAYER_INPUT, dims: ["N", spec.width] },
      { name: ONNX_NAMES.z, dims: [1, spec.zDim] },
    ],
    outputs: [{ name: ONNX_NAMES.pixels, dims: ["N", channelsOf(spec)] }],
    ...graph,
    metadata: { "cppn.spec": JSON.stringify(spec) },
    ...ONNX_VERSIONS,
  };
  return encodeOnnx(model);
}

/**
 * The encoder (softplus layers, then the two heads) as an ONNX model:
 * `images` `[B, inputSize]` in, `mu` and `log_var` `[B, zDim]` out. The
 * stored head matrix `wh` (`mu`'s columns, then `log_var`'s) is split into
 * two, so the graph needs no `Split`. `drawn` is its generator's spec: the
 * model's description says what it was trained on.
 */
export function encoderOnnx(net: LoadedNetwork<EncoderSpec>, drawn: GeneratorSpec): Uint8Array {
  const { layers, zDim } = net.spec;
  const parts = unflatten(net.values, net.manifest);
  const { images, mu, logVar } = ENCODER_NAMES;
  const weights: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  let h: string = images;
  for (let i = 1; i <= layers; i++) {
    for (const name of [`w${i}`, `b${i}`]) {
      weights.push({ name, dims: parts[name].shape, values: parts[name].values });
    }
    nodes.push(
      { op: "MatMul", inputs: [h, `w${i}`], outputs: [`m${i}`] },
      { op: "Add", inputs: [`m${i}`, `b${i}`], outputs: [`a${i}`] },
      { op: "Softplus", inputs: [`a${i}`], outputs: [`h${i}`] },
    );
    h = `h${i}`;
  }
  const [rows] = parts.wh.shape;
  const columns = (values: Float32Array, width: number, from: number) =>
    Float32Array.from(
      { length: values.length / width * zDim },
      (_, k) => values[Math.floor(k / zDim) * width + from + (k % zDim)],
    );
  for (const [head, from] of [[mu, 0], [logVar, zDim]] as const) {
    weights.push(
      { name: `wh_${head}`, dims: [rows, zDim], values: columns(parts.wh.values, 2 * zDim, from) },
      { name: `bh_${head}`, dims: [zDim], values: parts.bh.values.slice(from, from + zDim) },
    );
    nodes.push(
      { op: "MatMul", inputs: [h, `wh_${head}`], outputs: [`m_${head}`] },
      { op: "Add", inputs: [`m_${head}`, `bh_${head}`], outputs: [head] },
    );
  }
  return encodeOnnx({
    name: "cppn_encoder",
    doc: encoderDoc(drawn),
    inputs: [{ name: images, dims: ["B", net.spec.inputSize] }],
    outputs: [{ name: mu, dims: ["B", zDim] }, { name: logVar, dims: ["B", zDim] }],
    weights,
    nodes,
    metadata: { "cppn.spec": JSON.stringify(net.spec) },
    ...ONNX_VERSIONS,
  });
}
