/**
 * What the lab's ChordEdit page and the server's edit API share (pure, no Node API): the toy-world
 * edit pair a (seed, edit type) pick shows, and the metrics of an edit against its ground truth
 * (PSNR to the target; background PSNR outside the exact edit mask, as the edit benchmark).
 */
import { backgroundMetrics, psnr } from '../chordedit/index.js';
import type { Image } from '../core/image-data.js';
import { Rng } from '../core/rng.js';
import { type EditType, type RenderedEdit, renderEdit, sampleEdit } from '../toyworld/world/index.js';

/** The toy-world edit pair of a pick (deterministic in seed and type). */
export function pickScene(seed: number, editType: EditType): RenderedEdit {
  return renderEdit(sampleEdit(new Rng(seed).fork('web-scene'), editType));
}

/** PSNR to the ground truth and background PSNR outside the edit mask (when the edit kept the 32 x 32 grid). */
export function truthMetrics(
  pair: RenderedEdit,
  edited: Image,
): { psnrToTruth: number; backgroundPsnr: number } | null {
  if (edited.height !== pair.targetImage.height || edited.width !== pair.targetImage.width) return null;
  return {
    psnrToTruth: psnr(edited, pair.targetImage),
    backgroundPsnr: backgroundMetrics(pair.sourceImage, edited, Float32Array.from(pair.mask)).psnr,
  };
}
