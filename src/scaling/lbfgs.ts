/**
 * L-BFGS for smooth unconstrained minimisation with an analytic gradient: the two-loop recursion
 * (Nocedal & Wright 2006, Algorithm 7.4) with the scaled initial Hessian s'y / y'y (eq. 7.20) and a
 * line search satisfying the strong Wolfe conditions (Algorithms 3.5-3.6, cubic interpolation).
 * Stopping rules mirror SciPy's L-BFGS-B (projected-gradient inf-norm, relative decrease of f).
 * Checked in test/scaling/lbfgs.test.ts on Rosenbrock and quadratics with known minima.
 */
import { checkNumber } from '../core/errors.js';

/** Objective: writes the gradient at x into `grad` and returns f(x). */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Number of (s, y) pairs kept. Default 10, range [1, 100]. */
  memory: number;
  /** Iteration limit. Default 15000 (SciPy's maxiter). */
  maxIterations: number;
  /** Stop when max_i |g_i| <= gtol. Default 1e-5 (SciPy's pgtol). */
  gtol: number;
  /** Stop when (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol. Default 2.22e-9 (SciPy's factr 1e7 x eps). */
  ftol: number;
  /** Sufficient-decrease constant of the Wolfe conditions. Default 1e-4. */
  c1: number;
  /** Curvature constant of the strong Wolfe conditions. Default 0.9. */
  c2: number;
  /** Function evaluations allowed per line search. Default 30. */
  maxLineSearch: number;
}

export const LBFGS_DEFAULTS: LbfgsOptions = {
  memory: 10,
  maxIterations: 15000,
  gtol: 1e-5,
  ftol: 2.220446049250313e-9,
  c1: 1e-4,
  c2: 0.9,
  maxLineSearch: 30,
};

export type LbfgsStop = 'gtol' | 'ftol' | 'maxIterations' | 'lineSearch' | 'nonFinite';

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** Gradient at x. */
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  /** True when a gradient or decrease test stopped the run. */
  converged: boolean;
  reason: LbfgsStop;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function infNorm(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Two-loop recursion (N&W Algorithm 7.4): d = -H g from the last `count` pairs, newest at index `head - 1`. */
function twoLoop(g: Float64Array, mem: Memory, d: Float64Array): void {
  const { s, y, rho, alpha, count, head } = mem;
  const m = s.length;
  d.set(g);
  for (let j = 0; j < count; j++) {
    const i = (head - 1 - j + m) % m;
    alpha[i] = rho[i] * dot(s[i], d);
    for (let k = 0; k < d.length; k++) d[k] -= alpha[i] * y[i][k];
  }
  if (count > 0) {
    const i = (head - 1 + m) % m;
    const gamma = dot(s[i], y[i]) / dot(y[i], y[i]);
    for (let k = 0; k < d.length; k++) d[k] *= gamma;
  }
  for (let j = count - 1; j >= 0; j--) {
    const i = (head - 1 - j + m) % m;
    const b = rho[i] * dot(y[i], d);
    for (let k = 0; k < d.length; k++) d[k] += s[i][k] * (alpha[i] - b);
  }
  for (let k = 0; k < d.length; k++) d[k] = -d[k];
}

interface Memory {
  s: Float64Array[];
  y: Float64Array[];
  rho: Float64Array;
  alpha: Float64Array;
  count: number;
  head: number;
}

/** A trial step t of the line search with f(x + t d) and the slope g(x + t d)'d. */
interface Trial {
  t: number;
  f: number;
  dg: number;
}

const newTrial = (): Trial => ({ t: 0, f: 0, dg: 0 });
const copyTrial = (to: Trial, from: Trial) => {
  to.t = from.t;
  to.f = from.f;
  to.dg = from.dg;
};

/**
 * State shared by the line search: the start point, direction, the trial buffers it fills, and its
 * trial records (allocated once per minimisation: the search itself allocates nothing).
 */
interface LineProblem {
  fg: ValueAndGradient;
  x: Float64Array;
  d: Float64Array;
  f0: number;
  dg0: number;
  xt: Float64Array;
  gt: Float64Array;
  /** Best accepted point so far (x + t d), its value and gradient. */
  found: boolean;
  bestT: number;
  bestF: number;
  gBest: Float64Array;
  evals: number;
  opts: LbfgsOptions;
  cur: Trial;
  prev: Trial;
  lo: Trial;
  hi: Trial;
}

/** Evaluates the trial x + t d into p.cur. */
function evalAt(p: LineProblem, t: number): Trial {
  for (let k = 0; k < p.x.length; k++) p.xt[k] = p.x[k] + t * p.d[k];
  const f = p.fg(p.xt, p.gt);
  p.evals++;
  p.cur.t = t;
  p.cur.f = f;
  p.cur.dg = Number.isFinite(f) ? dot(p.gt, p.d) : Number.NaN;
  return p.cur;
}

/** Minimiser of the cubic through (a, fa, da), (b, fb, db), kept inside [lo + 10%, hi - 10%] of the bracket. */
function cubicStep(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  let t = (a + b) / 2;
  if (Number.isFinite(fb) && disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
  }
  const margin = 0.1 * (hi - lo);
  return Number.isFinite(t) ? Math.min(Math.max(t, lo + margin), hi - margin) : (a + b) / 2;
}

/** Sufficient decrease (Armijo): f(x + t d) <= f0 + c1 t g'd. */
const armijo = (p: LineProblem, c: Trial) => Number.isFinite(c.f) && c.f <= p.f0 + p.opts.c1 * c.t * p.dg0;
/** Strong curvature condition: |g(x + t d)'d| <= c2 |g'd|. */
const curvature = (p: LineProblem, c: Trial) => Math.abs(c.dg) <= -p.opts.c2 * p.dg0;

function accept(p: LineProblem, c: Trial): void {
  p.found = true;
  p.bestT = c.t;
  p.bestF = c.f;
  p.gBest.set(p.gt);
}

/**
 * Strong-Wolfe line search (N&W Algorithm 3.5: bracket, then 3.6: zoom). Returns whether a step was
 * accepted; the last accepted one is p.bestT, p.bestF, p.gBest.
 */
function wolfeSearch(p: LineProblem, t0: number): boolean {
  const { prev, lo, hi, opts } = p;
  p.found = false;
  // 1. Bracket: grow the step until it overshoots (no decrease, or the slope turns positive).
  prev.t = 0;
  prev.f = p.f0;
  prev.dg = p.dg0;
  let t = t0;
  for (;;) {
    const cur = evalAt(p, t);
    if (!armijo(p, cur) || (prev.t > 0 && cur.f >= prev.f)) {
      copyTrial(lo, prev);
      copyTrial(hi, cur);
      break;
    }
    accept(p, cur);
    if (curvature(p, cur)) return true;
    if (cur.dg >= 0) {
      copyTrial(hi, prev);
      copyTrial(lo, cur);
      break;
    }
    if (p.evals >= opts.maxLineSearch) return true;
    copyTrial(prev, cur);
    t *= 4;
  }
  // 2. Zoom: shrink [lo, hi] by safeguarded cubic interpolation until the strong Wolfe conditions hold.
  while (p.evals < opts.maxLineSearch && Math.abs(hi.t - lo.t) > 1e-16 * Math.max(1, lo.t)) {
    const cur = evalAt(p, cubicStep(lo.t, lo.f, lo.dg, hi.t, hi.f, hi.dg));
    if (!armijo(p, cur) || cur.f >= lo.f) {
      copyTrial(hi, cur);
      continue;
    }
    accept(p, cur);
    if (curvature(p, cur)) return true;
    if (cur.dg * (hi.t - lo.t) >= 0) copyTrial(hi, lo);
    copyTrial(lo, cur);
  }
  return p.found;
}

/** Minimises fg from x0 with L-BFGS (see the module header); x0 is not modified. */
export function minimizeLbfgs(
  fg: ValueAndGradient,
  x0: ArrayLike<number>,
  options: Partial<LbfgsOptions> = {},
): LbfgsResult {
  const opts = { ...LBFGS_DEFAULTS, ...options };
  checkNumber('memory', opts.memory, { min: 1, max: 100, integer: true });
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const d = new Float64Array(n);
  const mem: Memory = {
    s: Array.from({ length: opts.memory }, () => new Float64Array(n)),
    y: Array.from({ length: opts.memory }, () => new Float64Array(n)),
    rho: new Float64Array(opts.memory),
    alpha: new Float64Array(opts.memory),
    count: 0,
    head: 0,
  };
  const p: LineProblem = {
    fg,
    x,
    d,
    f0: 0,
    dg0: 0,
    xt: new Float64Array(n),
    gt: new Float64Array(n),
    found: false,
    bestT: 0,
    bestF: 0,
    gBest: new Float64Array(n),
    evals: 0,
    opts,
    ...{ cur: newTrial(), prev: newTrial(), lo: newTrial(), hi: newTrial() },
  };
  let f = fg(x, g);
  let evaluations = 1;
  const done = (iterations: number, reason: LbfgsStop): LbfgsResult => ({
    x,
    f,
    grad: g,
    iterations,
    evaluations,
    converged: reason === 'gtol' || reason === 'ftol',
    reason,
  });
  if (!Number.isFinite(f)) return done(0, 'nonFinite');
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    if (infNorm(g) <= opts.gtol) return done(iter, 'gtol');
    twoLoop(g, mem, d);
    let dg = dot(d, g);
    if (!(dg < 0)) {
      mem.count = 0;
      twoLoop(g, mem, d);
      dg = dot(d, g);
    }
    const t0 = mem.count === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    p.f0 = f;
    p.dg0 = dg;
    p.evals = 0;
    const found = wolfeSearch(p, t0);
    evaluations += p.evals;
    if (!found) {
      if (mem.count === 0) return done(iter, 'lineSearch');
      mem.count = 0;
      continue;
    }
    // Store s = t d and y = g_new - g (skip pairs without positive curvature).
    const s = mem.s[mem.head];
    const y = mem.y[mem.head];
    for (let k = 0; k < n; k++) {
      s[k] = p.bestT * d[k];
      y[k] = p.gBest[k] - g[k];
    }
    const ys = dot(y, s);
    if (ys > 1e-12 * Math.sqrt(dot(y, y) * dot(s, s))) {
      mem.rho[mem.head] = 1 / ys;
      mem.head = (mem.head + 1) % opts.memory;
      mem.count = Math.min(mem.count + 1, opts.memory);
    }
    const fOld = f;
    for (let k = 0; k < n; k++) x[k] += s[k];
    g.set(p.gBest);
    f = p.bestF;
    if (fOld - f <= opts.ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) return done(iter + 1, 'ftol');
  }
  return done(opts.maxIterations, 'maxIterations');
}
