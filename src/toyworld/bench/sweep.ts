/**
 * The ChordEdit parameter sweep on the toy benchmark: one knob at a time around the paper's
 * defaults (t, delta, lambda, t_c; Lu et al. 2026, sec. 4), each setting scored by background PSNR and
 * edit accuracy on the same fixed edit pairs, giving the preservation / edit-strength trade-off
 * curves the paper argues about (a larger step edits more and keeps less).
 */
import { type ChordConfig, ChordEditor, type EditorParts } from '../../chordedit/index.js';
import type { ClassifierParams } from '../classifier/index.js';
import { aggregate, BENCH_METHOD_SETTINGS, benchPairs, type MethodScores, scorePairs } from './edit-bench.js';

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

/** A point from the mean scores of one setting. */
function pointOf(knob: SweepPoint['knob'], value: number, refine: boolean, m: MethodScores): SweepPoint {
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
  // the pairs are rendered once and every setting edits the same ones (as the edit benchmark would)
  const { edits } = benchPairs(classifier, o.pairs, o.seed);
  const editor = new ChordEditor(model);
  const chord = BENCH_METHOD_SETTINGS.chord;
  const points: SweepPoint[] = [];
  for (const [i, s] of settings.entries()) {
    const config: Partial<ChordConfig> = { ...chord.config, [s.knob]: s.value, refine: s.refine };
    const scores = await scorePairs(editor, classifier, edits, { method: chord.method, config }, o.seed);
    points.push(pointOf(s.knob, s.value, s.refine, aggregate(scores)));
    o.onPoint?.(i + 1, settings.length);
  }
  return { pairs: o.pairs, seed: o.seed, points };
}
