/**
 * Physics blocks of "Learning Physics From Video" (Castañeda Garcia et al., CVPR 2025, arXiv
 * 2410.01376): the known ODE of each system, written once over `Ops<T>` so the same formula
 * drives the ground-truth simulator (numbers) and the trained model (tensors).
 * The block is the paper's one-step update (lecture Eq. 6 for z'' = a(z, z'), explicit Euler for
 * z' = r(z)) or, with sub-steps, classical RK4 from a shooting start (`rollout`). Checked against
 * closed forms and RK4 in test/physics/blocks.test.ts.
 */
import type { Ops } from './ops.js';

/** Physical parameters by name (numbers, or tensors during training). */
export type Params<T> = Readonly<Record<string, T>>;

/** z'' = a(z, z'; params) for a second-order system. */
export type Acceleration = <T>(ops: Ops<T>, z: T, v: T, p: Params<T>) => T;
/** z' = r(z; params) for a first-order system. */
export type Rate = <T>(ops: Ops<T>, z: T, p: Params<T>) => T;

/** Standard gravity (m/s^2), used where the paper keeps g fixed (pendulum, sliding block). */
export const GRAVITY = 9.80665;
/** Incline angle of the sliding block scene (radians, 25 degrees). */
export const INCLINE = (25 * Math.PI) / 180;

// ---- the ODEs (one line each) ----

/** Damped oscillator, lecture Eq. 2: z'' = -(g1 z' + g0 z). */
export const oscillatorAccel: Acceleration = (ops, z, v, p) => ops.neg(ops.add(ops.mul(p.g1, v), ops.mul(p.g0, z)));

/** Pendulum (undamped, nonlinear): theta'' = -(g/L) sin(theta). */
export const pendulumAccel: Acceleration = (ops, z, _v, p) => ops.neg(ops.mul(p.gOverL, ops.sin(z)));

/**
 * The pendulum block of the paper's reference code (Learning_physics_from_video, PhysModels.py): trained in
 * the length L (g fixed) with a damping beta, theta'' = -beta theta' - g / (|L| + 1e-5) sin(theta).
 */
export const referencePendulumAccel: Acceleration = (ops, z, v, p) =>
  ops.neg(
    ops.add(
      ops.mul(p.damping, v),
      ops.mul(ops.div(ops.constant(GRAVITY), ops.add(ops.abs(p.length), ops.constant(1e-5))), ops.sin(z)),
    ),
  );

/**
 * The oscillator for a latent z = a x + b (any affine map of the displacement): the law keeps its
 * form about the latent's rest point zEq, z'' = -(g1 z' + g0 (z - zEq)); g0, g1 are unchanged.
 */
export const oscillatorAffineAccel: Acceleration = (ops, z, v, p) =>
  ops.neg(ops.add(ops.mul(p.g1, v), ops.mul(p.g0, ops.sub(z, p.zEq))));

/**
 * The pendulum for a latent z with theta = s (z - zEq) (any affine map of the angle):
 * z'' = -(g/L / s) sin(s (z - zEq)).
 * The sine's curvature fixes s (radians per latent unit), so g/L stays readable when the latent's
 * scale is set by something else (the KL's unit variance).
 */
export const pendulumAffineAccel: Acceleration = (ops, z, _v, p) => {
  const theta = ops.mul(p.angleScale, ops.sub(z, p.zEq));
  return ops.neg(ops.mul(ops.div(p.gOverL, p.angleScale), ops.sin(theta)));
};

/** Block sliding down an incline with Coulomb friction: s'' = g (sin(theta) - mu cos(theta)). */
export const slidingBlockAccel: Acceleration = (ops, _z, _v, p) =>
  ops.sub(ops.constant(GRAVITY * Math.sin(INCLINE)), ops.scale(p.mu, GRAVITY * Math.cos(INCLINE)));

/** Free fall: y'' = -g. */
export const freeFallAccel: Acceleration = (ops, _z, _v, p) => ops.neg(p.g);

/** LED brightness decay as the paper writes it: b' = -k b. */
export const paperLedRate: Rate = (ops, z, p) => ops.neg(ops.mul(p.k, z));

/**
 * LED brightness decay b' = -k (b - bOff): the paper's law with the latent level of a dark LED,
 * bOff, learned too (0 in physical units). Without it the prior's mean fights the decay to 0
 * (docs/parts/physics.md, Decisions: 180-220% error on k).
 */
export const ledRate: Rate = (ops, z, p) => ops.neg(ops.mul(p.k, ops.sub(z, p.bOff)));

/** sqrt(|x|) with a finite gradient at 0. */
const safeSqrtAbs = <T>(ops: Ops<T>, x: T) => ops.sqrt(ops.add(ops.abs(x), ops.constant(1e-8)));

/** Torricelli's law as the paper writes it: h' = -c sqrt(h) (|h| as the reference code). */
export const paperTorricelliRate: Rate = (ops, z, p) => ops.neg(ops.mul(p.c, safeSqrtAbs(ops, z)));

/**
 * Torricelli's law h' = -c sqrt(|h - hOff|): the paper's law with the latent level of an empty
 * tank, hOff, learned too (0 in physical units).
 */
export const torricelliRate: Rate = (ops, z, p) => ops.neg(ops.mul(p.c, safeSqrtAbs(ops, ops.sub(z, p.hOff))));

// ---- integrator steps ----

/**
 * Lecture Eq. 6 for z'' = a(z, z'): z_{t+1} = z_t + dt (v_t + dt a(z_t, v_t)), with
 * v_t = (z_t - z_{t-1}) / dt (Eq. 3). For the oscillator, a = -(g1 v + g0 z) gives Eq. 6 verbatim.
 */
export function eq6Step<T>(ops: Ops<T>, accel: Acceleration, zPrev: T, z: T, p: Params<T>, dt: number): T {
  const v = ops.scale(ops.sub(z, zPrev), 1 / dt);
  return ops.add(z, ops.scale(ops.add(v, ops.scale(accel(ops, z, v, p), dt)), dt));
}

/** Explicit Euler for z' = r(z): z_{t+1} = z_t + dt r(z_t). */
export function eulerStep<T>(ops: Ops<T>, rate: Rate, z: T, p: Params<T>, dt: number): T {
  return ops.add(z, ops.scale(rate(ops, z, p), dt));
}

/**
 * Reading Eq. 6 exactly for the oscillator. Eq. 6 with (g0', g1') is the linear recurrence
 * z_{t+1} = S z_t - D z_{t-1}, S = 2 - dt g1' - dt^2 g0', D = 1 - dt g1'; the exact flow of
 * z'' + g1 z' + g0 z = 0 sampled every dt is the recurrence whose characteristic roots are
 * e^{s dt} with s^2 + g1 s + g0 = 0 (root product e^{-g1 dt}, sum 2 e^{-g1 dt/2} cos(omega dt)).
 * Returns the (g0, g1) whose exact flow IS the learned map; NaN when no real ODE has it (D <= 0
 * or S < -2 sqrt(D)).
 */
export function oscillatorFromEq6(g0: number, g1: number, dt: number): { g0: number; g1: number } {
  const [S, D] = [2 - dt * g1 - dt * dt * g0, 1 - dt * g1];
  if (!(D > 0)) return { g0: Number.NaN, g1: Number.NaN };
  const exactG1 = -Math.log(D) / dt;
  const c = S / (2 * Math.sqrt(D)); // cos(omega dt) (underdamped) or cosh(kappa dt) (overdamped)
  const omega2 = c <= 1 ? (Math.acos(c) / dt) ** 2 : -((Math.acosh(c) / dt) ** 2); // acos(c < -1) = NaN
  return { g0: omega2 + (exactG1 * exactG1) / 4, g1: exactG1 };
}

/** Reading explicit Euler exactly for b' = -k b: (1 - dt k') = e^{-k dt}; NaN when dt k' >= 1. */
export function decayRateFromEuler(k: number, dt: number): number {
  return 1 - dt * k > 0 ? -Math.log(1 - dt * k) / dt : Number.NaN;
}

/** A system's latent dynamics: first order (rate) or second order (acceleration). */
export type Dynamics = { order: 1; rate: Rate } | { order: 2; accel: Acceleration };

/** The state's time derivative: [z'] = [r(z)] or [z', v'] = [v, a(z, v)]. */
function derivative<T>(ops: Ops<T>, dyn: Dynamics, s: readonly T[], p: Params<T>): T[] {
  return dyn.order === 1 ? [dyn.rate(ops, s[0], p)] : [s[1], dyn.accel(ops, s[0], s[1], p)];
}

/** One classical Runge-Kutta 4 step of size h (negative h integrates backwards). */
export function rk4Step<T>(ops: Ops<T>, dyn: Dynamics, s: readonly T[], p: Params<T>, h: number): T[] {
  const axpy = (x: readonly T[], a: number, y: readonly T[]) => x.map((xi, i) => ops.add(xi, ops.scale(y[i], a)));
  const k1 = derivative(ops, dyn, s, p);
  const k2 = derivative(ops, dyn, axpy(s, h / 2, k1), p);
  const k3 = derivative(ops, dyn, axpy(s, h / 2, k2), p);
  const k4 = derivative(ops, dyn, axpy(s, h, k3), p);
  return s.map((si, j) =>
    ops.add(si, ops.scale(ops.add(ops.add(k1[j], k4[j]), ops.scale(ops.add(k2[j], k3[j]), 2)), h / 6)),
  );
}

/** Advances a state by `dt` in `substeps` RK4 steps (ground truth, and the block's accurate mode). */
export function rk4<T>(ops: Ops<T>, dyn: Dynamics, s: readonly T[], p: Params<T>, dt: number, substeps: number): T[] {
  let out = [...s];
  for (let i = 0; i < substeps; i++) out = rk4Step(ops, dyn, out, p, dt / substeps);
  return out;
}

/** Newton iterations of the accurate mode's shooting start (each one gains a factor ~(omega dt)^2). */
export const SHOOTING_ITERATIONS = 3;

/**
 * Rolls the physics block forward from the first `order` encodings and returns predictions for
 * the next `steps` frames.
 * - `substeps = 1`: the paper exactly — Eq. 6 fed its own predictions (for first-order systems,
 *   explicit Euler). Biased by O(dt): 2.8% on the oscillator's g0 at dt = 0.1 (`physics bias`, ./bias.ts).
 * - `substeps = n > 1`: n RK4 steps per frame interval, starting from the velocity v_1 that
 *   carries (z_1, v_1) back onto z_0 in dt (shooting, Newton on v). Plain semi-implicit
 *   sub-stepping from v = (z_1 - z_0)/dt keeps a ~2% bias (docs/parts/physics.md), hence RK4.
 */
export function rollout<T>(
  ops: Ops<T>,
  dyn: Dynamics,
  init: readonly T[],
  p: Params<T>,
  opts: { steps: number; dt: number; substeps?: number },
): T[] {
  const { steps, dt, substeps = 1 } = opts;
  const out: T[] = [];
  if (substeps === 1) {
    if (dyn.order === 1) {
      let z = init[0];
      for (let t = 0; t < steps; t++) {
        z = eulerStep(ops, dyn.rate, z, p, dt);
        out.push(z);
      }
      return out;
    }
    let [zPrev, z] = [init[0], init[1]];
    for (let t = 0; t < steps; t++) {
      [zPrev, z] = [z, eq6Step(ops, dyn.accel, zPrev, z, p, dt)];
      out.push(z);
    }
    return out;
  }
  let s: T[] = [init[dyn.order - 1]];
  if (dyn.order === 2) {
    let v = ops.scale(ops.sub(init[1], init[0]), 1 / dt); // Eq. 3 as the first guess
    for (let i = 0; i < SHOOTING_ITERATIONS; i++) {
      const back = rk4(ops, dyn, [init[1], v], p, -dt, substeps)[0];
      v = ops.add(v, ops.scale(ops.sub(back, init[0]), 1 / dt));
    }
    s = [init[1], v];
  }
  for (let t = 0; t < steps; t++) {
    s = rk4(ops, dyn, s, p, dt, substeps);
    out.push(s[0]);
  }
  return out;
}

/** Prior of the distribution loss: N(mean, variance) for the latents of a batch. */
export interface LatentPrior {
  mean: number;
  variance: number;
}

/** The paper's prior N(0, 1). */
export const STANDARD_PRIOR: Readonly<LatentPrior> = Object.freeze({ mean: 0, variance: 1 });

/**
 * Distribution loss, lecture L2: KL( N(mu, sigma^2) || N(m, s^2) ) =
 * ((sigma^2 + (mu - m)^2) / s^2 - 1 - ln(sigma^2 / s^2)) / 2 per latent dimension, with mu and
 * sigma^2 the batch mean and (unbiased) variance of the latents. The paper's prior is N(0, 1).
 */
export function klToNormal<T>(ops: Ops<T>, mu: T, variance: T, prior: LatentPrior = STANDARD_PRIOR): T {
  const d = ops.sub(mu, ops.constant(prior.mean));
  const ratio = ops.scale(ops.add(variance, ops.mul(d, d)), 1 / prior.variance);
  const logRatio = ops.sub(ops.log(variance), ops.constant(Math.log(prior.variance)));
  return ops.scale(ops.sub(ops.sub(ratio, ops.constant(1)), logRatio), 0.5);
}
