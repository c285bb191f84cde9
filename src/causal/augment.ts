/**
 * Stage 2 of the lecture's causal pipeline (lecture17 六 ②): at the states of the real trajectories,
 * intervene do(a) on every candidate action, predict the step by abduction-action-prediction with the
 * learned model over draws from the abduction posterior, and rejection-sample: collisions (over-force or
 * wall), slips and invalid steps are filtered from the positives; collisions and slips are kept as
 * negatives; safe steps that approach the goal are positives. Labels and weights follow the rule stated at
 * `augment` (docs/parts/causal.md). Each filter is tested on its failure kind in test/causal/augment.test.ts.
 */
import type { Rng } from '../core/rng.js';
import { abduct, abductPosterior, type ObservedStep, observe, samplePosterior } from './dynamics.js';
import { potential, type StepRecord, scriptedPolicy } from './episode.js';
import {
  ACTION_DIRECTIONS,
  ACTIONS,
  actionParts,
  type Exogenous,
  hitsWall,
  isInvalid,
  type PushEnv,
  type PushState,
  type StepVars,
  sampleExogenous,
  scmStep,
  type Vec2,
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
  /** Loss weight (default 1; generated samples carry the weight of the labelling rule in `augment`). */
  weight?: number;
  /** A set-valued positive: any of these actions is acceptable (SFT maximises log sum over the set of pi). */
  actionSet?: number[];
}

/** Minimum potential decrease of a positive step. */
export const MIN_PROGRESS = 0.005;

/** Labels a real step: positive if safe with progress, negative if a collision (over-force or wall) or slip, else dropped. */
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
  /** Positives kept per state (the best by posterior-mean progress). Default 3. */
  positivesPerState: number;
  /** Negatives kept per state (the most tempting failures). Default 2. */
  negativesPerState: number;
  /** Draws of the unidentified noise from the abduction posterior per state. Default 16. */
  posteriorSamples: number;
  /** 'posterior' samples the abduction posterior; 'mode' uses its single most likely value (the ablation). */
  abduction: 'posterior' | 'mode';
  /** 'shared': a state's kept positives share one unit of weight; 'unit': weight 1 each (the ablation). */
  positiveWeight: 'shared' | 'unit';
  /** Also label the failures at the predicted next state of every kept positive (noise from the model's prior;
   *  weights multiplied by the positive's). Off by default: an ablation (docs/parts/causal.md). */
  nextStateNegatives: boolean;
  /** Largest predicted contact force of a positive (a draw above it counts as not positive). Default
   *  POSITIVE_FORCE_LIMIT; Infinity: safe (force <= fMax) is enough (the rule before issue 19's collision study). */
  positiveForceLimit: number;
  /** Restrict positives relative to the demonstrated action: 'notLonger' (default: step length at most the
   *  demonstrated one), 'any', 'near' (within one notch in direction and in step length). */
  demonstrated: 'any' | 'near' | 'notLonger';
  /** 'set' (default): one set-valued positive per state holding the kept positives (any of them is acceptable),
   *  weighted by their mean P(positive); 'ranked': the kept positives as separate samples sharing the weight. */
  positiveForm: 'ranked' | 'set';
  /** Trajectory rejection (lecture17 六 ②, "filter collision / slip / invalid trajectories"): a draw counts as
   *  positive only if the predicted trajectory that continues from its next state for `trajectorySteps` more steps
   *  (the learned model, noise from its prior) shows no failure. 'repeat' continues with the same action (the
   *  policy generalising the positive to the states it leads to), 'expert' with the scripted policy without its
   *  noise. Default 'none' (one-step labels); an ablation (docs/parts/causal.md). */
  trajectoryCheck: 'none' | 'repeat' | 'expert';
  trajectorySteps: number;
}
/** Largest predicted force of a positive: one more short step pressed in (k x 0.02 = 2) must stay at the force the
 *  RL reward calls reasonable (4, rl.ts), i.e. 2 below the over-force limit's 6 by one expert step (0.04 x k). */
export const POSITIVE_FORCE_LIMIT = 2;
export const AUGMENT_DEFAULTS: AugmentOptions = {
  positivesPerState: 3,
  negativesPerState: 2,
  posteriorSamples: 16,
  abduction: 'posterior',
  positiveWeight: 'shared',
  nextStateNegatives: false,
  positiveForceLimit: POSITIVE_FORCE_LIMIT,
  demonstrated: 'notLonger',
  positiveForm: 'set',
  trajectoryCheck: 'none',
  trajectorySteps: 0,
};

/** The rule before issue 19's collision study (an ablation): every safe progressing action may be a positive,
 *  the best 3 as separate samples sharing one unit of weight. */
export const PROGRESS_RULE: Pick<AugmentOptions, 'positiveForceLimit' | 'demonstrated' | 'positiveForm'> = {
  positiveForceLimit: Number.POSITIVE_INFINITY,
  demonstrated: 'any',
  positiveForm: 'ranked',
};

export interface AugmentReport {
  states: number;
  generated: number;
  /** Candidates by their most probable outcome under the posterior: a failure kind, or safe without progress. */
  rejected: Record<RejectReason | 'noProgress', number>;
  keptPositive: number;
  keptNegative: number;
  /** Sum of the kept positives' and negatives' weights. */
  weightPositive: number;
  weightNegative: number;
  /** Candidates whose label is uncertain under the posterior (0 < P(positive) < 1 or 0 < P(failure) < 1). */
  uncertainLabels: number;
  /** Counterfactual accuracy of the learned model against the true SCM with the true noise, over posterior draws. */
  cfMeanBlockError: number;
  cfLabelAgreement: number;
}

/** The outcome of one predicted step: a failure kind, or safe with / without progress. */
type Outcome = RejectReason | 'progress' | 'noProgress';

/** One candidate do(a) at a state, summarised over the noise draws. */
interface Candidate {
  actionIndex: number;
  pPositive: number;
  pFailure: number;
  /** Most probable outcome. */
  mode: Outcome;
  meanProgress: number;
}
/** The outcome of a predicted step whose potential decrease is `gain`. */
const outcomeOf = (env: PushEnv, v: StepVars, gain: number): Outcome =>
  rejectionReason(env, v) ?? (gain > MIN_PROGRESS ? 'progress' : 'noProgress');

/**
 * The labelling rule of the generated samples (counterfactual augmentation, lecture17 六 ②-③). At every real
 * state, for each of the 24 actions a: draw U from the abduction posterior of the observed step, predict do(a)
 * with the learned model, and estimate P(positive) = P(safe, progress > MIN_PROGRESS and force <=
 * positiveForceLimit) and P(failure) = P(over-force or wall collision, or slip). Positives: among the actions no
 * longer than the demonstrated step, the `positivesPerState` with P(positive) > 1/2 and the largest posterior-mean
 * progress, as ONE set-valued sample (SFT maximises log sum_S pi) weighted by their mean P(positive) — one unit
 * of weight, as much as the demonstrated step at that state. Negatives: the `negativesPerState` actions with
 * P(failure) > 1/2 and the largest mean progress (the most tempting failures), weighted P(failure).
 * The true noise r.u is used only to score the model (cfMeanBlockError, cfLabelAgreement).
 */
export function augment(
  env: PushEnv,
  model: PushEnv,
  real: StepRecord[],
  rng: Rng,
  o: AugmentOptions = AUGMENT_DEFAULTS,
): { samples: LabeledSample[]; report: AugmentReport } {
  const samples: LabeledSample[] = [];
  const rejected = { collision: 0, slip: 0, invalid: 0, noProgress: 0 };
  const score = { err: 0, agree: 0, draws: 0, uncertain: 0 };
  const continuation = trajectoryContinuation(env, model, o, rng);
  for (const r of real) {
    const obs = observe(r);
    const draws =
      o.abduction === 'posterior'
        ? samplePosterior(abductPosterior(model, obs), rng, o.posteriorSamples)
        : [abduct(model, obs)];
    const candidates = ACTIONS.map((a, actionIndex): Candidate => {
      const truth = scmStep(env, r.state, a, r.u);
      const truthOutcome = outcomeOf(env, truth, progress(env, r.state, truth));
      const c = summarise(env, model, r.state, a, actionIndex, draws, o.positiveForceLimit, continuation, (v, out) => {
        score.err += vecNorm(vecSub(v.next.b, truth.next.b));
        score.agree += out === truthOutcome ? 1 : 0;
        score.draws++;
      });
      if ((c.pPositive > 0 && c.pPositive < 1) || (c.pFailure > 0 && c.pFailure < 1)) score.uncertain++;
      return c;
    });
    for (const c of candidates) if (c.mode !== 'progress') rejected[c.mode]++;
    const allowed = candidates.filter((c) => allowedByDemonstration(c.actionIndex, r.actionIndex, o.demonstrated));
    const labelled = labelCandidates(r.state, allowed, o, candidates);
    samples.push(...labelled);
    if (o.nextStateNegatives) samples.push(...nextStateFailures(env, model, obs, labelled, rng, o));
  }
  const sum = (pos: boolean) => samples.filter((x) => x.positive === pos).reduce((t, x) => t + (x.weight ?? 1), 0);
  const report: AugmentReport = {
    states: real.length,
    generated: real.length * ACTIONS.length,
    rejected,
    keptPositive: samples.filter((x) => x.positive).length,
    keptNegative: samples.filter((x) => !x.positive).length,
    weightPositive: sum(true),
    weightNegative: sum(false),
    uncertainLabels: score.uncertain,
    cfMeanBlockError: score.draws ? score.err / score.draws : 0,
    cfLabelAgreement: score.draws ? score.agree / score.draws : 1,
  };
  return { samples, report };
}

/** Outcome probabilities of do(a) at state s over the given noise draws (`onDraw` sees every prediction). */
function summarise(
  env: PushEnv,
  model: PushEnv,
  s: PushState,
  a: Vec2,
  actionIndex: number,
  draws: Exogenous[],
  forceLimit: number,
  continuation: Continuation = () => true,
  onDraw: (v: StepVars, out: Outcome) => void = () => {},
): Candidate {
  const counts = new Map<Outcome, number>();
  let gain = 0;
  let positive = 0;
  for (const u of draws) {
    const v = scmStep(model, s, a, u);
    const g = progress(env, s, v);
    const out = outcomeOf(env, v, g);
    counts.set(out, (counts.get(out) ?? 0) + 1);
    // a step that reaches the goal ends the episode: nothing follows it to check
    if (out === 'progress' && v.force <= forceLimit && (v.success || continuation(v.next, actionIndex))) positive++;
    gain += g;
    onDraw(v, out);
  }
  const p = (k: Outcome) => (counts.get(k) ?? 0) / draws.length;
  const mode = [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0];
  const pFailure = p('collision') + p('slip');
  return { actionIndex, pPositive: positive / draws.length, pFailure, mode, meanProgress: gain / draws.length };
}

/** Whether the predicted trajectory from `s` (after a positive step with action `actionIndex`) stays free of failures. */
type Continuation = (s: PushState, actionIndex: number) => boolean;

/** AugmentOptions.trajectoryCheck: rolls the learned model on from a positive's predicted next state. */
function trajectoryContinuation(env: PushEnv, model: PushEnv, o: AugmentOptions, rng: Rng): Continuation {
  if (o.trajectoryCheck === 'none' || o.trajectorySteps <= 0) return () => true;
  const expert = scriptedPolicy(env, 0, 0);
  return (start, actionIndex) => {
    let s = start;
    for (let t = 0; t < o.trajectorySteps; t++) {
      const i = o.trajectoryCheck === 'repeat' ? actionIndex : expert(s, rng);
      const v = scmStep(model, s, ACTIONS[i], sampleExogenous(rng));
      if (rejectionReason(env, v)) return false;
      if (v.success) return true;
      s = v.next;
    }
    return true;
  };
}

/** The ablation `nextStateNegatives`: failures at the predicted next state of each positive (nothing observed there: prior noise). */
function nextStateFailures(
  env: PushEnv,
  model: PushEnv,
  obs: ObservedStep,
  labelled: LabeledSample[],
  rng: Rng,
  o: AugmentOptions,
): LabeledSample[] {
  const mode = abduct(model, obs);
  return labelled
    .filter((x) => x.positive)
    .flatMap((x) => {
      const next = scmStep(model, obs.state, ACTIONS[x.actionIndex], mode).next;
      const prior = Array.from({ length: o.posteriorSamples }, () => sampleExogenous(rng));
      const cands = ACTIONS.map((a, i) => summarise(env, model, next, a, i, prior, o.positiveForceLimit));
      return labelCandidates(next, cands, { ...o, positivesPerState: 0 }).map((n) => ({
        ...n,
        weight: (n.weight ?? 1) * (x.weight ?? 1),
      }));
    });
}

/** The rule above for one state: weighted positives (one unit in all, or one set-valued sample) and the most tempting
 *  failures. `candidates` may be positives; negatives are chosen among `failures` (every action). */
function labelCandidates(
  state: PushState,
  candidates: Candidate[],
  o: AugmentOptions,
  failures: Candidate[] = candidates,
): LabeledSample[] {
  const byProgress = (a: Candidate, b: Candidate) => b.meanProgress - a.meanProgress;
  const safe = candidates.filter((c) => c.pPositive > 0.5).sort(byProgress);
  const neg = failures
    .filter((c) => c.pFailure > 0.5)
    .sort(byProgress)
    .slice(0, o.negativesPerState);
  const sample = (c: Candidate, positive: boolean, weight: number): LabeledSample => ({
    state,
    actionIndex: c.actionIndex,
    positive,
    source: 'generated',
    weight,
  });
  const negatives = neg.map((c) => sample(c, false, c.pFailure));
  const pos = safe.slice(0, o.positivesPerState);
  if (o.positiveForm === 'set') {
    if (pos.length === 0) return negatives;
    const mean = pos.reduce((t, c) => t + c.pPositive, 0) / pos.length;
    return [{ ...sample(pos[0], true, mean), actionSet: pos.map((c) => c.actionIndex) }, ...negatives];
  }
  const share = o.positiveWeight === 'shared' ? pos.length : 1;
  return [...pos.map((c) => sample(c, true, c.pPositive / share)), ...negatives];
}

/** Whether candidate action i may be a positive at a state where action j was demonstrated (AugmentOptions.demonstrated). */
export function allowedByDemonstration(i: number, j: number, rule: AugmentOptions['demonstrated']): boolean {
  const [a, b] = [actionParts(i), actionParts(j)];
  if (rule === 'notLonger') return a.length <= b.length;
  if (rule === 'any') return true;
  const dDir = Math.abs(a.direction - b.direction);
  return Math.min(dDir, ACTION_DIRECTIONS - dDir) <= 1 && Math.abs(a.length - b.length) <= 1;
}
