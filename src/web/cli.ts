/**
 * `modelmath serve`: serves the web lab's static build (dist/web, built first when missing) with the
 * JSON APIs for scripts, bound to loopback unless --host is given.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';

const serve = defineCommand({
  name: 'serve',
  summary:
    'serve the web lab (ChordEdit, scaling laws, diffusion/EBM, RoPE, GRPO: computed in the browser) (Ctrl-C stops it)',
  options: z.object({
    port: z.number().int().min(0).max(65535).default(8765).describe('TCP port (0 = any free port)'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('interface to bind; only loopback unless you give another one'),
    model: z
      .string()
      .min(1)
      .default('toy')
      .describe(
        "edit model of the JSON API for scripts: 'toy' (the shipped ONNX folder), a diffusers/Optimum ONNX folder (e.g. SD-Turbo), or 'analytic' (closed-form demo model); the page picks its own",
      )
      .meta({ placeholder: 'toy|dir|analytic' }),
    site: z
      .string()
      .min(1)
      .optional()
      .describe('the built web lab to serve (default dist/web, built first when it is missing)')
      .meta({ placeholder: 'dir' }),
  }),
  examples: ['modelmath serve --port 0'],
  async run(o, ctx) {
    const { existsSync, statSync } = await import('node:fs');
    const { InputError } = await import('../core/errors.js');
    if (o.model !== 'toy' && o.model !== 'analytic' && !(existsSync(o.model) && statSync(o.model).isDirectory())) {
      throw new InputError(
        `--model ${o.model}: no such model folder (expected 'toy', 'analytic' or an ONNX model folder)`,
      );
    }
    const { buildWeb, WEB_DIST } = await import('./build.js');
    if (!o.site && !existsSync(`${WEB_DIST}/index.html`)) {
      ctx.log(`the web lab is not built yet: building ${WEB_DIST} (npm run build:web)…`);
      await buildWeb();
    }
    const { startLabServer } = await import('./server.js');
    const site = { port: o.port, host: o.host, model: o.model, webDir: o.site ?? WEB_DIST };
    const lab = await startLabServer(site).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        throw new InputError(
          `--port ${o.port} is in use on ${o.host}; choose another port (--port 0 picks a free one)`,
        );
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        throw new InputError(`--host ${o.host}: not an address of this machine`);
      throw err;
    });
    ctx.log(`modelmath lab: ${lab.url} (model ${o.model}; Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await lab.close();
    return { data: { url: lab.url, stopped: true }, text: '' };
  },
});

export const commands = [serve];
