import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  arithmeticLine,
  assetsDir,
  decodeBytes,
  encodeBytes,
  generateCorpus,
  PRETRAIN_ARITHMETIC_SHARE,
  writeCorpus,
} from '../../src/lm/index.js';

describe('generated corpus', () => {
  it('is deterministic per seed and different across seeds', () => {
    expect(generateCorpus('pretrain', 2000, new Rng(1))).toBe(generateCorpus('pretrain', 2000, new Rng(1)));
    expect(generateCorpus('pretrain', 2000, new Rng(1))).not.toBe(generateCorpus('pretrain', 2000, new Rng(2)));
  });

  it('writes correct sums "a+b=c" with operands in 0..99, about the stated share of pretrain lines', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 500; i++) {
      const m = /^(\d+)\+(\d+)=(\d+)$/.exec(arithmeticLine(rng))!;
      expect(Number(m[1]) + Number(m[2])).toBe(Number(m[3]));
      expect(Number(m[1])).toBeLessThanOrEqual(99);
    }
    const lines = generateCorpus('pretrain', 100_000, new Rng(4)).trim().split('\n');
    const share = lines.filter((l) => /^\d+\+\d+=\d+$/.test(l)).length / lines.length;
    expect(Math.abs(share - PRETRAIN_ARITHMETIC_SHARE)).toBeLessThan(0.03);
    expect(generateCorpus('captions', 500, new Rng(5))).toMatch(/^a (small|large) /);
    expect(() => generateCorpus('poetry' as 'english', 10, new Rng(0))).toThrow(/domain must be one of/);
  });

  it('the shipped corpus in assets/lm/corpus is exactly what `modelmath lm corpus --seed 0` generates', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'corpus-')), 'c');
    const bytes = await writeCorpus(dir, 0);
    for (const name of Object.keys(bytes)) {
      expect(readFileSync(join(dir, name), 'utf8') === readFileSync(join(assetsDir(), 'corpus', name), 'utf8')).toBe(
        true,
      );
    }
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(5_000_000);
  });

  it('byte tokenizer round-trips any text, including non-ASCII', () => {
    const text = 'RoPE: θ_j = 10000^(−2j/d) 旋转 ✓\n';
    const ids = encodeBytes(text);
    expect(ids.length).toBe(new TextEncoder().encode(text).length);
    expect(Math.max(...ids)).toBeLessThan(256);
    expect(decodeBytes(ids)).toBe(text);
  });
});
