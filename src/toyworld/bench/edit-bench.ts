/**
 * The ground-truth edit benchmark (PIE-Bench in miniature, Ju et al. 2024, with exact ground truth):
 * fixed seeded edit pairs over all six edit types, each method run through the same ChordEditor on
 * the same noise seed, scored by background PSNR / MSE / SSIM outside the true mask, PSNR to the
 * true target inside it, and edit accuracy (the classifier reads exactly the target scene: the
 * edited attribute is found and nothing else changed), with NFE and wall time per edit, 95%
 * bootstrap intervals over pairs, and paired chord-vs-naive differences (core/stats.ts).
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
import { meanOf } from '../../core/math.js';
import { Rng } from '../../core/rng.js';
import { bootstrapMeans, formatInterval, type Interval } from '../../core/stats.js';
import { type ClassifierParams, readScenes, sceneMatches } from '../classifier/index.js';
import { benchmarkEdits, EDIT_TYPES, type EditType, type RenderedEdit, renderEdit } from '../world/index.js';
import type { BenchMethod } from './methods.js';

/** How each benchmark method maps onto the editor (baselines with their usual multi-step settings). */
export const BENCH_METHOD_SETTINGS: Record<BenchMethod, { method: EditMethod; config: Partial<ChordConfig> }> = {
  chord: { method: 'chord', config: {} },
  'chord-norefine': { method: 'chord', config: { refine: false } },
  naive: { method: 'naive', config: {} },
  'naive-norefine': { method: 'naive', config: { refine: false } },
  sdedit: { method: 'sdedit', config: { t: 0.75, steps: 10 } },
  'sdedit-ddim': { method: 'sdedit-ddim', config: { t: 0.75, steps: 10 } },
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

/** 95% percentile intervals of the mean over pairs, bootstrapping the pairs. */
export interface MethodIntervals {
  backgroundPsnr: Interval;
  editAccuracy: Interval;
}

export interface MethodResult extends MethodScores {
  byType: Partial<Record<EditType, MethodScores>>;
  ci95: MethodIntervals;
}

/** Method a against method b on the same pairs and noise seeds (a - b). */
export interface PairedComparison {
  a: BenchMethod;
  b: BenchMethod;
  deltaBackgroundPsnr: number;
  deltaEditAccuracy: number;
  /** Paired bootstrap over pairs (each resampled pair keeps both methods' scores). */
  ci95: { deltaBackgroundPsnr: Interval; deltaEditAccuracy: Interval };
  /** Pairs edited correctly by a only / by b only (the discordant pairs; the rest agree). */
  onlyA: number;
  onlyB: number;
  /** Pairs where a kept more / less background than b (PSNR; equal ones are neither). */
  backgroundWins: number;
  backgroundLosses: number;
}

/** The paired comparisons reported when both methods ran: ChordEdit against the naive residual, with and without refinement. */
export const PAIRED_COMPARISONS = {
  chordVsNaive: ['chord', 'naive'],
  chordVsNaiveNoRefine: ['chord-norefine', 'naive-norefine'],
} as const satisfies Record<string, readonly [BenchMethod, BenchMethod]>;
export type PairedName = keyof typeof PAIRED_COMPARISONS;

export interface BenchResult {
  pairs: number;
  seed: number;
  methods: Partial<Record<BenchMethod, MethodResult>>;
  /** Share of true targets the classifier reads exactly (the ceiling of editAccuracy). */
  classifierOnTargets: number;
  /** How the intervals were computed: percentile bootstrap over pairs. */
  bootstrap: { resamples: number; level: number; seed: number };
  paired: Partial<Record<PairedName, PairedComparison>>;
}

/** One scored edit. */
export interface PairScore {
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
export function aggregate(scores: PairScore[]): MethodScores {
  const mean = (f: (s: PairScore) => number) => meanOf(scores, f);
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

/** Bootstrap settings of the benchmark's intervals. */
export interface IntervalOptions {
  /** Resamples of the pairs. Default 2000. */
  resamples: number;
  /** Seed of the resampling. */
  seed: number;
}

/** Overall and per-type aggregates of one method's edits, with 95% intervals over pairs. */
export function summarise(scores: PairScore[], boot: IntervalOptions): MethodResult {
  const byType: Partial<Record<EditType, MethodScores>> = {};
  for (const type of EDIT_TYPES) {
    const mine = scores.filter((s) => s.type === type);
    if (mine.length) byType[type] = aggregate(mine);
  }
  const [psnrCi, accCi] = bootstrapMeans([scores.map((s) => s.backgroundPsnr), scores.map((s) => s.correct)], {
    ...boot,
    level: 0.95,
  });
  return { ...aggregate(scores), byType, ci95: { backgroundPsnr: psnrCi.ci, editAccuracy: accCi.ci } };
}

/** a - b on the same pairs: mean differences with paired 95% bootstrap intervals, and counts of discordant pairs. */
export function pairedDifference(
  a: PairScore[],
  b: PairScore[],
  boot: IntervalOptions,
): Omit<PairedComparison, 'a' | 'b'> {
  if (a.length !== b.length)
    throw new ConfigError(`paired comparison needs equal pairs, got ${a.length} and ${b.length}`);
  const [dPsnr, dAcc] = bootstrapMeans(
    [a.map((s, i) => s.backgroundPsnr - b[i].backgroundPsnr), a.map((s, i) => s.correct - b[i].correct)],
    { ...boot, level: 0.95 },
  );
  const count = (f: (sa: PairScore, sb: PairScore) => boolean) => a.filter((s, i) => f(s, b[i])).length;
  return {
    deltaBackgroundPsnr: dPsnr.mean,
    deltaEditAccuracy: dAcc.mean,
    ci95: { deltaBackgroundPsnr: dPsnr.ci, deltaEditAccuracy: dAcc.ci },
    onlyA: count((sa, sb) => sa.correct > sb.correct),
    onlyB: count((sa, sb) => sa.correct < sb.correct),
    backgroundWins: count((sa, sb) => sa.backgroundPsnr > sb.backgroundPsnr),
    backgroundLosses: count((sa, sb) => sa.backgroundPsnr < sb.backgroundPsnr),
  };
}

export interface BenchOptions {
  /** Number of edit pairs (pair i has type EDIT_TYPES[i % 6]). */
  pairs: number;
  methods: readonly BenchMethod[];
  /** Seed of the edit set, of every edit's noise and of the bootstrap. */
  seed: number;
  /** Config overrides applied on top of each method's settings (the sweep uses this). */
  overrides?: Partial<ChordConfig>;
  /** Bootstrap resamples of the intervals. Default 2000. */
  resamples?: number;
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
): PairScore {
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

/** The benchmark's fixed pairs for (count, seed), rendered, and the classifier's score on the true targets. */
export function benchPairs(
  classifier: ClassifierParams,
  count: number,
  seed: number,
): { edits: RenderedEdit[]; classifierOnTargets: number } {
  const edits = benchmarkEdits(count, new Rng(seed)).map(renderEdit);
  const targets = readScenes(
    classifier,
    edits.map((e) => e.targetImage),
  );
  const classifierOnTargets = targets.filter((r, i) => sceneMatches(r, edits[i].target)).length / edits.length;
  return { edits, classifierOnTargets };
}

/** Edits every pair with one method and config (pair i with noise seed `seed + i`) and scores each edit. */
export async function scorePairs(
  editor: ChordEditor,
  classifier: ClassifierParams,
  edits: RenderedEdit[],
  setting: { method: EditMethod; config: Partial<ChordConfig> },
  seed: number,
  onEdit?: () => void,
): Promise<PairScore[]> {
  const scores: PairScore[] = [];
  for (const [i, e] of edits.entries()) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    const r = await editor.edit({
      image: e.sourceImage,
      source: e.sourceCaption,
      target: e.targetCaption,
      method: setting.method,
      config: setting.config,
      seed: seed + i,
    });
    const cpu = process.cpuUsage(c0);
    const time = { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    const edited = r.image!;
    const [reading] = readScenes(classifier, [edited]);
    scores.push(scoreEdit(e, edited, sceneMatches(reading, e.target), r.diagnostics.nfe, time));
    onEdit?.();
  }
  return scores;
}

/** Runs the benchmark on a model's parts for 32 x 32 images (the ONNX pipeline's, or the engine twin's); see BenchOptions. */
export async function runEditBench(
  model: EditorParts,
  classifier: ClassifierParams,
  o: BenchOptions,
): Promise<BenchResult> {
  if (o.methods.length === 0) throw new ConfigError('edit-bench needs at least one method');
  const { edits, classifierOnTargets } = benchPairs(classifier, o.pairs, o.seed);
  const editor = new ChordEditor(model);
  const boot = { resamples: o.resamples ?? 2000, seed: o.seed };
  const scores: Partial<Record<BenchMethod, PairScore[]>> = {};
  const methods: Partial<Record<BenchMethod, MethodResult>> = {};
  let done = 0;
  for (const name of o.methods) {
    const { method, config } = BENCH_METHOD_SETTINGS[name];
    const setting = { method, config: { ...config, ...o.overrides } };
    scores[name] = await scorePairs(editor, classifier, edits, setting, o.seed, () =>
      o.onEdit?.(++done, o.methods.length * edits.length),
    );
    methods[name] = summarise(scores[name], boot);
  }
  const paired: Partial<Record<PairedName, PairedComparison>> = {};
  for (const [key, names] of Object.entries(PAIRED_COMPARISONS) as [
    PairedName,
    readonly [BenchMethod, BenchMethod],
  ][]) {
    const [a, b] = [scores[names[0]], scores[names[1]]];
    if (a && b) paired[key] = { a: names[0], b: names[1], ...pairedDifference(a, b, boot) };
  }
  return {
    pairs: edits.length,
    seed: o.seed,
    methods,
    classifierOnTargets,
    bootstrap: { ...boot, level: 0.95 },
    paired,
  };
}

const signed = (v: number, digits: number) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/** The benchmark as text: one line per method with 95% intervals, then the paired comparisons. */
export function benchTextLines(r: BenchResult): string[] {
  const lines = [
    'method            bgPSNR [95% CI]        editAcc [95% CI]        targetPSNR  NFE  ms/edit  CPU ms/edit',
    ...Object.entries(r.methods).map(
      ([name, m]) =>
        `${name.padEnd(16)} ${m.backgroundPsnr.toFixed(2).padStart(6)} ${formatInterval(m.ci95.backgroundPsnr, 2).padEnd(15)} ${m.editAccuracy.toFixed(3)} ${formatInterval(m.ci95.editAccuracy, 3).padEnd(15)} ${m.targetPsnr.toFixed(2).padStart(10)} ${String(m.nfe).padStart(4)} ${m.msPerEdit.toFixed(1).padStart(8)} ${m.cpuMsPerEdit.toFixed(1).padStart(12)}`,
    ),
  ];
  for (const p of Object.values(r.paired)) {
    lines.push(
      `paired ${p.a} - ${p.b}: bgPSNR ${signed(p.deltaBackgroundPsnr, 3)} dB ${formatInterval(p.ci95.deltaBackgroundPsnr, 3)} (higher on ${p.backgroundWins}, lower on ${p.backgroundLosses} of ${r.pairs}), editAcc ${signed(p.deltaEditAccuracy, 3)} ${formatInterval(p.ci95.deltaEditAccuracy, 3)} (correct only with ${p.a}: ${p.onlyA}, only with ${p.b}: ${p.onlyB})`,
    );
  }
  return lines;
}
