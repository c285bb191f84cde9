/**
 * Sample-quality metrics for point clouds [N, D]: the energy distance
 * D^2 = 2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely & Rizzo 2013, eq. 2), a V-statistic that is
 * >= 0, zero for identical sets and zero in the limit iff the distributions are equal; and
 * per-noise-level score errors. Checked on hand-computed sets (test/diffusion/metrics.test.ts).
 */
import { checkNumber, ShapeError } from '../../core/errors.js';

function rows(name: string, x: Float32Array, dim: number): number {
  const n = x.length / dim;
  if (!Number.isInteger(n) || n === 0)
    throw new ShapeError(`${name} must be [N, ${dim}] with N >= 1, got ${x.length} values`);
  return n;
}

/** Mean of f(|a_i - b_k|^2) over all pairs of rows of a and b. */
function meanOverPairs(a: Float32Array, b: Float32Array, dim: number, f: (sqDist: number) => number): number {
  const na = a.length / dim;
  const nb = b.length / dim;
  let total = 0;
  for (let i = 0; i < na; i++) {
    for (let k = 0; k < nb; k++) {
      let sq = 0;
      for (let j = 0; j < dim; j++) sq += (a[i * dim + j] - b[k * dim + j]) ** 2;
      total += f(sq);
    }
  }
  return total / (na * nb);
}

/** Mean Euclidean distance between rows of a and rows of b. */
const meanDistance = (a: Float32Array, b: Float32Array, dim: number) => meanOverPairs(a, b, dim, Math.sqrt);

/** Energy distance D^2(X, Y) = 2 E|X-Y| - E|X-X'| - E|Y-Y'| (Szekely & Rizzo 2013, eq. 2), V-statistic. */
export function energyDistance(x: Float32Array, y: Float32Array, dim: number): number {
  rows('x', x, dim);
  rows('y', y, dim);
  return 2 * meanDistance(x, y, dim) - meanDistance(x, x, dim) - meanDistance(y, y, dim);
}

/** Mean squared error between two eps-scaled fields: mean over rows of |sigma (a - b)|^2. */
export function scaledFieldError(a: Float32Array, b: Float32Array, sigma: number, dim: number): number {
  const n = rows('a', a, dim);
  if (b.length !== a.length) throw new ShapeError(`fields must have equal lengths, got ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (sigma * (a[i] - b[i])) ** 2;
  return s / n;
}

/** Mean RBF kernel exp(-|a_i - b_k|^2 / (2 h^2)) over all row pairs. */
const meanKernel = (a: Float32Array, b: Float32Array, dim: number, h: number) =>
  meanOverPairs(a, b, dim, (sq) => Math.exp(-sq / (2 * h * h)));

/** MMD^2 with an RBF kernel of bandwidth h: E k(X,X') + E k(Y,Y') - 2 E k(X,Y) (Gretton et al. 2012, eq. 5), V-statistic. */
export function mmdRbf(x: Float32Array, y: Float32Array, dim: number, bandwidth: number): number {
  rows('x', x, dim);
  rows('y', y, dim);
  checkNumber('bandwidth', bandwidth, { min: 0, minExclusive: true });
  return meanKernel(x, x, dim, bandwidth) + meanKernel(y, y, dim, bandwidth) - 2 * meanKernel(x, y, dim, bandwidth);
}
