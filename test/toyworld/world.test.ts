import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  captionOf,
  MAX_TOKENS,
  parseCaption,
  sceneFromCaption,
  segmentIds,
  tokenize,
  VOCAB,
} from '../../src/toyworld/world/caption.js';
import { benchmarkEdits, EDIT_TYPES, renderEdit, sampleEdit } from '../../src/toyworld/world/edits.js';
import { objectCoverage, renderScene } from '../../src/toyworld/world/render.js';
import { checkScene, sampleScene } from '../../src/toyworld/world/scene.js';

const seeds = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe('toy scenes and renderer', () => {
  it('sampling and rendering are deterministic for a seed', () => {
    const a = renderScene(sampleScene(new Rng(7)));
    const b = renderScene(sampleScene(new Rng(7)));
    const c = renderScene(sampleScene(new Rng(8)));
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(c.data.buffer))).toBe(false);
  });

  it('every sampled scene is valid and renders to [-1, 1] with its objects visible', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const scene = checkScene(sampleScene(new Rng(seed)));
        const img = renderScene(scene);
        expect(img.data.every((v) => v >= -1 && v <= 1)).toBe(true);
        // bold shapes: every object fully covers at least 20 pixels
        for (const cov of objectCoverage(scene)) expect(cov.filter((v) => v === 1).length).toBeGreaterThan(15);
      }),
      { numRuns: 40 },
    );
  });

  it('anti-aliases edges: some pixels are partially covered', () => {
    const cov = objectCoverage(sampleScene(new Rng(3)))[0];
    expect(cov.some((v) => v > 0 && v < 1)).toBe(true);
  });
});

describe('captions', () => {
  it('parse back to the scene they describe', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const scene = sampleScene(new Rng(seed));
        const parsed = parseCaption(captionOf(scene));
        expect(parsed.background).toBe(scene.background);
        expect(parsed.objects).toEqual(
          scene.objects.map(({ shape, colour, size, texture, cell }) => ({ shape, colour, size, texture, cell })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('tokenize maps words to fixed ids and pads with 0', () => {
    const ids = tokenize('a large red striped circle at top left on snow');
    expect(ids.length).toBe(MAX_TOKENS);
    expect(Array.from(ids.slice(0, 10)).map((i) => VOCAB[i])).toEqual(
      'a large red striped circle at top left on snow'.split(' '),
    );
    expect(Array.from(ids.slice(10))).toEqual(new Array(MAX_TOKENS - 10).fill(0));
  });

  it('segment ids tag each object phrase with 1 + its cell and everything else with 0', () => {
    const c = 'a large red striped circle at top left and a small blue square at right on snow';
    expect(Array.from(segmentIds(c).slice(0, 18))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 6, 6, 6, 6, 6, 6, 0, 0, 0]);
    expect(Array.from(segmentIds(''))).toEqual(new Array(MAX_TOKENS).fill(0));
  });

  it('rejects unknown words and bad grammar with a clear message', () => {
    expect(() => tokenize('a large unicorn')).toThrow(/unicorn.*not in the toy vocabulary/);
    expect(() => parseCaption('a large red circle on snow')).toThrow(/expected "at" at word 5/);
    expect(() => parseCaption('a large red circle at top left')).toThrow(/expected "on" or "and"/);
    expect(() => parseCaption('a huge red circle at top on snow')).toThrow(/size/);
    expect(() =>
      sceneFromCaption('a large red circle at top and a large blue square at top right on snow', new Rng(1)),
    ).toThrow(/no valid scene/);
  });
});

describe('edits', () => {
  it('change only the masked pixels, and change the masked region', () => {
    for (const type of EDIT_TYPES) {
      fc.assert(
        fc.property(seeds, (seed) => {
          const e = renderEdit(sampleEdit(new Rng(seed), type));
          const n = 32 * 32;
          let changedInside = 0;
          for (let i = 0; i < n; i++) {
            const differs = [0, 1, 2].some((c) => e.sourceImage.data[c * n + i] !== e.targetImage.data[c * n + i]);
            if (!e.mask[i]) expect(differs).toBe(false);
            else if (differs) changedInside++;
          }
          expect(changedInside).toBeGreaterThan(5);
          expect(e.targetCaption).not.toBe(e.sourceCaption);
          checkScene(e.target);
        }),
        { numRuns: 15 },
      );
    }
  });

  it('the benchmark edit set is fixed by its seed and covers every type', () => {
    const a = benchmarkEdits(12, new Rng(0));
    const b = benchmarkEdits(12, new Rng(0));
    expect(a.map((e) => e.targetCaption)).toEqual(b.map((e) => e.targetCaption));
    expect(new Set(a.map((e) => e.type)).size).toBe(EDIT_TYPES.length);
  });
});
