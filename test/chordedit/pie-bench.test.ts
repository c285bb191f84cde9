import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePieMask, parseBracketedPrompt, readPieBench } from '../../src/chordedit/index.js';
import { InputError } from '../../src/core/errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(mapping: unknown): string {
  const root = mkdtempSync(join(tmpdir(), 'pie-'));
  dirs.push(root);
  mkdirSync(join(root, 'annotation_images', '0_random_140'), { recursive: true });
  writeFileSync(join(root, 'mapping_file.json'), typeof mapping === 'string' ? mapping : JSON.stringify(mapping));
  return root;
}

describe('PIE-Bench mask code', () => {
  it('marks (start, length) runs over the flattened image, clips at the end, and marks the border', () => {
    const h = 6;
    const w = 8;
    const mask = decodePieMask([19, 3, 45, 10], h, w);
    const expected = new Set<number>();
    for (const i of [19, 20, 21, 45, 46, 47]) expected.add(i); // the second run is clipped at 48
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const border = y === 0 || y === h - 1 || x === 0 || x === w - 1;
        expect(mask[y * w + x]).toBe(border || expected.has(y * w + x) ? 1 : 0);
      }
    }
  });
  it('defaults to 512 x 512 and rejects odd or negative codes', () => {
    expect(decodePieMask([]).length).toBe(512 * 512);
    expect(() => decodePieMask([1, 2, 3])).toThrow(InputError);
    expect(() => decodePieMask([5, -1], 4, 4)).toThrow(/non-negative integers/);
  });
});

describe('PIE-Bench mapping file', () => {
  it('reads prompts without brackets, the edited words, the image path and the mask code', () => {
    const root = folder({
      '000000000000': {
        image_path: '0_random_140/000000000000.jpg',
        original_prompt: 'a slanted mountain bicycle on the road in front of a building',
        editing_prompt: 'a slanted [rusty] mountain bicycle on the road in front of a building',
        editing_instruction: 'Make the frame of the bike rusty',
        editing_type_id: '0',
        blended_word: 'bicycle bicycle',
        mask: [121600, 8, 122108, 14],
      },
    });
    const [r] = readPieBench(root);
    expect(r).toMatchObject({
      id: '000000000000',
      sourcePrompt: 'a slanted mountain bicycle on the road in front of a building',
      targetPrompt: 'a slanted rusty mountain bicycle on the road in front of a building',
      editedWords: ['rusty'],
      editingTypeId: '0',
      maskRle: [121600, 8, 122108, 14],
    });
    expect(r.imagePath).toBe(join(root, 'annotation_images', '0_random_140/000000000000.jpg'));
  });
  it('parses several bracketed words', () => {
    expect(parseBracketedPrompt('a [dog] on [snow]')).toEqual({ text: 'a dog on snow', words: ['dog', 'snow'] });
  });
  it('names the missing file, bad JSON and the bad entry', () => {
    expect(() => readPieBench(join(tmpdir(), 'no-such-pie-folder'))).toThrow(/mapping file not found/);
    expect(() => readPieBench(folder('{ not json'))).toThrow(/not valid JSON/);
    const root = folder({ a: { image_path: 'x.jpg', original_prompt: 'p', editing_prompt: 'q', mask: 'oops' } });
    expect(() => readPieBench(root)).toThrow(/entry "a": "mask" must be an array/);
    const root2 = folder({ b: { image_path: 'x.jpg', editing_prompt: 'q', mask: [] } });
    expect(() => readPieBench(root2)).toThrow(/entry "b": "original_prompt" must be a string/);
  });
});
