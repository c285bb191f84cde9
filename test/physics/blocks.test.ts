import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { ConfigError } from '../../src/core/errors.js';
import { integratorBias } from '../../src/physics/bias.js';
import {
  decayRateFromEuler,
  eq6Step,
  freeFallAccel,
  GRAVITY,
  INCLINE,
  klToNormal,
  oscillatorAccel,
  oscillatorFromEq6,
  pendulumAccel,
  referencePendulumAccel,
  rk4,
  rollout,
  slidingBlockAccel,
} from '../../src/physics/blocks.js';
import { numberOps, tensorOps } from '../../src/physics/ops.js';
import { paperBlockSpec, SYSTEM_NAMES, SYSTEMS, trueParams } from '../../src/physics/systems.js';

/** Exact underdamped solution of z'' + g1 z' + g0 z = 0 from z(0), z'(0). */
function oscillatorExact(g0: number, g1: number, z0: number, v0: number, t: number): number {
  const gamma = g1 / 2;
  const wd = Math.sqrt(g0 - gamma * gamma);
  const b = (v0 + gamma * z0) / wd;
  return Math.exp(-gamma * t) * (z0 * Math.cos(wd * t) + b * Math.sin(wd * t));
}

const osc = { g0: 4, g1: 0.5 };

describe('Eq. 6 (lecture) for the damped oscillator', () => {
  it('matches two steps computed by hand', () => {
    // z0 = 1, z1 = 0.9, dt = 0.1: v = -1, z2 = 0.9 + 0.1 (-1 - 0.1 (0.5 * -1 + 4 * 0.9)) = 0.769
    const z2 = eq6Step(numberOps, oscillatorAccel, 1, 0.9, osc, 0.1);
    expect(z2).toBeCloseTo(0.769, 12);
    // v = (0.769 - 0.9) / 0.1 = -1.31, z3 = 0.769 + 0.1 (-1.31 - 0.1 (0.5 * -1.31 + 4 * 0.769)) = 0.61379
    expect(eq6Step(numberOps, oscillatorAccel, 0.9, z2, osc, 0.1)).toBeCloseTo(0.61379, 12);
  });

  it('rollout with substeps = 1 is Eq. 6 fed its own predictions', () => {
    const preds = rollout(numberOps, SYSTEMS.oscillator.dynamics, [1, 0.9], osc, { steps: 8, dt: 0.1 });
    let [a, b] = [1, 0.9];
    for (const p of preds) {
      [a, b] = [b, eq6Step(numberOps, oscillatorAccel, a, b, osc, 0.1)];
      expect(p).toBeCloseTo(b, 12);
    }
  });

  it('converges to the exact solution with RK4 sub-steps, and Eq. 6 has an O(dt) error', () => {
    const z = (t: number) => oscillatorExact(4, 0.5, 0.7, -0.3, t);
    const truth = Array.from({ length: 10 }, (_, t) => z(0.1 * t));
    const err = (substeps: number) => {
      const p = rollout(numberOps, SYSTEMS.oscillator.dynamics, truth.slice(0, 2), osc, {
        steps: 8,
        dt: 0.1,
        substeps,
      });
      return Math.max(...p.map((v, i) => Math.abs(v - truth[i + 2])));
    };
    expect(err(1)).toBeGreaterThan(5e-3);
    expect(err(4)).toBeLessThan(1e-5);
    expect(err(10)).toBeLessThan(1e-5);
  });

  it('is linear in the initial encodings (why g0, g1 do not depend on the latent scale)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        (z0, s) => {
          const base = rollout(numberOps, SYSTEMS.oscillator.dynamics, [z0, z0 * 0.9 + 0.1], osc, {
            steps: 8,
            dt: 0.1,
          });
          const scaled = rollout(numberOps, SYSTEMS.oscillator.dynamics, [s * z0, s * (z0 * 0.9 + 0.1)], osc, {
            steps: 8,
            dt: 0.1,
          });
          scaled.forEach((v, i) => {
            expect(v).toBeCloseTo(s * base[i], 9);
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('ground-truth RK4 against closed forms', () => {
  const step = (name: keyof typeof SYSTEMS, s: number[], t: number) =>
    rk4(numberOps, SYSTEMS[name].dynamics, s, trueParams(SYSTEMS[name]), t, 200);

  it('damped oscillator', () => {
    expect(step('oscillator', [0.7, -0.3], 0.9)[0]).toBeCloseTo(oscillatorExact(4, 0.5, 0.7, -0.3, 0.9), 10);
  });
  it('free fall and sliding block (constant acceleration)', () => {
    expect(step('free-fall', [4.5, 1], 0.9)[0]).toBeCloseTo(4.5 + 0.9 - 0.5 * GRAVITY * 0.81, 10);
    const a = GRAVITY * (Math.sin(INCLINE) - 0.2 * Math.cos(INCLINE));
    expect(step('sliding-block', [0.1, 0.5], 0.9)[0]).toBeCloseTo(0.1 + 0.45 + 0.5 * a * 0.81, 10);
    expect(slidingBlockAccel(numberOps, 0, 0, { mu: 0.2 })).toBeCloseTo(a, 12);
    expect(freeFallAccel(numberOps, 0, 0, { g: 3 })).toBe(-3);
  });
  it('LED decay and Torricelli drain', () => {
    expect(step('led', [0.9], 0.9)[0]).toBeCloseTo(0.9 * Math.exp(-0.8 * 0.9), 10);
    expect(step('torricelli', [0.8], 0.9)[0]).toBeCloseTo((Math.sqrt(0.8) - (0.5 * 0.9) / 2) ** 2, 8);
  });
  it('pendulum conserves energy and has the small-angle period', () => {
    const w2 = trueParams(SYSTEMS.pendulum).gOverL;
    const energy = ([th, om]: number[]) => 0.5 * om * om - w2 * Math.cos(th);
    const s = step('pendulum', [1.1, 0.4], 2);
    expect(energy(s)).toBeCloseTo(energy([1.1, 0.4]), 7);
    const small = step('pendulum', [1e-4, 0], 0.5)[0];
    expect(small / 1e-4).toBeCloseTo(Math.cos(Math.sqrt(w2) * 0.5), 6);
  });
});

describe('tensor twins of the blocks', () => {
  it('every system: the rollout on tensors equals the rollout on numbers (float32)', async () => {
    const tf = await getTf();
    const ops = tensorOps(tf);
    for (const name of SYSTEM_NAMES) {
      const spec = SYSTEMS[name];
      const p = trueParams(spec);
      const init = spec.dynamics.order === 2 ? [0.5, 0.47] : [0.8];
      for (const substeps of [1, 3]) {
        const want = rollout(numberOps, spec.dynamics, init, p, { steps: 8, dt: 0.1, substeps });
        const got = tf.tidy(() => {
          const pt = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tf.scalar(v)]));
          const preds = rollout(
            ops,
            spec.dynamics,
            init.map((v) => tf.tensor1d([v])),
            pt,
            { steps: 8, dt: 0.1, substeps },
          );
          return tf.concat(preds);
        });
        const arr = Array.from(got.dataSync());
        got.dispose();
        arr.forEach((v, i) => {
          expect(v).toBeCloseTo(want[i], 4);
        });
      }
    }
  });
});

describe('KL(N(mu, var) || N(m, s2))', () => {
  /** Midpoint-rule integral of p log(p / q) for p = N(mu, v), q = N(m, s2): an independent check. */
  const klIntegral = (mu: number, v: number, m: number, s2: number) => {
    const pdf = (x: number, a: number, b: number) => Math.exp(-((x - a) ** 2) / (2 * b)) / Math.sqrt(2 * Math.PI * b);
    let kl = 0;
    for (let x = -12; x < 12; x += 1e-3) {
      const px = pdf(x + 5e-4, mu, v);
      if (px > 0) kl += px * Math.log(px / pdf(x + 5e-4, m, s2)) * 1e-3;
    }
    return kl;
  };

  it('matches the closed form and a numerical integral, for the paper prior and another', () => {
    expect(klToNormal(numberOps, 1, 4)).toBeCloseTo(0.5 * (4 + 1 - 1 - Math.log(4)), 12);
    expect(klToNormal(numberOps, 0, 1)).toBe(0);
    expect(klToNormal(numberOps, 0.3, 0.5)).toBeCloseTo(klIntegral(0.3, 0.5, 0, 1), 6);
    expect(klToNormal(numberOps, 0.3, 0.5, { mean: 1, variance: 0.5 })).toBeCloseTo(klIntegral(0.3, 0.5, 1, 0.5), 6);
  });

  it('is non-negative with its minimum at the prior', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.1, max: 4, noNaN: true }),
        (mu, v, m, s2) => {
          expect(klToNormal(numberOps, mu, v, { mean: m, variance: s2 })).toBeGreaterThanOrEqual(-1e-12);
          expect(Math.abs(klToNormal(numberOps, m, s2, { mean: m, variance: s2 }))).toBeLessThan(1e-12);
        },
      ),
    );
  });
});

describe('reading the one-step blocks as continuous-time parameters', () => {
  /** Eq. 6 parameters that reproduce the exact sampled flow of z'' + g1 z' + g0 z = 0 (closed form). */
  const eq6OfExactFlow = (g0: number, g1: number, dt: number) => {
    // the sampled flow is z_{t+1} = S z_t - D z_{t-1} with S = e^{s1 dt} + e^{s2 dt}, D = e^{-g1 dt}
    const disc = g1 * g1 - 4 * g0;
    const half = Math.sqrt(Math.abs(disc)) / 2;
    const S = 2 * Math.exp((-g1 * dt) / 2) * (disc < 0 ? Math.cos(half * dt) : Math.cosh(half * dt));
    const D = Math.exp(-g1 * dt);
    const g1b = (1 - D) / dt;
    return { g0: (2 - dt * g1b - S) / (dt * dt), g1: g1b };
  };

  it('recovers (g0, g1) from the Eq. 6 values that reproduce the exact flow (under- and overdamped)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 6, noNaN: true }),
        (g0, g1) => {
          const b = eq6OfExactFlow(g0, g1, 0.1);
          const r = oscillatorFromEq6(b.g0, b.g1, 0.1);
          expect(r.g0).toBeCloseTo(g0, 6);
          expect(r.g1).toBeCloseTo(g1, 8);
        },
      ),
    );
  });

  it('turns the Gauss-Newton fit of Eq. 6 to exact trajectories back into the true values', () => {
    const eq6 = integratorBias('oscillator', { substeps: 1 });
    expect(eq6.g0.readError).toBeCloseTo(0, 6);
    expect(eq6.g1.readError).toBeCloseTo(0, 6);
    const led = integratorBias('led', { substeps: 1 });
    expect(led.k.relativeError).toBeLessThan(-0.03); // Euler alone: -3.9%
    expect(led.k.readError).toBeCloseTo(0, 6);
  });

  it("Euler for b' = -k b: exact decay over one step, NaN when no decay rate gives the map", () => {
    const k = 0.8;
    expect(decayRateFromEuler((1 - Math.exp(-k * 0.1)) / 0.1, 0.1)).toBeCloseTo(k, 12);
    expect(decayRateFromEuler(10, 0.1)).toBeNaN();
    expect(oscillatorFromEq6(4, 20, 0.1).g1).toBeNaN();
  });
});

describe('integrator bias of Eq. 6', () => {
  it('Eq. 6 at dt = 0.1 fits the exact oscillator with g0 = 3.889, g1 = 0.488; RK4 sub-steps remove it', () => {
    const eq6 = integratorBias('oscillator', { substeps: 1 });
    expect(eq6.g0.fit).toBeCloseTo(3.889, 2);
    expect(eq6.g1.fit).toBeCloseTo(0.488, 2);
    const accurate = integratorBias('oscillator', { substeps: 4 });
    expect(Math.abs(accurate.g0.relativeError)).toBeLessThan(1e-3);
    expect(Math.abs(accurate.g1.relativeError)).toBeLessThan(1e-3);
  });
});

describe("the reference code's pendulum block (trained in the length L, with a damping)", () => {
  it('is the pendulum with g/L = g / (|L| + 1e-5), minus the damping times the velocity (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.boolean(),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (z, v, length, negative, damping) => {
          const gOverL = GRAVITY / (length + 1e-5);
          const got = referencePendulumAccel(numberOps, z, v, { length: negative ? -length : length, damping });
          const want = -gOverL * Math.sin(z) - damping * v;
          expect(got).toBeCloseTo(want, 10);
          expect(referencePendulumAccel(numberOps, z, v, { length, damping: 0 })).toBeCloseTo(
            pendulumAccel(numberOps, z, v, { gOverL }),
            10,
          );
        },
      ),
    );
  });

  it('paperBlockSpec: the pendulum trains length and damping from the reference inits and reads g/L off L', () => {
    const spec = paperBlockSpec('pendulum', { substeps: 1 });
    expect(spec.params.map((p) => [p.name, p.init])).toEqual([
      ['length', 10],
      ['damping', 1],
    ]);
    const read = spec.fromBlock!({ length: -1.2, damping: 0.3 }, 0.1);
    expect(read.gOverL).toBeCloseTo(GRAVITY / (1.2 + 1e-5), 10); // the reference's guard against L = 0
    expect(read.gOverL).toBeCloseTo(SYSTEMS.pendulum.params[0].trueValue, 3);
    expect(() => paperBlockSpec('pendulum', { substeps: 4 })).toThrow(ConfigError);
    expect(() => paperBlockSpec('oscillator' as 'pendulum', { substeps: 1 })).toThrow(ConfigError);
  });

  it('paperBlockSpec: LED and Torricelli drop the learned offset; the alternative prior is N(1, 0.5)', () => {
    for (const name of ['led', 'torricelli'] as const) {
      const spec = paperBlockSpec(name, { substeps: 1 });
      expect(spec.params.some((p) => p.nuisance)).toBe(false);
      expect(spec.prior).toBeUndefined();
      expect(paperBlockSpec(name, { substeps: 1, alternativePrior: true }).prior).toEqual({ mean: 1, variance: 0.5 });
    }
  });
});
