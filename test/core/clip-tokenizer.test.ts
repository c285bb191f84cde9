import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToUnicode, ClipTokenizer, cleanText } from '../../src/core/clip-tokenizer.js';
import { InputError } from '../../src/core/errors.js';
import { folderFiles } from '../../src/core/model-files-node.js';
import { TINY_MERGES, tinyVocab, writeTokenizer } from '../../testkit/sd-turbo-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tokenizerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tok-'));
  dirs.push(dir);
  writeTokenizer(dir);
  return dir;
}

const V = tinyVocab();

describe('byte table and cleanup', () => {
  it('maps printable bytes to themselves and the rest above U+00FF, one-to-one', () => {
    const t = bytesToUnicode();
    expect(t[33]).toBe('!');
    expect(t[97]).toBe('a');
    expect(t[32]).toBe('\u0120'); // space is byte 32, the 33rd non-printable -> 256 + 32
    expect(t[0]).toBe('\u0100');
    expect(new Set(t).size).toBe(256);
  });
  it('lowercases and collapses whitespace', () => {
    expect(cleanText('  A\tBIG\n\n Cat ')).toBe('a big cat');
  });
});

const tok = await ClipTokenizer.fromFiles(folderFiles(tokenizerDir()), '');

describe('CLIP BPE on a tiny vocabulary', () => {
  it('applies merges by rank and marks word ends with </w>', () => {
    expect(tok.bpe('cat')).toEqual(['cat</w>']); // c a -> ca, ca t</w> -> cat</w>
    expect(tok.bpe('cats')).toEqual(['ca', 't', 's</w>']); // t s</w> has no merge
    expect(tok.bpe('dog')).toEqual(['dog</w>']);
    expect(tok.bpe('x')).toEqual(['x</w>']);
  });
  it('pre-tokenises letters, single digits, punctuation and contractions', () => {
    // "'s" is one pre-token: ' then s</w>; digits are single pre-tokens; "dogs" -> do g s</w>
    expect(tok.tokenize("A cat's 12 dogs!")).toEqual([
      V['a</w>'],
      V['cat</w>'],
      V["'"],
      V['s</w>'],
      V['1</w>'],
      V['2</w>'],
      V.do,
      V.g,
      V['s</w>'],
      V['!</w>'],
    ]);
  });
  it('keeps the special tokens whole, as CLIP does', () => {
    expect(tok.tokenize('cat<|endoftext|>')).toEqual([V['cat</w>'], 49407]);
  });
  it('maps UTF-8 bytes of non-ASCII letters through the byte table', () => {
    const bytes = [...new TextEncoder().encode('é')];
    const table = bytesToUnicode();
    expect(tok.tokenize('é')).toEqual([V[table[bytes[0]]], V[`${table[bytes[1]]}</w>`]]);
  });
  it('adds BOS 49406 / EOS 49407, pads with the pad id read from the config ("!" = 0), truncates to 77', () => {
    const ids = tok.encode('a cat');
    expect(ids.length).toBe(77);
    expect(Array.from(ids.slice(0, 5))).toEqual([49406, V['a</w>'], V['cat</w>'], 49407, 0]);
    const long = tok.encode('cat '.repeat(100));
    expect(long[0]).toBe(49406);
    expect(long[76]).toBe(49407);
    expect(Array.from(long.slice(1, 76)).every((id) => id === V['cat</w>'])).toBe(true);
  });
  it('any text gives BOS, vocabulary ids, one EOS, then padding, 77 in all', () => {
    const ids = new Set(Object.values(V));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const out = Array.from(tok.encode(text));
        expect(out).toHaveLength(77);
        expect(out[0]).toBe(49406);
        const eos = out.indexOf(49407);
        expect(eos).toBeGreaterThan(0);
        expect(out.slice(eos + 1).every((id) => id === 0)).toBe(true);
        expect(out.slice(1, eos).every((id) => ids.has(id) && id !== 49406 && id !== 49407)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
  it('has CLIP-ordered merges (sanity of the fixture)', () => {
    expect(TINY_MERGES[0]).toEqual(['c', 'a']);
    expect(V['!']).toBe(0);
  });
});

describe('tokenizer files', () => {
  it('falls back to pad id 0 without a config and rejects broken files', async () => {
    const dir = tokenizerDir();
    rmSync(join(dir, 'special_tokens_map.json'));
    expect((await ClipTokenizer.fromFiles(folderFiles(dir), '')).padId).toBe(0);
    writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\nc a b\n');
    await expect(ClipTokenizer.fromFiles(folderFiles(dir), '')).rejects.toThrow(
      /merges.txt line 2: expected two symbols/,
    );
    writeFileSync(join(dir, 'vocab.json'), '{"a": "x"}');
    await expect(ClipTokenizer.fromFiles(folderFiles(dir), '')).rejects.toThrow(InputError);
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify({ a: 1 }));
    writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
    await expect(ClipTokenizer.fromFiles(folderFiles(dir), '')).rejects.toThrow(/no <\|startoftext\|> token/);
  });
});
