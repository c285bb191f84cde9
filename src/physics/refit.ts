/**
 * Reading the law off a trained encoder's latents (ours; the paper reads the block's parameters): the
 * continuous law, integrated with RK4, is fitted to EVERY frame of every clip by least squares, with each
 * clip's initial state free. The paper's block starts a clip from its first two encodings (Eq. 3), so
 * the encoder's per-frame error enters the start velocity and biases what the block learns (errors in
 * variables, docs/parts/physics.md §3.1); a free start spreads that error over the whole clip. The law
 * is the system's `latentLaw`: the law written for a latent that is any affine map of the state.
 */
import { solveNormal } from './bias.js';
import { type Dynamics, rk4 } from './blocks.js';
import { numberOps } from './ops.js';
import type { SystemSpec } from './systems.js';

export interface RefitOptions {
  dt: number;
  /** RK4 steps per frame interval (the flow is then exact to ~1e-9 at dt = 0.1). */
  substeps?: number;
  /**
   * Starting values of the law's parameters (nuisances default to their `init`): the trained block's values.
   * The fit is local: for the pendulum a start within ~30% of g/L (the sine has other basins far away).
   */
  start: Readonly<Record<string, number>>;
  maxIterations?: number;
}

export interface RefitResult {
  /** Every parameter of the law (physical ones and nuisances), continuous-time. */
  params: Record<string, number>;
  /** Root mean square of the residuals (latent units) at the optimum. */
  rms: number;
  iterations: number;
}

/** The dynamics and parameters the refit uses: the system's latent law, else its own block. */
export function latentLaw(spec: SystemSpec): NonNullable<SystemSpec['latentLaw']> {
  return spec.latentLaw ?? { dynamics: spec.dynamics, params: spec.params };
}

/** The law's trajectory from `start` over `frames` frames (frame 0 is the start itself). */
function trajectory(
  dyn: Dynamics,
  start: readonly number[],
  p: Record<string, number>,
  frames: number,
  dt: number,
  n: number,
) {
  const out = new Float64Array(frames);
  let s = [...start];
  out[0] = s[0];
  for (let t = 1; t < frames; t++) {
    s = rk4(numberOps, dyn, s, p, dt, n);
    out[t] = s[0];
  }
  return out;
}

/** `v` with `h` added to entry k. */
const bumped = (v: readonly number[], k: number, h: number) => v.map((x, j) => (j === k ? x + h : x));

/**
 * Least squares over the law's parameters θ and every clip's start x_c: min Σ_c Σ_t (flow_t(x_c; θ) − z_ct)².
 * Levenberg–Marquardt with forward-difference Jacobians; the normal equations are block-arrow (one small
 * block per clip, coupled only through θ) and are solved by eliminating the clip blocks (Schur complement).
 */
export function refitLaw(spec: SystemSpec, clips: readonly (readonly number[])[], opts: RefitOptions): RefitResult {
  const { dynamics: dyn, params, canonical = (p: Record<string, number>) => p } = latentLaw(spec);
  const { dt, substeps = 4, maxIterations = 100 } = opts;
  const names = params.map((q) => q.name);
  const order = dyn.order;
  const frames = clips[0].length;
  let theta = params.map((q) => opts.start[q.name] ?? q.init);
  let starts = clips.map((z) => (order === 2 ? [z[0], (z[1] - z[0]) / dt] : [z[0]]));
  const pOf = (th: readonly number[]) => Object.fromEntries(names.map((n, i) => [n, th[i]]));
  const residual = (c: number, x: readonly number[], th: readonly number[]) => {
    const traj = trajectory(dyn, x, pOf(th), frames, dt, substeps);
    return Array.from(traj, (v, t) => v - clips[c][t]);
  };
  const costOf = (th: readonly number[], xs: readonly (readonly number[])[]) =>
    xs.reduce((acc, x, c) => acc + residual(c, x, th).reduce((a, r) => a + r * r, 0), 0);
  let cost = costOf(theta, starts);
  let lambda = 1e-3;
  let iterations = 0;
  const step = (v: number) => 1e-6 * Math.max(1, Math.abs(v));
  for (; iterations < maxIterations; iterations++) {
    const m = names.length;
    const S = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    const gs = new Array<number>(m).fill(0);
    const perClip = clips.map((_, c) => {
      const r = residual(c, starts[c], theta);
      // forward differences: ∂r/∂x_c (order columns) and ∂r/∂θ (m columns), each a length-T array
      const column = (x: readonly number[], th: readonly number[], h: number) =>
        residual(c, x, th).map((ri, t) => (ri - r[t]) / h);
      const jl = starts[c].map((v, k) => column(bumped(starts[c], k, step(v)), theta, step(v)));
      const js = theta.map((v, k) => column(starts[c], bumped(theta, k, step(v)), step(v)));
      const dot = (a: number[], b: number[]) => a.reduce((s, ai, t) => s + ai * b[t], 0);
      const A = jl.map((a) => jl.map((b) => dot(a, b)));
      for (let i = 0; i < order; i++) A[i][i] *= 1 + lambda;
      const B = jl.map((a) => js.map((b) => dot(a, b))); // order x m
      const gl = jl.map((a) => dot(a, r));
      js.forEach((a, i) => {
        js.forEach((b, j) => {
          S[i][j] += dot(a, b);
        });
        gs[i] += dot(a, r);
      });
      return { A, B, gl };
    });
    for (let i = 0; i < m; i++) S[i][i] *= 1 + lambda;
    // eliminate each clip's start: S -= Bᵀ A⁻¹ B, gs -= Bᵀ A⁻¹ gl
    for (const { A, B, gl } of perClip) {
      const aInvB = names.map((_, j) =>
        solveNormal(
          A,
          B.map((row) => row[j]),
        ),
      );
      const aInvG = solveNormal(A, gl);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) S[i][j] -= B.reduce((s, row, k) => s + row[i] * aInvB[j][k], 0);
        gs[i] -= B.reduce((s, row, k) => s + row[i] * aInvG[k], 0);
      }
    }
    const dTheta = solveNormal(S, gs);
    const nextTheta = theta.map((v, i) => v - dTheta[i]);
    const nextStarts = perClip.map(({ A, B, gl }, c) => {
      const rhs = gl.map((g, k) => g - B[k].reduce((s, bkj, j) => s + bkj * dTheta[j], 0));
      const dx = solveNormal(A, rhs);
      return starts[c].map((v, k) => v - dx[k]);
    });
    const nextCost = costOf(nextTheta, nextStarts);
    if (Number.isFinite(nextCost) && nextCost <= cost) {
      const converged = cost - nextCost <= 1e-12 * cost;
      [theta, starts, cost] = [nextTheta, nextStarts, nextCost];
      lambda = Math.max(lambda / 10, 1e-9);
      if (converged) break;
    } else {
      lambda *= 10;
      if (lambda > 1e8) break;
    }
  }
  return { params: canonical(pOf(theta)), rms: Math.sqrt(cost / (clips.length * frames)), iterations };
}
