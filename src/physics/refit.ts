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
   * Starting values of the law's parameters (nuisances default to the law's `start` from the latents, else their
   * `init`): the trained block's values.
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

/** One clip's blocks of the Gauss–Newton normal equations at the current point (undamped). */
interface ClipBlocks {
  /** Jₓᵀ Jₓ (order x order), Jₓ the residuals' derivatives in the clip's start. */
  A: number[][];
  /** Jₓᵀ J_θ (order x m). */
  B: number[][];
  /** Jₓᵀ r. */
  gl: number[];
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, ai, t) => s + ai * b[t], 0);
/** `a` with its diagonal multiplied by 1 + lambda (Marquardt's damping). */
const damped = (a: readonly number[][], lambda: number) =>
  a.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) : v)));

/**
 * Least squares over the law's parameters θ and every clip's start x_c: min Σ_c Σ_t (flow_t(x_c; θ) − z_ct)².
 * Levenberg–Marquardt with forward-difference Jacobians; the normal equations are block-arrow (one small
 * block per clip, coupled only through θ) and are solved by eliminating the clip blocks (Schur complement).
 * The Jacobians are formed once per accepted point; a rejected step only raises the damping.
 */
export function refitLaw(spec: SystemSpec, clips: readonly (readonly number[])[], opts: RefitOptions): RefitResult {
  const { dynamics: dyn, params, canonical = (p: Record<string, number>) => p, start: startOf } = latentLaw(spec);
  const { dt, substeps = 4, maxIterations = 100 } = opts;
  const names = params.map((q) => q.name);
  const m = names.length;
  const frames = clips[0].length;
  const pOf = (th: readonly number[]) => Object.fromEntries(names.map((n, i) => [n, th[i]]));
  const residual = (c: number, x: readonly number[], th: readonly number[]) => {
    const traj = trajectory(dyn, x, pOf(th), frames, dt, substeps);
    return Array.from(traj, (v, t) => v - clips[c][t]);
  };
  const residualsAt = (th: readonly number[], xs: readonly (readonly number[])[]) =>
    xs.map((x, c) => residual(c, x, th));
  const costOf = (rs: readonly number[][]) => rs.reduce((acc, r) => acc + dot(r, r), 0);
  const step = (v: number) => 1e-6 * Math.max(1, Math.abs(v));

  /** The normal equations' blocks at (θ, starts) whose residuals are `rs` (forward differences). */
  const linearise = (th: readonly number[], xs: readonly (readonly number[])[], rs: readonly number[][]) => {
    const S = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    const gs = new Array<number>(m).fill(0);
    const blocks = xs.map((x, c): ClipBlocks => {
      const r = rs[c];
      // ∂r/∂x_c (order columns) and ∂r/∂θ (m columns), each a length-T array
      const column = (x2: readonly number[], th2: readonly number[], h: number) =>
        residual(c, x2, th2).map((ri, t) => (ri - r[t]) / h);
      const jl = x.map((v, k) => column(bumped(x, k, step(v)), th, step(v)));
      const js = th.map((v, k) => column(x, bumped(th, k, step(v)), step(v)));
      js.forEach((a, i) => {
        js.forEach((b, j) => {
          S[i][j] += dot(a, b);
        });
        gs[i] += dot(a, r);
      });
      return {
        A: jl.map((a) => jl.map((b) => dot(a, b))),
        B: jl.map((a) => js.map((b) => dot(a, b))),
        gl: jl.map((a) => dot(a, r)),
      };
    });
    return { S, gs, blocks };
  };

  /** The damped step: eliminate each clip's start (S -= Bᵀ A⁻¹ B, gs -= Bᵀ A⁻¹ gl), solve for θ, back-substitute. */
  const dampedStep = ({ S: S0, gs: gs0, blocks }: ReturnType<typeof linearise>, lambda: number) => {
    const S = damped(S0, lambda);
    const gs = [...gs0];
    const As = blocks.map(({ A }) => damped(A, lambda));
    blocks.forEach(({ B, gl }, c) => {
      const aInvB = names.map((_, j) =>
        solveNormal(
          As[c],
          B.map((row) => row[j]),
        ),
      );
      const aInvG = solveNormal(As[c], gl);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) S[i][j] -= B.reduce((s, row, k) => s + row[i] * aInvB[j][k], 0);
        gs[i] -= B.reduce((s, row, k) => s + row[i] * aInvG[k], 0);
      }
    });
    const dTheta = solveNormal(S, gs);
    const dStarts = blocks.map(({ B, gl }, c) =>
      solveNormal(
        As[c],
        gl.map((g, k) => g - B[k].reduce((s, bkj, j) => s + bkj * dTheta[j], 0)),
      ),
    );
    return { dTheta, dStarts };
  };

  const fromData = startOf?.(clips) ?? {};
  let theta = params.map((q) => opts.start[q.name] ?? fromData[q.name] ?? q.init);
  let starts = clips.map((z) => (dyn.order === 2 ? [z[0], (z[1] - z[0]) / dt] : [z[0]]));
  let rs = residualsAt(theta, starts);
  let cost = costOf(rs);
  let lin = linearise(theta, starts, rs);
  let lambda = 1e-3;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const { dTheta, dStarts } = dampedStep(lin, lambda);
    const nextTheta = theta.map((v, i) => v - dTheta[i]);
    const nextStarts = starts.map((x, c) => x.map((v, k) => v - dStarts[c][k]));
    const nextRs = residualsAt(nextTheta, nextStarts);
    const nextCost = costOf(nextRs);
    if (Number.isFinite(nextCost) && nextCost <= cost) {
      const converged = cost - nextCost <= 1e-12 * cost;
      [theta, starts, rs, cost] = [nextTheta, nextStarts, nextRs, nextCost];
      lambda = Math.max(lambda / 10, 1e-9);
      if (converged) break;
      lin = linearise(theta, starts, rs);
    } else {
      lambda *= 10;
      if (lambda > 1e8) break;
    }
  }
  return { params: canonical(pOf(theta)), rms: Math.sqrt(cost / (clips.length * frames)), iterations };
}
