/**
 * The tour: runs every registered section (or those named by --only) and writes
 * `<out>/index.html` and `<out>/results.json`. The folder is built in a temporary sibling and
 * renamed into place, so an interrupted run never leaves a half report, and a folder of the user's is
 * never replaced (core/outputs).
 */
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { writeDirAtomic, writeFileAtomic } from '../core/outputs.js';
import { Rng } from '../core/rng.js';
import type { TourSection } from '../core/tour-section.js';
import { type RenderedSection, renderReport } from './render.js';
import { SECTIONS } from './sections.js';

export interface TourOptions {
  out: string;
  only?: string[];
  quick: boolean;
  seed: number;
  log: (message: string) => void;
  /** Recorded in the report folder's manifest (core/outputs); default 'tour'. */
  command?: string;
  /** Replace same-named files of the user's at `out` (--overwrite). */
  overwrite?: boolean;
}

export interface TourSummary {
  out: string;
  sections: { id: string; title: string; seconds: number; ok: boolean; error?: string }[];
  seconds: number;
}

/** The registered sections, in order (parts whose section is not there yet are skipped). */
export function availableSections(): TourSection[] {
  return SECTIONS.filter((s): s is TourSection => s !== null);
}

/** Picks sections by id; an unknown id is a ConfigError listing the known ones. */
export function selectSections(only?: string[]): TourSection[] {
  const all = availableSections();
  if (!only || only.length === 0) return all;
  const known = new Set(all.map((s) => s.id));
  for (const id of only) {
    if (!known.has(id))
      throw new ConfigError(`--only: unknown section '${id}'; known sections: ${[...known].join(', ')}`);
  }
  return all.filter((s) => only.includes(s.id));
}

export async function runTour(options: TourOptions): Promise<TourSummary> {
  const sections = selectSections(options.only);
  const started = performance.now();
  const rendered: RenderedSection[] = [];
  for (const section of sections) {
    options.log(`tour: ${section.title} ...`);
    const t0 = performance.now();
    const ctx = {
      quick: options.quick,
      seed: options.seed,
      rng: new Rng(options.seed).fork(section.id),
      log: options.log,
    };
    try {
      const result = await section.run(ctx);
      rendered.push({ id: section.id, title: section.title, seconds: (performance.now() - t0) / 1000, result });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      options.log(`tour: ${section.title} FAILED: ${message}`);
      rendered.push({ id: section.id, title: section.title, seconds: (performance.now() - t0) / 1000, error: message });
    }
  }
  const generatedAt = new Date().toISOString();
  const html = await renderReport('modelmath tour', rendered, {
    generatedAt,
    seed: options.seed,
    quick: options.quick,
  });
  const results = {
    generatedAt,
    seed: options.seed,
    quick: options.quick,
    sections: Object.fromEntries(
      rendered.map((s) => [
        s.id,
        {
          title: s.title,
          seconds: s.seconds,
          error: s.error ?? null,
          tables: s.result?.tables ?? [],
          data: s.result?.data ?? {},
        },
      ]),
    ),
  };
  await writeDirAtomic(
    options.out,
    (tmp) => {
      writeFileAtomic(join(tmp, 'index.html'), html);
      writeFileAtomic(join(tmp, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    },
    { command: options.command ?? 'tour', overwrite: options.overwrite },
  );
  return {
    out: options.out,
    seconds: (performance.now() - started) / 1000,
    sections: rendered.map((s) => ({
      id: s.id,
      title: s.title,
      seconds: s.seconds,
      ok: !s.error,
      ...(s.error ? { error: s.error } : {}),
    })),
  };
}
