/**
 * Layers written for the CPU backends' fast paths, with the same values and
 * gradients as the reference ops (tests check both to 1e-5).
 *
 * - {@linkcode dense}: on wasm, a matMul with a transposed operand is about
 *   10x slower than a plain one, and TensorFlow.js's own dense gradient uses
 *   transposed operands. This one transposes explicitly, then multiplies.
 * - {@linkcode fastTanh}: `tanh` is about 5x slower than `sigmoid` on wasm,
 *   so it is computed as `2 * sigmoid(2x) - 1`.
 * - {@linkcode fastSoftplus}: wasm's `Softplus` is scalar; this one is
 *   built on the vectorised sigmoid.
 * - {@linkcode denseSigmoid}: `sigmoid(x w + b)` in one fused kernel; with
 *   the tanh identity folded into the weights (see `model/generator.ts`), every
 *   tanh layer of the CPPN becomes one such kernel.
 * - {@linkcode conv2dStride2}: wasm has no `Conv2DBackpropFilter` kernel and
 *   a slow `Conv2DBackpropInput`, so both gradients are rewritten as
 *   ordinary (fast) forward convolutions, each computed only when a
 *   gradient pass needs it.
 *
 * @module
 */
import { tf } from "../base/tf.ts";

type T2 = tf.Tensor2D;

const denseOp = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: T2, w: T2, b: tf.Tensor1D, save: any) => {
    save([x, w]);
    return {
      value: tf.fused.matMul({ a: x, b: w, bias: b }),
      gradFunc: (dy: T2, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [T2, T2];
        return [
          tf.matMul(dy, tf.transpose(ws)),
          tf.matMul(tf.transpose(xs), dy),
          tf.sum(dy, 0),
        ];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as (x: T2, w: T2, b: tf.Tensor1D) => T2;

const denseOnDataOp = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: T2, w: T2, b: tf.Tensor1D, save: any) => {
    save([x]);
    return {
      value: tf.fused.matMul({ a: x, b: w, bias: b }),
      gradFunc: (dy: T2, saved: tf.Tensor[]) => {
        const [xs] = saved as [T2];
        return [tf.zerosLike(xs), tf.matMul(tf.transpose(xs), dy), tf.sum(dy, 0)];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as (x: T2, w: T2, b: tf.Tensor1D) => T2;

/**
 * `x w + b` for an `x` that is data (the encoder's images): like
 * {@linkcode dense}, but the gradient with respect to `x` is left at zero
 * instead of computed (a transpose of `w` and a matMul saved per update).
 *
 * @param x Inputs that need no gradient, shape `[n, in]`.
 * @param w Weights, shape `[in, out]`.
 * @param b Bias, shape `[out]`.
 * @returns Shape `[n, out]`.
 */
export function denseOnData(x: T2, w: T2, b: tf.Tensor1D): T2 {
  return denseOnDataOp(x, w, b);
}

const denseSigmoidOp = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: T2, w: T2, b: tf.Tensor1D, save: any) => {
    const y = tf.fused.matMul({ a: x, b: w, bias: b, activation: "sigmoid" }) as T2;
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: T2, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [T2, T2, T2];
        const g = tf.mul(dy, tf.mul(ys, tf.sub(1, ys))) as T2;
        return [
          tf.matMul(g, tf.transpose(ws)),
          tf.matMul(tf.transpose(xs), g),
          tf.sum(g, 0),
        ];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as (x: T2, w: T2, b: tf.Tensor1D) => T2;

/**
 * `sigmoid(x w + b)` as one fused kernel, with a gradient made of plain
 * matMuls and `y (1 - y)`.
 *
 * @param x Shape `[n, in]`.
 * @param w Shape `[in, out]`.
 * @param b Shape `[out]`.
 * @returns Shape `[n, out]`, values in (0, 1).
 */
export function denseSigmoid(x: T2, w: T2, b: tf.Tensor1D): T2 {
  return denseSigmoidOp(x, w, b);
}

const matMulOp = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: T2, w: T2, save: any) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: T2, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [T2, T2];
        return [
          tf.matMul(dy, tf.transpose(ws)),
          tf.matMul(tf.transpose(xs), dy),
        ];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as (x: T2, w: T2) => T2;

/**
 * `x w + b` with a gradient made of plain (untransposed) matMuls.
 *
 * @param x Inputs, shape `[n, in]`.
 * @param w Weights, shape `[in, out]`.
 * @param b Bias, shape `[out]`; omit for no bias.
 * @returns Shape `[n, out]`.
 */
export function dense(x: T2, w: T2, b?: tf.Tensor1D): T2 {
  return b ? denseOp(x, w, b) : matMulOp(x, w);
}

const tanhOp = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: tf.Tensor, save: any) => {
    const y = tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sub(1, tf.square(saved[0]))),
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as <R extends tf.Rank>(x: tf.Tensor<R>) => tf.Tensor<R>;

/** `tanh(x)` computed as `2 * sigmoid(2x) - 1`; same shape as `x`. */
export function fastTanh<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
  return tanhOp(x);
}

const softplusOp = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: tf.Tensor, save: any) => {
    save([x]);
    return {
      // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|) = relu(x) - log(sigmoid(|x|)),
      // where sigmoid(|x|) is in [0.5, 1]: exact for every x, no overflow
      value: tf.sub(tf.relu(x), tf.log(tf.sigmoid(tf.abs(x)))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sigmoid(saved[0])),
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as <R extends tf.Rank>(x: tf.Tensor<R>) => tf.Tensor<R>;

/**
 * `softplus(x) = log(1 + e^x)` computed as `relu(x) - log(sigmoid(|x|))`,
 * with the gradient `sigmoid(x)`; same shape as `x`. The wasm backend's
 * `Softplus` calls scalar `exp` and `log1p` for every value: 33 ms for a
 * 16,384 x 128 band of a render, more than a hidden layer's matMul
 * (22 ms). Its sigmoid is vectorised, and this takes 16 ms.
 */
export function fastSoftplus<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
  return softplusOp(x);
}

/** The `[before, after]` padding TensorFlow's SAME mode uses on one axis. */
export function samePadding(
  size: number,
  kernel: number,
  stride: number,
): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The filter that computes a stride-2 convolution's input gradient as one
 * stride-1 convolution: for each output phase `(p, q)` (row and column
 * parity of the input pixel) the taps `W[2t + p, 2u + q]`, flipped.
 *
 * A pure permutation (with zeros past the kernel's edge), done in
 * JavaScript: TensorFlow.js's `reverse` and 6-d `transpose` took 20 ms on
 * the discriminator's last filter in the wasm backend, against well under
 * 1 ms here.
 *
 * @param f Shape `[k, k, cin, cout]`.
 * @returns Shape `[t, t, cout, 4 * cin]` with `t = ceil(k / 2)`, channels
 *   ordered `(p, q, c)`.
 */
function phaseFilter(f: tf.Tensor4D): tf.Tensor4D {
  const [k, , cin, cout] = f.shape;
  const t = Math.ceil(k / 2);
  const src = f.dataSync() as Float32Array;
  const out = new Float32Array(t * t * cout * 4 * cin);
  let i = 0;
  for (let a = 0; a < t; a++) {
    for (let b = 0; b < t; b++) {
      for (let o = 0; o < cout; o++) {
        for (let p = 0; p < 2; p++) {
          const row = 2 * (t - 1 - a) + p;
          for (let q = 0; q < 2; q++) {
            const col = 2 * (t - 1 - b) + q;
            if (row >= k || col >= k) {
              i += cin; // zero taps past the kernel's edge
              continue;
            }
            const base = (row * k + col) * cin * cout + o;
            for (let c = 0; c < cin; c++) out[i++] = src[base + c * cout];
          }
        }
      }
    }
  }
  return tf.tensor4d(out, [t, t, cout, 4 * cin]);
}

/**
 * Phase filters of recent filters, by the data of the filter a gradient
 * pass saved (on the wasm and cpu backends a saved tensor shares the
 * variable's data, see `base/backend.ts`; a variable's data changes on every
 * assignment): the weights only change between updates, so every gradient
 * pass but the first after a change reuses them, and the wasm backend
 * keeps its packed convolution for a filter it has seen. At most
 * `PHASE_CACHE_SIZE` are kept.
 */
const phaseCache = new Map<object, tf.Tensor4D>();
const PHASE_CACHE_SIZE = 8;

function cachedPhaseFilter(key: object, f: tf.Tensor4D): tf.Tensor4D {
  const hit = phaseCache.get(key);
  if (hit && !hit.isDisposed) {
    phaseCache.delete(key); // most recently used goes last
    phaseCache.set(key, hit);
    return hit;
  }
  const made = tf.keep(phaseFilter(f));
  phaseCache.set(key, made);
  while (phaseCache.size > PHASE_CACHE_SIZE) {
    const [oldest, tensor] = phaseCache.entries().next().value!;
    phaseCache.delete(oldest);
    tensor.dispose();
  }
  return made;
}

/** The kernel of {@linkcode conv2dStride2}: the backend's `Conv2D` with these attributes. */
const STRIDE2_KERNEL = "CppnConv2DStride2";
const STRIDE2_ATTRS = { strides: [2, 2], pad: "same", dataFormat: "NHWC", dilations: [1, 1] };

/** The input gradient of a stride-2 SAME convolution, as stride-1 convolutions. */
function stride2InputGrad(dy: tf.Tensor4D, x: tf.Tensor4D, f: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, cin] = x.shape;
  const [k] = f.shape;
  const [, oh, ow] = dy.shape;
  const [top, bottom] = samePadding(h, k, 2);
  const [left, right] = samePadding(w, k, 2);
  const hp = h + top + bottom, wp = w + left + right; // padded size
  // one stride-1 convolution per parity, interleaved
  const t = Math.ceil(k / 2);
  const uh = Math.ceil(hp / 2), uw = Math.ceil(wp / 2);
  const dyPad = tf.pad(dy, [[0, 0], [t - 1, uh - oh], [t - 1, uw - ow], [0, 0]]);
  const phases = tf.conv2d(dyPad, cachedPhaseFilter(f.dataId, f), 1, "valid");
  const dxPad = tf.reshape(
    tf.transpose(tf.reshape(phases, [b, uh, uw, 2, 2, cin]), [0, 1, 3, 2, 4, 5]),
    [b, 2 * uh, 2 * uw, cin],
  );
  return tf.slice(dxPad, [0, top, left, 0], [b, h, w, cin]) as tf.Tensor4D;
}

/** The filter gradient of a stride-2 SAME convolution: the images as the batch of a dilated one. */
function stride2FilterGrad(dy: tf.Tensor4D, x: tf.Tensor4D, f: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, cin] = x.shape;
  const [k] = f.shape;
  const [top, bottom] = samePadding(h, k, 2);
  const [left, right] = samePadding(w, k, 2);
  const xPad = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  const df = tf.conv2d(
    tf.transpose(xPad, [3, 1, 2, 0]),
    tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
    1,
    "valid",
    "NHWC",
    2,
  ); // [cin, hp - 2 (oh - 1), wp - 2 (ow - 1), cout]
  const dfk = tf.slice(df, [0, 0, 0, 0], [cin, k, k, df.shape[3]]);
  return tf.transpose(dfk, [1, 2, 0, 3]);
}

// A gradient config (unlike `tf.customGrad`) gives each input's gradient
// lazily: TensorFlow.js computes only those a gradient pass needs. The
// discriminator's filters need none when the generator trains, and the
// images none when the discriminator trains.
tf.registerGradient({
  kernelName: STRIDE2_KERNEL,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved) => {
    const [x, f] = saved as [tf.Tensor4D, tf.Tensor4D];
    return {
      x: () => stride2InputGrad(dy as tf.Tensor4D, x, f),
      filter: () => stride2FilterGrad(dy as tf.Tensor4D, x, f),
    };
  },
});

/** Registers the stride-2 kernel for the current backend (its own `Conv2D`). */
function ensureStride2Kernel(): void {
  const backend = tf.getBackend();
  if (tf.getKernel(STRIDE2_KERNEL, backend)) return;
  const conv = tf.getKernel("Conv2D", backend);
  if (!conv) throw new Error(`The ${backend} backend has no Conv2D kernel`);
  tf.registerKernel({
    kernelName: STRIDE2_KERNEL,
    backendName: backend,
    kernelFunc: (args) => conv.kernelFunc({ ...args, attrs: STRIDE2_ATTRS }),
  });
}

/**
 * A stride-2 SAME convolution whose gradients are ordinary forward
 * convolutions: the input gradient as one stride-1 convolution per output
 * parity (interleaved by a transpose), the filter gradient as a dilated
 * convolution with the images as its batch. The wasm backend has no
 * `Conv2DBackpropFilter` kernel and a slow `Conv2DBackpropInput`.
 *
 * @param x Shape `[b, h, w, cin]`.
 * @param filter Shape `[k, k, cin, cout]`.
 * @returns Shape `[b, ceil(h / 2), ceil(w / 2), cout]`.
 */
export function conv2dStride2(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
): tf.Tensor4D {
  ensureStride2Kernel();
  return tf.engine().runKernel(STRIDE2_KERNEL, { x, filter }) as tf.Tensor4D;
}
