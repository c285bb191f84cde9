import type { TourSection } from '../report/section.js';

/** This part's tour section (filled in by the part's issue). */
export const section: TourSection | null = null;
