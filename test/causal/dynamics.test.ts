import { describe, expect, it } from 'vitest';
import { abduct, counterfactual, fitMechanisms, fitSlipCone, observe } from '../../src/causal/dynamics.js';
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
