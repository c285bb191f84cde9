/**
 * The ground-truth edit benchmark (PIE-Bench in miniature, Ju et al. 2024, with exact ground truth):
 * fixed seeded edit pairs over all six edit types, each method run through the same ChordEditor on
 * the same noise seed, scored by background PSNR / MSE / SSIM outside the true mask, PSNR to the
 * true target inside it, and edit accuracy (the classifier reads exactly the target scene: the
 * edited attribute is found and nothing else changed), with NFE and wall time per edit.
 */
import {
  backgroundMetrics,
  type ChordConfig,
  ChordEditor,
  type EditMethod,
  type EditorParts,
  psnr,
} from '../../chordedit/index.js';
import { ConfigError } from '../../core/errors.js';
import type { Image } from '../../core/image.js';
import { Rng } from '../../core/rng.js';
import { type ClassifierParams, readScenes, sceneMatches } from '../classifier/index.js';
import { benchmarkEdits, EDIT_TYPES, type EditType, type RenderedEdit, renderEdit } from '../world/index.js';

import type { BenchMethod } from './methods.js';

/** How each benchmark method maps onto the editor (baselines with their usual multi-step settings). */
export const BENCH_METHOD_SETTINGS: Record<BenchMethod, { method: EditMethod; config: Partial<ChordConfig> }> = {
  chord: { method: 'chord', config: {} },
  'chord-norefine': { method: 'chord', config: { refine: false } },
  naive: { method: 'naive', config: {} },
  sdedit: { method: 'sdedit', config: { t: 0.75, steps: 10 } },
  'ddim-inversion': { method: 'ddim-inversion', config: { t: 0.9, steps: 20 } },
};

/** PSNR values are capped here before averaging (an unchanged region has infinite PSNR). */
export const PSNR_CAP = 60;

export interface MethodScores {
  backgroundPsnr: number;
  backgroundMse: number;
  backgroundSsim: number;
  targetPsnr: number;
  editAccuracy: number;
  nfe: number;
  /** Wall milliseconds per edit (mean). */
  msPerEdit: number;
  /** Process CPU milliseconds per edit (mean; ONNX Runtime's threads included): steadier than wall time on a shared machine. */
  cpuMsPerEdit: number;
  count: number;
}

export interface MethodResult extends MethodScores {
  byType: Partial<Record<EditType, MethodScores>>;
}

export interface BenchResult {
  pairs: number;
  seed: number;
  methods: Partial<Record<BenchMethod, MethodResult>>;
  /** Share of true targets the classifier reads exactly (the ceiling of editAccuracy). */
  classifierOnTargets: number;
}

/** One scored edit. */
interface EditScore {
  type: EditType;
  backgroundPsnr: number;
  backgroundMse: number;
  backgroundSsim: number;
  targetPsnr: number;
  correct: number;
  nfe: number;
  ms: number;
  cpuMs: number;
}

const cap = (v: number) => Math.min(PSNR_CAP, v);

/** Mean of each score over a list of edits. */
function aggregate(scores: EditScore[]): MethodScores {
  const mean = (f: (s: EditScore) => number) => scores.reduce((a, s) => a + f(s), 0) / scores.length;
  return {
    backgroundPsnr: mean((s) => s.backgroundPsnr),
    backgroundMse: mean((s) => s.backgroundMse),
    backgroundSsim: mean((s) => s.backgroundSsim),
    targetPsnr: mean((s) => s.targetPsnr),
    editAccuracy: mean((s) => s.correct),
    nfe: mean((s) => s.nfe),
    msPerEdit: mean((s) => s.ms),
    cpuMsPerEdit: mean((s) => s.cpuMs),
    count: scores.length,
  };
}

/** Overall and per-type aggregates of one method's edits. */
export function summarise(scores: EditScore[]): MethodResult {
  const byType: Partial<Record<EditType, MethodScores>> = {};
  for (const type of EDIT_TYPES) {
    const mine = scores.filter((s) => s.type === type);
    if (mine.length) byType[type] = aggregate(mine);
  }
  return { ...aggregate(scores), byType };
}

export interface BenchOptions {
  /** Number of edit pairs (pair i has type EDIT_TYPES[i % 6]). */
  pairs: number;
  methods: readonly BenchMethod[];
  /** Seed of the edit set and of every edit's noise. */
  seed: number;
  /** Config overrides applied on top of each method's settings (the sweep uses this). */
  overrides?: Partial<ChordConfig>;
  /** Called after each edit (progress). */
  onEdit?: (done: number, total: number) => void;
}

/** Scores one edited image against its pair. */
function scoreEdit(
  e: RenderedEdit,
  edited: Image,
  correct: boolean,
  nfe: number,
  time: { ms: number; cpuMs: number },
): EditScore {
  const mask = Float32Array.from(e.mask);
  const bg = backgroundMetrics(e.sourceImage, edited, mask);
  return {
    type: e.type,
    backgroundPsnr: cap(bg.psnr),
    backgroundMse: bg.mse,
    backgroundSsim: bg.ssim,
    targetPsnr: cap(psnr(e.targetImage, edited, mask)),
    correct: correct ? 1 : 0,
    nfe,
    ...time,
  };
}

/** Runs the benchmark on a model's parts for 32 x 32 images (the ONNX pipeline's, or the engine twin's); see BenchOptions. */
export async function runEditBench(
  model: EditorParts,
  classifier: ClassifierParams,
  o: BenchOptions,
): Promise<BenchResult> {
  if (o.methods.length === 0) throw new ConfigError('edit-bench needs at least one method');
  const edits = benchmarkEdits(o.pairs, new Rng(o.seed)).map(renderEdit);
  const targets = readScenes(
    classifier,
    edits.map((e) => e.targetImage),
  );
  const classifierOnTargets = targets.filter((r, i) => sceneMatches(r, edits[i].target)).length / edits.length;
  const editor = new ChordEditor(model);
  const methods: Partial<Record<BenchMethod, MethodResult>> = {};
  let done = 0;
  for (const name of o.methods) {
    const { method, config } = BENCH_METHOD_SETTINGS[name];
    const scores: EditScore[] = [];
    for (const [i, e] of edits.entries()) {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      const r = await editor.edit({
        image: e.sourceImage,
        source: e.sourceCaption,
        target: e.targetCaption,
        method,
        config: { ...config, ...o.overrides },
        seed: o.seed + i,
      });
      const cpu = process.cpuUsage(c0);
      const time = { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
      const edited = r.image!;
      const [reading] = readScenes(classifier, [edited]);
      scores.push(scoreEdit(e, edited, sceneMatches(reading, e.target), r.diagnostics.nfe, time));
      o.onEdit?.(++done, o.methods.length * edits.length);
    }
    methods[name] = summarise(scores);
  }
  return { pairs: edits.length, seed: o.seed, methods, classifierOnTargets };
}
