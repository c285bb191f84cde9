import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAUSAL_PARENTS,
  contactGeometry,
  type Exogenous,
  type Interventions,
  type NodeName,
  PUSH_ENV,
  type PushState,
  type StepVars,
  scmStep,
} from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const env = PUSH_ENV;

/** Descendants of `node` in the causal graph (CAUSAL_PARENTS), including itself. */
function descendants(node: string): Set<string> {
  const out = new Set([node]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parents] of Object.entries(CAUSAL_PARENTS)) {
      if (!out.has(child) && parents.some((p) => out.has(p))) {
        out.add(child);
        grew = true;
      }
    }
  }
  return out;
}

function changed(a: StepVars, b: StepVars): Set<string> {
  const out = new Set<string>();
  for (const k of Object.keys(a) as (keyof StepVars)[]) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.add(k);
  }
  return out;
}

// Effector just behind the block, pushing straight at it: contact, force, displacement all active.
const s: PushState = { e: [0.4, 0.5], b: [0.47, 0.5], g: [0.7, 0.5] };
const u: Exogenous = { uA: [0.3, -0.2], uMu: 0.4 };
const a: [number, number] = [0.04, 0];

const interventions: Record<NodeName, Interventions> = {
  action: { action: [0.04, 0.04] },
  eCmd: { eCmd: [0.43, 0.51] },
  delta: { delta: 0.01 },
  slip: { slip: true },
  force: { force: 9 },
  mu: { mu: 2 },
  displacement: { displacement: [0.01, 0.02] },
};

describe('pushing SCM: interventions', () => {
  const base = scmStep(env, s, a, u);
  it('the base step is a stable push: contact, no slip, the block moves', () => {
    expect(base.delta).toBeGreaterThan(0);
    expect(base.slip).toBe(false);
    expect(base.displacement[0]).toBeGreaterThan(0);
    expect(base.force).toBeCloseTo(env.k * base.delta, 12);
  });
  for (const [node, doVars] of Object.entries(interventions) as [NodeName, Interventions][]) {
    it(`do(${node}) changes ${node} and only its descendants`, () => {
      const after = scmStep(env, s, a, u, doVars);
      const diff = changed(base, after);
      expect(diff.has(node)).toBe(true);
      const allowed = descendants(node);
      for (const k of diff) expect(allowed.has(k), `${k} changed under do(${node})`).toBe(true);
    });
  }
  it('do(force) flips the collision outcome but leaves the block displacement alone', () => {
    const after = scmStep(env, s, a, u, { force: 9 });
    expect(after.collision).toBe(true);
    expect(after.displacement).toEqual(base.displacement);
  });
  it('do(mu) changes the displacement but not contact, force or slip', () => {
    const after = scmStep(env, s, a, u, { mu: 2 });
    expect(after.displacement).not.toEqual(base.displacement);
    expect([after.delta, after.force, after.slip]).toEqual([base.delta, base.force, base.slip]);
  });
  it('without contact, the block does not move whatever the friction', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (uMu) => {
        const far: PushState = { e: [0.1, 0.1], b: [0.6, 0.6], g: [0.8, 0.8] };
        const v = scmStep(env, far, [0.02, 0], { uA: [0, 0], uMu });
        expect(v.delta).toBeLessThan(0);
        expect(v.next.b).toEqual(far.b);
        expect(v.force).toBe(0);
      }),
    );
  });
  it('structural equations: eCmd = e + a + sigmaA uA; swept depth = gap closed along the normal', () => {
    expect(base.eCmd[0]).toBeCloseTo(0.4 + 0.04 + env.sigmaA * 0.3, 12);
    expect(base.eCmd[1]).toBeCloseTo(0.5 + env.sigmaA * -0.2, 12);
    expect(base.delta).toBeCloseTo(contactGeometry(env, s.e, base.eCmd, s.b, a).delta, 12);
    // Head-on from a gap of 0.07 - 0.07 = 0: the whole travel along x is penetration.
    const touch = scmStep(env, { e: [0.43, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] }, [0.05, 0], { uA: [0, 0], uMu: 0 });
    expect(touch.delta).toBeCloseTo(0.05, 12);
    // Passing the block centre does not reduce the depth (swept contact).
    const deep = scmStep(env, { e: [0.44, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] }, [0.08, 0], { uA: [0, 0], uMu: 0 });
    expect(deep.delta).toBeCloseTo(0.01 + 0.08, 12);
  });
  it('is deterministic given the exogenous noise', () => {
    const rng = new Rng(3);
    const u2: Exogenous = { uA: [rng.normal(), rng.normal()], uMu: rng.normal() };
    expect(scmStep(env, s, a, u2)).toEqual(scmStep(env, s, a, u2));
  });
});
