import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  frechetDistance,
  type Gaussian,
  gaussianOf,
  MomentAccumulator,
  sqrtPsd,
  symmetricEigen,
  traceSqrtProduct,
} from "../../lib/eval/frechet.ts";
import { Rng } from "../../lib/base/rng.ts";

/** A random orthogonal `[n, n]` matrix (Gram-Schmidt of Gaussian columns). */
function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = Float64Array.from(rng.normal(n * n));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
      for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  return q;
}

/** `Q diag(d) Qᵀ`. */
function rotated(q: Float64Array, d: number[]): Float64Array {
  const n = d.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * d[k] * q[j * n + k];
      out[i * n + j] = s;
    }
  }
  return out;
}

function gaussian(mean: number[], cov: ArrayLike<number>): Gaussian {
  return {
    dim: mean.length,
    count: 0,
    mean: Float64Array.from(mean),
    cov: Float64Array.from(cov),
  };
}

/** Closed form for diagonal covariances: `|mu1-mu2|² + sum (sqrt a - sqrt b)²`. */
function diagonalFd(mu1: number[], a: number[], mu2: number[], b: number[]): number {
  let fd = 0;
  for (let i = 0; i < a.length; i++) {
    fd += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
  }
  return fd;
}

Deno.test("symmetricEigen: recovers the eigenvalues and vectors of Q diag(d) Qᵀ", () => {
  const n = 12;
  const rng = new Rng(3, "eig");
  const q = randomOrthogonal(n, rng);
  const d = Array.from({ length: n }, (_, i) => (i - 3) * 0.75); // includes 0 and negatives
  const { values, vectors } = symmetricEigen(rotated(q, d), n);
  d.forEach((value, i) => assertAlmostEquals(values[i], value, 1e-12)); // ascending
  // A v = lambda v for every returned pair
  const a = rotated(q, d);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + k];
      assertAlmostEquals(av, values[k] * vectors[i * n + k], 1e-10);
    }
  }
});

Deno.test("sqrtPsd: squares back to the matrix; negative round-off counts as 0", () => {
  const n = 6;
  const q = randomOrthogonal(n, new Rng(4, "sqrt"));
  const a = rotated(q, [4, 1, 0.25, 9, 0, -1e-14]);
  const r = sqrtPsd(a, n);
  const expected = rotated(q, [4, 1, 0.25, 9, 0, 0]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rr = 0;
      for (let k = 0; k < n; k++) rr += r[i * n + k] * r[k * n + j];
      assertAlmostEquals(rr, expected[i * n + j], 1e-10);
    }
  }
});

Deno.test("traceSqrtProduct: the 2x2 closed form for non-commuting matrices", () => {
  // For 2x2 S1 S2 with eigenvalues l1, l2 >= 0:
  // tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
  const s1 = [2, 0.7, 0.7, 1];
  const s2 = [0.5, -0.3, -0.3, 3];
  const trProduct = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
  const det = (m: number[]) => m[0] * m[3] - m[1] * m[2];
  const exact = Math.sqrt(trProduct + 2 * Math.sqrt(det(s1) * det(s2)));
  assertAlmostEquals(traceSqrtProduct(s1, s2, 2), exact, 1e-12);
  const fd = frechetDistance(gaussian([1, 2], s1), gaussian([0, 0], s2));
  assertAlmostEquals(fd, 1 + 4 + 3 + 3.5 - 2 * exact, 1e-12);
});

Deno.test("frechetDistance: exact for 128-d and 256-d rotated (non-diagonal) covariances", () => {
  for (const n of [128, 256]) {
    const rng = new Rng(5, `fd${n}`);
    const q = randomOrthogonal(n, rng);
    const a = Array.from({ length: n }, () => rng.uniform() * 4);
    const b = Array.from({ length: n }, () => rng.uniform() * 2);
    a[0] = 0; // a singular covariance
    const mu1 = Array.from(rng.normal(n));
    const mu2 = Array.from(rng.normal(n));
    // the same rotation of both keeps the value of the diagonal case
    const rotate = (mu: number[]) =>
      Array.from({ length: n }, (_, i) => mu.reduce((s, m, k) => s + q[i * n + k] * m, 0));
    const fd = frechetDistance(
      gaussian(rotate(mu1), rotated(q, a)),
      gaussian(rotate(mu2), rotated(q, b)),
    );
    const exact = diagonalFd(mu1, a, mu2, b);
    assertAlmostEquals(fd, exact, 1e-8 * exact);
  }
});

Deno.test("frechetDistance: 0 for identical Gaussians, and symmetric", () => {
  const s = [3, 1, 0, 1, 2, 0.5, 0, 0.5, 1];
  const a = gaussian([1, 2, 3], s);
  const self = frechetDistance(a, a);
  assert(self >= 0 && self < 1e-12, `FD(a, a) = ${self}`);
  const b = gaussian([0, 1, 0], [1, 0, 0, 0, 4, 0, 0, 0, 0.5]);
  assertAlmostEquals(frechetDistance(a, b), frechetDistance(b, a), 1e-12);
  assertThrows(
    () => frechetDistance(a, gaussian([0, 0], [1, 0, 0, 1])),
    Error,
    "3- and 2-dimensional",
  );
});

Deno.test("frechetDistance: large samples of two Gaussians approach the closed form", () => {
  const rng = new Rng(6, "samples");
  const n = 40000, d = 4;
  const mu1 = [0, 1, -1, 0.5], sd1 = [1, 2, 0.5, 1];
  const mu2 = [0.5, 1, -1, -0.5], sd2 = [1, 1, 1, 3];
  const draw = (mu: number[], sd: number[]) => {
    const z = rng.normal(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) z[i * d + j] = mu[j] + sd[j] * z[i * d + j];
    }
    return z;
  };
  const x1 = draw(mu1, sd1), x2 = draw(mu2, sd2);
  // streamed in uneven chunks: the same as all at once
  const acc = new MomentAccumulator(d);
  for (const [s, e] of [[0, 3], [3, 1000], [1000, n]]) acc.add(x1.subarray(s * d, e * d));
  const g1 = acc.gaussian(), all = gaussianOf(x1, d);
  assertEquals(g1.count, n);
  for (let i = 0; i < d * d; i++) assertAlmostEquals(g1.cov[i], all.cov[i], 1e-9);
  for (let j = 0; j < d; j++) assertAlmostEquals(g1.mean[j], mu1[j], 0.03);
  const fd = frechetDistance(g1, gaussianOf(x2, d));
  const exact = diagonalFd(mu1, sd1.map((s) => s * s), mu2, sd2.map((s) => s * s));
  assertAlmostEquals(exact, 0.25 + 1 + 1 + 0.25 + 4, 1e-12);
  assertAlmostEquals(fd, exact, 0.05 * exact);
  // two samples of the same Gaussian are close to 0
  assert(frechetDistance(gaussianOf(draw(mu1, sd1), d), g1) < 0.01);
});

Deno.test("MomentAccumulator: known mean and unbiased covariance; errors", () => {
  const g = gaussianOf([1, 2, 3, 6, 5, 10], 2); // (1,2), (3,6), (5,10)
  assertEquals(Array.from(g.mean), [3, 6]);
  assertEquals(Array.from(g.cov), [4, 8, 8, 16]);
  assertThrows(() => gaussianOf([1, 2], 2), Error, "at least 2 vectors");
  assertThrows(
    () => new MomentAccumulator(3).add([1, 2]),
    Error,
    "not a whole number of 3-vectors",
  );
});
