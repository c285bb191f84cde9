/**
 * The tour's scaling section: the Approach-3 fit of the 240 Chinchilla runs next to the published
 * fits, the lecture's N = D table, compute-optimal allocations, Approach 2, and figures (contours with
 * iso-FLOP lines and frontier, observed vs fitted, bootstrap distributions). The full grid fit runs live
 * (quick: refit from the shipped optima); the 4000-resample bootstrap is read from
 * assets/data/chinchilla-bootstrap.json (made by bench/scaling/make-tour-data.ts).
 */
import { readFileSync } from 'node:fs';
import { assetPath } from '../core/assets.js';
import { InputError } from '../core/errors.js';
import type { Summary } from '../core/stats.js';
import type { SectionResult, Table, TourSection } from '../core/tour-section.js';
import type { BootstrapKey } from './bootstrap.js';
import { CHINCHILLA_CSV, readRunsCsv } from './data-file.js';
import { bootstrapFigure, contourFigure, observedFittedFigure } from './figures.js';
import { dropHighestLoss, FIT_DEFAULTS, type FitResult, fitFromStarts, prepareFit } from './fit.js';
import { fitIsoFlop } from './isoflop.js';
import { LAW_PRESETS, type ParametricLaw, parametricLoss } from './laws.js';
import { computeOptimal, equalSizeTable } from './optimal.js';
import { fitApproach3Parallel } from './parallel.js';

const TOUR_DATA = assetPath('data', 'chinchilla-bootstrap.json');

interface TourData {
  made: string;
  fit: ParametricLaw & { objective: number };
  starts: number[][];
  bootstrap: { resamples: number; flops: number; level: number; summary: Record<BootstrapKey, Summary> };
  histograms: Record<BootstrapKey, { edges: number[]; counts: number[] }>;
}

function loadTourData(): TourData {
  try {
    return JSON.parse(readFileSync(TOUR_DATA, 'utf8')) as TourData;
  } catch (error) {
    throw new InputError(`${TOUR_DATA}: cannot read (${String(error)}); run npx tsx bench/scaling/make-tour-data.ts`);
  }
}

const PUBLISHED_SE = { A: 125, B: 1290, E: 0.026, alpha: 0.015, beta: 0.021 } as const;
const LECTURE_TABLE = [41.525, 19.081, 9.325, 5.083, 3.238, 2.436, 2.087, 1.935, 1.868, 1.839];
const SIZES = [1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];
const BUDGETS = [1e19, 1e21, 1e23, 5.76e23, 1e25];
const fmt = (x: number, digits = 4) => Number(x.toPrecision(digits));

function fitTable(fit: FitResult, data: TourData): Table {
  const s = data.bootstrap.summary;
  const keys = ['E', 'A', 'B', 'alpha', 'beta'] as const;
  return {
    caption: `Approach-3 fit of the 240 Chinchilla runs (Huber delta 1e-3, ${fit.starts} L-BFGS starts) against the published fits; SE from ${data.bootstrap.resamples} bootstrap resamples`,
    columns: ['parameter', 'this fit', 'bootstrap SE', 'Besiroglu et al. 2024', 'their SE', 'Hoffmann et al. 2022'],
    rows: keys.map((k) => [
      k,
      fmt(fit[k], 5),
      fmt(s[k].se, 3),
      LAW_PRESETS.epoch2024[k],
      PUBLISHED_SE[k],
      LAW_PRESETS.hoffmann2022[k],
    ]),
  };
}

function allocationTable(fit: ParametricLaw): Table {
  return {
    caption: 'Compute-optimal allocation under C = 6ND (closed form), this fit and the Epoch law',
    columns: [
      'C (FLOPs)',
      'N_opt (fit)',
      'D_opt (fit)',
      'D/N (fit)',
      'loss (fit)',
      'N_opt (epoch2024)',
      'D/N (epoch2024)',
    ],
    rows: BUDGETS.map((c) => {
      const a = computeOptimal(fit, c);
      const e = computeOptimal(LAW_PRESETS.epoch2024, c);
      return [
        c.toExponential(2),
        fmt(a.params, 3),
        fmt(a.tokens, 3),
        fmt(a.tokensPerParam, 3),
        fmt(a.loss),
        fmt(e.params, 3),
        fmt(e.tokensPerParam, 3),
      ];
    }),
  };
}

export const section: TourSection = {
  id: 'scaling',
  title: 'Scaling laws: Chinchilla refit, compute-optimal allocation, uncertainty',
  async run(ctx): Promise<SectionResult> {
    const data = loadTourData();
    const runs = readRunsCsv(CHINCHILLA_CSV);
    const t0 = performance.now();
    let fit: FitResult;
    if (ctx.quick) {
      const { logRuns } = prepareFit(runs, { dropHighestLoss: 5 });
      fit = fitFromStarts(logRuns, data.starts, { lbfgs: FIT_DEFAULTS.polishLbfgs, polish: 0 });
    } else {
      fit = await fitApproach3Parallel(runs, { dropHighestLoss: 5, threads: 2 });
    }
    const fitSeconds = (performance.now() - t0) / 1000;
    ctx.log(`scaling: fit of 240 runs in ${fitSeconds.toFixed(2)} s (${fit.starts} starts)`);
    const kept = dropHighestLoss(runs, 5);
    const points = Array.from(kept.params, (n, i) => ({
      observed: kept.loss[i],
      fitted: parametricLoss(fit, n, kept.tokens[i]),
      flops: 6 * n * kept.tokens[i],
    }));
    const iso = fitIsoFlop({ params: kept.params, flops: points.map((p) => p.flops), loss: kept.loss });
    const table = equalSizeTable(LAW_PRESETS.epoch2024, SIZES);
    const opt = computeOptimal(fit, data.bootstrap.flops);
    const tpp = data.bootstrap.summary.tokensPerParam;
    const estimates: Record<string, number> = {
      A: fit.A,
      B: fit.B,
      E: fit.E,
      alpha: fit.alpha,
      beta: fit.beta,
      params: opt.params,
      tokens: opt.tokens,
      tokensPerParam: opt.tokensPerParam,
    };
    return {
      summary:
        `Fitting L = E + A/N^alpha + B/D^beta to the 240 Chinchilla runs the way the replication did (Huber on log loss, ` +
        `L-BFGS from ${fit.starts} starts) gives objective ${fit.objective.toExponential(6)} (SciPy L-BFGS-B on the same grid: ` +
        `1.018274035e-3) and E = ${fmt(fit.E)}, A = ${fmt(fit.A)}, B = ${fmt(fit.B)}, alpha = ${fmt(fit.alpha)}, beta = ${fmt(fit.beta)}.\n\n` +
        `At Chinchilla's budget (${data.bootstrap.flops.toExponential(2)} FLOPs) the fit allocates ${opt.tokensPerParam.toFixed(1)} tokens per ` +
        `parameter (${Math.round(data.bootstrap.level * 100)}% bootstrap interval ${tpp.lo.toFixed(1)}-${tpp.hi.toFixed(1)}). ` +
        `Approach 2 on the same runs gives N_opt ~ C^${iso.paramsExponent?.toFixed(3) ?? 'n/a'}.`,
      tables: [
        fitTable(fit, data),
        {
          caption: "The lecture's table: loss at N = D under the Epoch fit",
          columns: ['N = D', 'L (computed)', 'L (lecture)'],
          rows: table.map((r, i) => [r.size.toExponential(0), r.loss.toFixed(3), LECTURE_TABLE[i].toFixed(3)]),
        },
        allocationTable(fit),
        {
          caption: `Approach 2: iso-FLOP parabolas over compute buckets of 0.2 decades (${iso.buckets.filter((b) => b.optimum).length} of ${iso.buckets.length} usable)`,
          columns: ['C (bucket)', 'runs', 'N_opt', 'D_opt', 'note'],
          rows: iso.buckets.map((b) => [
            b.flops.toExponential(2),
            b.runs,
            b.optimum ? fmt(b.optimum.params, 3) : null,
            b.optimum ? fmt(b.optimum.tokens, 3) : null,
            b.rejected ?? '',
          ]),
        },
      ],
      figures: [
        contourFigure(
          fit,
          [1e19, 1e21, 1e23],
          Array.from(kept.params, (n, i) => ({ params: n, tokens: kept.tokens[i] })),
        ),
        observedFittedFigure(points),
        bootstrapFigure(data.histograms, estimates, data.bootstrap.resamples, data.bootstrap.flops),
      ],
      data: {
        fit: {
          A: fit.A,
          B: fit.B,
          E: fit.E,
          alpha: fit.alpha,
          beta: fit.beta,
          objective: fit.objective,
          starts: fit.starts,
        },
        fitSeconds,
        bootstrapSe: Object.fromEntries(Object.entries(data.bootstrap.summary).map(([k, s]) => [k, s.se])),
        optimalAtBudget: opt,
        isoFlopParamsExponent: iso.paramsExponent,
        bootstrapSource: data.made,
      },
    };
  },
};
