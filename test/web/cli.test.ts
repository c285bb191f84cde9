/** `modelmath serve`: flag validation, loopback binding, the URL on stderr, a clean stop on SIGINT. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { ConfigError } from '../../src/core/errors.js';
import { register } from '../../src/web/cli.js';

function program() {
  const p = buildProgram();
  if (!p.commands.some((c) => c.name() === 'serve')) register(p);
  return p;
}

describe('modelmath serve', () => {
  it('rejects a bad port with the flag named', async () => {
    for (const port of ['abc', '70000', '1.5']) {
      const run = program().parseAsync(['serve', '--port', port], { from: 'user' });
      await expect(run).rejects.toBeInstanceOf(ConfigError);
      await expect(program().parseAsync(['serve', '--port', port], { from: 'user' })).rejects.toThrow(/^--port: /);
    }
  });

  it('prints its loopback URL on stderr, serves, and stops on SIGINT', async () => {
    const entry = fileURLToPath(new URL('./serve-entry.mts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', '--port', '0', '--model', 'analytic'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (c) => {
          err += c;
          const m = err.match(/modelmath lab: (http:\/\/\S+)/);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      expect(new URL(url).hostname).toBe('127.0.0.1');
      const info = (await (await fetch(new URL('/api/info', url))).json()) as { model: string };
      expect(info.model).toBe('analytic');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
