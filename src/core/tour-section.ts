/**
 * The tour's plug-in contract. Each part exports one `TourSection` from `src/<part>/tour.ts`;
 * the registry in src/report/sections.ts lists them in reading order. A section returns plain data
 * (tables, Vega-Lite specs, PNG images); the renderer turns it into one self-contained HTML page.
 */
import type { Rng } from './rng.js';

export interface TourContext {
  /** `--quick`: the smallest settings that still show the result (used by tests). */
  quick: boolean;
  /** Seeded generator for this section (a fork of the tour's seed by section id). */
  rng: Rng;
  /** The tour's seed. */
  seed: number;
  /** Progress / status line on stderr. */
  log(message: string): void;
}

export interface Table {
  caption: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface Figure {
  caption: string;
  /** A Vega-Lite spec (data inline); rendered to SVG on the server. */
  vegaLite: Record<string, unknown>;
}

export interface ImageAsset {
  caption: string;
  /** PNG bytes; embedded as a data URI. */
  png: Uint8Array;
  /** Display width in CSS pixels (small images are scaled up crisply). */
  displayWidth?: number;
}

export interface SectionResult {
  /** One or two short paragraphs (plain text; blank lines separate paragraphs). */
  summary?: string;
  tables?: Table[];
  figures?: Figure[];
  images?: ImageAsset[];
  /** Machine-readable numbers for results.json. */
  data?: Record<string, unknown>;
}

export interface TourSection {
  /** Short id used by `--only` (e.g. 'scaling'). */
  id: string;
  title: string;
  run(ctx: TourContext): Promise<SectionResult>;
}
