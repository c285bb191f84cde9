/**
 * Stage 2 of the lecture's causal pipeline (lecture17 六 ②): at the states of the real
 * trajectories, intervene do(a) on every candidate action, predict the step by abduction-action-
 * prediction with the learned model, and rejection-sample: collisions (over-force or wall), slips
 * and invalid steps are filtered from the positives; over-force collisions and slips are kept as
 * negatives; safe steps that approach the goal are positives. Each filter is tested on its failure
 * kind in test/causal/augment.test.ts; predictions are compared with the true SCM here.
 */
import { counterfactual, type ObservedStep, observe } from './dynamics.js';
import { potential, type StepRecord } from './episode.js';
import {
  ACTIONS,
  hitsWall,
  isInvalid,
  type PushEnv,
  type PushState,
  type StepVars,
  scmStep,
  vecNorm,
  vecSub,
} from './scm.js';

export type RejectReason = 'collision' | 'slip' | 'invalid';
export const REJECT_REASONS: readonly RejectReason[] = ['collision', 'slip', 'invalid'];

/** The first failure a step shows, checked in order invalid, collision (over-force or wall), slip; null if none. */
export function rejectionReason(env: PushEnv, v: StepVars): RejectReason | null {
  if (isInvalid(v)) return 'invalid';
  if (v.force > env.fMax || hitsWall(env, v.next.b)) return 'collision';
  if (v.slip) return 'slip';
  return null;
}

/** Progress of a step: decrease of the potential |b - g| + 0.5 |e - approach point|. */
export const progress = (env: PushEnv, s: PushState, v: StepVars): number => potential(env, s) - potential(env, v.next);

/** A labelled (state, action) pair for SFT: positives are imitated, negatives pushed down. */
export interface LabeledSample {
  state: PushState;
  actionIndex: number;
  positive: boolean;
  source: 'real' | 'generated';
  /** Loss weight (default 1). */
  weight?: number;
}

/** Minimum potential decrease of a positive step. */
export const MIN_PROGRESS = 0.005;

/** Labels a real step: positive if safe with progress, negative if over-force collision or slip, else dropped. */
export function labelRealStep(env: PushEnv, r: StepRecord): LabeledSample | null {
  const reason = rejectionReason(env, r.vars);
  if (reason === 'invalid') return null;
  if (reason) return { state: r.state, actionIndex: r.actionIndex, positive: false, source: 'real' };
  if (progress(env, r.state, r.vars) > MIN_PROGRESS) {
    return { state: r.state, actionIndex: r.actionIndex, positive: true, source: 'real' };
  }
  return null;
}

export interface AugmentOptions {
  /** Positives kept per state (the best by predicted progress). Default 3. */
  positivesPerState: number;
  /** Negatives kept per state. Default 2. */
  negativesPerState: number;
}
export const AUGMENT_DEFAULTS: AugmentOptions = { positivesPerState: 3, negativesPerState: 2 };

export interface AugmentReport {
  states: number;
  generated: number;
  rejected: Record<RejectReason | 'noProgress', number>;
  keptPositive: number;
  keptNegative: number;
  /** Counterfactual accuracy of the learned model against the true SCM (same abducted-vs-true noise). */
  cfMeanBlockError: number;
  cfLabelAgreement: number;
}

/** Counterfactual augmentation over every real step; the true noise r.u is used only to score the model. */
export function augment(
  env: PushEnv,
  model: PushEnv,
  real: StepRecord[],
  o: AugmentOptions = AUGMENT_DEFAULTS,
): { samples: LabeledSample[]; report: AugmentReport } {
  const samples: LabeledSample[] = [];
  const rejected = { collision: 0, slip: 0, invalid: 0, noProgress: 0 };
  let err = 0;
  let agree = 0;
  let generated = 0;
  for (const r of real) {
    const obs: ObservedStep = observe(r);
    const scored = ACTIONS.map((a, actionIndex) => {
      const v = counterfactual(model, obs, a);
      const truth = scmStep(env, r.state, a, r.u);
      err += vecNorm(vecSub(v.next.b, truth.next.b));
      agree += rejectionReason(env, v) === rejectionReason(env, truth) ? 1 : 0;
      return { actionIndex, reason: rejectionReason(env, v), gain: progress(env, r.state, v) };
    });
    generated += scored.length;
    for (const c of scored) {
      if (c.reason) rejected[c.reason]++;
      else if (c.gain <= MIN_PROGRESS) rejected.noProgress++;
    }
    const pos = scored.filter((c) => !c.reason && c.gain > MIN_PROGRESS).sort((a, b) => b.gain - a.gain);
    // Negatives: the most tempting failures (largest predicted progress), e.g. over-long pushes.
    const neg = scored.filter((c) => c.reason === 'collision' || c.reason === 'slip').sort((a, b) => b.gain - a.gain);
    for (const c of pos.slice(0, o.positivesPerState)) {
      samples.push({ state: r.state, actionIndex: c.actionIndex, positive: true, source: 'generated' });
    }
    for (const c of neg.slice(0, o.negativesPerState)) {
      samples.push({ state: r.state, actionIndex: c.actionIndex, positive: false, source: 'generated' });
    }
  }
  const report: AugmentReport = {
    states: real.length,
    generated,
    rejected,
    keptPositive: samples.filter((s) => s.positive).length,
    keptNegative: samples.filter((s) => !s.positive).length,
    cfMeanBlockError: generated ? err / generated : 0,
    cfLabelAgreement: generated ? agree / generated : 1,
  };
  return { samples, report };
}
