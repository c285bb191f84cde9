/**
 * The paper's physical systems (Castañeda Garcia et al., CVPR 2025): for each, its ODE (from
 * ./blocks.ts), its parameters with the true values we render and the values the model starts
 * from, how initial conditions are drawn, and how block values become physical estimates (exact
 * reading of the one-step block; a known reference for parameters that depend on the latent's map).
 */
import { ConfigError, checkOneOf } from '../core/errors.js';
import { mean } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import {
  type Dynamics,
  decayRateFromEuler,
  freeFallAccel,
  GRAVITY,
  INCLINE,
  type LatentPrior,
  ledRate,
  oscillatorAccel,
  oscillatorAffineAccel,
  oscillatorFromEq6,
  paperLedRate,
  paperTorricelliRate,
  pendulumAccel,
  pendulumAffineAccel,
  referencePendulumAccel,
  slidingBlockAccel,
  torricelliRate,
} from './blocks.js';
import { fitLatentToState, fitPowerLatent, fitSqrtLatent } from './calibrate.js';

export const SYSTEM_NAMES = ['oscillator', 'pendulum', 'sliding-block', 'free-fall', 'led', 'torricelli'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/**
 * - 'invariant': the same for every latent that satisfies the law (damping and frequency of the
 *   oscillator, the pendulum's g/L, whose sine pins the latent to radians): read off the block;
 * - 'reference': changes with the latent's map (an acceleration, the outflow coefficient, and the
 *   LED's decay rate, which the map z = b^p multiplies by p): the block's value is in latent units
 *   and needs a known reference (`calibrate`, ./calibrate.ts).
 */
export type ParamScaling = 'invariant' | 'reference';

export interface ParamSpec {
  name: string;
  /** Value used by the renderer (the ground truth of synthetic video). */
  trueValue: number;
  /** Value the trained physics parameter starts from. */
  init: number;
  scaling: ParamScaling;
  description: string;
  /** A latent-unit nuisance (an offset), trained but not reported as a physical estimate. */
  nuisance?: boolean;
}

export interface SystemSpec {
  name: SystemName;
  title: string;
  dynamics: Dynamics;
  params: readonly ParamSpec[];
  /** Prior of the distribution loss (default N(0, 1), the paper's). */
  prior?: LatentPrior;
  /** What the scalar state is (for figures). */
  state: string;
  /** Draws the initial state [z] or [z, z'] of one clip. */
  sampleInitial(rng: Rng): number[];
  /**
   * Continuous-time values from the block's values when the block is the paper's one-step Eq. 6 /
   * Euler (substeps = 1): the parameters whose EXACT flow is the learned map (linear laws only).
   * Absent: the values are read as they are (exact for constant accelerations).
   */
  fromBlock?(values: Readonly<Record<string, number>>, dt: number): Record<string, number>;
  /**
   * Physical parameters from latent-unit values, given the latent and the true state of every frame
   * (a known reference, ./calibrate.ts). Identity for invariant parameters.
   */
  calibrate(
    values: Readonly<Record<string, number>>,
    latent: ArrayLike<number>,
    states: ArrayLike<number>,
  ): Record<string, number>;
  /**
   * The law written for a latent that is any affine map of the state, with the map's parts as
   * nuisances (./refit.ts reads trained latents with it). Absent: the block already is (constant
   * accelerations; the LED and Torricelli, whose offsets are in the block).
   */
  latentLaw?: {
    dynamics: Dynamics;
    params: readonly ParamSpec[];
    /** The one representative of parameter sets that give the same law (the law's discrete symmetries). */
    canonical?(values: Readonly<Record<string, number>>): Record<string, number>;
    /** Starting values of nuisances read off the latents (the refit is local: a far start can end in another basin). */
    start?(clips: readonly (readonly number[])[]): Record<string, number>;
  };
}

const OSCILLATOR_PARAMS: readonly ParamSpec[] = [
  { name: 'g0', trueValue: 4, init: 10, scaling: 'invariant', description: 'stiffness (omega^2), 1/s^2' },
  { name: 'g1', trueValue: 0.5, init: 1, scaling: 'invariant', description: 'damping, 1/s' },
];

/** Length of the rendered pendulum (m) and the reference code's initial length. */
const PENDULUM_LENGTH = 1.2;
const REFERENCE_INIT_LENGTH = 10;

/** The pendulum's parameter; reference init: length 10 m, i.e. g/L = 0.98. */
const G_OVER_L: ParamSpec = {
  name: 'gOverL',
  trueValue: GRAVITY / PENDULUM_LENGTH,
  init: GRAVITY / REFERENCE_INIT_LENGTH,
  scaling: 'invariant',
  description: 'g/L, 1/s^2',
};

/** The latent's rest point / zero angle, a nuisance of the affine latent laws. */
const REST_POINT: ParamSpec = {
  name: 'zEq',
  trueValue: 0,
  init: 0,
  scaling: 'reference',
  description: 'latent of the rest point',
  nuisance: true,
};

/** The rest point starts at the latents' mean: the data swing about it (symmetric initial states). */
const restPointAtMean = (clips: readonly (readonly number[])[]) => ({ zEq: mean(clips.flat()) });

const identity = (values: Readonly<Record<string, number>>) => ({ ...values });
const u = (rng: Rng, lo: number, hi: number) => rng.uniformRange(lo, hi);

export const SYSTEMS: Readonly<Record<SystemName, SystemSpec>> = Object.freeze({
  oscillator: {
    name: 'oscillator',
    title: 'damped oscillator',
    dynamics: { order: 2, accel: oscillatorAccel },
    params: OSCILLATOR_PARAMS,
    state: 'x (displacement)',
    sampleInitial: (rng) => [u(rng, -1, 1), u(rng, -2, 2)],
    fromBlock: (e, dt) => ({ ...e, ...oscillatorFromEq6(e.g0, e.g1, dt) }),
    calibrate: identity,
    latentLaw: {
      dynamics: { order: 2, accel: oscillatorAffineAccel },
      params: [...OSCILLATOR_PARAMS, REST_POINT],
      start: restPointAtMean,
    },
  },
  pendulum: {
    name: 'pendulum',
    title: 'pendulum',
    dynamics: { order: 2, accel: pendulumAccel },
    params: [G_OVER_L],
    state: 'theta (rad)',
    // the sine pins the latent to radians and the KL prior pins its variance to 1: both hold only when
    // the angle's variance over the data is 1 rad^2. Swings of up to 146 degrees give 1.01 (measured
    // over 4096 clips); +-2.4 rad gave 0.87 and latents 7% wider than the angle (docs/parts/physics.md)
    sampleInitial: (rng) => [u(rng, -2.55, 2.55), u(rng, -0.5, 0.5)],
    calibrate: identity,
    latentLaw: {
      dynamics: { order: 2, accel: pendulumAffineAccel },
      params: [
        G_OVER_L,
        {
          name: 'angleScale',
          trueValue: 1,
          init: 1,
          scaling: 'reference',
          description: 'radians per latent unit',
          nuisance: true,
        },
        REST_POINT,
      ],
      start: restPointAtMean,
      // sin(s (z - zEq)) / s is even in s, and (g/L, zEq) gives the law of (-g/L, zEq + pi/s): report s > 0, g/L > 0
      canonical: (p): Record<string, number> => {
        const s = Math.abs(p.angleScale);
        return p.gOverL >= 0 ? { ...p, angleScale: s } : { gOverL: -p.gOverL, angleScale: s, zEq: p.zEq + Math.PI / s };
      },
    },
  },
  'sliding-block': {
    name: 'sliding-block',
    title: 'block sliding down a 25 degree incline',
    dynamics: { order: 2, accel: slidingBlockAccel },
    params: [{ name: 'mu', trueValue: 0.2, init: 0, scaling: 'reference', description: 'friction coefficient' }],
    state: 's (m along the incline)',
    sampleInitial: (rng) => [u(rng, 0, 0.4), u(rng, 0, 1)],
    // latent z = a s + b: z'' = a s'', so the block's acceleration is a times the physical one
    calibrate: (e, latent, states) => {
      const gs = GRAVITY * Math.sin(INCLINE);
      const gc = GRAVITY * Math.cos(INCLINE);
      const latentAccel = gs - e.mu * gc; // s'' in latent units
      return { ...e, mu: (gs - latentAccel / fitLatentToState(latent, states).scale) / gc };
    },
  },
  'free-fall': {
    name: 'free-fall',
    title: 'free fall',
    dynamics: { order: 2, accel: freeFallAccel },
    params: [{ name: 'g', trueValue: GRAVITY, init: 10, scaling: 'reference', description: 'gravity, m/s^2' }],
    state: 'y (m)',
    sampleInitial: (rng) => [u(rng, 4.3, 4.8), u(rng, 0, 2.5)],
    calibrate: (e, latent, states) => ({ ...e, g: e.g / fitLatentToState(latent, states).scale }),
  },
  led: {
    name: 'led',
    title: 'LED brightness decay',
    dynamics: { order: 1, rate: ledRate },
    params: [
      { name: 'k', trueValue: 0.8, init: 2, scaling: 'reference', description: 'decay rate, 1/s' },
      {
        name: 'bOff',
        trueValue: 0,
        init: 0,
        scaling: 'reference',
        description: 'latent of a dark LED',
        nuisance: true,
      },
    ],
    state: 'b (brightness)',
    sampleInitial: (rng) => [u(rng, 0.4, 1)],
    fromBlock: (e, dt) => ({ ...e, k: decayRateFromEuler(e.k, dt) }),
    // z - bOff = C b^p turns b' = -k b into z' = -(p k)(z - bOff)
    calibrate: (e, latent, states) => ({ ...e, k: e.k / fitPowerLatent(latent, states, e.bOff ?? 0).scale }),
  },
  torricelli: {
    name: 'torricelli',
    title: 'Torricelli tank',
    dynamics: { order: 1, rate: torricelliRate },
    params: [
      { name: 'c', trueValue: 0.5, init: 1, scaling: 'reference', description: 'outflow coefficient, sqrt(m)/s' },
      {
        name: 'hOff',
        trueValue: 0,
        init: 0,
        scaling: 'reference',
        description: 'latent of an empty tank',
        nuisance: true,
      },
    ],
    state: 'h (m)',
    sampleInitial: (rng) => [u(rng, 0.5, 1)],
    // sqrt(z - hOff) = r sqrt(h) + K turns h' = -c sqrt(h) into z' = -(r c) sqrt(z - hOff)
    calibrate: (e, latent, states) => ({ ...e, c: e.c / fitSqrtLatent(latent, states, e.hOff ?? 0).scale }),
  },
});

/** The blocks of the paper's reference code that differ from ours (`paperBlockSpec`). */
export const PAPER_BLOCK_SYSTEMS = ['pendulum', 'led', 'torricelli'] as const;

/**
 * The system with the paper's reference block where ours differs (Learning_physics_from_video, PhysModels.py),
 * for measuring what our changes buy (docs/parts/physics.md):
 * - pendulum: trained in the length L (init 10 m, g fixed) with a damping (init 1); g/L is read off L. Its
 *   reading is the one-step block's, so `substeps` must be 1;
 * - LED and Torricelli: the paper's law without our learned offset, under the N(0, 1) prior or, with
 *   `alternativePrior`, the reference's N(1, 0.5) (`KL_divergence_2` in its loss_func.py).
 */
export function paperBlockSpec(name: SystemName, opts: { substeps: number; alternativePrior?: boolean }): SystemSpec {
  // the other systems' blocks are the paper's laws already: one block each
  const spec = SYSTEMS[checkOneOf("system with the paper's block (--block paper)", name, PAPER_BLOCK_SYSTEMS)];
  if (name === 'pendulum') {
    if (opts.substeps !== 1) {
      throw new ConfigError(
        `the paper's pendulum block (--block paper) is read as the one-step block: substeps must be 1, got ${opts.substeps}`,
      );
    }
    return {
      ...spec,
      dynamics: { order: 2, accel: referencePendulumAccel },
      params: [
        {
          name: 'length',
          trueValue: PENDULUM_LENGTH,
          init: REFERENCE_INIT_LENGTH,
          scaling: 'invariant',
          description: 'length L, m',
        },
        { name: 'damping', trueValue: 0, init: 1, scaling: 'invariant', description: 'damping, 1/s', nuisance: true },
      ],
      fromBlock: (e) => ({ ...e, gOverL: GRAVITY / (Math.abs(e.length) + 1e-5) }),
    };
  }
  const rate = name === 'led' ? paperLedRate : paperTorricelliRate;
  return {
    ...spec,
    dynamics: { order: 1, rate },
    params: spec.params.filter((p) => !p.nuisance),
    prior: opts.alternativePrior ? { mean: 1, variance: 0.5 } : undefined,
  };
}

/** The spec of `name`; unknown names get a ConfigError listing the systems. */
export function getSystem(name: unknown): SystemSpec {
  return SYSTEMS[checkOneOf('system', name, SYSTEM_NAMES)];
}

/** The block a training config asks for: the system's own, or with `block: 'paper'` the reference code's. */
export function trainingSpec(name: unknown, config: { block: 'ours' | 'paper'; substeps: number }): SystemSpec {
  const spec = getSystem(name);
  return config.block === 'paper' ? paperBlockSpec(spec.name, { substeps: config.substeps }) : spec;
}

/** True parameter values of a system, optionally overridden (checked: finite, in the system's valid range). */
export function trueParams(spec: SystemSpec, overrides: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of spec.params) out[p.name] = overrides[p.name] ?? p.trueValue;
  for (const key of Object.keys(overrides)) {
    if (!(key in out)) {
      throw new ConfigError(`${spec.name} has parameters ${spec.params.map((p) => p.name).join(', ')}, got '${key}'`);
    }
  }
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v)) throw new ConfigError(`${spec.name} parameter ${k} must be a finite number, got ${v}`);
  }
  if (spec.name === 'sliding-block' && out.mu >= Math.tan(INCLINE)) {
    throw new ConfigError(`sliding-block mu must be below tan(25 deg) = 0.466 for the block to slide, got ${out.mu}`);
  }
  return out;
}
