/**
 * `modelmath scaling fit | loss | optimal`: the Approach-3 fit of a CSV of runs (with bootstrap and
 * Approach 2), the loss of a law at (N, D), and the compute-optimal allocation at a budget. Bad
 * input exits with code 2 and one line naming the row and column.
 */
import { z } from 'zod';
import { defineCommand, RESULT_JSON_OUTPUT } from '../core/command.js';
import { BOOTSTRAP_DEFAULTS } from './bootstrap.js';
import { FIT_DEFAULTS } from './fit.js';
import { LAW_NAMES, type LawName } from './laws.js';
import { DEFAULT_THREADS } from './parallel.js';

const round = (x: number, digits = 6) => Number(x.toPrecision(digits));
const law = z
  .enum(LAW_NAMES as [LawName, ...LawName[]])
  .default('epoch2024')
  .describe('law preset (epoch2024: Besiroglu et al. 2024; hoffmann2022: Chinchilla)');

const fitOptions = z.object({
  csv: z
    .string()
    .min(1)
    .optional()
    .describe(
      'runs: columns N|params|"Model Size", D|tokens or C|flops|"Training FLOP", loss|L (default: the shipped Chinchilla runs, assets/data/chinchilla.csv)',
    )
    .meta({ placeholder: 'file' }),
  columns: z
    .string()
    .optional()
    .describe('header names to use, e.g. "params=n_params,tokens=n_tokens,loss=val_loss"')
    .meta({ placeholder: 'map' }),
  dropHighestLoss: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('drop the K runs with the highest loss first (the replication used 5)'),
  bootstrap: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .describe('bootstrap resamples over runs for standard errors (0 = none; the replication used 4000)'),
  delta: z.number().positive().default(FIT_DEFAULTS.delta).describe('Huber threshold on log-loss residuals'),
  flops: z
    .number()
    .positive()
    .default(BOOTSTRAP_DEFAULTS.flops)
    .describe('compute budget C for the optimal allocation and its intervals'),
  level: z
    .number()
    .gt(0)
    .lt(1)
    .default(BOOTSTRAP_DEFAULTS.level)
    .describe('coverage of the bootstrap percentile intervals'),
  starts: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(BOOTSTRAP_DEFAULTS.starts)
    .describe('distinct full-data optima each resample starts from'),
  threads: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(DEFAULT_THREADS)
    .describe('worker threads for the grid and the bootstrap (1 = no workers)'),
});

const fit = defineCommand({
  name: 'fit',
  summary: 'fit L = E + A/N^alpha + B/D^beta to a CSV of runs (Approach 3: Huber on log loss, 4500-start grid)',
  options: fitOptions,
  inputs: ['csv'],
  out: RESULT_JSON_OUTPUT,
  examples: [
    'modelmath scaling fit --csv assets/data/chinchilla.csv --drop-highest-loss 5',
    'modelmath scaling fit --drop-highest-loss 5 --bootstrap 4000 --out fit.json',
  ],
  async run(o, ctx) {
    const { checkFittable, parseColumnOverrides } = await import('./data.js');
    const { CHINCHILLA_CSV, readRunsCsv } = await import('./data-file.js');
    const { analyzeRuns } = await import('./pipeline.js');
    const { dropHighestLoss } = await import('./fit.js');
    const csv = o.csv ?? CHINCHILLA_CSV;
    const runs = readRunsCsv(csv, o.columns === undefined ? {} : parseColumnOverrides(o.columns));
    checkFittable(
      dropHighestLoss(runs, Math.min(o.dropHighestLoss, runs.params.length)),
      o.csv ?? 'the shipped Chinchilla runs',
    );
    const bar = ctx.progress('bootstrap', o.bootstrap);
    const t0 = performance.now();
    let done = 0;
    const a = await analyzeRuns(runs, ctx.seed, {
      dropHighestLoss: o.dropHighestLoss,
      fit: { delta: o.delta },
      bootstrap: { resamples: o.bootstrap, flops: o.flops, level: o.level, starts: o.starts },
      threads: o.threads,
      onProgress: (n) => {
        done += n;
        bar.update(done);
      },
    });
    bar.stop();
    const { A, B, E, alpha, beta, objective, runs: used, starts, converged } = a.fit;
    const data = {
      A,
      B,
      E,
      alpha,
      beta,
      objective,
      runs: used,
      ...(a.bootstrap
        ? {
            se: Object.fromEntries(Object.entries(a.bootstrap.summary).map(([k, s]) => [k, s.se])),
            intervals: Object.fromEntries(Object.entries(a.bootstrap.summary).map(([k, s]) => [k, [s.lo, s.hi]])),
            bootstrap: {
              resamples: a.bootstrap.resamples,
              level: a.bootstrap.level,
              flops: a.bootstrap.flops,
              starts: a.bootstrap.starts.length,
            },
          }
        : {}),
      optimal: a.optimal,
      isoFlop: { paramsExponent: a.isoFlop.paramsExponent, tokensExponent: a.isoFlop.tokensExponent },
      starts,
      converged,
    };
    const lines = [
      `fit of ${used} runs (${starts} starts, ${converged} converged) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      `  E = ${round(E, 5)}  A = ${round(A, 5)}  B = ${round(B, 5)}  alpha = ${round(alpha, 4)}  beta = ${round(beta, 4)}`,
      `  Huber objective ${objective.toExponential(8)}`,
    ];
    if (a.bootstrap) {
      const s = a.bootstrap.summary;
      lines.push(
        `  bootstrap (${a.bootstrap.resamples} resamples) SE: A ${round(s.A.se, 3)}  B ${round(s.B.se, 3)}  E ${round(s.E.se, 3)}  alpha ${round(s.alpha.se, 3)}  beta ${round(s.beta.se, 3)}`,
      );
    }
    lines.push(
      `  at C = ${o.flops.toExponential(2)}: N_opt = ${a.optimal.params.toExponential(3)}, D_opt = ${a.optimal.tokens.toExponential(3)} (${a.optimal.tokensPerParam.toFixed(1)} tokens/param)`,
      `  Approach 2 exponent a = ${a.isoFlop.paramsExponent?.toFixed(3) ?? 'n/a'}`,
    );
    return { data, text: lines.join('\n') };
  },
});

const loss = defineCommand({
  name: 'loss',
  summary: 'loss of a law at N parameters and D tokens (L = E + A/N^alpha + B/D^beta)',
  options: z.object({
    params: z.number().positive().describe('parameters N'),
    tokens: z.number().positive().describe('training tokens D'),
    uniqueTokens: z
      .number()
      .positive()
      .optional()
      .describe('unique tokens available: data-constrained loss with repetition (Muennighoff et al. 2023)'),
    law,
  }),
  examples: ['modelmath scaling loss --params 70e9 --tokens 1.4e12'],
  async run(o) {
    const { LAW_PRESETS, parametricLoss } = await import('./laws.js');
    const { dataConstrainedLoss } = await import('./data-constrained.js');
    const preset = LAW_PRESETS[o.law];
    if (o.uniqueTokens === undefined) {
      const value = parametricLoss(preset, o.params, o.tokens);
      return { data: { loss: value }, text: `L(N = ${o.params}, D = ${o.tokens}) = ${value.toFixed(4)} (${o.law})` };
    }
    const dc = dataConstrainedLoss(preset, { params: o.params, tokens: o.tokens, uniqueTokens: o.uniqueTokens });
    return {
      data: dc,
      text: `data-constrained L = ${dc.loss.toFixed(4)} (D' = ${dc.effectiveTokens.toExponential(3)}, N' = ${dc.effectiveParams.toExponential(3)}) (${o.law})`,
    };
  },
});

const optimal = defineCommand({
  name: 'optimal',
  summary: 'compute-optimal N and D for a FLOP budget under C = 6ND (closed form)',
  options: z.object({ flops: z.number().positive().describe('training compute budget C in FLOPs'), law }),
  out: RESULT_JSON_OUTPUT,
  examples: [
    'modelmath scaling optimal --flops 1e21',
    'modelmath scaling optimal --flops 5.76e23 --law hoffmann2022 --out optimal.json',
  ],
  async run(o) {
    const { LAW_PRESETS } = await import('./laws.js');
    const { computeOptimal } = await import('./optimal.js');
    const r = computeOptimal(LAW_PRESETS[o.law], o.flops);
    const data = {
      params: r.params,
      tokens: r.tokens,
      tokensPerParam: r.tokensPerParam,
      loss: r.loss,
    };
    return {
      data,
      text: `C = ${o.flops.toExponential(2)}: N = ${r.params.toExponential(3)}, D = ${r.tokens.toExponential(3)}, ${r.tokensPerParam.toFixed(2)} tokens/param, L = ${r.loss.toFixed(4)} (${o.law})`,
    };
  },
});

export const commands = [
  {
    name: 'scaling',
    summary: 'scaling laws: fits with uncertainty, loss, compute-optimal N and D',
    commands: [fit, loss, optimal],
  },
];
