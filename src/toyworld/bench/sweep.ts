/**
 * The ChordEdit parameter sweep on the toy benchmark: one knob at a time around the paper's
 * defaults (t, delta, lambda, t_c; Lu et al. 2026, sec. 4), each setting scored by background PSNR and
 * edit accuracy on the same fixed edit pairs, giving the preservation / edit-strength trade-off
 * curves the paper argues about (a larger step edits more and keeps less).
 */
import type { ChordConfig, EditorParts } from '../../chordedit/index.js';
import type { ClassifierParams } from '../classifier/index.js';
import { type BenchResult, runEditBench } from './edit-bench.js';

/** The swept knobs and their values (the paper's default is in each list). */
export const SWEEP_GRID: Record<'t' | 'delta' | 'lambda' | 'tc', number[]> = {
  t: [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
  delta: [0, 0.05, 0.1, 0.15, 0.25, 0.35],
  lambda: [0.5, 0.75, 1, 1.25, 1.5, 2],
  tc: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
};
export type SweepKnob = keyof typeof SWEEP_GRID;

export interface SweepPoint {
  knob: SweepKnob | 'default';
  value: number;
  refine: boolean;
  backgroundPsnr: number;
  targetPsnr: number;
  editAccuracy: number;
  nfe: number;
}

export interface SweepResult {
  pairs: number;
  seed: number;
  points: SweepPoint[];
}

/** A point from a one-method benchmark result. */
function pointOf(knob: SweepPoint['knob'], value: number, refine: boolean, r: BenchResult): SweepPoint {
  const m = r.methods.chord!;
  return {
    knob,
    value,
    refine,
    backgroundPsnr: m.backgroundPsnr,
    targetPsnr: m.targetPsnr,
    editAccuracy: m.editAccuracy,
    nfe: m.nfe,
  };
}

/** Runs every setting of the grid; t, delta and lambda also without refinement (refinement masks their effect). */
export async function runSweep(
  model: EditorParts,
  classifier: ClassifierParams,
  o: { pairs: number; seed: number; onPoint?: (done: number, total: number) => void },
): Promise<SweepResult> {
  const settings: { knob: SweepKnob; value: number; refine: boolean }[] = [];
  for (const knob of Object.keys(SWEEP_GRID) as SweepKnob[]) {
    for (const value of SWEEP_GRID[knob]) {
      settings.push({ knob, value, refine: true });
      if (knob === 't' || knob === 'lambda' || knob === 'delta') settings.push({ knob, value, refine: false });
    }
  }
  const points: SweepPoint[] = [];
  for (const [i, s] of settings.entries()) {
    const overrides: Partial<ChordConfig> = { [s.knob]: s.value, refine: s.refine };
    const r = await runEditBench(model, classifier, { pairs: o.pairs, seed: o.seed, methods: ['chord'], overrides });
    points.push(pointOf(s.knob, s.value, s.refine, r));
    o.onPoint?.(i + 1, settings.length);
  }
  return { pairs: o.pairs, seed: o.seed, points };
}
