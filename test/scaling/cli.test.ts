import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { LAW_PRESETS, parametricLoss } from '../../src/scaling/laws.js';
import { computeOptimal } from '../../src/scaling/optimal.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'mm-scaling-cli-'));
function csvFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A small exact data set from the Epoch law with generic column names N, D, L. */
function lawCsv(): string {
  const rows = ['N,D,L'];
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++) {
      const n = 1e7 * 10 ** (i * 0.6);
      const d = 1e8 * 10 ** (j * 0.6);
      rows.push(`${n},${d},${parametricLoss(LAW_PRESETS.epoch2024, n, d)}`);
    }
  return `${rows.join('\n')}\n`;
}

describe('modelmath scaling (CLI contract)', () => {
  it('scaling loss --json prints {loss}', async () => {
    expect(await runCli(['--json', 'scaling', 'loss', '--params', '1e9', '--tokens', '1e9'])).toBe(0);
    expect(JSON.parse(out).loss).toBeCloseTo(3.238, 3);
    out = '';
    expect(
      await runCli(['--json', 'scaling', 'loss', '--params', '1e9', '--tokens', '2e10', '--law', 'hoffmann2022']),
    ).toBe(0);
    expect(JSON.parse(out).loss).toBeCloseTo(parametricLoss(LAW_PRESETS.hoffmann2022, 1e9, 2e10), 12);
  });

  it('scaling optimal --json prints {params, tokens, tokensPerParam, loss}', async () => {
    expect(await runCli(['--json', 'scaling', 'optimal', '--flops', '1e20'])).toBe(0);
    const r = JSON.parse(out);
    const expected = computeOptimal(LAW_PRESETS.epoch2024, 1e20);
    expect(Object.keys(r).sort()).toEqual(['loss', 'params', 'tokens', 'tokensPerParam']);
    expect(r.params).toBeCloseTo(expected.params, 0);
    expect(r.tokensPerParam).toBeCloseTo(22.88, 2);
  });

  it('scaling fit --json on a CSV with N, D, L columns recovers the law; --bootstrap adds se', async () => {
    const path = csvFile('law.csv', lawCsv());
    const args = ['--json', 'scaling', 'fit', '--csv', path, '--threads', '1', '--bootstrap', '20'];
    expect(await runCli(args)).toBe(0);
    const r = JSON.parse(out);
    expect(r.runs).toBe(25);
    expect(r.objective).toBeLessThan(1e-10);
    expect(r.alpha).toBeCloseTo(0.3478, 3);
    expect(r.E).toBeCloseTo(1.8172, 3);
    for (const k of ['A', 'B', 'E', 'alpha', 'beta']) expect(Number.isFinite(r.se[k])).toBe(true);
  }, 120_000);

  const bad: [string, string, RegExp][] = [
    ['missing column', 'N,D\n1,2\n', /missing column "loss" or "L"/],
    ['no tokens or compute', 'N,loss\n1,2\n', /needs a tokens column or a compute column/],
    ['non-positive value', 'N,D,loss\n1e8,1e9,2\n-5,1e9,2\n', /data row 2 \(line 3\), column 'N': -5 must be > 0/],
    ['NaN cell', 'N,D,loss\n1e8,1e9,NaN\n', /data row 1 \(line 2\), column "loss": "NaN" is not a finite number/],
    ['too few runs', 'N,D,loss\n1e8,1e9,2\n2e8,1e9,2\n', /needs at least 5 distinct \(N, D\) runs .* got 2 rows/],
    ['not CSV', '\u0000\u0001\u0002binary', /is not a CSV text file/],
  ];
  for (const [name, text, message] of bad) {
    it(`scaling fit rejects ${name} with exit 2 and one error line`, async () => {
      const path = csvFile(`${name.replace(/ /g, '-')}.csv`, text);
      expect(await runCli(['--json', 'scaling', 'fit', '--csv', path, '--threads', '1'])).toBe(2);
      expect(err).toMatch(message);
      expect(err.trim().split('\n').length).toBe(1);
      expect(out).toBe('');
    });
  }

  it('rejects bad flags with exit 2', async () => {
    expect(await runCli(['scaling', 'loss', '--params', 'abc', '--tokens', '1'])).toBe(2);
    expect(err).toMatch(/--params expects a finite number/);
    expect(await runCli(['scaling', 'optimal', '--flops', '-1'])).toBe(2);
    expect(await runCli(['scaling', 'optimal', '--flops', '1e20', '--law', 'kaplan'])).toBe(2);
    expect(err).toMatch(/--law/);
    expect(await runCli(['scaling', 'fit', '--csv', join(dir, 'none.csv')])).toBe(2);
    expect(err).toMatch(/none.csv: cannot read the CSV file \(ENOENT\)/);
    expect(await runCli(['scaling', 'fit', '--drop-highest-loss', '1.5'])).toBe(2);
  });
});
