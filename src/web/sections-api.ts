/**
 * Every part's tour section as a lab page, through the tour's own registry (report/tour.ts
 * `availableSections`): the list of sections, and one section run in quick mode (seed 0, the
 * tour's RNG fork by section id) rendered with the report's table/figure/image renderers.
 * The registry is imported on first use, so starting the lab does not load every part.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SectionResult, TourSection } from '../core/tour-section.js';

export const sectionSchema = z.strictObject({ id: z.string().min(1).max(64) });

async function registry(): Promise<TourSection[]> {
  const { availableSections } = await import('../report/tour.js');
  return availableSections();
}

/** Answer of GET /api/sections: id and title of every registered section. */
export async function sectionList() {
  return (await registry()).map((s) => ({ id: s.id, title: s.title }));
}

/** A section's result as an HTML fragment (text escaped; SVG and PNGs from the report's renderers). */
async function sectionHtml(result: SectionResult): Promise<string> {
  const { escapeHtml, renderFigure, renderImage, renderTable } = await import('../report/render.js');
  const parts = (result.summary ?? '')
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`);
  for (const t of result.tables ?? []) parts.push(renderTable(t));
  for (const f of result.figures ?? []) parts.push(await renderFigure(f));
  if (result.images?.length) parts.push(`<div class="images">${result.images.map(renderImage).join('\n')}</div>`);
  return parts.join('\n');
}

/** Answer of POST /api/section: one section run in quick mode. */
export async function sectionAnswer(body: z.infer<typeof sectionSchema>) {
  const all = await registry();
  const section = all.find((s) => s.id === body.id);
  if (!section) {
    throw new InputError(`unknown section '${body.id}'; known sections: ${all.map((s) => s.id).join(', ')}`);
  }
  const t0 = performance.now();
  const seed = 0;
  const result = await section.run({ quick: true, rng: new Rng(seed).fork(section.id), seed, log: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  return { id: section.id, title: section.title, seconds, html: await sectionHtml(result) };
}
