/** `modelmath serve`: flag validation, a missing model and a busy port exit 2 at start, the URL on stderr, a clean stop on SIGINT. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { runCliCaptured } from '../support/cli.js';

const BIN = fileURLToPath(new URL('../../bin/modelmath.js', import.meta.url));

const webDir = inject('webDir');

describe('modelmath serve', () => {
  it('rejects a bad port with the flag named (exit 2)', async () => {
    for (const port of ['abc', '70000', '1.5']) {
      const r = await runCliCaptured(['serve', '--site', webDir, '--port', port]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^modelmath: error: --port /);
    }
  });

  it('exits 2 at start when the model folder does not exist', async () => {
    const r = await runCliCaptured(['serve', '--site', webDir, '--port', '0', '--model', '/nonexistent/model']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "modelmath: error: --model /nonexistent/model: no such model folder (expected 'toy', 'analytic' or an ONNX model folder)\n",
    );
  });

  it('exits 2 with one line when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCliCaptured(['serve', '--site', webDir, '--port', String(port), '--model', 'analytic']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `modelmath: error: --port ${port} is in use on 127.0.0.1; choose another port (--port 0 picks a free one)\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('prints its loopback URL on stderr, serves, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--site', webDir, '--port', '0', '--model', 'analytic'], {
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
      const page = await fetch(url);
      expect(await page.text()).toContain('id="page-chordedit"'); // the built site
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
