/**
 * `modelmath edit`: ChordEdit (or a baseline) on one image, or a resumable JSONL batch.
 *   modelmath edit --image in.png --source "a cat" --target "a dog" --model DIR --out out.png
 *   modelmath edit --batch edits.jsonl --model DIR --out results/
 * Parameters are validated before any model is loaded; the output appears only on success.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, type CommandContext, numberFlag, parseOptions } from '../cli/context.js';
import { ConfigError, InputError } from '../core/errors.js';
import { GRAPH_OPTIMIZATIONS } from '../core/onnx.js';
import { createProgress } from '../core/progress.js';
import { type EditJob, loadEditModel, runBatch, runEditJob, runPieBench } from './app/index.js';
import { CHORD_DEFAULTS, type ChordConfig, EDIT_METHODS, validateChordConfig } from './config.js';

const editSchema = z.object({
  image: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  batch: z.string().min(1).optional(),
  pieBench: z.string().min(1).optional(),
  limit: numberFlag.pipe(z.number().int().min(1)).optional(),
  model: z.string().min(1),
  method: z.enum(EDIT_METHODS),
  t: numberFlag,
  delta: numberFlag,
  lambda: numberFlag,
  tc: numberFlag,
  tEnd: numberFlag.optional(),
  refine: z.boolean(),
  noiseSamples: numberFlag,
  steps: numberFlag,
  sanitize: z.boolean().optional(),
  device: z.string().min(1),
  threads: numberFlag.pipe(z.number().int().min(0).max(256)).optional(),
  graphOptimization: z.enum(GRAPH_OPTIMIZATIONS),
});
type EditOptions = z.infer<typeof editSchema>;

/** The ChordEdit settings of the flags, validated (a ConfigError names the flag's setting). */
function configOf(o: EditOptions): Partial<ChordConfig> {
  const config: Partial<ChordConfig> = {
    t: o.t,
    delta: o.delta,
    lambda: o.lambda,
    tc: o.tc,
    refine: o.refine,
    noiseSamples: o.noiseSamples,
    steps: o.steps,
    sanitize: Boolean(o.sanitize),
    ...(o.tEnd !== undefined ? { tEnd: o.tEnd } : {}),
  };
  validateChordConfig(o.method === 'naive' ? { ...config, delta: 0 } : config);
  return config;
}

async function runEdit(raw: unknown, ctx: CommandContext): Promise<unknown> {
  const o = parseOptions(editSchema, raw);
  const config = configOf(o);
  if (!ctx.out) throw new ConfigError('--out is required (an image file, or a folder with --batch / --pie-bench)');
  const many = o.batch ?? o.pieBench;
  if (o.batch && o.pieBench) throw new ConfigError('give --batch or --pie-bench, not both');
  if (many && (o.image || o.source || o.target)) {
    throw new ConfigError(
      '--batch / --pie-bench take images and prompts from their files; drop --image/--source/--target',
    );
  }
  if (!many && !(o.image && o.source && o.target)) {
    throw new ConfigError('--image, --source and --target are required (or --batch FILE, or --pie-bench DIR)');
  }
  if (!many && !/\.(png|jpe?g|webp)$/i.test(ctx.out)) {
    throw new ConfigError(`--out must end in .png, .jpg, .jpeg or .webp, got ${JSON.stringify(ctx.out)}`);
  }
  const model = await loadEditModel(o.model, {
    device: o.device,
    threads: o.threads,
    graphOptimization: o.graphOptimization,
  });
  try {
    const defaults = { method: o.method, seed: ctx.seed, config };
    if (o.batch) return await runBatchCommand(model, o.batch, ctx.out, defaults, ctx);
    if (o.pieBench) return await runPieCommand(model, o.pieBench, ctx.out, defaults, o.limit, ctx);
    const job: EditJob = {
      image: o.image ?? '',
      source: o.source ?? '',
      target: o.target ?? '',
      out: ctx.out,
      ...defaults,
    };
    const summary = await runEditJob(model, job);
    ctx.log(
      `edit (${summary.method}): ${summary.image} -> ${summary.out} (${summary.width}x${summary.height}), NFE ${summary.nfe}, ${summary.modelCalls} model calls, ${summary.timeTotalMs.toFixed(0)} ms (model ${summary.timeModelMs.toFixed(0)} ms, math ${summary.timeMathMs.toFixed(1)} ms)`,
    );
    for (const a of summary.adjustments) ctx.log(`  sanitized: ${a}`);
    return summary;
  } finally {
    await model.dispose();
  }
}

async function runBatchCommand(
  model: Awaited<ReturnType<typeof loadEditModel>>,
  file: string,
  outDir: string,
  defaults: Omit<EditJob, 'image' | 'source' | 'target' | 'out'>,
  ctx: CommandContext,
): Promise<unknown> {
  let bar: ReturnType<typeof createProgress> | null = null;
  const report = await runBatch(model, file, outDir, defaults, (done, total) => {
    bar ??= createProgress('edit', total);
    bar.update(done);
  });
  (bar as ReturnType<typeof createProgress> | null)?.stop();
  ctx.log(
    `batch: ${report.done} edited, ${report.skipped} skipped (already done), ${report.failed.length} failed of ${report.rows} rows`,
  );
  for (const f of report.failed) ctx.log(`  line ${f.line}: ${f.error}`);
  const summary = {
    rows: report.rows,
    done: report.done,
    skipped: report.skipped,
    failed: report.failed,
    report: `${outDir}/batch-report.json`,
  };
  if (report.failed.length > 0) {
    if (ctx.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    const first = report.failed[0];
    throw new InputError(
      `${report.failed.length} of ${report.rows} batch rows failed (first: line ${first.line}: ${first.error}); the other rows were edited`,
    );
  }
  return summary;
}

async function runPieCommand(
  model: Awaited<ReturnType<typeof loadEditModel>>,
  root: string,
  outDir: string,
  defaults: Omit<EditJob, 'image' | 'source' | 'target' | 'out'>,
  limit: number | undefined,
  ctx: CommandContext,
): Promise<unknown> {
  let bar: ReturnType<typeof createProgress> | null = null;
  const report = await runPieBench(model, root, outDir, defaults, {
    limit,
    onRecord: (done, total) => {
      bar ??= createProgress('pie-bench', total);
      bar.update(done);
    },
  });
  (bar as ReturnType<typeof createProgress> | null)?.stop();
  const m = report.mean;
  ctx.log(
    `PIE-Bench: ${report.done} edited, ${report.skipped} already done, ${report.failed.length} failed of ${report.records}`,
  );
  if (m)
    ctx.log(
      `  background (PIE-Bench convention): PSNR ${m.psnr.toFixed(2)} dB, MSE ${(m.mse * 1e3).toFixed(2)}e-3, SSIM ${m.ssim.toFixed(4)}`,
    );
  for (const f of report.failed) ctx.log(`  ${f.id}: ${f.error}`);
  const { rows: _rows, ...summary } = report;
  return { ...summary, report: `${outDir}/pie-bench-report.json` };
}

/** Registers `modelmath edit`. */
export function register(program: Command): void {
  const d = CHORD_DEFAULTS;
  program
    .command('edit')
    .description(
      'ChordEdit: one-step text-guided image editing (or a baseline); --batch for a JSONL file, --pie-bench for PIE-Bench. Global: --out, --seed, --json',
    )
    .option('--image <path>', 'input image (PNG, JPEG, WebP, ...)')
    .option('--source <text>', 'prompt describing the input image')
    .option('--target <text>', 'prompt describing the wanted edit')
    .option(
      '--batch <file>',
      'JSONL file, one edit per line: {"image","source","target","out"?,"method"?,"seed"?,"t"?,...}',
    )
    .option(
      '--pie-bench <dir>',
      'a PIE-Bench folder (mapping_file.json + annotation_images/): edit all, score the background',
    )
    .option('--limit <n>', 'with --pie-bench: only the first n records')
    .option(
      '--model <toy|dir>',
      "'toy' (the shipped toy model, assets/toy/onnx) or a diffusers/Optimum ONNX folder such as an SD-Turbo export",
      'toy',
    )
    .option('--method <m>', `edit method: ${EDIT_METHODS.join(', ')}`, 'chord')
    .option('--t <t>', 'query time (noise level) t in (0, 1]', String(d.t))
    .option('--delta <d>', 'chord window delta in [0, t)', String(d.delta))
    .option('--lambda <l>', 'transport step scale, > 0', String(d.lambda))
    .option('--tc <t>', 'proximal refinement time t_c in (0, 1)', String(d.tc))
    .option('--t-end <t>', 'last time of the multi-step grid (default: t_c)')
    .option('--no-refine', 'skip the proximal refinement (1 NFE)')
    .option('--noise-samples <n>', 'noise draws averaged in each residual field', String(d.noiseSamples))
    .option('--steps <n>', 'transport steps (DDIM steps for sdedit / ddim-inversion)', String(d.steps))
    .option('--sanitize', "apply the reference code's parameter clamps instead of rejecting (changes are reported)")
    .option('--device <name>', 'ONNX Runtime device (cpu, or one the installed binary ships)', 'cpu')
    .option(
      '--threads <n>',
      'ONNX Runtime intra-op threads, 0 = one per core (default: 1 for a unet under 64 MB, else 0)',
    )
    .option('--graph-optimization <level>', `ONNX graph optimisation: ${GRAPH_OPTIMIZATIONS.join(', ')}`, 'all')
    .action(action((opts, ctx) => runEdit(opts, ctx)));
}
