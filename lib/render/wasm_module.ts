/**
 * A small WebAssembly binary writer: a module of one exported memory and
 * exported functions taking `i32` arguments, built from the instructions
 * the render kernels use (see `first_layer.ts`). Instructions are byte
 * arrays, operands first: WebAssembly is a stack machine, so
 * `f32x4.add(a, b)` is `a`'s code, then `b`'s, then the opcode.
 *
 * ```ts
 * const body = [...op.set(2, op.add(op.get(0), op.get(1)))];
 * const bytes = wasmModule(1, [{ name: "f", params: 2, i32Locals: 1, v128Locals: 0, body }]);
 * ```
 *
 * @module
 */

/** WebAssembly code: the bytes of one or more instructions. */
export type Code = number[];

/** `n` as an unsigned LEB128 number. */
function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? byte : byte | 0x80);
  } while (n !== 0);
  return out;
}

/** `n` (a 32-bit integer) as a signed LEB128 number. */
function signed(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A memory access's alignment (log2 of bytes) and constant offset. */
const memarg = (alignLog2: number, offset: number) => [alignLog2, ...unsigned(offset)];

/** A SIMD instruction (prefix 0xfd) after its operands. */
const simd = (opcode: number, ...operands: Code[]): Code => [
  ...operands.flat(),
  0xfd,
  ...unsigned(opcode),
];

/** Scalar, memory and control instructions. */
export const op = {
  /** `local.get i`. */
  get: (i: number): Code => [0x20, ...unsigned(i)],
  /** `local.set i`, of `value`. */
  set: (i: number, value: Code): Code => [...value, 0x21, ...unsigned(i)],
  /** `i32.const v`. */
  i32: (v: number): Code => [0x41, ...signed(v)],
  /** `i32.add`. */
  add: (a: Code, b: Code): Code => [...a, ...b, 0x6a],
  /** `i32.sub`. */
  sub: (a: Code, b: Code): Code => [...a, ...b, 0x6b],
  /** `i32.mul`. */
  mul: (a: Code, b: Code): Code => [...a, ...b, 0x6c],
  /** `i32.eqz`. */
  eqz: (a: Code): Code => [...a, 0x45],
  /** `i32.lt_u`. */
  ltU: (a: Code, b: Code): Code => [...a, ...b, 0x49],
  /** `f32.load` at `address + offset`. */
  f32Load: (address: Code, offset = 0): Code => [...address, 0x2a, ...memarg(2, offset)],
  /** `block ... end` (no result); `br 0` inside jumps to its end. */
  block: (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b],
  /** `loop ... end` (no result); `br 0` inside jumps to its start. */
  loop: (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b],
  /** `br depth`. */
  br: (depth: number): Code => [0x0c, ...unsigned(depth)],
  /** `br_if depth`, on `condition`. */
  brIf: (depth: number, condition: Code): Code => [...condition, 0x0d, ...unsigned(depth)],
};

/** 128-bit SIMD instructions on four `f32` lanes. */
export const f32x4 = {
  /** `v128.load` at `address + offset` (16-byte aligned). */
  load: (address: Code, offset = 0): Code => [...simd(0x00, address), ...memarg(4, offset)],
  /** `v128.store` of `value` at `address + offset` (16-byte aligned). */
  store: (address: Code, value: Code, offset = 0): Code => [
    ...simd(0x0b, address, value),
    ...memarg(4, offset),
  ],
  /** `v128.const` with `v` in every lane. */
  constant: (v: number): Code => {
    const lane = new Uint8Array(new Float32Array([v]).buffer);
    return [0xfd, ...unsigned(0x0c), ...lane, ...lane, ...lane, ...lane];
  },
  /** `f32x4.splat` of an `f32`. */
  splat: (a: Code): Code => simd(0x13, a),
  abs: (a: Code): Code => simd(0xe0, a),
  neg: (a: Code): Code => simd(0xe1, a),
  add: (a: Code, b: Code): Code => simd(0xe4, a, b),
  sub: (a: Code, b: Code): Code => simd(0xe5, a, b),
  mul: (a: Code, b: Code): Code => simd(0xe6, a, b),
  div: (a: Code, b: Code): Code => simd(0xe7, a, b),
  /** `f32x4.pmax`: `a < b ? b : a` lane by lane (one machine instruction on x86). */
  pmax: (a: Code, b: Code): Code => simd(0xeb, a, b),
  /** `f32x4.relaxed_madd`: `a * b + c`, fused or not (relaxed SIMD). */
  madd: (a: Code, b: Code, c: Code): Code => simd(0x105, a, b, c),
  /** `i32x4.shl` of each lane's bits by `bits`. */
  shlBits: (a: Code, bits: number): Code => simd(0xab, a, op.i32(bits)),
};

/** One exported function of a module: `params` `i32` arguments, no result. */
export interface WasmFunction {
  name: string;
  /** How many `i32` arguments it takes (locals 0 to params - 1). */
  params: number;
  /** Its `i32` locals (numbered after the arguments). */
  i32Locals: number;
  /** Its `v128` locals (numbered after the `i32` locals). */
  v128Locals: number;
  /** Its code, without the final `end`. */
  body: Code;
}

/** A section: its id, then its contents' size and the contents. */
const section = (id: number, contents: number[]): number[] => [
  id,
  ...unsigned(contents.length),
  ...contents,
];

/** A UTF-8 name, with its length first. */
function name(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...unsigned(bytes.length), ...bytes];
}

/**
 * The bytes of a module with one memory of `pages` 64 KiB pages
 * (exported as `memory`) and `functions`, each exported by its name.
 */
export function wasmModule(pages: number, functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f, V128 = 0x7b;
  const count = unsigned(functions.length);
  const types = functions.flatMap((
    f,
  ) => [0x60, ...unsigned(f.params), ...Array(f.params).fill(I32), 0]);
  const bodies = functions.flatMap((f) => {
    const body = [
      2,
      ...unsigned(f.i32Locals),
      I32,
      ...unsigned(f.v128Locals),
      V128,
      ...f.body,
      0x0b,
    ];
    return [...unsigned(body.length), ...body];
  });
  const exports = [
    ...unsigned(functions.length + 1),
    ...name("memory"),
    0x02,
    0,
    ...functions.flatMap((f, i) => [...name(f.name), 0x00, ...unsigned(i)]),
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [...count, ...types]),
    ...section(3, [...count, ...functions.flatMap((_, i) => unsigned(i))]),
    ...section(5, [1, 0x00, ...unsigned(pages)]),
    ...section(7, exports),
    ...section(10, [...count, ...bodies]),
  ]);
}
