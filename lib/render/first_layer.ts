/**
 * The generator's first layer, `softplus(coords W_c + bias)`, as a
 * WebAssembly SIMD kernel, for the ONNX Runtime engine and the wasm
 * renderer: ONNX Runtime has no fast logarithm on the CPU (about 3 ns per
 * value), and this kernel computes the whole layer in about 1.5 (see
 * docs/onnx.md, "Speed"), also about 3x faster than the wasm backend's
 * operators.
 *
 * ```
 * in    coords [n, 3]       x, y, r of each pixel
 *       W_c    [3, width]   and bias [width] (b0 + z W_z, per image)
 * out   s0     [n, width]   softplus(a), a = x W_x + y W_y + r W_r + bias
 * ```
 *
 * `softplus(a) = max(a, 0) + log(1 + e)`, `e = exp(-min(|a|, 20))`:
 * `exp` as `2^k exp(f)` (Cephes' polynomial), `log(1 + e) = 2 atanh(q)`
 * with `q = e / (2 + e)` in (0, 1/3] (a polynomial in `q^2`, fitted for
 * an error under 1e-7). Past `|a| = 20` the term is under 2.1e-9 (dropped
 * to that); the clamp also keeps every value away from the slow
 * subnormal numbers. Four vectors of four units are computed together,
 * so the width must be a multiple of 16.
 *
 * @module
 */
import { type Code, f32x4, op, wasmModule } from "./wasm_module.ts";

/** Units per kernel iteration: the width must be a multiple of it. */
export const FIRST_LAYER_UNITS = 16;

/** Arguments of the kernel `softplusLayer(coords, n, weights, width, out)`, byte addresses. */
const ARGS = { coords: 0, n: 1, weights: 2, width: 3, out: 4 };
/** Its i32 locals. */
const I32 = { stride: 5, stride2: 6, stride3: 7, wj: 8, end: 9 };
/** Its v128 locals: x, y, r, then the constants, then six per vector. */
const V128 = 10;
const VECTORS = FIRST_LAYER_UNITS / 4;

/** `exp(f)` for `|f| <= ln(2) / 2`: Cephes' `expf` polynomial, highest power first. */
const EXP_POLY = [
  1.98756915e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
];
/** `2 atanh(q) / q` as a polynomial in `q^2`, `q` in [0, 1/3], highest power first. */
const ATANH_POLY = [0.3502436925, 0.3943413208, 0.6668464063, 1.999998469];
/** `1.5 * 2^23 + 127`: adding it rounds to an integer and leaves `k + 127` in the low bits. */
const SHIFTER = 12583039;
const CONSTANTS = [
  -20,
  Math.LOG2E,
  SHIFTER,
  -0.693359375, // ln 2, high part (exact in 9 bits)
  2.1219444e-4, // minus ln 2's low part
  ...EXP_POLY,
  1,
  2,
  ...ATANH_POLY,
  0,
];

/** The kernel's code; `fused`: with relaxed SIMD's multiply-add. */
function kernelBody(fused: boolean): Code {
  const { get, set } = op;
  const K = (v: number) => get(V128 + 3 + CONSTANTS.indexOf(v));
  const madd = fused ? f32x4.madd : (a: Code, b: Code, c: Code) => f32x4.add(f32x4.mul(a, b), c);
  const local = (u: number, k: number) => V128 + 3 + CONSTANTS.length + 6 * u + k;
  const [a, t, j, f, e, q] = [0, 1, 2, 3, 4, 5];
  const each = (
    step: (u: number, v: (k: number) => Code, s: (k: number, c: Code) => Code) => Code,
  ) =>
    Array.from(
      { length: VECTORS },
      (_, u) => step(u, (k) => get(local(u, k)), (k, c) => set(local(u, k), c)),
    ).flat();
  const row = (r: number, u: number) =>
    f32x4.load(r === 0 ? get(I32.wj) : op.add(get(I32.wj), get(I32.stride + r - 1)), 16 * u);
  const [x, y, rr] = [get(V128), get(V128 + 1), get(V128 + 2)];
  const units = [
    // a = x W_x + y W_y + r W_r + bias
    each((u, _, s) => s(a, madd(x, row(0, u), madd(y, row(1, u), madd(rr, row(2, u), row(3, u)))))),
    // t = -min(|a|, 20); e = exp(t) = 2^k exp(f), f = t - k ln 2
    each((_, v, s) => s(t, f32x4.pmax(f32x4.neg(f32x4.abs(v(a))), K(-20)))),
    each((_, v, s) => s(j, madd(v(t), K(Math.LOG2E), K(SHIFTER)))),
    each((_, v, s) => s(q, f32x4.sub(v(j), K(SHIFTER)))),
    each((_, v, s) => s(f, madd(v(q), K(2.1219444e-4), madd(v(q), K(-0.693359375), v(t))))),
    each((_, v, s) => s(e, madd(v(f), K(EXP_POLY[0]), K(EXP_POLY[1])))),
    ...EXP_POLY.slice(2).map((c) => each((_, v, s) => s(e, madd(v(e), v(f), K(c))))),
    each((_, v, s) => s(e, madd(v(e), f32x4.mul(v(f), v(f)), f32x4.add(v(f), K(1))))),
    each((_, v, s) => s(e, f32x4.mul(v(e), f32x4.shlBits(v(j), 23)))),
    // log(1 + e) = q P(q^2), q = e / (2 + e)
    each((_, v, s) => s(q, f32x4.div(v(e), f32x4.add(v(e), K(2))))),
    each((_, v, s) => s(f, f32x4.mul(v(q), v(q)))),
    each((_, v, s) => s(e, madd(v(f), K(ATANH_POLY[0]), K(ATANH_POLY[1])))),
    ...ATANH_POLY.slice(2).map((c) => each((_, v, s) => s(e, madd(v(e), v(f), K(c))))),
    each((u, v) => f32x4.store(get(ARGS.out), madd(v(e), v(q), f32x4.pmax(v(a), K(0))), 16 * u)),
    set(ARGS.out, op.add(get(ARGS.out), op.i32(16 * VECTORS))),
    set(I32.wj, op.add(get(I32.wj), op.i32(16 * VECTORS))),
    op.brIf(0, op.ltU(get(I32.wj), get(I32.end))),
  ];
  const pixels = [
    op.brIf(1, op.eqz(get(ARGS.n))),
    set(V128, f32x4.splat(op.f32Load(get(ARGS.coords), 0))),
    set(V128 + 1, f32x4.splat(op.f32Load(get(ARGS.coords), 4))),
    set(V128 + 2, f32x4.splat(op.f32Load(get(ARGS.coords), 8))),
    set(I32.wj, get(ARGS.weights)),
    set(I32.end, op.add(get(ARGS.weights), get(I32.stride))),
    op.loop(...units),
    set(ARGS.coords, op.add(get(ARGS.coords), op.i32(12))),
    set(ARGS.n, op.sub(get(ARGS.n), op.i32(1))),
    op.br(0),
  ];
  return [
    ...CONSTANTS.flatMap((c, i) => set(V128 + 3 + i, f32x4.constant(c))),
    ...[1, 2, 3].flatMap((m) => set(I32.stride + m - 1, op.mul(get(ARGS.width), op.i32(4 * m)))),
    ...op.block(op.loop(...pixels)),
  ];
}

/** The kernel module's bytes; `fused`: with relaxed SIMD's multiply-add. */
export function firstLayerModule(fused: boolean): Uint8Array<ArrayBuffer> {
  return wasmModule(1, [{
    name: "softplusLayer",
    params: 5,
    i32Locals: 5,
    v128Locals: 3 + CONSTANTS.length + 6 * VECTORS,
    body: kernelBody(fused),
  }]);
}

type Kernel = (coords: number, n: number, weights: number, width: number, out: number) => void;

/** The kernel, compiled once per thread: fused where relaxed SIMD validates, else plain SIMD. */
let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where this WebAssembly has no SIMD. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = [firstLayerModule(true), firstLayerModule(false)].find((b) =>
    WebAssembly.validate(b)
  );
  compiled = bytes ? new WebAssembly.Module(bytes) : null;
  return compiled;
}

/**
 * The first layer of one generator, on pixels written into its own
 * memory: {@linkcode coords} gives the place for `n` pixels' coordinates,
 * {@linkcode run} computes their activations.
 */
export class FirstLayer {
  readonly width: number;
  readonly #memory: WebAssembly.Memory;
  readonly #kernel: Kernel;
  /** Pixels the memory holds. */
  #capacity = 0;

  private constructor(instance: WebAssembly.Instance, wc: Float32Array, width: number) {
    this.width = width;
    this.#memory = instance.exports.memory as WebAssembly.Memory;
    this.#kernel = instance.exports.softplusLayer as Kernel;
    this.#floats(0, 3 * width).set(wc);
  }

  /**
   * The first layer of weights `wc` (`[3, width]`), or null where it
   * cannot run here (no WebAssembly SIMD, or a width that is not a
   * multiple of {@linkcode FIRST_LAYER_UNITS}).
   */
  static create(wc: Float32Array, width: number): FirstLayer | null {
    if (width % FIRST_LAYER_UNITS !== 0 || wc.length !== 3 * width) return null;
    const module = kernelModule();
    return module ? new FirstLayer(new WebAssembly.Instance(module), wc, width) : null;
  }

  /** Sets the image's bias, `[width]` (`b0 + z W_z`). */
  setBias(bias: Float32Array): void {
    this.#floats(3 * this.width, this.width).set(bias);
  }

  /** The place for `n` pixels' coordinates, `[n, 3]` (valid until the next call). */
  coords(n: number): Float32Array {
    this.#reserve(n);
    return this.#floats(this.#coordsAt() / 4, 3 * n);
  }

  /** The activations of the `n` pixels written into {@linkcode coords}, `[n, width]`. */
  run(n: number): Float32Array {
    this.#reserve(n);
    const out = this.#outAt();
    this.#kernel(this.#coordsAt(), n, 0, this.width, out);
    return this.#floats(out / 4, n * this.width);
  }

  #floats(at: number, length: number): Float32Array {
    return new Float32Array(this.#memory.buffer, at * 4, length);
  }

  /** Bytes: the weights and bias (4 x width floats), coordinates, then activations. */
  #coordsAt(): number {
    return 16 * this.width;
  }

  #outAt(): number {
    return this.#coordsAt() + Math.ceil(this.#capacity * 12 / 16) * 16;
  }

  /** Grows the memory to hold `n` pixels (moving nothing: coordinates are written after). */
  #reserve(n: number): void {
    if (n <= this.#capacity) return;
    const capacity = Math.max(n, 2 * this.#capacity);
    const bytes = 16 * this.width + Math.ceil(capacity * 12 / 16) * 16 + capacity * this.width * 4;
    const pages = Math.ceil(bytes / 65536) - this.#memory.buffer.byteLength / 65536;
    if (pages > 0) this.#memory.grow(pages);
    this.#capacity = capacity;
  }
}
