/**
 * Naive Float64 references for the nn layers, written from the formulas with plain loops (no
 * engine), plus a central finite-difference gradient. Used by test/nn and bench/engine.
 * Row-major arrays; shape letters as in src/nn/index.ts.
 */

/** erf by its Maclaurin series (|x| < 3, error < 1e-12) and ±1 beyond 6; fine for tests. */
export function erf64(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export const gelu64 = (x: number) => 0.5 * x * (1 + erf64(x / Math.SQRT2));

/** y [N, out] = x [N, in] · w [in, out] + b [out]. */
export function linear64(x: Float64Array, w: Float64Array, b: Float64Array | null, n: number, inDim: number) {
  const outDim = w.length / inDim;
  const y = new Float64Array(n * outDim);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outDim; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[i * outDim + o];
      y[r * outDim + o] = s;
    }
  }
  return y;
}

/** LayerNorm over rows of length d (biased variance). */
export function layerNorm64(x: Float64Array, gamma: Float64Array, beta: Float64Array, eps = 1e-5) {
  const d = gamma.length;
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += d) {
    let mu = 0;
    for (let j = 0; j < d; j++) mu += x[r + j] / d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[r + j] - mu) ** 2 / d;
    for (let j = 0; j < d; j++) y[r + j] = ((x[r + j] - mu) / Math.sqrt(v + eps)) * gamma[j] + beta[j];
  }
  return y;
}

/** RMSNorm over rows of length d. */
export function rmsNorm64(x: Float64Array, gamma: Float64Array, eps = 1e-6) {
  const d = gamma.length;
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += d) {
    let ms = 0;
    for (let j = 0; j < d; j++) ms += x[r + j] ** 2 / d;
    for (let j = 0; j < d; j++) y[r + j] = (x[r + j] / Math.sqrt(ms + eps)) * gamma[j];
  }
  return y;
}

/** MLP with GELU between layers: layers = [{w, b}], x [N, d0]. */
export function mlp64(layers: { w: Float64Array; b: Float64Array }[], x: Float64Array, n: number) {
  let h = x;
  let inDim = x.length / n;
  layers.forEach((l, i) => {
    h = linear64(h, l.w, l.b, n, inDim);
    inDim = l.b.length;
    if (i < layers.length - 1) h = h.map(gelu64);
  });
  return h;
}

/** Rotates pairs (2i, 2i+1) of the last axis of [B, H, T, Dh] by angle t · base^(−2i/Dh). */
export function rope64(x: Float64Array, b: number, h: number, t: number, dh: number, base = 10000) {
  const y = new Float64Array(x.length);
  for (let bh = 0; bh < b * h; bh++) {
    for (let pos = 0; pos < t; pos++) {
      const o = (bh * t + pos) * dh;
      for (let i = 0; i < dh / 2; i++) {
        const a = pos * base ** ((-2 * i) / dh);
        const [x0, x1] = [x[o + 2 * i], x[o + 2 * i + 1]];
        y[o + 2 * i] = x0 * Math.cos(a) - x1 * Math.sin(a);
        y[o + 2 * i + 1] = x0 * Math.sin(a) + x1 * Math.cos(a);
      }
    }
  }
  return y;
}

export interface Attn64 {
  wq: Float64Array;
  bq: Float64Array;
  wk: Float64Array;
  bk: Float64Array;
  wv: Float64Array;
  bv: Float64Array;
  wo: Float64Array;
  bo: Float64Array;
}

/** Multi-head attention by loops: x [B, T, D], context [B, S, Dc] (or x), keep-mask [T, S] optional. */
export function attention64(
  p: Attn64,
  x: Float64Array,
  dims: { b: number; t: number; d: number; heads: number; s?: number; dc?: number },
  opts: { causal?: boolean; context?: Float64Array; mask?: Float64Array; rope?: boolean } = {},
) {
  const { b, t, d, heads } = dims;
  const s = dims.s ?? t;
  const dc = dims.dc ?? d;
  const dh = d / heads;
  const src = opts.context ?? x;
  const q = linear64(x, p.wq, p.bq, b * t, d);
  const k = linear64(src, p.wk, p.bk, b * s, dc);
  const v = linear64(src, p.wv, p.bv, b * s, dc);
  // to [B, H, T, Dh]
  const toHeads = (a: Float64Array, len: number) => {
    const out = new Float64Array(a.length);
    for (let bi = 0; bi < b; bi++)
      for (let pos = 0; pos < len; pos++)
        for (let hi = 0; hi < heads; hi++)
          for (let j = 0; j < dh; j++)
            out[((bi * heads + hi) * len + pos) * dh + j] = a[(bi * len + pos) * d + hi * dh + j];
    return out;
  };
  let qh = toHeads(q, t);
  let kh = toHeads(k, s);
  const vh = toHeads(v, s);
  if (opts.rope) {
    qh = rope64(qh, b, heads, t, dh);
    kh = rope64(kh, b, heads, s, dh);
  }
  const merged = new Float64Array(b * t * d);
  for (let bi = 0; bi < b; bi++)
    for (let hi = 0; hi < heads; hi++)
      for (let i = 0; i < t; i++) {
        const scores = new Float64Array(s);
        for (let j = 0; j < s; j++) {
          let dotp = 0;
          for (let e = 0; e < dh; e++)
            dotp += qh[((bi * heads + hi) * t + i) * dh + e] * kh[((bi * heads + hi) * s + j) * dh + e];
          const masked = (opts.causal && j > i) || (opts.mask && opts.mask[i * s + j] === 0);
          scores[j] = masked ? -Infinity : dotp / Math.sqrt(dh);
        }
        const m = Math.max(...scores);
        let z = 0;
        for (let j = 0; j < s; j++) z += Math.exp(scores[j] - m);
        for (let e = 0; e < dh; e++) {
          let acc = 0;
          for (let j = 0; j < s; j++) acc += (Math.exp(scores[j] - m) / z) * vh[((bi * heads + hi) * s + j) * dh + e];
          merged[(bi * t + i) * d + hi * dh + e] = acc;
        }
      }
  return linear64(merged, p.wo, p.bo, b * t, d);
}

/** Central differences of f at every entry of each array in `params` (mutated and restored). */
export function finiteDiffGrads(f: () => number, params: Float64Array[], h = 1e-6): Float64Array[] {
  return params.map((arr) => {
    const g = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const x0 = arr[i];
      arr[i] = x0 + h;
      const fp = f();
      arr[i] = x0 - h;
      const fm = f();
      arr[i] = x0;
      g[i] = (fp - fm) / (2 * h);
    }
    return g;
  });
}

/** max |a − b| / max |b| over all arrays (relative to the largest reference gradient entry). */
export function maxRelError(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let num = 0;
  let den = 0;
  a.forEach((ai, k) => {
    for (let i = 0; i < ai.length; i++) {
      num = Math.max(num, Math.abs(ai[i] - b[k][i]));
      den = Math.max(den, Math.abs(b[k][i]));
    }
  });
  return num / den;
}

/** Σ y_i r_i: a scalar loss with non-trivial gradient. */
export const weightedSum = (y: ArrayLike<number>, r: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * r[i];
  return s;
};
