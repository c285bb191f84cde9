/** `modelmath tour`: runs every part on embedded defaults and writes the HTML report. */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, parseOptions } from '../cli/context.js';
import { ModelMathError } from '../core/errors.js';
import { runTour } from './tour.js';

const TourOptions = z.object({
  only: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    ),
  quick: z.boolean().optional().default(false),
});

export function register(program: Command): void {
  program
    .command('tour')
    .description('run every part on embedded defaults and write out/tour/index.html and results.json')
    .option('--only <ids>', 'comma-separated section ids (e.g. machine,scaling)')
    .option('--quick', 'smallest settings that still show each result')
    .action(
      action(async (opts, ctx) => {
        const o = parseOptions(TourOptions, opts);
        const out = ctx.out ?? 'out/tour';
        const summary = await runTour({ out, only: o.only, quick: o.quick, seed: ctx.seed, log: ctx.log });
        const failed = summary.sections.filter((s) => !s.ok);
        ctx.log(
          `tour: wrote ${out}/index.html in ${summary.seconds.toFixed(1)} s (${summary.sections.length} sections)`,
        );
        if (failed.length > 0) {
          if (ctx.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
          throw new ModelMathError(
            `tour: ${failed.length} section(s) failed: ${failed.map((s) => `${s.id} (${s.error})`).join('; ')}; the report marks them`,
          );
        }
        return summary;
      }),
    );
}
