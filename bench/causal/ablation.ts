/**
 * bench/causal/ablation.ts — which part of the stage-2/3 rule matters: abduction (posterior draws vs its
 * single most likely value), positive weights (one shared unit per state vs 1 each) and the SFT budget
 * (equal passes over the real samples vs equal updates), plus negatives only, against real-only SFT; and the
 * collision-study variants (force margin on positives, positives relative to the demonstrated action, set-valued
 * positives, trajectory rejection: AugmentOptions in src/causal/augment.ts). Runs on DEVELOPMENT seeds
 * (default 101-105; 106-110 for the trajectory-rejection decision; each with its own cold start and evaluation
 * starts), never on the seeds 1-10 of the reported tables. Same forks as runCausalPipeline. Prints one JSON object.
 * Usage: npx tsx bench/causal/ablation.ts [--seeds 101,102,103,104,105] [--real 4,8,16,32] [--variants a,b]
 */
import { AUGMENT_DEFAULTS, type AugmentOptions, augment, PROGRESS_RULE } from '../../src/causal/augment.js';
import { CAUSAL_DEFAULTS } from '../../src/causal/config.js';
import { fitMechanisms, observe } from '../../src/causal/dynamics.js';
import { coldStartData, evaluate, sftStepsForEqualRealPasses } from '../../src/causal/pipeline.js';
import { mlpActionPolicy, mlpPolicyInit, SFT_DEFAULTS, sft } from '../../src/causal/policy.js';
import { PUSH_ENV } from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const list = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : dflt).split(',');
};
interface Variant {
  /** Changes to PROGRESS_RULE (to the current defaults when `onRule`); null: real-only SFT. */
  augment: Partial<AugmentOptions> | null;
  /** The changes apply to the rule (AUGMENT_DEFAULTS) instead of the progress rule. */
  onRule?: boolean;
  budget: 'equalRealPasses' | 'equalUpdates';
  negativeWeight?: number;
}
const VARIANTS: Record<string, Variant> = {
  realOnly: { augment: null, budget: 'equalUpdates' },
  previous: { augment: { abduction: 'mode', positiveWeight: 'unit' }, budget: 'equalUpdates' },
  posteriorOnly: { augment: { positiveWeight: 'unit' }, budget: 'equalUpdates' },
  sharedOnly: { augment: { abduction: 'mode' }, budget: 'equalUpdates' },
  passesOnly: { augment: { abduction: 'mode', positiveWeight: 'unit' }, budget: 'equalRealPasses' },
  noPosterior: { augment: { abduction: 'mode' }, budget: 'equalRealPasses' },
  noSharing: { augment: { positiveWeight: 'unit' }, budget: 'equalRealPasses' },
  progressRule: { augment: {}, budget: 'equalRealPasses' },
  final: { augment: {}, budget: 'equalRealPasses', onRule: true },
  repeat1: { augment: { trajectoryCheck: 'repeat', trajectorySteps: 1 }, budget: 'equalRealPasses', onRule: true },
  repeat2: { augment: { trajectoryCheck: 'repeat', trajectorySteps: 2 }, budget: 'equalRealPasses', onRule: true },
  expert3: { augment: { trajectoryCheck: 'expert', trajectorySteps: 3 }, budget: 'equalRealPasses', onRule: true },
  expert3NoForceMargin: {
    augment: { trajectoryCheck: 'expert', trajectorySteps: 3, positiveForceLimit: Number.POSITIVE_INFINITY },
    budget: 'equalRealPasses',
    onRule: true,
  },
  negativesOnly: { augment: { positivesPerState: 0 }, budget: 'equalRealPasses' },
  allNegatives: { augment: { negativesPerState: 24 }, budget: 'equalRealPasses' },
  nextStateNegatives: { augment: { nextStateNegatives: true }, budget: 'equalRealPasses' },
  negativeWeight1: { augment: {}, budget: 'equalRealPasses', negativeWeight: 1 },
  forceMargin: { augment: { positiveForceLimit: 4 }, budget: 'equalRealPasses' },
  shareAll: { augment: { positivesPerState: 24 }, budget: 'equalRealPasses' },
  nearDemonstrated: { augment: { demonstrated: 'near' }, budget: 'equalRealPasses' },
  positiveSet: { augment: { positiveForm: 'set', positivesPerState: 24 }, budget: 'equalRealPasses' },
  forceMarginSet: {
    augment: { positiveForm: 'set', positivesPerState: 24, positiveForceLimit: 4 },
    budget: 'equalRealPasses',
  },
  forceMarginAllNegatives: { augment: { positiveForceLimit: 4, negativesPerState: 24 }, budget: 'equalRealPasses' },
  nearForceMargin: { augment: { positiveForceLimit: 4, demonstrated: 'near' }, budget: 'equalRealPasses' },
  forceMarginSetAllNegatives: {
    augment: { positiveForm: 'set', positivesPerState: 24, positiveForceLimit: 4, negativesPerState: 24 },
    budget: 'equalRealPasses',
  },
  notLonger: { augment: { demonstrated: 'notLonger' }, budget: 'equalRealPasses' },
  notLongerForceMargin: { augment: { demonstrated: 'notLonger', positiveForceLimit: 4 }, budget: 'equalRealPasses' },
  forceMargin2: { augment: { positiveForceLimit: 2 }, budget: 'equalRealPasses' },
  topSet: { augment: { positiveForm: 'set' }, budget: 'equalRealPasses' },
  forceMarginTopSet: { augment: { positiveForm: 'set', positiveForceLimit: 4 }, budget: 'equalRealPasses' },
  nearForceMarginTopSet: {
    augment: { positiveForm: 'set', positiveForceLimit: 4, demonstrated: 'near' },
    budget: 'equalRealPasses',
  },
  notLongerForceMargin2: { augment: { demonstrated: 'notLonger', positiveForceLimit: 2 }, budget: 'equalRealPasses' },
  nearForceMargin2: { augment: { demonstrated: 'near', positiveForceLimit: 2 }, budget: 'equalRealPasses' },
  forceMargin2AllNegatives: { augment: { positiveForceLimit: 2, negativesPerState: 24 }, budget: 'equalRealPasses' },
  notLongerForceMargin2AllNegatives: {
    augment: { demonstrated: 'notLonger', positiveForceLimit: 2, negativesPerState: 24 },
    budget: 'equalRealPasses',
  },
  forceMarginShareAll: { augment: { positiveForceLimit: 4, positivesPerState: 24 }, budget: 'equalRealPasses' },
};
const env = PUSH_ENV;
const names = list('variants', Object.keys(VARIANTS).join(','));
const rows: Record<string, number | string>[] = [];
const t0 = performance.now();
for (const K of list('real', '4,8,16,32').map(Number)) {
  for (const seed of list('seeds', '101,102,103,104,105').map(Number)) {
    const root = new Rng(seed);
    const { realSteps: real, realSamples } = coldStartData(env, K, root);
    const { model } = fitMechanisms(env, real.map(observe));
    for (const name of names) {
      const v = VARIANTS[name];
      const base = v.onRule ? {} : PROGRESS_RULE;
      const generated = v.augment
        ? augment(env, model, real, root.fork('abduction'), { ...AUGMENT_DEFAULTS, ...base, ...v.augment }).samples
        : [];
      const data = [...realSamples, ...generated];
      const steps =
        v.budget === 'equalRealPasses'
          ? sftStepsForEqualRealPasses(CAUSAL_DEFAULTS.sftSteps, realSamples.length, data.length)
          : CAUSAL_DEFAULTS.sftSteps;
      const p = mlpPolicyInit(root.fork('init'), CAUSAL_DEFAULTS.hidden);
      const negativeWeight = v.negativeWeight ?? SFT_DEFAULTS.negativeWeight;
      sft(env, p, data, root.fork(v.augment ? 'sftAug' : 'sftReal'), { ...SFT_DEFAULTS, steps, negativeWeight });
      const e = evaluate(env, mlpActionPolicy(env, p, true), CAUSAL_DEFAULTS.evalEpisodes, seed);
      const row = {
        real: K,
        seed,
        variant: name,
        sftSteps: steps,
        successRate: e.successRate,
        collisionRate: e.collisionRate,
        wallCollisionRate: e.wallCollisionRate,
      };
      process.stderr.write(`${JSON.stringify(row)}\n`);
      rows.push(row);
    }
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const summary = [...new Set(rows.map((r) => r.real))].flatMap((K) =>
  names.map((variant) => {
    const at = rows.filter((r) => r.real === K && r.variant === variant);
    const m = (k: string) => +mean(at.map((r) => Number(r[k]))).toFixed(3);
    return {
      real: K,
      variant,
      successRate: m('successRate'),
      collisionRate: m('collisionRate'),
      wallCollisionRate: m('wallCollisionRate'),
    };
  }),
);
process.stdout.write(
  `${JSON.stringify({ bench: 'causal/ablation', argv: process.argv.slice(2), wallSeconds: (performance.now() - t0) / 1000, summary, rows })}\n`,
);
