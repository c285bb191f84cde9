/**
 * `modelmath edit`: ChordEdit (or a baseline) on one image, a resumable JSONL batch (--batch), or a
 * PIE-Bench folder (--pie-bench). The ChordEdit flags are chordedit/config.ts's schema, the runtime
 * flags core/onnx-options.ts's; everything is validated before a model is loaded.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { ConfigError } from '../core/errors.js';
import { onnxOptionsSchema } from '../core/onnx-options.js';
import { chordConfigSchema, EDIT_METHODS, validateChordConfig } from './config.js';

const chord = chordConfigSchema.shape;
const options = z.object({
  image: z.string().min(1).optional().describe('input image (PNG, JPEG, WebP, ...)').meta({ placeholder: 'file' }),
  source: z.string().min(1).optional().describe('prompt describing the input image').meta({ placeholder: 'text' }),
  target: z.string().min(1).optional().describe('prompt describing the wanted edit').meta({ placeholder: 'text' }),
  batch: z
    .string()
    .min(1)
    .optional()
    .describe('JSONL file, one edit per line: {"image","source","target","out"?,"method"?,"seed"?,"t"?,...}')
    .meta({ placeholder: 'file' }),
  pieBench: z
    .string()
    .min(1)
    .optional()
    .describe('a PIE-Bench folder (mapping_file.json + annotation_images/): edit all, score the background')
    .meta({ placeholder: 'dir' }),
  limit: z.number().int().min(1).optional().describe('with --pie-bench: only the first n records'),
  model: z
    .string()
    .min(1)
    .default('toy')
    .describe("'toy' (the shipped toy model) or a diffusers-layout ONNX folder (e.g. an SD-Turbo export)")
    .meta({ placeholder: 'toy|dir' }),
  method: z.enum(EDIT_METHODS).default('chord').describe('edit method'),
  t: chord.t,
  delta: chord.delta,
  lambda: chord.lambda,
  tc: chord.tc,
  tEnd: chord.tEnd,
  refine: chord.refine,
  noiseSamples: chord.noiseSamples,
  steps: chord.steps,
  sanitize: chord.sanitize,
  ...onnxOptionsSchema.shape,
});
type EditOptions = z.output<typeof options>;

/** The ChordEdit settings among the flags. */
function chordSettings(o: EditOptions) {
  const { t, delta, lambda, tc, refine, noiseSamples, steps, sanitize, tEnd } = o;
  return { t, delta, lambda, tc, refine, noiseSamples, steps, sanitize, tEnd };
}

/** Which of the three modes the flags ask for; a ConfigError when they mix or miss. */
function modeOf(o: EditOptions): 'single' | 'batch' | 'pie-bench' {
  const config = chordSettings(o);
  validateChordConfig(o.method === 'naive' ? { ...config, delta: 0 } : config);
  if (o.batch && o.pieBench) throw new ConfigError('give --batch or --pie-bench, not both');
  const many = o.batch ?? o.pieBench;
  if (many && (o.image || o.source || o.target)) {
    throw new ConfigError(
      '--batch / --pie-bench take images and prompts from their files; drop --image/--source/--target',
    );
  }
  if (!many && !(o.image && o.source && o.target)) {
    throw new ConfigError('--image, --source and --target are required (or --batch FILE, or --pie-bench DIR)');
  }
  return o.batch ? 'batch' : o.pieBench ? 'pie-bench' : 'single';
}

const edit = defineCommand({
  name: 'edit',
  summary:
    'ChordEdit: one-step text-guided image editing (or a baseline); --batch for JSONL, --pie-bench for PIE-Bench',
  options,
  check: modeOf,
  inputs: ['image', 'batch', 'pieBench', 'model'],
  out: {
    kind: (o) => (o.batch || o.pieBench ? 'dir' : 'file'),
    describe: 'edited image (.png, .jpg, .webp), or a folder with --batch / --pie-bench',
    extensions: ['.png', '.jpg', '.jpeg', '.webp'],
    // a batch folder is written row by row; rows whose image exists are skipped when run again
    claims: ['batch-report.json', 'pie-bench-report.json'],
  },
  examples: [
    'modelmath edit --image assets/toy/samples.png --source "a large red circle at top left on grass" --target "a large red circle at top left on snow" --out edited.png',
    'modelmath edit --batch edits.jsonl --out edits/',
  ],
  async run(o, ctx) {
    const mode = modeOf(o);
    const { loadEditModel, runBatch, runEditJob, runPieBench } = await import('./app/index.js');
    const config = chordSettings(o);
    const out = ctx.out as string;
    const model = await loadEditModel(o.model, {
      device: o.device,
      threads: o.threads,
      graphOptimization: o.graphOptimization,
    });
    try {
      const defaults = { method: o.method, seed: ctx.seed, config };
      if (mode === 'single') {
        const s = await runEditJob(model, {
          image: o.image ?? '',
          source: o.source ?? '',
          target: o.target ?? '',
          out,
          ...defaults,
        });
        for (const a of s.adjustments) ctx.log(`sanitized: ${a}`);
        if (s.inputHeight !== s.height || s.inputWidth !== s.width) {
          ctx.log(
            `note: ${s.image} (${s.inputWidth}x${s.inputHeight}) was resized to ${s.width}x${s.height}, the size the model edits at`,
          );
        }
        return {
          data: s,
          text: `edit (${s.method}): ${s.image} -> ${s.out} (${s.width}x${s.height}), NFE ${s.nfe}, ${s.modelCalls} model calls, ${s.timeTotalMs.toFixed(0)} ms (model ${s.timeModelMs.toFixed(0)} ms, math ${s.timeMathMs.toFixed(1)} ms)`,
        };
      }
      if (mode === 'batch') {
        const { join } = await import('node:path');
        let bar: ReturnType<typeof ctx.progress> | undefined;
        const report = await runBatch(model, o.batch as string, out, defaults, (done, total) => {
          bar ??= ctx.progress('edit', total);
          bar.update(done);
        });
        bar?.stop();
        const data = {
          rows: report.rows,
          done: report.done,
          skipped: report.skipped,
          failed: report.failed,
          report: join(out, 'batch-report.json'),
        };
        const first = report.failed[0];
        return {
          data,
          text: [
            `batch: ${report.done} edited, ${report.skipped} skipped (already done), ${report.failed.length} failed of ${report.rows} rows`,
            ...report.failed.map((f) => `  line ${f.line}: ${f.error}`),
          ].join('\n'),
          failure: first
            ? `${report.failed.length} of ${report.rows} batch rows failed (first: line ${first.line}: ${first.error}); the other rows were edited`
            : undefined,
        };
      }
      const { join } = await import('node:path');
      let bar: ReturnType<typeof ctx.progress> | undefined;
      const report = await runPieBench(model, o.pieBench as string, out, defaults, {
        limit: o.limit,
        onRecord: (done, total) => {
          bar ??= ctx.progress('pie-bench', total);
          bar.update(done);
        },
      });
      bar?.stop();
      const m = report.mean;
      const { rows: _rows, ...summary } = report;
      const lines = [
        `PIE-Bench: ${report.done} edited, ${report.skipped} already done, ${report.failed.length} failed of ${report.records}`,
      ];
      if (m)
        lines.push(
          `  background (PIE-Bench convention): PSNR ${m.psnr.toFixed(2)} dB, MSE ${(m.mse * 1e3).toFixed(2)}e-3, SSIM ${m.ssim.toFixed(4)}`,
        );
      for (const f of report.failed) lines.push(`  ${f.id}: ${f.error}`);
      return { data: { ...summary, report: join(out, 'pie-bench-report.json') }, text: lines.join('\n') };
    } finally {
      await model.dispose();
    }
  },
});

export const commands = [edit];
