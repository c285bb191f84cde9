/** `modelmath tour`: runs every part on embedded defaults and writes the HTML report. */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';

const options = z.object({
  only: z.array(z.string()).optional().describe('section ids to run, e.g. machine,scaling (default: all)'),
  quick: z.boolean().default(false).describe('smallest settings that still show each result'),
});

const tour = defineCommand({
  name: 'tour',
  summary: 'run every part on embedded defaults and write index.html and results.json',
  options,
  out: { kind: 'dir', describe: 'report folder', default: 'out/tour' },
  examples: ['modelmath tour --only rope,scaling --quick --out tour-demo', 'modelmath tour'],
  async run(o, ctx) {
    const { runTour } = await import('./tour.js');
    const out = ctx.out as string;
    const summary = await runTour({
      out,
      only: o.only,
      quick: o.quick,
      seed: ctx.seed,
      log: ctx.log,
      command: ctx.command,
      overwrite: ctx.overwrite,
    });
    const failed = summary.sections.filter((s) => !s.ok);
    const lines = summary.sections.map(
      (s) => `${s.ok ? 'ok    ' : 'FAILED'} ${s.id.padEnd(10)} ${s.seconds.toFixed(1).padStart(6)} s  ${s.title}`,
    );
    lines.push(`wrote ${out}/index.html and results.json in ${summary.seconds.toFixed(1)} s`);
    return {
      data: summary,
      text: lines.join('\n'),
      failure: failed.length
        ? `tour: ${failed.length} section(s) failed: ${failed.map((s) => `${s.id} (${s.error})`).join('; ')}; the report marks them`
        : undefined,
    };
  },
});

export const commands = [tour];
