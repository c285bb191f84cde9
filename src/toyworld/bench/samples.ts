/**
 * The generation goal of the toy model: sample one image per random caption (k-step DDIM, optional
 * classifier-free guidance; src/pipeline's `generateImages`) and read each back with the attribute
 * classifier, giving per-attribute accuracy and the share of samples read exactly as captioned.
 */
import { checkNumber } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { type GenerateOptions, generateImages, type SamplerParts } from '../../pipeline/index.js';
import {
  type Attribute,
  attributeAccuracy,
  type ClassifierParams,
  readScenes,
  type SceneReading,
  sceneMatches,
} from '../classifier/index.js';
import { type CaptionContent, captionOf, parseCaption, sampleScene } from '../world/index.js';

/** Per-attribute classifier accuracy of samples for `count` random captions (and the exact-match rate). */
export async function evaluateSamples(
  model: SamplerParts,
  classifier: ClassifierParams,
  o: { count: number; seed: number; batch?: number } & GenerateOptions,
): Promise<{ perAttribute: Record<Attribute, number>; exact: number; count: number }> {
  checkNumber('count', o.count, { min: 1, integer: true });
  const rng = new Rng(o.seed);
  const captionRng = rng.fork('captions');
  const captions = Array.from({ length: o.count }, () => captionOf(sampleScene(captionRng)));
  const pairs: { reading: SceneReading; truth: CaptionContent }[] = [];
  const batch = o.batch ?? 16;
  for (let i = 0; i < captions.length; i += batch) {
    const chunk = captions.slice(i, i + batch);
    const images = await generateImages(model, chunk, rng.fork(`noise-${i}`), o);
    readScenes(classifier, images).forEach((reading, j) => {
      pairs.push({ reading, truth: parseCaption(chunk[j]) });
    });
  }
  return {
    perAttribute: attributeAccuracy(pairs),
    exact: pairs.filter((p) => sceneMatches(p.reading, p.truth)).length / pairs.length,
    count: pairs.length,
  };
}
