/**
 * Integrator bias of a physics block: the parameters that best explain EXACT trajectories
 * (RK4 ground truth) through the block's own rollout, found by Gauss-Newton on the rollout
 * residuals in float64, and the same values read as continuous-time parameters (`fromBlock`). For
 * the oscillator at dt = 0.1 the paper's Eq. 6 (substeps = 1) is biased by a few percent (g0 = 3.889
 * for a true 4); reading it exactly, or RK4 sub-steps, removes the bias.
 */
import { Rng } from '../core/rng.js';
import { rollout } from './blocks.js';
import { simulateStates } from './dataset.js';
import { numberOps } from './ops.js';
import { getSystem, type SystemName, type SystemSpec, trueParams } from './systems.js';

/** Rollout residuals (prediction - target) over all trajectories for parameter vector `theta`. */
function residuals(
  spec: SystemSpec,
  names: string[],
  theta: number[],
  states: number[][],
  dt: number,
  substeps: number,
) {
  const p = Object.fromEntries(names.map((n, i) => [n, theta[i]]));
  const order = spec.dynamics.order;
  const out: number[] = [];
  for (const s of states) {
    const pred = rollout(numberOps, spec.dynamics, s.slice(0, order), p, { steps: s.length - order, dt, substeps });
    for (const [t, z] of pred.entries()) out.push(z - s[order + t]);
  }
  return out;
}

/** Solves small n x n normal equations a x = b by Gaussian elimination (no pivoting: a is SPD). */
export function solveNormal(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const f = m[k][i] / m[i][i];
      for (let j = i; j <= n; j++) m[k][j] -= f * m[i][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let j = i + 1; j < n; j++) s -= m[i][j] * x[j];
    x[i] = s / m[i][i];
  }
  return x;
}

/**
 * The block parameters (all of `spec.params`, nuisances included) whose rollout from each
 * trajectory's first `order` values best matches the rest of it in least squares (Gauss-Newton
 * from `start`, float64). Used on exact trajectories (the integrator's bias) and on trained latents.
 */
export function fitBlock(
  spec: SystemSpec,
  trajectories: number[][],
  opts: { dt: number; substeps: number; start: Readonly<Record<string, number>> },
): Record<string, number> {
  const names = spec.params.map((p) => p.name);
  const { dt, substeps } = opts;
  let theta = names.map((n) => opts.start[n]);
  for (let it = 0; it < 20; it++) {
    const r = residuals(spec, names, theta, trajectories, dt, substeps);
    const jac = names.map((_, i) => {
      const h = 1e-6 * Math.max(1, Math.abs(theta[i]));
      const t2 = theta.map((v, j) => (j === i ? v + h : v));
      return residuals(spec, names, t2, trajectories, dt, substeps).map((ri, k) => (ri - r[k]) / h);
    });
    const jtj = jac.map((a) => jac.map((b) => a.reduce((s, ai, k) => s + ai * b[k], 0)));
    const jtr = jac.map((a) => a.reduce((s, ai, k) => s + ai * r[k], 0));
    const delta = solveNormal(jtj, jtr);
    theta = theta.map((v, i) => v - delta[i]);
    if (delta.every((d, i) => Math.abs(d) < 1e-12 * Math.max(1, Math.abs(theta[i])))) break;
  }
  return Object.fromEntries(names.map((n, i) => [n, theta[i]]));
}

/** Best-fit block parameters for exact trajectories of `system` (clips drawn with `seed`). */
export function integratorBias(system: SystemName, opts: { substeps?: number; clips?: number; seed?: number } = {}) {
  const { substeps = 1, clips = 64, seed = 0 } = opts;
  const spec = getSystem(system);
  const truth = trueParams(spec);
  const { states, length, dt } = simulateStates(system, { clips, seed: new Rng(seed).int(2 ** 31) });
  const traj = Array.from({ length: clips }, (_, c) => Array.from(states.subarray(c * length, (c + 1) * length)));
  const fitted = fitBlock(spec, traj, { dt, substeps, start: truth });
  const read = substeps === 1 && spec.fromBlock ? spec.fromBlock(fitted, dt) : fitted;
  const relative = (v: number, n: string) => (v - truth[n]) / truth[n];
  return Object.fromEntries(
    spec.params
      .filter((q) => !q.nuisance)
      .map(({ name: n }) => [
        n,
        {
          fit: fitted[n],
          true: truth[n],
          relativeError: relative(fitted[n], n),
          read: read[n],
          readError: relative(read[n], n),
        },
      ]),
  );
}
