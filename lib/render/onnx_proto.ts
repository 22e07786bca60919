/**
 * A minimal writer of ONNX model files: the protocol-buffer wire format
 * (varints and length-delimited fields, all that ONNX's messages need
 * here) and the few messages of `onnx.proto` a graph of dense layers uses:
 * `ModelProto`, `GraphProto`, `NodeProto` with float `AttributeProto`s,
 * `TensorProto` (float32 weights as `raw_data`), `ValueInfoProto` with its
 * `TypeProto`, and the model's opset and metadata. Field numbers are those of `onnx.proto`.
 *
 * @module
 */

/** Protocol-buffer wire types. */
const VARINT = 0, BYTES = 2, FIXED32 = 5;

/** `TensorProto.DataType.FLOAT`, and `AttributeProto.AttributeType.FLOAT`. */
const FLOAT = 1;
/** `AttributeProto.AttributeType.INTS`. */
const INTS = 7;

/** Bytes of one message, written field by field. */
class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  #varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`Cannot encode ${value} as a protobuf varint`);
    }
    const out: number[] = [];
    while (value >= 0x80) {
      out.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    out.push(value);
    this.#push(new Uint8Array(out));
  }

  /** A non-negative integer field (int32, int64 or enum). */
  int(field: number, value: number): this {
    this.#varint(field * 8 + VARINT);
    this.#varint(value);
    return this;
  }

  /** A bytes field (or an embedded message's bytes). */
  bytes(field: number, value: Uint8Array): this {
    this.#varint(field * 8 + BYTES);
    this.#varint(value.length);
    this.#push(value);
    return this;
  }

  /** A float field (4 bytes, little-endian). */
  float(field: number, value: number): this {
    this.#varint(field * 8 + FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#push(bytes);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** A float32 tensor stored in the model (a weight). */
export interface OnnxTensor {
  name: string;
  /** Its shape (row-major). */
  dims: number[];
  values: Float32Array;
}

/** A graph input or output: float32, each dimension a size or a symbolic name. */
export interface OnnxValue {
  name: string;
  dims: (number | string)[];
}

/** One operator application. */
export interface OnnxNode {
  /** The operator, e.g. `MatMul`. */
  op: string;
  inputs: string[];
  outputs: string[];
  /** Float attributes, e.g. `LayerNormalization`'s `{ epsilon: 1e-6 }`. */
  floats?: Record<string, number>;
  /** Integer-list attributes (each at least 0), e.g. `Transpose`'s `{ perm: [0, 3, 1, 2] }`. */
  intLists?: Record<string, number[]>;
}

/** A whole model: one graph of standard (`ai.onnx`) operators. */
export interface OnnxModel {
  /** The graph's name. */
  name: string;
  /** What the model computes (Markdown), shown by ONNX tools. */
  doc: string;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  weights: OnnxTensor[];
  /** In topological order. */
  nodes: OnnxNode[];
  /** Named text values (`metadata_props`). */
  metadata: Record<string, string>;
  /** The ONNX operator set (e.g. 17). */
  opset: number;
  /** The IR version (e.g. 8). */
  irVersion: number;
  producer: string;
}

/** Whether this machine stores numbers little-endian, as ONNX's `raw_data` does. */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** `values` as little-endian float32 bytes (ONNX's `raw_data`), whatever the host's order. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return raw;
}

function tensorProto(t: OnnxTensor): Uint8Array {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.values.length) {
    throw new Error(
      `Tensor ${t.name}: shape [${t.dims}] needs ${size} values, got ${t.values.length}`,
    );
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  return w.int(2, FLOAT).string(8, t.name).bytes(9, littleEndianBytes(t.values)).finish();
}

function valueInfo(v: OnnxValue): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.bytes(1, dim.finish());
  }
  const tensorType = new ProtoWriter().int(1, FLOAT).bytes(2, shape.finish()).finish();
  const type = new ProtoWriter().bytes(1, tensorType).finish();
  return new ProtoWriter().string(1, v.name).bytes(2, type).finish();
}

function nodeProto(n: OnnxNode, index: number): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op}_${index}`).string(4, n.op);
  for (const [name, value] of Object.entries(n.floats ?? {})) {
    w.bytes(5, new ProtoWriter().string(1, name).float(2, value).int(20, FLOAT).finish());
  }
  for (const [name, values] of Object.entries(n.intLists ?? {})) {
    const attribute = new ProtoWriter().string(1, name);
    for (const value of values) attribute.int(8, value);
    w.bytes(5, attribute.int(20, INTS).finish());
  }
  return w.finish();
}

/** Encodes `model` as an ONNX file (`ModelProto`). */
export function encodeOnnx(model: OnnxModel): Uint8Array {
  const graph = new ProtoWriter();
  model.nodes.forEach((n, i) => graph.bytes(1, nodeProto(n, i)));
  graph.string(2, model.name);
  for (const t of model.weights) graph.bytes(5, tensorProto(t));
  graph.string(10, model.doc);
  for (const v of model.inputs) graph.bytes(11, valueInfo(v));
  for (const v of model.outputs) graph.bytes(12, valueInfo(v));
  const opset = new ProtoWriter().string(1, "").int(2, model.opset).finish();
  const out = new ProtoWriter()
    .int(1, model.irVersion)
    .string(2, model.producer)
    .bytes(7, graph.finish())
    .bytes(8, opset);
  for (const [key, value] of Object.entries(model.metadata)) {
    out.bytes(14, new ProtoWriter().string(1, key).string(2, value).finish());
  }
  return out.finish();
}
