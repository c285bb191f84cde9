/**
 * The GRPO tour section: the lecture's bandit trained live with several loss variants on the
 * same seeds (reward and greedy-accuracy curves, final table; about 2 s unloaded), plus the LM task's measured run
 * for each task that bench/grpo/lm.ts has written to assets/grpo/lm-run.<task>.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { assetPath } from '../core/assets.js';
import type { SectionResult, TourSection } from '../core/tour-section.js';
import type { GrpoConfig } from './config.js';
import { type BanditRunResult, runLectureBandit } from './lecture.js';
import { LM_TASKS } from './lm.js';
import type { LmGrpoResult } from './lm-task.js';

/** The loss variants compared (over the lecture preset). */
export const TOUR_VARIANTS: { name: string; config: Partial<GrpoConfig> }[] = [
  { name: 'grpo (lecture: group std, beta 0.05, k3)', config: {} },
  { name: 'dr_grpo (no std scaling)', config: { lossType: 'dr_grpo', scaleRewards: 'none' } },
  {
    name: 'dapo (clip-higher 0.28, dynamic sampling, beta 0)',
    config: { lossType: 'dapo', epsilonHigh: 0.28, dynamicSampling: true, beta: 0 },
  },
  { name: 'grpo, 1 PPO epoch', config: { numIterations: 1 } },
  { name: 'bnpo, batch std, k1', config: { lossType: 'bnpo', scaleRewards: 'batch', klEstimator: 'k1' } },
];

/** The LM task's measured runs (bench/grpo/lm.ts --write), one file per task. */
const lmRunPath = (task: string) => assetPath('grpo', `lm-run.${task}.json`);

async function banditVariants(seeds: number[], steps: number) {
  const rows: SectionResult['tables'] = [];
  const rewardPoints: Record<string, unknown>[] = [];
  const accPoints: Record<string, unknown>[] = [];
  const table: (string | number)[][] = [];
  for (const v of TOUR_VARIANTS) {
    const runs: BanditRunResult[] = [];
    for (const seed of seeds) runs.push(await runLectureBandit({ steps, seed, config: v.config, accuracyEvery: 10 }));
    const mean = (f: (r: BanditRunResult) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
    for (let t = 9; t < steps; t += 10) {
      const window = (r: BanditRunResult) => r.curve.slice(t - 9, t + 1).reduce((a, b) => a + b, 0) / 10;
      rewardPoints.push({ variant: v.name, step: t + 1, reward: mean(window) });
    }
    runs[0].accuracyCurve.forEach((p, i) => {
      accPoints.push({ variant: v.name, step: p.step, accuracy: mean((r) => r.accuracyCurve[i].greedyAccuracy) });
    });
    table.push([
      v.name,
      +mean((r) => r.meanRewardLast50).toFixed(3),
      +mean((r) => r.greedyAccuracy).toFixed(3),
      +mean((r) => r.klToRef).toFixed(3),
      +(1000 * mean((r) => r.wallSeconds)).toFixed(0),
    ]);
  }
  rows.push({
    caption: `Lecture bandit (32 prompts, 8 actions), ${steps} steps, mean over seeds ${seeds.join(', ')}`,
    columns: ['variant', 'mean reward (last 50)', 'greedy accuracy', 'KL to ref', 'ms per run'],
    rows: table,
  });
  return { tables: rows, rewardPoints, accPoints };
}

const lineChart = (title: string, values: Record<string, unknown>[], y: string) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title,
  width: 420,
  height: 220,
  data: { values },
  mark: 'line',
  encoding: {
    x: { field: 'step', type: 'quantitative' },
    y: { field: y, type: 'quantitative', scale: { domain: [0, 1] } },
    color: { field: 'variant', type: 'nominal', legend: { orient: 'bottom', columns: 1 } },
  },
});

export const section: TourSection = {
  id: 'grpo',
  title: 'GRPO: the lecture script, its variants, and an LM task',
  async run(ctx) {
    const seeds = ctx.quick ? [0] : [0, 1];
    const steps = ctx.quick ? 150 : 300;
    ctx.log(`grpo: ${TOUR_VARIANTS.length} variants x ${seeds.length} seeds x ${steps} steps`);
    const { tables, rewardPoints, accPoints } = await banditVariants(seeds, steps);
    const figures = [
      {
        caption: 'Mean rollout reward (10-step windows, mean over seeds)',
        vegaLite: lineChart('reward', rewardPoints, 'reward'),
      },
      { caption: 'Greedy accuracy over the 32 prompts', vegaLite: lineChart('greedy accuracy', accPoints, 'accuracy') },
    ];
    const data: Record<string, unknown> = { bandit: tables?.[0] };
    let summary =
      "The lecture's minimal GRPO script (Embedding(32,64)+Linear(64,8), group 8, batch 16, clip 0.2, beta 0.05, k3 KL, " +
      '4 PPO epochs) runs on the general trainer; its loss variants are compared on the same seeds. With one-token ' +
      'completions grpo, bnpo and dapo aggregate identically; they differ through clip-higher, dynamic sampling, KL and std scaling.';
    type LmRun = Omit<LmGrpoResult, 'warmStart'> & { command?: string; warmStart: { steps: number } | null };
    const lmRuns = Object.keys(LM_TASKS)
      .filter((task) => existsSync(lmRunPath(task)))
      .map((task) => JSON.parse(readFileSync(lmRunPath(task), 'utf8')) as LmRun);
    if (lmRuns.length > 0) {
      tables?.push({
        caption:
          'SFT warm start + GRPO with LoRA on the tiny LM (exact-match reward), greedy and sampled (T = 1) accuracy on the same 200 held-out problems; measured by bench/grpo/lm.ts (commands in data.lm)',
        columns: [
          'task',
          'warm-start steps',
          'greedy: base',
          'after SFT',
          'after GRPO',
          'sampled: after SFT',
          'after GRPO',
          'GRPO steps',
          'train reward first 10',
          'last 10',
          'tokens/s',
        ],
        rows: lmRuns.map((lm) => [
          lm.task ?? 'addition',
          lm.warmStart?.steps ?? 0,
          lm.heldOutAccuracyBase,
          lm.heldOutAccuracyBefore,
          lm.heldOutAccuracyAfter,
          lm.sampledAccuracyBefore,
          lm.sampledAccuracyAfter,
          lm.steps,
          +lm.trainRewardFirst10.toFixed(3),
          +lm.trainRewardLast10.toFixed(3),
          +lm.tokensPerSecond.toFixed(0),
        ]),
      });
      // Mean reward over windows of 10 steps: single steps (64 samples) are too noisy to read.
      const points = lmRuns.flatMap((lm) =>
        lm.curve
          .filter((_, i) => i % 10 === 9)
          .map((c, w) => ({
            variant: lm.task,
            step: c.step,
            reward: lm.curve.slice(w * 10, w * 10 + 10).reduce((a, b) => a + b.reward, 0) / 10,
          })),
      );
      figures.push({
        caption: 'LM tasks: exact-match training reward per GRPO step (mean of 10 steps)',
        vegaLite: lineChart('LM reward', points, 'reward'),
      });
      data.lm = lmRuns.map((lm) => ({ ...lm, curve: undefined }));
      for (const lm of lmRuns) {
        summary += ` On the tiny LM (${lm.task}), held-out greedy accuracy went from ${lm.heldOutAccuracyBase} (shipped model) to ${lm.heldOutAccuracyBefore} after the SFT warm start and ${lm.heldOutAccuracyAfter} after GRPO.`;
      }
    }
    return { summary, tables, figures, data };
  },
};
