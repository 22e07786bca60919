/**
 * The Fréchet distance between two sets of feature vectors, each summarised
 * as a Gaussian (mean and covariance):
 *
 * ```
 * FD = |mu1 - mu2|² + tr(S1 + S2 - 2 (S1 S2)^(1/2))
 * ```
 *
 * `tr((S1 S2)^(1/2))` is computed as the sum of the square roots of the
 * eigenvalues of the symmetric matrix `S1^(1/2) S2 S1^(1/2)` (it has the
 * same eigenvalues as `S1 S2`), with both symmetric eigenproblems solved in
 * float64 (Householder tridiagonalisation and implicit QL) and tiny negative
 * eigenvalues (round-off of singular covariances) clamped to 0. Matrices are `Float64Array`s,
 * row-major `[n, n]`.
 *
 * @module
 */

/** A Gaussian summary of a set of vectors. */
export interface Gaussian {
  /** Dimensions. */
  dim: number;
  /** Vectors summarised. */
  count: number;
  /** Mean, `[dim]`. */
  mean: Float64Array;
  /** Covariance (unbiased, divided by `count - 1`), `[dim, dim]` row-major. */
  cov: Float64Array;
}

/**
 * Accumulates the mean and covariance of vectors added in chunks, so a
 * large set never has to be held in memory. Sums are taken about the first
 * chunk's mean (a shift that keeps float64 round-off small).
 */
export class MomentAccumulator {
  /** Dimensions. */
  readonly dim: number;
  #count = 0;
  #shift: Float64Array | null = null;
  readonly #sum: Float64Array;
  readonly #outer: Float64Array;

  constructor(dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`Invalid feature dimension ${dim}`);
    this.dim = dim;
    this.#sum = new Float64Array(dim);
    this.#outer = new Float64Array(dim * dim);
  }

  /** Vectors added so far. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds vectors.
   *
   * @param vectors `[n, dim]` flattened.
   */
  add(vectors: ArrayLike<number>): void {
    const d = this.dim;
    if (vectors.length % d !== 0) {
      throw new Error(`${vectors.length} values are not a whole number of ${d}-vectors`);
    }
    const n = vectors.length / d;
    if (n === 0) return;
    if (!this.#shift) {
      const shift = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) shift[j] += vectors[i * d + j];
      for (let j = 0; j < d; j++) shift[j] /= n;
      this.#shift = shift;
    }
    const shift = this.#shift, sum = this.#sum, outer = this.#outer;
    const row = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        row[j] = vectors[i * d + j] - shift[j];
        sum[j] += row[j];
      }
      // upper triangle only; mirrored in gaussian()
      for (let j = 0; j < d; j++) {
        const r = row[j];
        if (r === 0) continue;
        const base = j * d;
        for (let k = j; k < d; k++) outer[base + k] += r * row[k];
      }
    }
    this.#count += n;
  }

  /** The mean and unbiased covariance of everything added. */
  gaussian(): Gaussian {
    const d = this.dim, n = this.#count;
    if (n < 2) throw new Error(`A covariance needs at least 2 vectors, got ${n}`);
    const shift = this.#shift!;
    const mean = new Float64Array(d);
    const cov = new Float64Array(d * d);
    const centre = new Float64Array(d); // mean - shift
    for (let j = 0; j < d; j++) {
      centre[j] = this.#sum[j] / n;
      mean[j] = shift[j] + centre[j];
    }
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++) {
        const c = (this.#outer[j * d + k] - n * centre[j] * centre[k]) / (n - 1);
        cov[j * d + k] = c;
        cov[k * d + j] = c;
      }
    }
    return { dim: d, count: n, mean, cov };
  }
}

/**
 * The mean and unbiased covariance of a set of vectors.
 *
 * @param vectors `[n, dim]` flattened, `n >= 2`.
 */
export function gaussianOf(vectors: ArrayLike<number>, dim: number): Gaussian {
  const acc = new MomentAccumulator(dim);
  acc.add(vectors);
  return acc.gaussian();
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix: Householder reduction
 * to tridiagonal form, then the implicit QL method (the EISPACK routines
 * `tred2` and `tql2`, as in JAMA). O(n³), about 0.1 s for n = 256.
 *
 * @param matrix `[n, n]` row-major, symmetric (only read, not changed).
 * @returns `values` `[n]` in ascending order and `vectors` `[n, n]`
 *   row-major with eigenvector `i` in column `i`, so `matrix = V diag(values) Vᵀ`.
 * @throws {Error} if the QL iteration does not converge (not seen on
 *   finite symmetric input) or the matrix holds NaN or infinite values.
 */
export function symmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n) {
    throw new Error(`Expected a ${n}x${n} matrix, got ${matrix.length} values`);
  }
  const v = Float64Array.from(matrix);
  for (const x of v) {
    if (!Number.isFinite(x)) throw new Error("Cannot find the eigenvalues of a non-finite matrix");
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(v, d, e, n);
  diagonalize(v, d, e, n);
  // ascending order
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) vectors[r * n + c] = v[r * n + order[c]];
  }
  return { values, vectors };
}

/**
 * Householder reduction of the symmetric `v` (overwritten by the
 * orthogonal transformation) to a tridiagonal matrix with diagonal `d` and
 * sub-diagonal `e[1..n-1]` (EISPACK `tred2`).
 */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL iterations on the tridiagonal matrix (`d`, `e`) from
 * {@linkcode tridiagonalize}: `d` becomes the eigenvalues and `v` the
 * eigenvectors (EISPACK `tql2`).
 */
function diagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 100) {
          throw new Error("The eigenvalue iteration did not converge");
        }
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            const row = k * n;
            h = v[row + i + 1];
            v[row + i + 1] = s * v[row + i] + c * h;
            v[row + i] = c * v[row + i] - s * h;
          }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** `a b` for `[n, n]` row-major matrices. */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      const bk = k * n, oi = i * n;
      for (let j = 0; j < n; j++) out[oi + j] += aik * b[bk + j];
    }
  }
  return out;
}

/**
 * The symmetric square root of a positive semi-definite matrix
 * (eigenvalues below 0, from round-off, count as 0).
 *
 * @param matrix `[n, n]` row-major, symmetric.
 * @returns `[n, n]` row-major, `R` with `R R = matrix`.
 */
export function sqrtPsd(matrix: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(values[k], 0));
    if (root === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * root;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return out;
}

/**
 * `tr((S1 S2)^(1/2))` for two covariance matrices, as the sum of the square
 * roots of the eigenvalues of `S1^(1/2) S2 S1^(1/2)`.
 *
 * @param s1 `[n, n]` row-major, symmetric positive semi-definite.
 * @param s2 `[n, n]` row-major, symmetric positive semi-definite.
 */
export function traceSqrtProduct(
  s1: ArrayLike<number>,
  s2: ArrayLike<number>,
  n: number,
): number {
  const root = sqrtPsd(s1, n);
  const m = multiply(multiply(root, Float64Array.from(s2), n), root, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = (m[i * n + j] + m[j * n + i]) / 2;
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  }
  const { values } = symmetricEigen(m, n);
  let sum = 0;
  for (const value of values) sum += Math.sqrt(Math.max(value, 0));
  return sum;
}

/**
 * The Fréchet distance between two Gaussians:
 * `|mu1 - mu2|² + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))` (at least 0).
 */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  if (a.dim !== b.dim) {
    throw new Error(`Cannot compare ${a.dim}- and ${b.dim}-dimensional features`);
  }
  const n = a.dim;
  let fd = 0;
  for (let i = 0; i < n; i++) {
    const d = a.mean[i] - b.mean[i];
    fd += d * d + a.cov[i * n + i] + b.cov[i * n + i];
  }
  fd -= 2 * traceSqrtProduct(a.cov, b.cov, n);
  return Math.max(fd, 0);
}
