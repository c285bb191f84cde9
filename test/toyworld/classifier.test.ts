import { beforeAll, describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  CLASSIFIER_DEFAULTS,
  cellWindow,
  loadClassifier,
  trainClassifier,
} from '../../src/toyworld/classifier/classifier.js';
import { heldOutAccuracy } from '../../src/toyworld/classifier/train.js';
import { renderScene } from '../../src/toyworld/world/render.js';
import { sampleScene } from '../../src/toyworld/world/scene.js';

beforeAll(async () => {
  await getTf();
});

describe('attribute classifier', () => {
  it('the shipped classifier reads >= 98% of every attribute on held-out renders', async () => {
    const params = await loadClassifier();
    const { perAttribute, exact } = heldOutAccuracy(params, 400);
    for (const [attribute, accuracy] of Object.entries(perAttribute)) {
      expect(accuracy, attribute).toBeGreaterThanOrEqual(0.98);
    }
    expect(exact).toBeGreaterThan(0.95);
  });

  it('an untrained classifier is near chance on the same held-out set (the test above can fail)', async () => {
    const { params } = await trainClassifier({ ...CLASSIFIER_DEFAULTS, hidden: 16, steps: 1 }, 5);
    const { perAttribute } = heldOutAccuracy(params, 100);
    expect(perAttribute.shape).toBeLessThan(0.6);
    expect(perAttribute.colour).toBeLessThan(0.6);
  });

  it('reads a 16 x 16 window centred on the cell', () => {
    const img = renderScene(sampleScene(new Rng(2)));
    const w = cellWindow(img, 4); // centre cell: window starts at pixel (8, 8)
    expect(w[0]).toBe(img.data[8 * 32 + 8]);
    expect(w[2 * 256 + 15 * 16 + 15]).toBe(img.data[2 * 1024 + 23 * 32 + 23]);
  });

  it('loadClassifier names a missing file', async () => {
    await expect(loadClassifier('/nonexistent/cls.safetensors')).rejects.toThrow(/not found/);
  });
});
