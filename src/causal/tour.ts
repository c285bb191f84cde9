/**
 * The causal tour section: the stage table, success against the number of real trajectories and
 * against environment steps, and example trajectories of every stage's policy. It reads the
 * measured runs in assets/causal/tour-data.json (written by `npx tsx bench/causal/run.ts --write`);
 * nothing trains here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assetPath } from '../core/assets.js';
import { formatInterval, pairedBootstrap } from '../core/stats.js';
import type { TourSection } from '../core/tour-section.js';
import { STAGES, type Stage } from './config.js';

const DATA = assetPath('causal', 'tour-data.json');
/** Replications on other seeds (`bench/causal/run.ts --seed-from S --out assets/causal/replication-NAME.json`). */
const REPLICATION_PREFIX = 'replication-';

interface StageNumbers {
  successRate: number;
  collisionRate: number;
  wallCollisionRate?: number;
  meanForce: number;
  budgetEnvSteps: number;
}
export type Run = { realTrajectories: number; seed: number } & Partial<Record<Stage, StageNumbers>> & {
    curves: { rl: { envSteps: number; successRate: number }[]; pureRl: { envSteps: number; successRate: number }[] };
    samples?: { generated: number; positive: number; negative: number; rejected: Record<string, number> };
  };
interface TourData {
  command: string;
  runs: Run[];
  examples: {
    stage: string;
    start: number;
    goal: number[];
    outcome: string;
    block: number[][];
    effector: number[][];
  }[];
}

const mean = (x: number[]) => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : Number.NaN);
const r3 = (x: number) => +x.toFixed(3);

function stageTable(runs: Run[], k: number) {
  const at = runs.filter((r) => r.realTrajectories === k);
  return {
    caption: `Stages with ${k} real trajectories (mean over ${at.length} seeds; pure RL has the same environment-step budget as cold start + RL)`,
    columns: ['stage', 'success', 'collision', 'of which wall', 'mean force', 'env steps', 'generated', 'kept pos/neg'],
    rows: STAGES.map((s) => {
      const v = at.map((r) => r[s]).filter((x): x is StageNumbers => !!x);
      const aug = s === 'sftAugmented' || s === 'rl';
      const samples = aug ? at.map((r) => r.samples).filter((x) => !!x) : [];
      return [
        s,
        r3(mean(v.map((x) => x.successRate))),
        r3(mean(v.map((x) => x.collisionRate))),
        r3(mean(v.map((x) => x.wallCollisionRate ?? Number.NaN))),
        r3(mean(v.map((x) => x.meanForce))),
        Math.round(mean(v.map((x) => x.budgetEnvSteps))),
        samples.length ? Math.round(mean(samples.map((x) => x.generated))) : 0,
        samples.length
          ? `${Math.round(mean(samples.map((x) => x.positive)))}/${Math.round(mean(samples.map((x) => x.negative)))}`
          : '-',
      ];
    }),
  };
}

/** A field (success or collision rate) per number of real trajectories and stage (mean over seeds). */
function byBudget(runs: Run[], field: 'successRate' | 'collisionRate', what: string) {
  const ks = [...new Set(runs.map((r) => r.realTrajectories))].sort((a, b) => a - b);
  const cell = (k: number, s: Stage) =>
    r3(mean(runs.filter((r) => r.realTrajectories === k && r[s]).map((r) => r[s]![field])));
  const seeds = new Set(runs.map((r) => r.seed)).size;
  return {
    caption: `${what} by number of real trajectories (mean over ${seeds} seeds)`,
    columns: ['real trajectories', ...STAGES],
    rows: ks.map((k) => [k, ...STAGES.map((s) => cell(k, s))]),
  };
}

/** The paired comparisons the lecture's claim rests on: (later stage, earlier stage, field, lower is better). */
const COMPARISONS = [
  { name: 'success: augmented SFT - real-only SFT', a: 'sftAugmented', b: 'sftReal', field: 'successRate' },
  { name: 'collision: augmented SFT - real-only SFT', a: 'sftAugmented', b: 'sftReal', field: 'collisionRate' },
  { name: 'success: + GRPO - augmented SFT', a: 'rl', b: 'sftAugmented', field: 'successRate' },
  { name: 'collision: + GRPO - real-only SFT', a: 'rl', b: 'sftReal', field: 'collisionRate' },
] as const satisfies readonly { name: string; a: Stage; b: Stage; field: 'successRate' | 'collisionRate' }[];

/** One paired comparison at one number of real trajectories, over the seeds that ran both stages. */
export interface PairedDifference {
  realTrajectories: number;
  comparison: string;
  seeds: number;
  /** Mean over seeds of (a - b). */
  mean: number;
  /** Paired bootstrap percentile interval over seeds (coarse with few seeds). */
  ci95: [number, number];
  /** Seeds on which a is better than b (higher success, lower collision rate); ties count as not better. */
  better: number;
}

/** Every comparison of COMPARISONS at every number of real trajectories, paired by seed. */
export function pairedDifferences(runs: readonly Run[]): PairedDifference[] {
  const ks = [...new Set(runs.map((r) => r.realTrajectories))].sort((x, y) => x - y);
  return ks.flatMap((k) =>
    COMPARISONS.map((c) => {
      const both = runs.filter((r) => r.realTrajectories === k && r[c.a] && r[c.b]);
      const a = both.map((r) => r[c.a]![c.field]);
      const b = both.map((r) => r[c.b]![c.field]);
      const { mean: m, ci } = pairedBootstrap(a, b);
      const sign = c.field === 'collisionRate' ? -1 : 1;
      return {
        realTrajectories: k,
        comparison: c.name,
        seeds: both.length,
        mean: m,
        ci95: ci,
        better: a.filter((v, i) => sign * (v - b[i]) > 0).length,
      };
    }),
  );
}

function pairedTable(diffs: readonly PairedDifference[], what: string) {
  return {
    caption:
      `Paired differences by seed, ${what} (same seeds, same evaluation starts): mean, 95% paired-bootstrap interval ` +
      'over seeds (coarse with few seeds), and on how many seeds the first stage is better',
    columns: ['real trajectories', 'comparison', 'mean difference', '95% interval', 'better on'],
    rows: diffs.map((d) => [
      d.realTrajectories,
      d.comparison,
      r3(d.mean),
      formatInterval(d.ci95, 3),
      `${d.better} of ${d.seeds}`,
    ]),
  };
}

type BudgetTable = ReturnType<typeof byBudget>;

/** Where augmented SFT beats real-only SFT in success, and where it collides no more (the byBudget tables' means). */
function claimSentence(success: BudgetTable, collisions: BudgetTable, what: string): string {
  const [aug, real] = [success.columns.indexOf('sftAugmented'), success.columns.indexOf('sftReal')];
  const sizes = (t: BudgetTable, better: (a: number, r: number) => boolean) =>
    t.rows.filter((r) => better(Number(r[aug]), Number(r[real]))).map((r) => r[0]);
  const wins = sizes(success, (a, r) => a > r);
  const losses = sizes(success, (a, r) => a <= r);
  const safer = sizes(collisions, (a, r) => a <= r);
  return (
    `On ${what}, SFT on real + augmented data beats SFT on real data alone with ${wins.join(', ') || 'no'} real ` +
    `trajectories and does not with ${losses.join(', ') || 'none'}; it collides no more often with ${safer.join(', ') || 'none'}.`
  );
}

function budgetFigure(runs: Run[]) {
  const ks = [...new Set(runs.map((r) => r.realTrajectories))].sort((a, b) => a - b);
  const values = ks.flatMap((k) =>
    STAGES.map((s) => ({
      stage: s,
      real: k,
      success: mean(runs.filter((r) => r.realTrajectories === k && r[s]).map((r) => r[s]!.successRate)),
    })),
  );
  return {
    caption: 'Success rate against the number of real trajectories (mean over seeds)',
    vegaLite: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 420,
      height: 220,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'real', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'real trajectories' },
        y: { field: 'success', type: 'quantitative', scale: { domain: [0, 1] } },
        color: { field: 'stage', type: 'nominal' },
      },
    },
  };
}

function envStepFigure(runs: Run[], k: number) {
  const values = runs
    .filter((r) => r.realTrajectories === k)
    .flatMap((r) => [
      ...r.curves.rl.map((p) => ({ run: `augmented+RL seed ${r.seed}`, pipeline: 'augmented SFT + RL', ...p })),
      ...r.curves.pureRl.map((p) => ({ run: `pure RL seed ${r.seed}`, pipeline: 'pure RL', ...p })),
    ]);
  return {
    caption: `Success rate against environment steps (${k} real trajectories; one line per seed)`,
    vegaLite: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 420,
      height: 220,
      data: { values },
      mark: 'line',
      encoding: {
        x: { field: 'envSteps', type: 'quantitative', title: 'environment steps' },
        y: { field: 'successRate', type: 'quantitative', scale: { domain: [0, 1] } },
        color: { field: 'pipeline', type: 'nominal' },
        detail: { field: 'run' },
      },
    },
  };
}

function trajectoryFigure(examples: TourData['examples']) {
  const values = examples.flatMap((e) => [
    ...e.block.map((p, t) => ({
      stage: e.stage,
      kind: 'block',
      path: `block ${e.start}`,
      t,
      x: p[0],
      y: p[1],
      start: `start ${e.start}`,
    })),
    ...e.effector.map((p, t) => ({
      stage: e.stage,
      kind: 'effector',
      path: `effector ${e.start}`,
      t,
      x: p[0],
      y: p[1],
      start: `start ${e.start}`,
    })),
    {
      stage: e.stage,
      kind: 'goal',
      path: `goal ${e.start}`,
      t: 0,
      x: e.goal[0],
      y: e.goal[1],
      start: `start ${e.start}`,
    },
  ]);
  const scale = { domain: [0, 1] };
  const xy = { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } };
  return {
    caption:
      'Example episodes from the same two starts: block (solid) and effector (dashed) paths per stage; squares are goals',
    vegaLite: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values },
      facet: { field: 'stage', type: 'nominal', sort: [...STAGES] },
      columns: 5,
      spec: {
        width: 140,
        height: 140,
        layer: [
          {
            transform: [{ filter: "datum.kind !== 'goal'" }],
            mark: 'line',
            encoding: {
              ...xy,
              order: { field: 't', type: 'quantitative' },
              detail: { field: 'path', type: 'nominal' },
              color: { field: 'start', type: 'nominal' },
              strokeDash: { field: 'kind', type: 'nominal' },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'goal'" }],
            mark: { type: 'square', size: 60 },
            encoding: { ...xy, color: { field: 'start', type: 'nominal' } },
          },
        ],
      },
    },
  };
}

export const section: TourSection = {
  id: 'causal',
  title: 'Causal counterfactual augmentation: cold start -> do(a) -> SFT -> RL',
  async run(ctx) {
    if (!existsSync(DATA)) {
      return {
        summary: 'No measured runs found (assets/causal/tour-data.json); run `npx tsx bench/causal/run.ts --write`.',
      };
    }
    const data = JSON.parse(readFileSync(DATA, 'utf8')) as TourData;
    const ks = [...new Set(data.runs.map((r) => r.realTrajectories))].sort((a, b) => a - b);
    const k = ks.includes(16) ? 16 : ks[ks.length - 1];
    ctx.log(`causal: ${data.runs.length} measured runs (${data.command})`);
    const table = stageTable(data.runs, k);
    const success = byBudget(data.runs, 'successRate', 'Success rate');
    const collisions = byBudget(data.runs, 'collisionRate', 'Collision rate');
    const paired = pairedDifferences(data.runs);
    const seedList = (runs: Run[]) => [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b).join(', ');
    const replications = readdirSync(dirname(DATA))
      .filter((f) => f.startsWith(REPLICATION_PREFIX) && f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dirname(DATA), f), 'utf8')) as TourData);
    const allRuns = [...data.runs, ...replications.flatMap((r) => r.runs)];
    const allSuccess = byBudget(allRuns, 'successRate', `Success rate, seeds ${seedList(allRuns)}`);
    const allCollisions = byBudget(allRuns, 'collisionRate', `Collision rate, seeds ${seedList(allRuns)}`);
    const replicationTables = replications.length
      ? [
          ...replications.map((r) =>
            pairedTable(pairedDifferences(r.runs), `replication on seeds ${seedList(r.runs)} (${r.command})`),
          ),
          allSuccess,
          allCollisions,
          pairedTable(pairedDifferences(allRuns), `seeds ${seedList(allRuns)}`),
        ]
      : [];
    return {
      summary:
        'A pushing task written as a structural causal model. From a few noisy scripted trajectories, do(a) ' +
        'counterfactuals (abduction-action-prediction with mechanisms fitted on those trajectories, the unidentified ' +
        'friction drawn from its posterior) generate positives (safe with a force margin, no longer than the ' +
        'demonstrated step, one set of acceptable actions per state) and negatives weighted by their posterior ' +
        'probability after rejection sampling; a policy is fine-tuned on them (SFT, with as many passes over the real samples as ' +
        'real-only SFT), then with GRPO. ' +
        `${claimSentence(success, collisions, `seeds ${seedList(data.runs)}`)} ` +
        (replications.length
          ? `${claimSentence(allSuccess, allCollisions, `seeds ${seedList(allRuns)}, with the replication`)} `
          : '') +
        `Pure RL with the same environment-step budget stays near 0. Measured by: ${data.command}.`,
      tables: [success, collisions, pairedTable(paired, `seeds ${seedList(data.runs)}`), table, ...replicationTables],
      figures: [
        budgetFigure(data.runs),
        envStepFigure(data.runs, k),
        ...(data.examples ? [trajectoryFigure(data.examples)] : []),
      ],
      data: {
        command: data.command,
        stageTable: table,
        successByBudget: success,
        collisionByBudget: collisions,
        paired,
      },
    };
  },
};
