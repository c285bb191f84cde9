import type { TourSection } from '../core/tour-section.js';

/**
 * No separate section: the `lm` section (src/lm/tour.ts) shows this part's results — LoRA
 * fine-tuning of the tiny LM (curves, perplexity before/after) measured with src/eval.
 */
export const section: TourSection | null = null;
