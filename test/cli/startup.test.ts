/**
 * Start-up stays light: `--version` and every command's `--help` load no engine, runtime or image
 * library (TensorFlow.js, ONNX Runtime, sharp, Vega), and a command's --help loads no other part's
 * commands. Timings are measured in bench/cli/startup.ts, never asserted here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const HOOK = join(root, 'test', 'support', 'register-record-imports.mjs');
const HEAVY = /@tensorflow|onnxruntime|\/sharp\/|\/vega/;

function importsOf(args: string[]): string[] {
  const log = join(mkdtempSync(join(tmpdir(), 'mm-imports-')), 'imports.log');
  const r = spawnSync(process.execPath, ['--import', HOOK, join(root, 'bin', 'modelmath.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, MM_IMPORT_LOG: log },
  });
  expect(r.status).toBe(0);
  try {
    return readFileSync(log, 'utf8').trim().split('\n');
  } catch {
    return []; // --version imports nothing at all
  }
}

describe('start-up', () => {
  it('--version imports nothing but the entry point', () => {
    expect(importsOf(['--version']).filter((u) => u.includes('/src/'))).toEqual([]);
  });
  for (const args of [['--help'], ['lm', 'train', '--help'], ['edit', '--help'], ['toy', 'train', '--help']]) {
    it(`modelmath ${args.join(' ')} loads no engine, runtime or image library`, () => {
      const urls = importsOf(args);
      expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
      if (args.length > 1) {
        const parts = new Set(urls.map((u) => /\/src\/([a-z]+)\/cli\.ts$/.exec(u)?.[1]).filter(Boolean));
        const part: Record<string, string> = { lm: 'lm', edit: 'chordedit', toy: 'toyworld' };
        expect([...parts]).toEqual([part[args[0]]]);
      }
    });
  }
});
