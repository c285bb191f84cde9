/**
 * bench/causal/diagnose.ts — why generated data hurt SFT with plentiful real data (issue 19, part 1), measured
 * on the development seeds (default 101-105) without training: (1) how often the generated positives agree
 * with the expert's intended action, (2) label noise of one-point abduction vs posterior draws, (3) the
 * balance of real and generated samples and the SFT passes each real sample gets, (4) how good a policy the
 * one-step positive criterion describes (progress-greedy policies on the true SCM); (5) the same label statistics
 * for the rule before the collision study, its variants and the current rule (`final`). Prints one JSON object.
 * Usage: npx tsx bench/causal/diagnose.ts [--seeds 101,102,103,104,105] [--real 4,8,16,32] [--starts 400]
 */
import {
  AUGMENT_DEFAULTS,
  augment,
  MIN_PROGRESS,
  PROGRESS_RULE,
  progress,
  rejectionReason,
} from '../../src/causal/augment.js';
import { CAUSAL_DEFAULTS } from '../../src/causal/config.js';
import { fitMechanisms, observe } from '../../src/causal/dynamics.js';
import { type ActionPolicy, episodeStats, runEpisode, scriptedPolicy } from '../../src/causal/episode.js';
import { coldStartData, sftStepsForEqualRealPasses } from '../../src/causal/pipeline.js';
import { SFT_DEFAULTS } from '../../src/causal/policy.js';
import {
  ACTION_LENGTHS,
  ACTIONS,
  actionParts,
  PUSH_ENV,
  type PushState,
  sampleInitialState,
  scmStep,
  vecNorm,
} from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const list = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : dflt).split(',').map(Number);
};
const env = PUSH_ENV;
const seeds = list('seeds', '101,102,103,104,105');
const expert = scriptedPolicy(env, 0, 0); // the scripted expert without its noise: the action it intends
const intended = (s: PushState) => expert(s, new Rng(0));
const r3 = (x: number) => +x.toFixed(3);

function perBudget(K: number) {
  const t = { states: 0, unidentified: 0, realSamples: 0, realPositive: 0, candidates: 0 };
  const rules = {
    previous: { ...PROGRESS_RULE, abduction: 'mode', positiveWeight: 'unit' },
    progressRule: PROGRESS_RULE,
    forceMargin: { ...PROGRESS_RULE, positiveForceLimit: 4 },
    forceMargin2: { ...PROGRESS_RULE, positiveForceLimit: 2 },
    notLonger: { ...PROGRESS_RULE, demonstrated: 'notLonger' },
    notLongerForceMargin: { ...PROGRESS_RULE, demonstrated: 'notLonger', positiveForceLimit: 4 },
    final: {},
  } as const;
  const acc = Object.fromEntries(
    Object.keys(rules).map((k) => [
      k,
      { posWeight: 0, posOnExpert: 0, posLong: 0, topIsExpert: 0, negWeight: 0, samples: 0, flips: 0, uncertain: 0 },
    ]),
  );
  for (const seed of seeds) {
    const root = new Rng(seed);
    const { realSteps: real, realSamples } = coldStartData(env, K, root);
    const { model } = fitMechanisms(env, real.map(observe));
    t.states += real.length;
    t.unidentified += real.filter((r) => vecNorm(r.vars.displacement) <= 1e-12).length;
    t.realSamples += realSamples.length;
    t.realPositive += realSamples.filter((s) => s.positive).length;
    t.candidates += real.length * ACTIONS.length;
    for (const [name, rule] of Object.entries(rules)) {
      const a = acc[name];
      const { samples, report } = augment(env, model, real, root.fork('abduction'), { ...AUGMENT_DEFAULTS, ...rule });
      a.flips += (1 - report.cfLabelAgreement) * report.generated;
      a.uncertain += report.uncertainLabels;
      a.samples += samples.length;
      for (const r of real) {
        const pos = samples.filter((x) => x.state === r.state && x.positive);
        const want = intended(r.state);
        for (const x of pos) {
          // A set-valued positive spreads its weight evenly over its actions.
          const actions = x.actionSet ?? [x.actionIndex];
          const w = (x.weight ?? 1) / actions.length;
          a.posWeight += x.weight ?? 1;
          for (const i of actions) {
            if (i === want) a.posOnExpert += w;
            if (actionParts(i).length === ACTION_LENGTHS.length - 1) a.posLong += w;
          }
        }
        if (pos.length && pos[0].actionIndex === want) a.topIsExpert++;
      }
      a.negWeight += samples.filter((x) => !x.positive).reduce((s, x) => s + (x.weight ?? 1), 0);
    }
  }
  const passes = (all: number, steps: number) => r3((steps * SFT_DEFAULTS.batchSize) / all);
  return {
    real: K,
    states: t.states,
    unidentifiedFriction: r3(t.unidentified / t.states),
    realSamples: t.realSamples,
    realPositive: t.realPositive,
    rules: Object.fromEntries(
      Object.entries(acc).map(([name, a]) => {
        const all = t.realSamples + a.samples;
        const steps =
          name === 'previous'
            ? CAUSAL_DEFAULTS.sftSteps
            : sftStepsForEqualRealPasses(CAUSAL_DEFAULTS.sftSteps, t.realSamples / seeds.length, all / seeds.length);
        return [
          name,
          {
            generatedSamples: a.samples,
            positiveWeight: r3(a.posWeight),
            negativeWeight: r3(a.negWeight),
            positiveWeightOnExpertAction: r3(a.posOnExpert / a.posWeight),
            positiveWeightOnLongSteps: r3(a.posLong / a.posWeight),
            statesWhereTopPositiveIsExpertAction: r3(a.topIsExpert / t.states),
            labelDisagreementWithTrueNoise: r3(a.flips / t.candidates),
            uncertainLabels: r3(a.uncertain / t.candidates),
            sftStepsPerSeed: steps,
            passesPerRealSample: passes(all / seeds.length, steps),
          },
        ];
      }),
    ),
  };
}

/** Progress-greedy policies on the TRUE SCM at zero noise: the policy the one-step positive criterion describes. */
function greedyOracle(topK: number): ActionPolicy {
  return (s, rng) => {
    const ranked = ACTIONS.map((a, i) => ({ i, v: scmStep(env, s, a, { uA: [0, 0], uMu: 0 }) }))
      .filter((c) => !rejectionReason(env, c.v) && progress(env, s, c.v) > MIN_PROGRESS)
      .sort((a, b) => progress(env, s, b.v) - progress(env, s, a.v));
    return ranked.length ? ranked[rng.int(Math.min(topK, ranked.length))].i : rng.int(ACTIONS.length);
  };
}

const starts = list('starts', '400')[0];
const oracles = Object.entries({
  expertWithoutNoise: expert,
  expertNoisy: scriptedPolicy(env),
  progressGreedyBest: greedyOracle(1),
  progressGreedyTop3: greedyOracle(3),
}).map(([name, policy]) => {
  const rng = new Rng(seeds[0]).fork('eval');
  const st = episodeStats(
    env,
    Array.from({ length: starts }, () => runEpisode(env, sampleInitialState(rng), policy, rng)),
  );
  return {
    policy: name,
    successRate: st.successRate,
    collisionRate: st.collisionRate,
    wallCollisionRate: st.wallCollisionRate,
  };
});
const budgets = list('real', '4,8,16,32').map(perBudget);
process.stdout.write(
  `${JSON.stringify({ bench: 'causal/diagnose', argv: process.argv.slice(2), seeds, budgets, oracles }, null, 1)}\n`,
);
