/**
 * Training, held-out evaluation and shipping of the attribute classifier (classifier.ts). The
 * held-out set is drawn from its own seed, disjoint in stream from the training data (which
 * comes from fresh scenes of the training seed), and is the set the shipped accuracy is quoted on.
 */
import { Rng } from '../../core/rng.js';
import { saveParams } from '../../nn/index.js';
import { renderScene, type Scene, sampleScene } from '../world/index.js';
import {
  CLASSIFIER_DEFAULTS,
  CLASSIFIER_FORMAT,
  type ClassifierParams,
  readScenes,
  SHIPPED_CLASSIFIER,
  trainClassifier,
} from './classifier.js';
import { type Attribute, attributeAccuracy, sceneMatches } from './scoring.js';

/** Seed of the held-out scenes (never used for training). */
export const HELD_OUT_SEED = 987_654_321;

/** The fixed held-out scenes. */
export function heldOutScenes(count: number): Scene[] {
  const rng = new Rng(HELD_OUT_SEED);
  return Array.from({ length: count }, () => sampleScene(rng));
}

/** Per-attribute accuracy and exact-scene accuracy of `params` on `count` held-out clean renders. */
export function heldOutAccuracy(
  params: ClassifierParams,
  count = 600,
): { perAttribute: Record<Attribute, number>; exact: number } {
  const scenes = heldOutScenes(count);
  const readings = readScenes(params, scenes.map(renderScene));
  return {
    perAttribute: attributeAccuracy(readings.map((reading, i) => ({ reading, truth: scenes[i] }))),
    exact: readings.filter((r, i) => sceneMatches(r, scenes[i])).length / count,
  };
}

/** Trains the classifier, measures it on the held-out set and writes the weights (default: assets/toy/). */
export async function shipClassifier(o: { steps: number; seed: number; out?: string }): Promise<{
  path: string;
  steps: number;
  finalLoss: number;
  heldOut: ReturnType<typeof heldOutAccuracy>;
}> {
  const config = { ...CLASSIFIER_DEFAULTS, steps: o.steps };
  const { params, losses } = await trainClassifier(config, o.seed);
  const heldOut = heldOutAccuracy(params);
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 10)));
  const finalLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
  const path = o.out ?? SHIPPED_CLASSIFIER;
  saveParams(path, params, {
    format: CLASSIFIER_FORMAT,
    hidden: String(config.hidden),
    config: JSON.stringify(config),
    seed: String(o.seed),
    finalLoss: finalLoss.toFixed(5),
    heldOut: JSON.stringify(heldOut),
  });
  return { path, steps: o.steps, finalLoss, heldOut };
}
