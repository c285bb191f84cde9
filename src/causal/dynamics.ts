/**
 * Counterfactuals by abduction-action-prediction (Pearl 2009, sec. 7.1.3): from one observed step
 * (state, action, next state, force and tactile-slip sensors), infer the exogenous noise U, replace the action
 * (do(a')), and predict the step again with U held fixed. The model is either the true SCM or a
 * LEARNED one: the causal graph and mechanism forms are known, their parameters (actuation gain
 * and noise, stiffness, friction prior, slip cone, slip transmission) are fitted by least squares
 * on the cold-start transitions only. Checked in test/causal/dynamics.test.ts.
 */
import { ShapeError } from '../core/errors.js';
import { mean, variance } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import type { StepRecord } from './episode.js';
import {
  contactGeometry,
  type Exogenous,
  type PushEnv,
  type PushState,
  type StepVars,
  scmStep,
  type Vec2,
  vecNorm,
  vecSub,
} from './scm.js';

/** What a sensor log holds for one step (no exogenous noise: that is what abduction infers). */
export interface ObservedStep {
  state: PushState;
  action: Vec2;
  /** The arm's reached pose before the contact pushed it back (proprioception). */
  eCmd: Vec2;
  next: PushState;
  force: number;
  /** Tactile slip sensor. */
  slip: boolean;
}

export const observe = (r: StepRecord): ObservedStep => ({
  state: r.state,
  action: r.vars.action,
  eCmd: r.vars.eCmd,
  next: r.vars.next,
  force: r.vars.force,
  slip: r.vars.slip,
});

/**
 * The abduction posterior p(U | observed step) under `model`. uA is identified from the reached pose eCmd.
 * uMu is identified from the block's displacement when the block moved, |D| = s (delta - mu/k). When it did
 * not move, the observation only says mu >= k max(delta, 0), so the posterior of uMu is the prior N(0, 1)
 * truncated to uMu >= log(k delta / mu0) / sigmaMu (no bound without contact).
 */
export interface NoisePosterior {
  uA: Vec2;
  /** The identified value, or the lower bound of the truncated prior (-Infinity: the prior itself). */
  uMu: { value: number } | { lowerBound: number };
}

export function abductPosterior(model: PushEnv, o: ObservedStep): NoisePosterior {
  const { state: s, action: a, next, eCmd } = o;
  // 1. Actuation noise from the arm's reached pose eCmd (always identified).
  const [g0, g1, g2, g3] = model.gain;
  const uA: Vec2 = [
    (eCmd[0] - s.e[0] - (g0 * a[0] + g1 * a[1])) / model.sigmaA,
    (eCmd[1] - s.e[1] - (g2 * a[0] + g3 * a[1])) / model.sigmaA,
  ];
  // 2. Friction from the block's displacement when it moved; else only the bound mu >= k delta.
  const { delta } = contactGeometry(model, s.e, eCmd, s.b, a);
  const moved = vecNorm(vecSub(next.b, s.b));
  const toU = (mu: number) => Math.log(Math.max(mu, 1e-9) / model.mu0) / model.sigmaMu;
  if (moved > 1e-12) return { uA, uMu: { value: toU(model.k * (delta - moved / (o.slip ? model.sSlip : 1))) } };
  return { uA, uMu: { lowerBound: delta > 0 ? toU(model.k * delta) : -Infinity } };
}

/** Abduction, point summary: the posterior mode (the identified noise, or max(0, bound) for the truncated prior). */
export function abduct(model: PushEnv, o: ObservedStep): Exogenous {
  const { uA, uMu } = abductPosterior(model, o);
  return { uA, uMu: 'value' in uMu ? uMu.value : Math.max(0, uMu.lowerBound) };
}

/** `m` draws of U from the abduction posterior (exact when identified). */
export function samplePosterior(post: NoisePosterior, rng: Rng, m: number): Exogenous[] {
  return Array.from({ length: m }, () => ({
    uA: post.uA,
    uMu: 'value' in post.uMu ? post.uMu.value : sampleTruncatedNormal(rng, post.uMu.lowerBound),
  }));
}

/**
 * Z ~ N(0, 1) conditioned on Z >= a, exactly: plain rejection for a < 0.5 (acceptance >= 0.31), else
 * Robert's (1995) exponential proposal with rate (a + sqrt(a^2 + 4)) / 2.
 */
export function sampleTruncatedNormal(rng: Rng, a: number): number {
  if (a < 0.5) {
    for (;;) {
      const z = rng.normal();
      if (z >= a) return z;
    }
  }
  const rate = (a + Math.sqrt(a * a + 4)) / 2;
  for (;;) {
    const z = a - Math.log(1 - rng.uniform()) / rate;
    if (rng.uniform() <= Math.exp(-((z - rate) ** 2) / 2)) return z;
  }
}

/** Abduction-action-prediction: the step as it would have been under do(action = a'), at the posterior mode. */
export function counterfactual(model: PushEnv, o: ObservedStep, aPrime: Vec2): StepVars {
  return scmStep(model, o.state, aPrime, abduct(model, o));
}

/** Least-squares fit diagnostics of the learned mechanisms. */
export interface FitReport {
  transitions: number;
  contacts: number;
  moving: number;
  slipping: number;
}

/** Fits the mechanism parameters on observed steps; geometry, horizon and thresholds are known. */
export function fitMechanisms(known: PushEnv, steps: ObservedStep[]): { model: PushEnv; report: FitReport } {
  if (steps.length < 4) throw new ShapeError(`fitMechanisms needs at least 4 observed steps, got ${steps.length}`);
  // 1. Actuation: (e' - e) = G a + noise, ridge least squares per output row.
  const gain = fitGain(steps);
  const resid = steps.flatMap((o) => {
    const d = vecSub(o.eCmd, o.state.e);
    return [d[0] - gain[0] * o.action[0] - gain[1] * o.action[1], d[1] - gain[2] * o.action[0] - gain[3] * o.action[1]];
  });
  const sigmaA = Math.sqrt(resid.reduce((s, r) => s + r * r, 0) / resid.length) || known.sigmaA;
  // 2. Stiffness: F = k delta through the origin on contact steps.
  const contacts = steps.filter((o) => o.force > 0);
  const deltas = contacts.map((o) => contactGeometry(known, o.state.e, o.eCmd, o.state.b, o.action).delta);
  const k = contacts.length
    ? contacts.reduce((s, o, i) => s + o.force * deltas[i], 0) / deltas.reduce((s, d) => s + d * d, 0)
    : known.k;
  // 3. Slip cone: the threshold on tan(theta) that best separates the slip sensor's labels.
  const pushes = contacts.map((o, i) => ({ o, delta: deltas[i], ...pushGeometry(known, o) })).filter((p) => p.cos > 0);
  const muC = fitSlipCone(
    pushes.map((p) => ({ tan: p.tan, slip: p.o.slip })),
    known.muC,
  );
  // 4. Friction prior from sticking pushes that moved the block: mu = k (delta - |D|), log-normal.
  const movedBy = (o: ObservedStep) => vecNorm(vecSub(o.next.b, o.state.b));
  const mus = pushes.filter((p) => !p.o.slip && movedBy(p.o) > 0).map((p) => k * (p.delta - movedBy(p.o)));
  const logs = mus.filter((m) => m > 0).map(Math.log);
  const mu0 = logs.length ? Math.exp(mean(logs)) : known.mu0;
  const sigmaMu = logs.length > 2 ? Math.sqrt(variance(logs, 1)) || known.sigmaMu : known.sigmaMu;
  // 5. Slip transmission: |D| / (delta - mu0/k) on slipping pushes that moved the block.
  const ratios = pushes
    .filter((p) => p.o.slip && movedBy(p.o) > 0 && p.delta - mu0 / k > 1e-3)
    .map((p) => movedBy(p.o) / (p.delta - mu0 / k));
  const sSlip = ratios.length ? median(ratios) : known.sSlip;
  const model: PushEnv = { ...known, gain, sigmaA, k, muC, mu0, sigmaMu, sSlip };
  return {
    model,
    report: { transitions: steps.length, contacts: contacts.length, moving: logs.length, slipping: ratios.length },
  };
}

function fitGain(steps: ObservedStep[]): [number, number, number, number] {
  const lambda = 1e-6;
  let saa = lambda;
  let sab = 0;
  let sbb = lambda;
  const rhs = [0, 0, 0, 0];
  for (const o of steps) {
    const [a0, a1] = o.action;
    const d = vecSub(o.eCmd, o.state.e);
    saa += a0 * a0;
    sab += a0 * a1;
    sbb += a1 * a1;
    rhs[0] += d[0] * a0;
    rhs[1] += d[0] * a1;
    rhs[2] += d[1] * a0;
    rhs[3] += d[1] * a1;
  }
  const det = saa * sbb - sab * sab;
  const solve = (r0: number, r1: number): [number, number] => [
    (r0 * sbb - r1 * sab) / det,
    (r1 * saa - r0 * sab) / det,
  ];
  return [...solve(rhs[0], rhs[1]), ...solve(rhs[2], rhs[3])];
}

function pushGeometry(known: PushEnv, o: ObservedStep): { n: Vec2; cos: number; tan: number } {
  const { n } = contactGeometry(known, o.state.e, o.eCmd, o.state.b, o.action);
  const la = vecNorm(o.action) || 1;
  const cos = (n[0] * o.action[0] + n[1] * o.action[1]) / la;
  return { n, cos, tan: Math.sqrt(Math.max(0, 1 - cos * cos)) / Math.max(cos, 1e-12) };
}

/** Decision stump on tan(theta): the threshold with the fewest misclassified pushes. */
export function fitSlipCone(pushes: { tan: number; slip: boolean }[], fallback: number): number {
  if (!pushes.some((p) => p.slip) || !pushes.some((p) => !p.slip)) return fallback;
  const sorted = [...pushes].sort((a, b) => a.tan - b.tan);
  let errors = sorted.filter((p) => !p.slip).length; // threshold below everything: all predicted slip
  let best = { errors, t: sorted[0].tan - 1e-6 };
  for (let i = 0; i < sorted.length; i++) {
    errors += sorted[i].slip ? 1 : -1;
    const t = i + 1 < sorted.length ? (sorted[i].tan + sorted[i + 1].tan) / 2 : sorted[i].tan + 1e-6;
    if (errors < best.errors) best = { errors, t };
  }
  return best.t;
}

function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
