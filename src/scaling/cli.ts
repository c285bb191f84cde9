/**
 * `modelmath scaling fit | loss | optimal`: the Approach-3 fit of a CSV of runs (with bootstrap and
 * Approach 2), the loss of a law at (N, D), and the compute-optimal allocation at a budget. The JSON
 * shapes are the contract of issue 8; bad input exits with code 2 and one line naming row and column.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { createProgress } from '../core/progress.js';
import { BOOTSTRAP_DEFAULTS, type BootstrapResult } from './bootstrap.js';
import { CHINCHILLA_CSV, parseColumnOverrides, readRunsCsv } from './data.js';
import { dataConstrainedLoss } from './data-constrained.js';
import { FIT_DEFAULTS } from './fit.js';
import { LAW_NAMES, LAW_PRESETS, type LawName, parametricLoss } from './laws.js';
import { computeOptimal } from './optimal.js';
import { DEFAULT_THREADS } from './parallel.js';
import { analyzeRuns } from './pipeline.js';

const positive = numberFlag.pipe(z.number().positive());
const lawFlag = z.enum(LAW_NAMES as [LawName, ...LawName[]]);

const fitSchema = z.object({
  csv: z.string().min(1),
  dropHighestLoss: numberFlag.pipe(z.number().int().min(0)),
  bootstrap: numberFlag.pipe(z.number().int().min(0).max(1_000_000)),
  delta: positive,
  flops: positive,
  level: numberFlag.pipe(z.number().gt(0).lt(1)),
  starts: numberFlag.pipe(z.number().int().min(1).max(100)),
  threads: numberFlag.pipe(z.number().int().min(1).max(64)),
  columns: z.string().optional(),
});

const lossSchema = z.object({ params: positive, tokens: positive, uniqueTokens: positive.optional(), law: lawFlag });
const optimalSchema = z.object({ flops: positive, law: lawFlag });

const round = (x: number, digits = 6) => Number(x.toPrecision(digits));

/** The `se` and interval objects of the fit's JSON. */
function bootstrapJson(b: BootstrapResult) {
  const pick = (f: (s: BootstrapResult['summary']['A']) => unknown) =>
    Object.fromEntries(Object.entries(b.summary).map(([k, s]) => [k, f(s)]));
  return {
    se: pick((s) => s.se),
    intervals: pick((s) => [s.lo, s.hi]),
    bootstrap: { resamples: b.resamples, level: b.level, flops: b.flops, starts: b.starts.length },
  };
}

function registerFit(scaling: Command): void {
  scaling
    .command('fit')
    .description('fit L = E + A/N^alpha + B/D^beta to a CSV of runs (Approach 3, Huber on log loss, 4500-start grid)')
    .option(
      '--csv <file>',
      `runs: columns N|params|"Model Size", D|tokens or C|flops|"Training FLOP", loss|L`,
      CHINCHILLA_CSV,
    )
    .option('--columns <map>', 'header names to use, e.g. "params=n_params,tokens=n_tokens,loss=val_loss"')
    .option('--drop-highest-loss <k>', 'drop the runs with the K highest losses first (the replication used 5)', '0')
    .option(
      '--bootstrap <n>',
      'bootstrap resamples over runs for standard errors (0 = none; the replication used 4000)',
      '0',
    )
    .option('--delta <d>', 'Huber threshold on log-loss residuals', String(FIT_DEFAULTS.delta))
    .option(
      '--flops <C>',
      'compute budget for the optimal allocation and its intervals',
      String(BOOTSTRAP_DEFAULTS.flops),
    )
    .option('--level <p>', 'coverage of the bootstrap percentile intervals', String(BOOTSTRAP_DEFAULTS.level))
    .option('--starts <k>', 'distinct full-data optima each resample starts from', String(BOOTSTRAP_DEFAULTS.starts))
    .option('--threads <n>', 'worker threads for the grid and the bootstrap (1 = no workers)', String(DEFAULT_THREADS))
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(fitSchema, raw);
        const runs = readRunsCsv(o.csv, o.columns === undefined ? {} : parseColumnOverrides(o.columns));
        const bar = createProgress('bootstrap', o.bootstrap);
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
        ctx.log(
          `fit of ${used} runs (${starts} starts, ${converged} converged): E = ${round(E, 5)}, A = ${round(A, 5)}, ` +
            `B = ${round(B, 5)}, alpha = ${round(alpha, 4)}, beta = ${round(beta, 4)}; objective ${objective.toExponential(6)}`,
        );
        if (a.bootstrap) {
          const s = a.bootstrap.summary;
          ctx.log(
            `bootstrap (${a.bootstrap.resamples} resamples) SE: A ${round(s.A.se, 3)}, B ${round(s.B.se, 3)}, ` +
              `E ${round(s.E.se, 3)}, alpha ${round(s.alpha.se, 3)}, beta ${round(s.beta.se, 3)}`,
          );
        }
        ctx.log(
          `at C = ${o.flops.toExponential(2)}: N_opt = ${a.optimal.params.toExponential(3)}, D_opt = ` +
            `${a.optimal.tokens.toExponential(3)}, ${a.optimal.tokensPerParam.toFixed(1)} tokens/param` +
            `; Approach 2 exponent a = ${a.isoFlop.paramsExponent?.toFixed(3) ?? 'n/a'} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
        return {
          A,
          B,
          E,
          alpha,
          beta,
          objective,
          runs: used,
          ...(a.bootstrap ? bootstrapJson(a.bootstrap) : {}),
          optimal: a.optimal,
          isoFlop: { paramsExponent: a.isoFlop.paramsExponent, tokensExponent: a.isoFlop.tokensExponent },
          starts,
          converged,
        };
      }),
    );
}

export function register(program: Command): void {
  const scaling = program
    .command('scaling')
    .description('scaling laws: fits with uncertainty, loss, compute-optimal N and D');
  registerFit(scaling);
  scaling
    .command('loss')
    .description('loss of a law at N parameters and D tokens (L = E + A/N^alpha + B/D^beta)')
    .requiredOption('--params <N>', 'parameters N')
    .requiredOption('--tokens <D>', 'training tokens D')
    .option(
      '--unique-tokens <U>',
      'unique tokens available: data-constrained loss with repetition (Muennighoff et al. 2023)',
    )
    .option('--law <name>', `law preset: ${LAW_NAMES.join(', ')}`, 'epoch2024')
    .action(
      action((raw, ctx) => {
        const o = parseOptions(lossSchema, raw);
        const law = LAW_PRESETS[o.law];
        if (o.uniqueTokens === undefined) {
          const loss = parametricLoss(law, o.params, o.tokens);
          ctx.log(`L(N = ${o.params}, D = ${o.tokens}) = ${loss.toFixed(4)} (${o.law})`);
          return { loss };
        }
        const dc = dataConstrainedLoss(law, { params: o.params, tokens: o.tokens, uniqueTokens: o.uniqueTokens });
        ctx.log(
          `data-constrained L = ${dc.loss.toFixed(4)} (D' = ${dc.effectiveTokens.toExponential(3)}, N' = ${dc.effectiveParams.toExponential(3)})`,
        );
        return dc;
      }),
    );
  scaling
    .command('optimal')
    .description('compute-optimal N and D for a FLOP budget under C = 6ND (closed form)')
    .requiredOption('--flops <C>', 'training compute budget in FLOPs')
    .option('--law <name>', `law preset: ${LAW_NAMES.join(', ')}`, 'epoch2024')
    .action(
      action((raw, ctx) => {
        const o = parseOptions(optimalSchema, raw);
        const r = computeOptimal(LAW_PRESETS[o.law], o.flops);
        ctx.log(
          `C = ${o.flops.toExponential(2)}: N = ${r.params.toExponential(3)}, D = ${r.tokens.toExponential(3)}, ` +
            `${r.tokensPerParam.toFixed(2)} tokens/param, L = ${r.loss.toFixed(4)} (${o.law})`,
        );
        return { params: r.params, tokens: r.tokens, tokensPerParam: r.tokensPerParam, loss: r.loss };
      }),
    );
}
