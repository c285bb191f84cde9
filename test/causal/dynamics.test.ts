import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abduct,
  abductPosterior,
  counterfactual,
  fitMechanisms,
  fitSlipCone,
  observe,
  samplePosterior,
  sampleTruncatedNormal,
} from '../../src/causal/dynamics.js';
import { runEpisode, scriptedPolicy } from '../../src/causal/episode.js';
import { ACTIONS, PUSH_ENV, sampleInitialState, scmStep, vecNorm, vecSub } from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const env = PUSH_ENV;
const rng = new Rng(21);
const episodes = Array.from({ length: 12 }, () => runEpisode(env, sampleInitialState(rng), scriptedPolicy(env), rng));
const steps = episodes.flatMap((e) => e.steps);

describe('abduction-action-prediction', () => {
  it('with the true SCM, the counterfactual under the observed action reproduces every observed step', () => {
    expect(steps.length).toBeGreaterThan(100);
    for (const r of steps) {
      const o = observe(r);
      const cf = counterfactual(env, o, o.action);
      expect(vecNorm(vecSub(cf.next.b, r.vars.next.b))).toBeLessThan(1e-12);
      expect(vecNorm(vecSub(cf.next.e, r.vars.next.e))).toBeLessThan(1e-12);
      expect(cf.slip).toBe(r.vars.slip);
      expect(cf.force).toBeCloseTo(r.vars.force, 9);
      expect(cf.collision).toBe(r.vars.collision);
    }
  });
  it('recovers the actuation noise always, and the friction noise when the block moved', () => {
    let moving = 0;
    for (const r of steps) {
      const u = abduct(env, observe(r));
      expect(u.uA[0]).toBeCloseTo(r.u.uA[0], 6);
      expect(u.uA[1]).toBeCloseTo(r.u.uA[1], 6);
      if (vecNorm(r.vars.displacement) > 1e-9) {
        moving++;
        expect(u.uMu).toBeCloseTo(r.u.uMu, 6);
      }
    }
    expect(moving).toBeGreaterThan(10);
  });
  it('with the true SCM, counterfactuals under other actions equal the SCM run with the true noise when U is identified', () => {
    const moved = steps.filter((r) => vecNorm(r.vars.displacement) > 1e-9);
    for (const r of moved) {
      for (const a of ACTIONS) {
        const cf = counterfactual(env, observe(r), a);
        const truth = scmStep(env, r.state, a, r.u);
        expect(vecNorm(vecSub(cf.next.b, truth.next.b))).toBeLessThan(1e-9);
      }
    }
  });
});

describe('the abduction posterior', () => {
  const unidentified = steps.filter((r) => vecNorm(r.vars.displacement) <= 1e-9);
  it('identifies uMu exactly when the block moved, and bounds it below by log(k delta / mu0) / sigmaMu when it stayed', () => {
    expect(unidentified.length).toBeGreaterThan(20);
    for (const r of steps) {
      const post = abductPosterior(env, observe(r));
      if ('value' in post.uMu) expect(post.uMu.value).toBeCloseTo(r.u.uMu, 6);
      else {
        // The true noise satisfies the bound, and the bound is the independent closed form.
        expect(r.u.uMu).toBeGreaterThanOrEqual(post.uMu.lowerBound - 1e-9);
        const expected = r.vars.delta > 0 ? Math.log((env.k * r.vars.delta) / env.mu0) / env.sigmaMu : -Infinity;
        expect(post.uMu.lowerBound).toBeCloseTo(expected, 9);
      }
    }
  });
  it('every posterior draw reproduces the observed step under the true SCM (the block stays where it stayed)', () => {
    const draw = new Rng(3);
    for (const r of unidentified.slice(0, 60)) {
      const o = observe(r);
      for (const u of samplePosterior(abductPosterior(env, o), draw, 8)) {
        const v = scmStep(env, r.state, o.action, u);
        expect(vecNorm(vecSub(v.next.b, r.vars.next.b))).toBeLessThan(1e-12);
        expect(vecNorm(vecSub(v.next.e, r.vars.next.e))).toBeLessThan(1e-9);
      }
    }
  });
  it('the point summary is the posterior mode: max(0, bound)', () => {
    for (const r of unidentified) {
      const post = abductPosterior(env, observe(r));
      const bound = 'lowerBound' in post.uMu ? post.uMu.lowerBound : Number.NaN;
      expect(abduct(env, observe(r)).uMu).toBe(Math.max(0, bound));
    }
  });
});

describe('truncated normal sampler', () => {
  /** E[Z | Z >= a] = phi(a) / (1 - Phi(a)), with Phi by Simpson integration of phi on [a, a + 12]. */
  const truncatedMean = (a: number) => {
    const phi = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    const n = 4000;
    const h = 12 / n;
    let tail = 0;
    for (let i = 0; i <= n; i++) tail += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * phi(a + i * h);
    return phi(a) / ((tail * h) / 3);
  };
  it.each([-1, 0.2, 0.5, 1.5, 3])('draws at or above a = %s with the closed-form mean (4 standard errors)', (a) => {
    const r = new Rng(11);
    const z = Array.from({ length: 20_000 }, () => sampleTruncatedNormal(r, a));
    expect(Math.min(...z)).toBeGreaterThanOrEqual(a);
    const m = z.reduce((s, x) => s + x, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, x) => s + (x - m) ** 2, 0) / z.length);
    expect(Math.abs(m - truncatedMean(a))).toBeLessThan((4 * sd) / Math.sqrt(z.length));
  });
  it('never returns below the bound (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 8, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (a, seed) => {
        return sampleTruncatedNormal(new Rng(seed), a) >= a;
      }),
    );
  });
});

describe('learned mechanisms (least squares on the cold-start steps)', () => {
  const { model, report } = fitMechanisms(env, steps.map(observe));
  it('estimates the true parameters', () => {
    expect(report.contacts).toBeGreaterThan(20);
    expect(model.k).toBeCloseTo(env.k, 3);
    expect(Math.abs(model.mu0 - env.mu0) / env.mu0).toBeLessThan(0.15);
    expect(Math.abs(model.muC - env.muC)).toBeLessThan(0.1);
    expect(Math.abs(model.sSlip - env.sSlip)).toBeLessThan(0.05);
    expect(Math.abs(model.sigmaA - env.sigmaA) / env.sigmaA).toBeLessThan(0.2);
    for (const [i, g] of model.gain.entries()) expect(g).toBeCloseTo(i === 0 || i === 3 ? 1 : 0, 1);
  });
  it('its counterfactual next block positions are close to the true SCM', () => {
    let err = 0;
    let n = 0;
    for (const r of steps.slice(0, 80)) {
      for (const a of ACTIONS) {
        const truth = scmStep(env, r.state, a, r.u);
        err += vecNorm(vecSub(counterfactual(model, observe(r), a).next.b, truth.next.b));
        n++;
      }
    }
    expect(err / n).toBeLessThan(2e-3);
  });
  it('decision stump: threshold between the classes, fallback when one class is missing', () => {
    const t = fitSlipCone(
      [
        { tan: 0.1, slip: false },
        { tan: 0.3, slip: false },
        { tan: 0.9, slip: true },
        { tan: 1.2, slip: true },
      ],
      0.5,
    );
    expect(t).toBeCloseTo(0.6, 12);
    expect(fitSlipCone([{ tan: 0.2, slip: false }], 0.5)).toBe(0.5);
  });
  it('rejects too few steps', () => {
    expect(() => fitMechanisms(env, steps.slice(0, 2).map(observe))).toThrow(/at least 4/);
  });
});
