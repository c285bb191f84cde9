import type { TourSection } from '../core/tour-section.js';

/**
 * No separate section: the `lm` section lives in src/eval/tour.ts, because it scores the tiny LM
 * with src/eval (which imports src/lm; a section here would make the two folders import each other).
 */
export const section: TourSection | null = null;
