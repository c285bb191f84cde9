import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseColumnOverrides } from '../../src/scaling/data.js';
import { CHINCHILLA_CSV, readRunsCsv } from '../../src/scaling/data-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mm-scaling-data-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('runs from CSV', () => {
  it('reads the shipped Chinchilla file: 245 runs, D = C / (6N)', () => {
    const r = readRunsCsv(CHINCHILLA_CSV);
    expect(r.params.length).toBe(245);
    expect(r.params[0]).toBeCloseTo(6795600349.289497, 3);
    expect(r.flops[0]).toBeCloseTo(9.993852799709755e18, -4);
    expect(r.tokens[0]).toBeCloseTo(9.993852799709755e18 / (6 * 6795600349.289497), 3);
    expect(r.loss[0]).toBeCloseTo(5.005581996196243, 12);
  });

  it('is byte-identical to the shared reference copy when that is present', async () => {
    const { existsSync, readFileSync } = await import('node:fs');
    const shared = join(
      import.meta.dirname,
      '..',
      '..',
      '..',
      'shared',
      'data',
      'chinchilla',
      'svg_extracted_data.csv',
    );
    if (!existsSync(shared)) return;
    expect(readFileSync(CHINCHILLA_CSV, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });

  it('accepts generic names (params, tokens, L) and computes C = 6ND', () => {
    const r = readRunsCsv(file('g.csv', 'params,tokens,L\n1e8,2e9,3.1\n'));
    expect(r.flops[0]).toBeCloseTo(6 * 1e8 * 2e9, -6);
    expect(r.loss[0]).toBe(3.1);
  });

  it('prefers D over C when both are given', () => {
    const r = readRunsCsv(file('dc.csv', 'N,D,C,loss\n1e8,2e9,5e30,3\n'));
    expect(r.tokens[0]).toBe(2e9);
    expect(r.flops[0]).toBe(5e30);
  });

  it('--columns overrides choose other headers, and bad overrides are rejected', () => {
    const path = file('o.csv', 'n_params,n_tokens,val_loss,loss\n1e8,2e9,3.5,9\n');
    const r = readRunsCsv(path, parseColumnOverrides('params=n_params, tokens=n_tokens,loss=val_loss'));
    expect([r.params[0], r.tokens[0], r.loss[0]]).toEqual([1e8, 2e9, 3.5]);
    expect(() => readRunsCsv(path, { params: 'n_params', tokens: 'n_tokens', loss: 'nope' })).toThrow(
      /missing column "nope"/,
    );
    expect(() => parseColumnOverrides('size=n')).toThrow(/--columns must be key=header pairs/);
    expect(() => parseColumnOverrides('params')).toThrow(/--columns must be/);
  });

  it('names the row, line and column of a zero value', () => {
    expect(() => readRunsCsv(file('z.csv', 'N,flops,loss\n1e8,1e18,3\n1e8,0,3\n'))).toThrow(
      /data row 2 \(line 3\), column 'flops': 0 must be > 0/,
    );
  });
});
