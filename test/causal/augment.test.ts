import { describe, expect, it } from 'vitest';
import {
  AUGMENT_DEFAULTS,
  type AugmentOptions,
  allowedByDemonstration,
  augment,
  labelRealStep,
  PROGRESS_RULE,
  rejectionReason,
} from '../../src/causal/augment.js';
import { abduct, counterfactual, fitMechanisms, observe } from '../../src/causal/dynamics.js';
import { runEpisode, scriptedPolicy } from '../../src/causal/episode.js';
import {
  ACTIONS,
  PUSH_ENV,
  type PushState,
  sampleInitialState,
  scmStep,
  type Vec2,
  vecNorm,
} from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const env = PUSH_ENV;
const still = { uA: [0, 0] as Vec2, uMu: 0 };
const step = (s: PushState, a: Vec2) => scmStep(env, s, a, still);

describe('rejection filters catch each failure kind', () => {
  it('over-force collision: a long step straight into the block', () => {
    const v = step({ e: [0.43, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] }, [0.08, 0]);
    expect(v.force).toBeGreaterThan(env.fMax);
    expect(rejectionReason(env, v)).toBe('collision');
  });
  it('wall collision: pushing the block into the wall', () => {
    const v = step({ e: [0.86, 0.5], b: [0.93, 0.5], g: [0.8, 0.5] }, [0.04, 0]);
    expect(v.force).toBeLessThan(env.fMax);
    expect(rejectionReason(env, v)).toBe('collision');
  });
  it('slip: an oblique push outside the friction cone', () => {
    const v = step({ e: [0.45, 0.44], b: [0.5, 0.5], g: [0.8, 0.5] }, [0.04, 0]);
    expect(v.delta).toBeGreaterThan(0);
    expect(v.slip).toBe(true);
    expect(rejectionReason(env, v)).toBe('slip');
  });
  it('invalid: the effector leaves the workspace', () => {
    const v = step({ e: [0.01, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] }, [-0.04, 0]);
    expect(rejectionReason(env, v)).toBe('invalid');
  });
  it('a gentle straight push passes every filter and is labelled positive', () => {
    const s: PushState = { e: [0.43, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] };
    const v = step(s, [0.04, 0]);
    expect(rejectionReason(env, v)).toBeNull();
    const label = labelRealStep(env, { state: s, actionIndex: 8, u: still, vars: v });
    expect(label?.positive).toBe(true);
  });
});

describe('counterfactual augmentation', () => {
  const rng = new Rng(5);
  const real = Array.from({ length: 6 }, () =>
    runEpisode(env, sampleInitialState(rng), scriptedPolicy(env), rng),
  ).flatMap((e) => e.steps);
  const { model } = fitMechanisms(env, real.map(observe));
  const { samples, report } = augment(env, model, real, new Rng(6));
  const atState = (s: PushState) => samples.filter((x) => x.state === s);
  it('counts: every candidate is generated once and either kept-positive, rejected by reason, or without progress', () => {
    expect(report.generated).toBe(real.length * 24);
    const rejected = Object.values(report.rejected).reduce((a, b) => a + b, 0);
    const safeWithProgress = report.generated - rejected;
    expect(report.keptPositive).toBeLessThanOrEqual(safeWithProgress);
    expect(report.keptPositive).toBeLessThanOrEqual(3 * real.length);
    expect(report.rejected.slip).toBeGreaterThan(0);
    expect(report.cfLabelAgreement).toBeGreaterThan(0.95);
    expect(report.uncertainLabels).toBeGreaterThan(0);
  });
  it("the weight rule: a state's positives share at most one unit, each P(positive) / kept > 1/(2 kept); negatives P(failure) > 1/2", () => {
    for (const r of real) {
      const pos = atState(r.state).filter((x) => x.positive);
      const neg = atState(r.state).filter((x) => !x.positive);
      const total = pos.reduce((t, x) => t + x.weight!, 0);
      expect(total).toBeLessThanOrEqual(1 + 1e-12);
      for (const x of pos) expect(x.weight!).toBeGreaterThan(0.5 / pos.length);
      for (const x of neg) expect(x.weight!).toBeGreaterThan(0.5);
      expect(neg.length).toBeLessThanOrEqual(2);
    }
    expect(report.weightPositive).toBeCloseTo(
      samples.filter((x) => x.positive).reduce((t, x) => t + x.weight!, 0),
      9,
    );
  });
  it('when the friction is identified (the block moved), every draw agrees: positives weigh exactly 1/kept', () => {
    const moved = real.filter((r) => vecNorm(r.vars.displacement) > 1e-9);
    expect(moved.length).toBeGreaterThan(5);
    for (const r of moved) {
      const pos = atState(r.state).filter((x) => x.positive);
      for (const x of pos) expect(x.weight).toBeCloseTo(1 / pos.length, 12);
    }
  });
  it('every kept positive is safe and progressing under the TRUE SCM in most cases', () => {
    const pos = samples.filter((s) => s.positive);
    let ok = 0;
    for (const s of pos) {
      const r = real.find((x) => x.state === s.state)!;
      const v = scmStep(env, r.state, actionOf(s.actionIndex), r.u);
      if (rejectionReason(env, v) === null) ok++;
    }
    expect(ok / pos.length).toBeGreaterThan(0.95);
  });
  it('negatives are over-force collisions or slips at the posterior mode', () => {
    const neg = samples.filter((s) => !s.positive);
    expect(neg.length).toBeGreaterThan(0);
    let ok = 0;
    for (const s of neg) {
      const r = real.find((x) => x.state === s.state)!;
      const reason = rejectionReason(env, counterfactual(model, observe(r), actionOf(s.actionIndex)));
      if (reason === 'collision' || reason === 'slip') ok++;
    }
    expect(ok / neg.length).toBeGreaterThan(0.95);
  });
  it('the next-state option adds failures at the predicted next states of the positives, weighted by both', () => {
    const n = augment(env, model, real, new Rng(6), { ...AUGMENT_DEFAULTS, nextStateNegatives: true });
    const states = new Set(real.map((r) => r.state));
    const extra = n.samples.filter((x) => !states.has(x.state));
    expect(extra.length).toBeGreaterThan(0);
    expect(extra.every((x) => !x.positive && x.weight! > 0 && x.weight! <= 1)).toBe(true);
  });
  it("the ablation settings: 'mode' abduction gives 0/1 probabilities, 'unit' weights are 1", () => {
    const m = augment(env, model, real, new Rng(6), { ...AUGMENT_DEFAULTS, abduction: 'mode', positiveWeight: 'unit' });
    expect(m.report.uncertainLabels).toBe(0);
    expect(m.samples.every((x) => x.weight === 1)).toBe(true);
  });
});

const LONG_RIGHT = 16; // 0.08 towards +x, i.e. straight into the block and towards the goal

/** The one set-valued positive of the rule (with `o` changed) at a hand-built state where `demonstrated` was taken,
 *  labelled with the TRUE mechanisms as the model (abduction exact). */
function positiveSetAt(e: Vec2, demonstrated: number, o: Partial<AugmentOptions> = {}): number[] {
  const s: PushState = { e, b: [0.5, 0.5], g: [0.8, 0.5] };
  const rec = { state: s, actionIndex: demonstrated, u: still, vars: step(s, ACTIONS[demonstrated]) };
  const pos = augment(env, env, [rec], new Rng(1), { ...AUGMENT_DEFAULTS, ...o }).samples.filter((x) => x.positive);
  expect(pos.length).toBe(1);
  return pos[0].actionSet!;
}

describe('positive restrictions of the labelling rule', () => {
  // One demonstrated step at a hand-built state, labelled with the TRUE mechanisms as the model (abduction exact).
  const label = (e: Vec2, demonstrated: number, o: Partial<AugmentOptions>) => {
    const s: PushState = { e, b: [0.5, 0.5], g: [0.8, 0.5] };
    const rec = { state: s, actionIndex: demonstrated, u: still, vars: step(s, ACTIONS[demonstrated]) };
    const all = { ...AUGMENT_DEFAULTS, ...PROGRESS_RULE, positivesPerState: 24, ...o };
    return augment(env, env, [rec], new Rng(1), all)
      .samples.filter((x) => x.positive)
      .map((x) => x.actionIndex);
  };
  it('force margin: a 0.08 push from 0.03 before contact (force 5, safe) is a positive without the margin, not with it', () => {
    const s: PushState = { e: [0.4, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] };
    const v = step(s, ACTIONS[LONG_RIGHT]);
    expect(v.force).toBeCloseTo(5, 6);
    expect(rejectionReason(env, v)).toBeNull();
    expect(label([0.4, 0.5], 8, {})).toContain(LONG_RIGHT);
    expect(label([0.4, 0.5], 8, { positiveForceLimit: 4 })).not.toContain(LONG_RIGHT);
    // Far from the block the same step exerts no force and stays a positive under the margin.
    expect(label([0.2, 0.5], 8, { positiveForceLimit: 4 })).toContain(LONG_RIGHT);
  });
  it("'near' keeps positives within one notch of the demonstrated action, 'notLonger' no longer than it", () => {
    expect(allowedByDemonstration(8, 8, 'near')).toBe(true);
    expect(allowedByDemonstration(15, 8, 'near')).toBe(true); // direction 7 is next to direction 0 (circular)
    expect(allowedByDemonstration(10, 8, 'near')).toBe(false); // two notches in direction
    expect(allowedByDemonstration(16, 0, 'near')).toBe(false); // two notches in length
    expect(allowedByDemonstration(16, 8, 'notLonger')).toBe(false);
    expect(allowedByDemonstration(3, 8, 'notLonger')).toBe(true);
    const near = label([0.2, 0.5], 8, { demonstrated: 'near' });
    expect(near.length).toBeGreaterThan(0);
    expect(near.every((i) => allowedByDemonstration(i, 8, 'near'))).toBe(true);
    expect(label([0.2, 0.5], 8, {})).toContain(LONG_RIGHT);
    expect(label([0.2, 0.5], 8, { demonstrated: 'notLonger' })).not.toContain(LONG_RIGHT);
    expect(label([0.2, 0.5], 8, { demonstrated: 'notLonger' }).every((i) => i < 16)).toBe(true);
  });
  it("'set' gives one positive per state holding the kept positives", () => {
    const s: PushState = { e: [0.2, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] };
    const rec = { state: s, actionIndex: 8, u: still, vars: step(s, ACTIONS[8]) };
    const o = { ...AUGMENT_DEFAULTS, ...PROGRESS_RULE, positivesPerState: 24 };
    const ranked = augment(env, env, [rec], new Rng(1), o).samples;
    const set = augment(env, env, [rec], new Rng(1), { ...o, positiveForm: 'set' }).samples;
    const pos = set.filter((x) => x.positive);
    expect(pos.length).toBe(1);
    const expected = ranked.filter((x) => x.positive).map((x) => x.actionIndex);
    expect([...pos[0].actionSet!].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    expect(pos[0].weight).toBeCloseTo(1, 12); // the true model identifies U: every draw agrees
  });
  it('the default rule: one set of positives, no longer than the demonstrated step, force <= 2', () => {
    expect(positiveSetAt([0.2, 0.5], LONG_RIGHT)).toContain(LONG_RIGHT); // far: no force, as long as the demonstration
    expect(positiveSetAt([0.2, 0.5], 8)).not.toContain(LONG_RIGHT); // longer than the demonstrated 0.04 step
    expect(positiveSetAt([0.4, 0.5], LONG_RIGHT)).not.toContain(LONG_RIGHT); // 0.03 before contact: presses 5 > 2
    expect(positiveSetAt([0.4, 0.5], LONG_RIGHT)).toContain(8); // the 0.04 push presses 1
  });
});

describe('trajectory rejection (AugmentOptions.trajectoryCheck, an ablation)', () => {
  const positivesAt = (e: Vec2, o: Partial<AugmentOptions>) => positiveSetAt(e, LONG_RIGHT, o);
  it("'repeat' rejects a step that is safe once but collides when taken again; the expert's continuation keeps it", () => {
    // 0.08 from 0.08 before contact ends at contact without force; the same step again presses 8 > fMax.
    const s: PushState = { e: [0.35, 0.5], b: [0.5, 0.5], g: [0.8, 0.5] };
    const first = step(s, ACTIONS[LONG_RIGHT]);
    expect(first.force).toBe(0);
    expect(step(first.next, ACTIONS[LONG_RIGHT]).force).toBeGreaterThan(env.fMax);
    expect(positivesAt([0.35, 0.5], {})).toContain(LONG_RIGHT);
    expect(positivesAt([0.35, 0.5], { trajectoryCheck: 'repeat', trajectorySteps: 1 })).not.toContain(LONG_RIGHT);
    expect(positivesAt([0.35, 0.5], { trajectoryCheck: 'expert', trajectorySteps: 3 })).toContain(LONG_RIGHT);
  });
  it("'expert' keeps exactly the positives whose continuation by the noise-free expert has no failure", () => {
    // A model with negligible noise makes every continuation deterministic, so a plain rollout is the reference.
    const model = { ...env, sigmaA: 1e-9, sigmaMu: 1e-9 };
    const rng = new Rng(3);
    const real = Array.from(
      { length: 6 },
      () => runEpisode(env, sampleInitialState(rng), scriptedPolicy(env), rng).steps,
    );
    const expert = scriptedPolicy(env, 0, 0);
    const o = { ...AUGMENT_DEFAULTS, positivesPerState: 24, positiveForm: 'ranked' as const };
    let removed = 0;
    let kept = 0;
    for (const r of real.flat()) {
      const positives = (extra: Partial<AugmentOptions>) =>
        augment(env, model, [r], new Rng(1), { ...o, ...extra })
          .samples.filter((x) => x.positive)
          .map((x) => x.actionIndex)
          .sort((a, b) => a - b);
      const all = positives({});
      const checked = positives({ trajectoryCheck: 'expert', trajectorySteps: 3 });
      const safeOnward = (i: number) => {
        let v = scmStep(model, r.state, ACTIONS[i], abduct(model, observe(r)));
        for (let t = 0; t < 3 && !v.success; t++) {
          v = scmStep(model, v.next, ACTIONS[expert(v.next, rng)], still);
          if (rejectionReason(env, v)) return false;
        }
        return true;
      };
      expect(checked).toEqual(all.filter(safeOnward));
      removed += all.length - checked.length;
      kept += checked.length;
    }
    expect(removed).toBeGreaterThan(10); // the check is not vacuous here
    expect(kept).toBeGreaterThan(removed);
  });
});

function actionOf(i: number): Vec2 {
  return ACTIONS[i] as Vec2;
}
