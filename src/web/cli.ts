/** `modelmath serve`: the local web lab (ChordEdit and scaling pages), bound to loopback unless --host is given. */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { LAB_DEFAULTS, startLabServer } from './server.js';

const serveOptions = z.object({
  port: numberFlag.pipe(z.number().int().min(0).max(65535)),
  host: z.string().min(1),
  model: z.string().min(1),
});

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the local web lab: ChordEdit editing and scaling-law pages (Ctrl-C stops it)')
    .option('--port <port>', 'TCP port (0 = any free port)', String(LAB_DEFAULTS.port))
    .option('--host <host>', 'interface to bind; only loopback unless you give another one', LAB_DEFAULTS.host)
    .option(
      '--model <model>',
      "edit model: 'toy' (the shipped ONNX folder), a diffusers/Optimum ONNX folder (e.g. SD-Turbo), or 'analytic' (closed-form test/demo model)",
      LAB_DEFAULTS.model,
    )
    .action(
      action(async (opts: unknown) => {
        const o = parseOptions(serveOptions, opts);
        const lab = await startLabServer({ port: o.port, host: o.host, model: o.model });
        process.stderr.write(`modelmath lab: ${lab.url} (model ${o.model}; Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await lab.close();
        return { url: lab.url, stopped: true };
      }),
    );
}
