/**
 * Episodes of the pushing SCM: rollouts of any policy (state -> action index), the noisy scripted
 * policy that provides the cold-start trajectories (lecture 六, stage 1), the step labels
 * (stable contact, progress) and evaluation statistics (success, collision, mean force).
 */
import type { Rng } from '../core/rng.js';
import {
  ACTION_LENGTHS,
  ACTIONS,
  actionAt,
  actionParts,
  type Exogenous,
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

/** One recorded step: the state, the action index, the true exogenous noise (kept for evaluation only) and all variables. */
export interface StepRecord {
  state: PushState;
  actionIndex: number;
  u: Exogenous;
  vars: StepVars;
}

export interface Episode {
  steps: StepRecord[];
  success: boolean;
  collision: boolean;
  invalid: boolean;
}

export type ActionPolicy = (s: PushState, rng: Rng) => number;

/** Runs one episode until success, collision, invalid state or the horizon. */
export function runEpisode(env: PushEnv, start: PushState, policy: ActionPolicy, rng: Rng): Episode {
  const steps: StepRecord[] = [];
  let s = start;
  for (let t = 0; t < env.horizon; t++) {
    const actionIndex = policy(s, rng);
    const u = sampleExogenous(rng);
    const vars = scmStep(env, s, ACTIONS[actionIndex], u);
    steps.push({ state: s, actionIndex, u, vars });
    if (isInvalid(vars)) return { steps, success: false, collision: false, invalid: true };
    if (vars.collision) return { steps, success: false, collision: true, invalid: false };
    if (vars.success) return { steps, success: true, collision: false, invalid: false };
    s = vars.next;
  }
  return { steps, success: false, collision: false, invalid: false };
}

/** Where the effector should stand to push the block towards the goal (just behind the block). */
export function approachPoint(env: PushEnv, s: PushState): Vec2 {
  const d = vecSub(s.g, s.b);
  const l = vecNorm(d) || 1;
  const r = env.rb + env.re - 0.004;
  return [s.b[0] - (r * d[0]) / l, s.b[1] - (r * d[1]) / l];
}

/** Potential Phi(s) = |b - g| + 0.5 |e - approach point|: lower is closer to done. */
export function potential(env: PushEnv, s: PushState): number {
  return vecNorm(vecSub(s.b, s.g)) + 0.5 * vecNorm(vecSub(s.e, approachPoint(env, s)));
}

/** Index of the action whose displacement is closest to `target`. */
export function nearestAction(target: Vec2): number {
  let best = 0;
  let bestD = Infinity;
  ACTIONS.forEach((a, i) => {
    const d = vecNorm(vecSub(a, target));
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/**
 * The scripted expert: go around the block to the approach point, then push towards the goal.
 * Noise: with probability `epsilon` a uniformly random action, with probability `aggressive`
 * the longest step in the chosen direction (the source of over-force failures).
 */
export function scriptedPolicy(env: PushEnv, epsilon = 0.25, aggressive = 0.1): ActionPolicy {
  return (s, rng) => {
    if (rng.uniform() < epsilon) return rng.int(ACTIONS.length);
    const p = approachPoint(env, s);
    const toP = vecSub(p, s.e);
    const toGoal = vecSub(s.g, s.b);
    let target: Vec2;
    if (vecNorm(toP) > 0.015) {
      target = detour(env, s, p);
      const l = vecNorm(target);
      const step = Math.min(l, 0.04);
      target = [(target[0] / l) * step, (target[1] / l) * step];
    } else {
      const l = vecNorm(toGoal) || 1;
      const step = Math.min(0.04, Math.max(0.02, l));
      target = [(toGoal[0] / l) * step, (toGoal[1] / l) * step];
    }
    const idx = nearestAction(target);
    return rng.uniform() < aggressive ? actionAt(ACTION_LENGTHS.length - 1, actionParts(idx).direction) : idx;
  };
}

/** Vector to follow towards p; when the straight path crosses the block, aim at a side waypoint. */
function detour(env: PushEnv, s: PushState, p: Vec2): Vec2 {
  const toP = vecSub(p, s.e);
  const toB = vecSub(s.b, s.e);
  const l = vecNorm(toP) || 1;
  const along = (toB[0] * toP[0] + toB[1] * toP[1]) / l;
  const perp = Math.abs(toB[0] * toP[1] - toB[1] * toP[0]) / l;
  const clearance = env.rb + env.re + 0.02;
  if (along <= 0 || along >= l || perp >= clearance) return toP;
  // Waypoint beside the block, on the effector's side of the block-goal line.
  const side: Vec2 = [-toP[1] / l, toP[0] / l];
  const sign = side[0] * -toB[0] + side[1] * -toB[1] >= 0 ? 1 : -1;
  const w: Vec2 = [s.b[0] + sign * side[0] * (clearance + 0.02), s.b[1] + sign * side[1] * (clearance + 0.02)];
  return vecSub(w, s.e);
}

export interface EvalStats {
  episodes: number;
  successRate: number;
  collisionRate: number;
  /** Episodes that ended with the block hitting a wall (the rest of collisionRate is over-force). */
  wallCollisionRate: number;
  /** Mean contact force over steps in contact. */
  meanForce: number;
  slipRate: number;
  envSteps: number;
}

/** Statistics of a set of episodes. */
export function episodeStats(env: PushEnv, eps: Episode[]): EvalStats {
  let forceSum = 0;
  let contacts = 0;
  let slipsN = 0;
  let steps = 0;
  for (const ep of eps) {
    for (const st of ep.steps) {
      steps++;
      if (st.vars.delta > 0) {
        contacts++;
        forceSum += st.vars.force;
        if (st.vars.slip) slipsN++;
      }
    }
  }
  return {
    episodes: eps.length,
    successRate: eps.filter((e) => e.success).length / Math.max(eps.length, 1),
    collisionRate: eps.filter((e) => e.collision).length / Math.max(eps.length, 1),
    wallCollisionRate:
      eps.filter((e) => e.collision && e.steps[e.steps.length - 1].vars.force <= env.fMax).length /
      Math.max(eps.length, 1),
    meanForce: contacts ? forceSum / contacts : 0,
    slipRate: contacts ? slipsN / contacts : 0,
    envSteps: steps,
  };
}
