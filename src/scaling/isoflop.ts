/**
 * Approach 2 of Hoffmann et al. (2022, Section 3.2): group runs by compute (iso-FLOP buckets), fit a
 * parabola of loss against log N in each bucket, take its vertex as N_opt(C), then fit the power laws
 * N_opt ~ C^a and D_opt ~ C^b by least squares in log space. Runs that were not laid out as iso-FLOP
 * profiles (like the Figure 4 extraction) are bucketed by width in log10 C; a bucket is used only when
 * its parabola opens upward with the vertex inside the bucket's N range. Checked in
 * test/scaling/isoflop.test.ts on exact iso-FLOP profiles of a known law.
 */
import { checkNumber } from '../core/errors.js';

export interface IsoFlopConfig {
  /** Bucket width in decades of compute. Default 0.2, range (0, 10]. */
  bucketWidth: number;
  /** Fewest runs per bucket. Default 5, range [3, inf). */
  minRuns: number;
}

export const ISOFLOP_DEFAULTS: IsoFlopConfig = { bucketWidth: 0.2, minRuns: 5 };

export interface IsoFlopBucket {
  /** Geometric mean compute of the bucket's runs. */
  flops: number;
  runs: number;
  /** Parabola loss = c0 + c1 x + c2 x^2 in x = ln N (x centred on the bucket mean `x0`). */
  coefficients: [number, number, number];
  x0: number;
  /** Vertex: N_opt, D_opt = C / (6 N_opt) and the loss there; null when the bucket is rejected. */
  optimum: { params: number; tokens: number; loss: number } | null;
  /** Why a bucket was rejected (null when used). */
  rejected: string | null;
}

export interface IsoFlopFit {
  buckets: IsoFlopBucket[];
  /** N_opt = kN C^a and D_opt = kD C^b (null with fewer than 2 used buckets). */
  paramsExponent: number | null;
  tokensExponent: number | null;
  paramsCoefficient: number | null;
  tokensCoefficient: number | null;
}

/** Least-squares line y = c + s x. */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): { intercept: number; slope: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** Least-squares parabola y = c0 + c1 x + c2 x^2 (normal equations, 3x3 solved by Cramer's rule). */
export function fitParabola(x: ArrayLike<number>, y: ArrayLike<number>): [number, number, number] {
  const s = [0, 0, 0, 0, 0];
  const t = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    let p = 1;
    for (let k = 0; k < 5; k++) {
      s[k] += p;
      if (k < 3) t[k] += p * y[i];
      p *= x[i];
    }
  }
  const m = [
    [s[0], s[1], s[2]],
    [s[1], s[2], s[3]],
    [s[2], s[3], s[4]],
  ];
  const det3 = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det3(m);
  const solve = (col: number) => det3(m.map((row, i) => row.map((v, j) => (j === col ? t[i] : v)))) / d;
  return [solve(0), solve(1), solve(2)];
}

/** One bucket: parabola in centred ln N and its vertex, or the reason it cannot be used. */
function fitBucket(params: number[], loss: number[], flops: number[]): IsoFlopBucket {
  const x = params.map(Math.log);
  const x0 = x.reduce((s, v) => s + v, 0) / x.length;
  const xc = x.map((v) => v - x0);
  const c = fitParabola(xc, loss);
  const geo = Math.exp(flops.reduce((s, v) => s + Math.log(v), 0) / flops.length);
  const bucket = { flops: geo, runs: params.length, coefficients: c, x0, optimum: null, rejected: null };
  const distinct = new Set(params.map((p) => p.toPrecision(3))).size;
  if (distinct < 3) return { ...bucket, rejected: `only ${distinct} distinct model sizes` };
  if (!(c[2] > 0)) return { ...bucket, rejected: 'parabola opens downward (no minimum)' };
  const xv = -c[1] / (2 * c[2]);
  if (xv < Math.min(...xc) || xv > Math.max(...xc)) return { ...bucket, rejected: 'vertex outside the sizes tried' };
  const n = Math.exp(x0 + xv);
  return { ...bucket, optimum: { params: n, tokens: geo / (6 * n), loss: c[0] + c[1] * xv + c[2] * xv * xv } };
}

/** Approach 2 over runs with compute `flops` (see the module header). */
export function fitIsoFlop(
  runs: { params: ArrayLike<number>; flops: ArrayLike<number>; loss: ArrayLike<number> },
  config: Partial<IsoFlopConfig> = {},
): IsoFlopFit {
  const cfg = { ...ISOFLOP_DEFAULTS, ...config };
  checkNumber('bucketWidth', cfg.bucketWidth, { min: 0, max: 10, minExclusive: true });
  checkNumber('minRuns', cfg.minRuns, { min: 3, integer: true });
  const groups = new Map<number, number[]>();
  for (let i = 0; i < runs.params.length; i++) {
    const key = Math.round(Math.log10(runs.flops[i]) / cfg.bucketWidth);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const buckets: IsoFlopBucket[] = [];
  for (const key of [...groups.keys()].sort((p, q) => p - q)) {
    const idx = groups.get(key) as number[];
    if (idx.length < cfg.minRuns) continue;
    const pick = (a: ArrayLike<number>) => idx.map((i) => a[i]);
    buckets.push(fitBucket(pick(runs.params), pick(runs.loss), pick(runs.flops)));
  }
  const used = buckets.filter((b) => b.optimum !== null);
  if (used.length < 2) {
    return { buckets, paramsExponent: null, tokensExponent: null, paramsCoefficient: null, tokensCoefficient: null };
  }
  const logC = used.map((b) => Math.log(b.flops));
  const nLine = fitLine(
    logC,
    used.map((b) => Math.log(b.optimum?.params as number)),
  );
  const dLine = fitLine(
    logC,
    used.map((b) => Math.log(b.optimum?.tokens as number)),
  );
  return {
    buckets,
    paramsExponent: nLine.slope,
    tokensExponent: dLine.slope,
    paramsCoefficient: Math.exp(nLine.intercept),
    tokensCoefficient: Math.exp(dLine.intercept),
  };
}
