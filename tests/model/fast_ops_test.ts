import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/base/tf.ts";
import {
  conv2dStride2,
  dense,
  denseOnData,
  fastSoftplus,
  fastTanh,
  samePadding,
} from "../../lib/model/fast_ops.ts";
import { Rng } from "../../lib/base/rng.ts";
import { useWasm } from "../_helpers.ts";

await useWasm();

function randn(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Rng(seed).normal(n), shape);
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  assertEquals(a.shape, b.shape);
  const [x, y] = [await a.data(), await b.data()];
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

Deno.test("dense: value and gradients equal matMul + add within 1e-5", async () => {
  const x = randn([7, 5], 1), w = randn([5, 3], 2), b = randn([3], 3), dy = randn([7, 3], 4);
  const f = (fn: (...t: tf.Tensor[]) => tf.Tensor) => (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(fn(x, w, b), dy));
  const fast = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
  const ref = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x, w), b);
  assert(await maxDiff(fast(x, w, b), ref(x, w, b)) < 1e-5);
  const gFast = tf.grads(f(fast))([x, w, b]);
  const gRef = tf.grads(f(ref))([x, w, b]);
  for (let i = 0; i < 3; i++) assert(await maxDiff(gFast[i], gRef[i]) < 1e-5);
  // without bias
  const gNoBias = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
    tf.sum(tf.mul(dense(x as tf.Tensor2D, w as tf.Tensor2D), dy))
  )([x, w]);
  const gRefNoBias = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, w), dy)))(
    [x, w],
  );
  assert(await maxDiff(gNoBias[1], gRefNoBias[1]) < 1e-5);
});

Deno.test("denseOnData: dense's value and weight gradients, and no input gradient", async () => {
  const x = randn([7, 5], 1), w = randn([5, 3], 2), b = randn([3], 3), dy = randn([7, 3], 4);
  const loss = (fn: typeof denseOnData) => (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(fn(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), dy));
  assert(
    await maxDiff(
      denseOnData(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
      dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
    ) < 1e-6,
  );
  const [dx, dw, db] = tf.grads(loss(denseOnData))([x, w, b]);
  const [, dwRef, dbRef] = tf.grads(loss(dense))([x, w, b]);
  assert(await maxDiff(dw, dwRef) < 1e-6);
  assert(await maxDiff(db, dbRef) < 1e-6);
  assertEquals(Array.from(await dx.data()), new Array(35).fill(0));
});

Deno.test("fastTanh: value and gradient equal tanh within 1e-5", async () => {
  const x = tf.mul(randn([1000], 5), 3);
  assert(await maxDiff(fastTanh(x), tf.tanh(x)) < 1e-5);
  const gFast = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fastTanh(x), x)))(x);
  const gRef = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tanh(x), x)))(x);
  assert(await maxDiff(gFast, gRef) < 1e-5);
  assertEquals(await fastTanh(tf.tensor([0, 100, -100])).data(), new Float32Array([0, 1, -1]));
});

Deno.test("samePadding: TensorFlow's SAME split", () => {
  assertEquals(samePadding(26, 5, 2), [1, 2]);
  assertEquals(samePadding(13, 5, 2), [2, 2]);
  assertEquals(samePadding(7, 5, 2), [2, 2]);
});

Deno.test("conv2dStride2: value and both gradients equal tf.conv2d's (cpu) within 1e-5 (relative)", async () => {
  for (const [b, h, w, cin, cout] of [[2, 9, 9, 3, 2], [3, 10, 7, 2, 4], [2, 26, 26, 1, 3]]) {
    const x = randn([b, h, w, cin], 6), f = randn([5, 5, cin, cout], 7);
    const dy = randn([b, Math.ceil(h / 2), Math.ceil(w / 2), cout], 8);
    const loss =
      (op: (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor) => (x: tf.Tensor, f: tf.Tensor) =>
        tf.sum(tf.mul(op(x as tf.Tensor4D, f as tf.Tensor4D), dy));
    const fastValue = conv2dStride2(x as tf.Tensor4D, f as tf.Tensor4D);
    const fastGrads = tf.grads(loss(conv2dStride2))([x, f]);
    const fastData = await Promise.all([fastValue, ...fastGrads].map((t) => t.data()));
    // reference on the cpu backend, which has every conv gradient kernel
    await tf.setBackend("cpu");
    try {
      const [xc, fc, dyc] = [x, f, dy].map((t) => tf.tensor(t.dataSync(), t.shape));
      const ref = (x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, 2, "same");
      const refValue = ref(xc as tf.Tensor4D, fc as tf.Tensor4D);
      const refGrads = tf.grads((x: tf.Tensor, f: tf.Tensor) =>
        tf.sum(tf.mul(ref(x as tf.Tensor4D, f as tf.Tensor4D), dyc))
      )([xc, fc]);
      const refData = await Promise.all([refValue, ...refGrads].map((t) => t.data()));
      for (let k = 0; k < 3; k++) {
        assertEquals(fastData[k].length, refData[k].length);
        let m = 0;
        for (let i = 0; i < refData[k].length; i++) {
          const scale = Math.max(1, Math.abs(refData[k][i]));
          m = Math.max(m, Math.abs(fastData[k][i] - refData[k][i]) / scale);
        }
        assert(m < 1e-5, `output ${k} of ${[b, h, w, cin, cout]} differs by ${m}`);
      }
    } finally {
      await tf.setBackend("wasm");
    }
  }
});

Deno.test("conv2dStride2: the input gradient follows a filter variable's new values (no stale cache)", async () => {
  const x = randn([2, 7, 7, 3], 9), dy = randn([2, 4, 4, 4], 10);
  const f = tf.variable(randn([5, 5, 3, 4], 11));
  const inputGrad = (filter: tf.Tensor) =>
    tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(conv2dStride2(x as tf.Tensor4D, filter as tf.Tensor4D), dy))
    )(x);
  const before = inputGrad(f);
  assertEquals(await maxDiff(inputGrad(f), before), 0, "a repeated pass gives the same gradient");
  const next = randn([5, 5, 3, 4], 12);
  f.assign(next);
  const after = inputGrad(f);
  assert(await maxDiff(after, before) > 1e-3, "the gradient changed with the filter");
  assert(await maxDiff(after, inputGrad(tf.clone(next))) < 1e-6, "and equals a fresh filter's");
  tf.dispose([x, dy, f, before, next, after]);
});

Deno.test("conv2dStride2: a gradient pass computes only the gradients it asks for", async () => {
  const x = randn([2, 9, 9, 3], 13), f = randn([5, 5, 3, 4], 14);
  const loss = (x: tf.Tensor, f: tf.Tensor) =>
    tf.sum(conv2dStride2(x as tf.Tensor4D, f as tf.Tensor4D));
  const convs = async (wrt: "x" | "f" | "both") => {
    const info = await tf.profile(() => {
      if (wrt === "x") return tf.grad((x: tf.Tensor) => loss(x, f))(x);
      if (wrt === "f") return tf.grad((f: tf.Tensor) => loss(x, f))(f);
      return tf.grads(loss)([x, f]);
    });
    return info.kernels.filter((k) => k.name === "Conv2D").length; // backward convolutions
  };
  assertEquals(await convs("x"), 1); // the input gradient's stride-1 convolution
  assertEquals(await convs("f"), 1); // the filter gradient's dilated convolution
  assertEquals(await convs("both"), 2);
  tf.dispose([x, f]);
});

Deno.test("fastSoftplus: value and gradient equal softplus within 1e-6, from -100 to 100", async () => {
  const x = tf.concat([tf.linspace(-100, 100, 2001), randn([500], 15)]);
  const [fast, ref] = [fastSoftplus, tf.softplus].map((f) => f(x));
  assert(await maxDiff(fast, ref) < 1e-6);
  const [fastGrad, refGrad] = [fastSoftplus, tf.softplus].map((f) =>
    tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), x)))(x)
  );
  assert(await maxDiff(fastGrad, refGrad) < 1e-5);
  assertEquals(Array.from(await fastSoftplus(tf.tensor1d([0, 200, -200])).data()), [
    Math.fround(Math.LN2),
    200,
    0,
  ]);
  tf.dispose([x, fast, ref, fastGrad, refGrad]);
});
