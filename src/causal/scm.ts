/**
 * A 2-D pushing task written as an explicit structural causal model (Pearl 2009, ch. 7): an
 * effector (disc) pushes a block (disc) towards a goal on the unit square. Per step, with
 * exogenous noise U = (uA actuation noise, uMu friction noise), the structural equations are
 * eCmd = e + G a + sigmaA uA; swept contact depth delta and normal n; slip = oblique push
 * beyond the friction cone; force F = k delta; friction threshold deltaF = mu g / k with
 * mu = mu0 exp(sigmaMu uMu); displacement D = s(slip) max(0, delta - deltaF) n; the effector is
 * then pushed out of the block to the residual depth (compliant wrist); outcome.
 * Plain Float64 math, seeded. Interventions do(node = value) are checked in test/causal/scm.test.ts.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

export type Vec2 = [number, number];

/** Physical constants of the task (the true mechanisms; the learned model estimates some of them). */
export interface PushEnv {
  /** Block radius. */ rb: number;
  /** Effector radius. */ re: number;
  /** Contact stiffness k: force per unit penetration. */ k: number;
  /** Median floor friction coefficient mu0 (times m g = 1). */ mu0: number;
  /** Log-normal spread of the per-step friction, sigmaMu. */ sigmaMu: number;
  /** Effector-block friction: a push slips when tan(angle to the contact normal) > muC. */ muC: number;
  /** Fraction of the push transmitted while slipping. */ sSlip: number;
  /** Actuation noise std per axis. */ sigmaA: number;
  /** Force above which a contact counts as an over-force collision. */ fMax: number;
  /** Block-to-goal distance that counts as success. */ goalTol: number;
  /** Steps per episode. */ horizon: number;
  /** Actuation gain matrix G (row-major 2x2): eCmd = e + G a + noise. Identity in the true SCM. */
  gain: [number, number, number, number];
}

export const PUSH_ENV: PushEnv = {
  rb: 0.05,
  re: 0.02,
  k: 100,
  mu0: 0.5,
  sigmaMu: 0.25,
  muC: 0.6,
  sSlip: 0.3,
  sigmaA: 0.004,
  fMax: 6,
  goalTol: 0.05,
  horizon: 40,
  gain: [1, 0, 0, 1],
};

/** The discrete action set: 8 directions x 3 step lengths (24 actions), step length major. */
export const ACTION_LENGTHS = [0.02, 0.04, 0.08] as const;
export const ACTION_DIRECTIONS = 8;
export const ACTIONS: readonly Vec2[] = ACTION_LENGTHS.flatMap((len) =>
  Array.from({ length: ACTION_DIRECTIONS }, (_, j): Vec2 => {
    const angle = (2 * Math.PI * j) / ACTION_DIRECTIONS;
    return [len * Math.cos(angle), len * Math.sin(angle)];
  }),
);
/** Where action i sits in the set: its step length (index into ACTION_LENGTHS) and direction. */
export const actionParts = (i: number) => ({
  length: Math.floor(i / ACTION_DIRECTIONS),
  direction: i % ACTION_DIRECTIONS,
});
/** The action of step length index `length` and direction `direction`. */
export const actionAt = (length: number, direction: number) => length * ACTION_DIRECTIONS + direction;

export interface PushState {
  /** Effector position. */ e: Vec2;
  /** Block position. */ b: Vec2;
  /** Goal position. */ g: Vec2;
}

/** Exogenous noise of one step. */
export interface Exogenous {
  uA: Vec2;
  uMu: number;
}

/** Every endogenous variable of one step, in causal order. */
export interface StepVars {
  action: Vec2;
  eCmd: Vec2;
  /** Penetration depth (<= 0: no contact). */
  delta: number;
  /** Contact normal from effector to block (unit). */
  n: Vec2;
  slip: boolean;
  force: number;
  mu: number;
  displacement: Vec2;
  next: PushState;
  collision: boolean;
  success: boolean;
}

/** Node names usable in do(): each replaces the structural equation of that variable. */
export type NodeName = 'action' | 'eCmd' | 'delta' | 'slip' | 'force' | 'mu' | 'displacement';
export type Interventions = Partial<Pick<StepVars, NodeName>>;

/** Parents of each endogenous variable (state and U are roots). */
export const CAUSAL_PARENTS: Record<string, readonly string[]> = {
  action: ['state'],
  eCmd: ['state', 'action', 'uA'],
  delta: ['state', 'eCmd'],
  n: ['state', 'eCmd', 'action'],
  slip: ['n', 'action', 'delta'],
  force: ['delta'],
  mu: ['uMu'],
  displacement: ['delta', 'n', 'slip', 'mu'],
  next: ['state', 'eCmd', 'displacement', 'slip', 'mu'],
  collision: ['force', 'next'],
  success: ['next'],
};

const sub = (a: Vec2, b: Vec2): Vec2 => [a[0] - b[0], a[1] - b[1]];
const norm = (a: Vec2): number => Math.hypot(a[0], a[1]);

/** eCmd = e + G a + sigmaA uA (actuation with noise). */
export const actuate = (env: PushEnv, e: Vec2, a: Vec2, uA: Vec2): Vec2 => [
  e[0] + env.gain[0] * a[0] + env.gain[1] * a[1] + env.sigmaA * uA[0],
  e[1] + env.gain[2] * a[0] + env.gain[3] * a[1] + env.sigmaA * uA[1],
];

/** The normal n = (b - x)/|b - x| (the push direction when the centres coincide). */
export function contactNormal(x: Vec2, b: Vec2, a: Vec2): Vec2 {
  const d = sub(b, x);
  const l = norm(d);
  if (l > 1e-12) return [d[0] / l, d[1] / l];
  const la = norm(a) || 1;
  return [a[0] / la, a[1] / la];
}

/**
 * Swept contact: the effector travels m = eCmd - e; at the first touch c = e + tau0 m
 * (|c - b| = R = rb + re, or tau0 = 0 when already touching) the normal is n = (b - c)/|b - c|
 * and the penetration is delta = (R - |c - b|) + (1 - tau0) m.n. Without a touch,
 * delta = R - |eCmd - b| < 0 (the final gap).
 */
export function contactGeometry(env: PushEnv, e: Vec2, eCmd: Vec2, b: Vec2, a: Vec2): { delta: number; n: Vec2 } {
  const R = env.rb + env.re;
  const m = sub(eCmd, e);
  const f = sub(e, b);
  const qa = m[0] * m[0] + m[1] * m[1];
  const qb = 2 * (f[0] * m[0] + f[1] * m[1]);
  const qc = f[0] * f[0] + f[1] * f[1] - R * R;
  let tau0 = -1;
  if (qc <= 0) tau0 = 0;
  else if (qa > 0 && qb * qb - 4 * qa * qc >= 0) {
    const t = (-qb - Math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa);
    if (t >= 0 && t <= 1) tau0 = t;
  }
  if (tau0 < 0) return { delta: R - norm(sub(eCmd, b)), n: contactNormal(eCmd, b, a) };
  const c: Vec2 = [e[0] + tau0 * m[0], e[1] + tau0 * m[1]];
  const n = contactNormal(c, b, a);
  return { delta: R - norm(sub(c, b)) + (1 - tau0) * (m[0] * n[0] + m[1] * n[1]), n };
}

/** Slip: the push direction leaves the friction cone, tan(theta) > muC (or pushes away, cos <= 0). */
export function slips(env: PushEnv, n: Vec2, a: Vec2, delta: number): boolean {
  if (delta <= 0) return false;
  const la = norm(a);
  if (la === 0) return false;
  const cos = (n[0] * a[0] + n[1] * a[1]) / la;
  if (cos <= 0) return true;
  return Math.sqrt(Math.max(0, 1 - cos * cos)) / cos > env.muC;
}

/** F = k max(delta, 0) (penalty contact). */
export const contactForce = (env: PushEnv, delta: number): number => env.k * Math.max(delta, 0);

/** mu = mu0 exp(sigmaMu uMu) (log-normal floor friction). */
export const friction = (env: PushEnv, uMu: number): number => env.mu0 * Math.exp(env.sigmaMu * uMu);

/** D = s(slip) max(0, delta - mu/k) n: the block moves until the residual force balances friction (m g = 1). */
export function displacementOf(env: PushEnv, delta: number, n: Vec2, slip: boolean, mu: number): Vec2 {
  const len = (slip ? env.sSlip : 1) * Math.max(0, delta - mu / env.k);
  return [len * n[0], len * n[1]];
}

/**
 * Compliant wrist: after the block moved, an effector left deeper than the residual penetration
 * (mu/k when sticking, 0 when it slipped off) is pushed out radially to that depth.
 */
export function resolveEffector(env: PushEnv, eCmd: Vec2, b: Vec2, residual: number): Vec2 {
  const d = sub(eCmd, b);
  const l = norm(d);
  const r = env.rb + env.re - residual;
  if (l >= r || l < 1e-12) return eCmd;
  return [b[0] + (d[0] * r) / l, b[1] + (d[1] * r) / l];
}

/** Block outside [rb, 1 - rb]^2 (hits a wall). */
export const hitsWall = (env: PushEnv, b: Vec2): boolean =>
  b[0] < env.rb || b[0] > 1 - env.rb || b[1] < env.rb || b[1] > 1 - env.rb;

/** One step of the SCM. `interventions` replace the named variables' equations (do-operator). */
export function scmStep(env: PushEnv, s: PushState, action: Vec2, u: Exogenous, doVars: Interventions = {}): StepVars {
  const a = doVars.action ?? action;
  const eCmd = doVars.eCmd ?? actuate(env, s.e, a, u.uA);
  const geo = contactGeometry(env, s.e, eCmd, s.b, a);
  const delta = doVars.delta ?? geo.delta;
  const n = geo.n;
  const slip = doVars.slip ?? slips(env, n, a, delta);
  const force = doVars.force ?? contactForce(env, delta);
  const mu = doVars.mu ?? friction(env, u.uMu);
  const displacement = doVars.displacement ?? displacementOf(env, delta, n, slip, mu);
  const b: Vec2 = [s.b[0] + displacement[0], s.b[1] + displacement[1]];
  const residual = delta > 0 && !slip ? Math.min(delta, mu / env.k) : 0;
  const next: PushState = { e: resolveEffector(env, eCmd, b, residual), b, g: s.g };
  const collision = force > env.fMax || hitsWall(env, next.b);
  const success = !collision && norm(sub(next.b, s.g)) < env.goalTol;
  return { action: a, eCmd, delta, n, slip, force, mu, displacement, next, collision, success };
}

/** Draws the step's exogenous noise: uA ~ N(0, I2), uMu ~ N(0, 1). */
export const sampleExogenous = (rng: Rng): Exogenous => ({ uA: [rng.normal(), rng.normal()], uMu: rng.normal() });

/** Initial state: block in [0.3, 0.7]^2, goal 0.15-0.3 away, effector 0.1-0.25 from the block. */
export function sampleInitialState(rng: Rng): PushState {
  const b: Vec2 = [rng.uniformRange(0.3, 0.7), rng.uniformRange(0.3, 0.7)];
  const ang = rng.uniformRange(0, 2 * Math.PI);
  const dist = rng.uniformRange(0.15, 0.3);
  const g: Vec2 = [clamp(b[0] + dist * Math.cos(ang), 0.12, 0.88), clamp(b[1] + dist * Math.sin(ang), 0.12, 0.88)];
  const ea = rng.uniformRange(0, 2 * Math.PI);
  const ed = rng.uniformRange(0.1, 0.25);
  const e: Vec2 = [clamp(b[0] + ed * Math.cos(ea), 0.02, 0.98), clamp(b[1] + ed * Math.sin(ea), 0.02, 0.98)];
  return { e, b, g };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Invalid transition: non-finite values or the effector outside the workspace. */
export function isInvalid(v: StepVars): boolean {
  const all = [...v.next.e, ...v.next.b, v.force, v.delta];
  return all.some((x) => !Number.isFinite(x)) || v.next.e.some((x) => x < 0 || x > 1);
}

/** Checks a state given by a user (CLI/tests) is finite and inside the unit square. */
export function checkState(name: string, s: PushState): void {
  for (const [k, p] of Object.entries(s) as [string, Vec2][]) {
    if (!p.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)) {
      throw new InputError(`${name}.${k} must be two finite numbers in [0, 1], got ${JSON.stringify(p)}`);
    }
  }
}

export { norm as vecNorm, sub as vecSub };
