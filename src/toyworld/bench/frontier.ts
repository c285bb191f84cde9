/**
 * ChordEdit against the naive one-time residual at MATCHED edit accuracy: for each family (query
 * time t, refinement on/off, n noise draws) both methods (delta > 0 and delta = 0; Lu et al. 2026,
 * step 3) are run over a grid of step scales lambda on the same pairs and noise seeds, giving two
 * curves of background PSNR against edit accuracy. A larger lambda edits more and keeps less, so
 * equal lambda is not a fair match (the chord field is shorter); the comparison reads each curve's
 * background PSNR where it first reaches an accuracy level, with paired bootstrap intervals over pairs.
 */
import type { ChordConfig, EditorParts } from '../../chordedit/index.js';
import { ChordEditor } from '../../chordedit/index.js';
import { bootstrap, bootstrapMeans, type Interval, percentileInterval, weightedMean } from '../../core/stats.js';
import type { ClassifierParams } from '../classifier/index.js';
import {
  benchPairs,
  type IntervalOptions,
  type PairedComparison,
  type PairScore,
  pairedDifference,
  scorePairs,
} from './edit-bench.js';
import { type FieldEnergyResult, runFieldEnergy } from './field-energy.js';
import { type FrontierConfig, frontierConfig } from './frontier-config.js';

/** One (family, delta, lambda) setting over all pairs. */
export interface FrontierPoint {
  t: number;
  refine: boolean;
  noiseSamples: number;
  delta: number;
  lambda: number;
  backgroundPsnr: number;
  targetPsnr: number;
  editAccuracy: number;
  ci95: { backgroundPsnr: Interval; editAccuracy: Interval };
}

/** Chord minus naive at one accuracy level: background PSNR where each curve first reaches it. */
export interface MatchedComparison {
  level: number;
  chordPsnr: number | null;
  naivePsnr: number | null;
  /** chordPsnr - naivePsnr (dB); null when a curve does not cross the level inside the lambda grid. */
  deltaBackgroundPsnr: number | null;
  /** Paired bootstrap interval of the difference (null when fewer than 95% of resamples cross the level on both curves). */
  ci95: Interval | null;
  /** Share of resamples in which both curves cross the level. */
  crossedShare: number;
}

export interface FrontierFamily {
  t: number;
  refine: boolean;
  noiseSamples: number;
  matched: MatchedComparison[];
  /** The best edit accuracy each curve reaches over the grid, and chord - naive with its paired interval. */
  peak: { chord: number; naive: number; delta: number; ci95: Interval };
  /** Chord - naive at equal lambda (paired over pairs). */
  atLambda: (Omit<PairedComparison, 'a' | 'b'> & { lambda: number })[];
}

export interface FrontierResult {
  config: FrontierConfig;
  seed: number;
  points: FrontierPoint[];
  families: FrontierFamily[];
  /** The control field's energy and variance over noise draws, chord vs naive (null when energyDraws is 0). */
  energy: FieldEnergyResult | null;
}

/** One curve: per-lambda means of (accuracy, PSNR), lambda ascending. */
interface Curve {
  acc: number[];
  psnr: number[];
}

/**
 * Background PSNR where a curve first reaches accuracy `level` as lambda grows (linear
 * interpolation between the grid points around the crossing); NaN when it starts at or above the
 * level (no crossing inside the grid) or never reaches it. Along the rising branch PSNR falls with
 * lambda, so this is the best background the curve keeps at that accuracy.
 */
export function psnrAtAccuracy(curve: Curve, level: number): number {
  if (curve.acc.length === 0 || curve.acc[0] >= level) return Number.NaN;
  for (let i = 1; i < curve.acc.length; i++) {
    if (curve.acc[i] >= level) {
      const f = (level - curve.acc[i - 1]) / (curve.acc[i] - curve.acc[i - 1]);
      return curve.psnr[i - 1] + f * (curve.psnr[i] - curve.psnr[i - 1]);
    }
  }
  return Number.NaN;
}

/** Curve of per-pair scores (one list per lambda) under resample counts. */
function curveOf(scores: PairScore[][], counts: Float64Array): Curve {
  return {
    acc: scores.map((s) =>
      weightedMean(
        s.map((p) => p.correct),
        counts,
      ),
    ),
    psnr: scores.map((s) =>
      weightedMean(
        s.map((p) => p.backgroundPsnr),
        counts,
      ),
    ),
  };
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Matched-accuracy and peak comparisons of two curves on the same pairs, bootstrapping the pairs. */
export function compareCurves(
  chord: PairScore[][],
  naive: PairScore[][],
  levels: number[],
  boot: IntervalOptions,
): Pick<FrontierFamily, 'matched' | 'peak'> {
  const n = chord[0].length;
  const stat = (counts: Float64Array) => {
    const [c, v] = [curveOf(chord, counts), curveOf(naive, counts)];
    const peak = Math.max(...c.acc) - Math.max(...v.acc);
    return [...levels.map((a) => psnrAtAccuracy(c, a) - psnrAtAccuracy(v, a)), peak];
  };
  const reps = bootstrap(n, stat, boot);
  const ones = new Float64Array(n).fill(1);
  const [c, v] = [curveOf(chord, ones), curveOf(naive, ones)];
  const matched = levels.map((level, j) => {
    const finite = reps[j].filter(Number.isFinite);
    const crossedShare = finite.length / reps[j].length;
    const [cp, np] = [psnrAtAccuracy(c, level), psnrAtAccuracy(v, level)];
    return {
      level,
      chordPsnr: finiteOrNull(cp),
      naivePsnr: finiteOrNull(np),
      deltaBackgroundPsnr: finiteOrNull(cp - np),
      ci95: crossedShare >= 0.95 ? percentileInterval(finite, 0.95) : null,
      crossedShare,
    };
  });
  const [pc, pn] = [Math.max(...c.acc), Math.max(...v.acc)];
  return {
    matched,
    peak: { chord: pc, naive: pn, delta: pc - pn, ci95: percentileInterval(reps[levels.length], 0.95) },
  };
}

/** Mean scores of one setting with 95% intervals. */
function pointOf(
  key: Omit<FrontierPoint, 'backgroundPsnr' | 'targetPsnr' | 'editAccuracy' | 'ci95'>,
  scores: PairScore[],
  boot: IntervalOptions,
): FrontierPoint {
  const [bg, acc, target] = bootstrapMeans(
    [scores.map((s) => s.backgroundPsnr), scores.map((s) => s.correct), scores.map((s) => s.targetPsnr)],
    { ...boot, level: 0.95 },
  );
  return {
    ...key,
    backgroundPsnr: bg.mean,
    targetPsnr: target.mean,
    editAccuracy: acc.mean,
    ci95: { backgroundPsnr: bg.ci, editAccuracy: acc.ci },
  };
}

/** Runs every family's two curves on the benchmark's pairs and compares them (see the module header). */
export async function runFrontier(
  model: EditorParts,
  classifier: ClassifierParams,
  o: { seed: number; config?: Partial<FrontierConfig>; onPoint?: (done: number, total: number) => void },
): Promise<FrontierResult> {
  const config = frontierConfig(o.config);
  const { edits } = benchPairs(classifier, config.pairs, o.seed);
  const editor = new ChordEditor(model);
  const boot = { resamples: config.resamples, seed: o.seed };
  const total = config.ts.length * config.refine.length * config.noiseSamples.length * 2 * config.lambdas.length;
  let done = 0;
  const points: FrontierPoint[] = [];
  const families: FrontierFamily[] = [];
  for (const t of config.ts)
    for (const refine of config.refine)
      for (const noiseSamples of config.noiseSamples) {
        const curves: PairScore[][][] = [];
        for (const delta of [config.delta, 0]) {
          const curve: PairScore[][] = [];
          for (const lambda of config.lambdas) {
            const settings: Partial<ChordConfig> = { t, delta, lambda, refine, noiseSamples };
            const scores = await scorePairs(editor, classifier, edits, { method: 'chord', config: settings }, o.seed);
            curve.push(scores);
            points.push(pointOf({ t, refine, noiseSamples, delta, lambda }, scores, boot));
            o.onPoint?.(++done, total);
          }
          curves.push(curve);
        }
        const [chord, naive] = curves;
        families.push({
          t,
          refine,
          noiseSamples,
          ...compareCurves(chord, naive, config.levels, boot),
          atLambda: config.lambdas.map((lambda, i) => ({ lambda, ...pairedDifference(chord[i], naive[i], boot) })),
        });
      }
  const energy =
    config.energyDraws > 0
      ? await runFieldEnergy(model, edits, {
          ts: config.energyTs,
          delta: config.delta,
          draws: config.energyDraws,
          ...boot,
        })
      : null;
  return { config, seed: o.seed, points, families, energy };
}

const fmt = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));
const span = (ci: Interval | null, digits: number) => (ci ? `[${fmt(ci[0], digits)}, ${fmt(ci[1], digits)}]` : '[–]');

/** The frontier as text: per family the matched comparisons and peaks, then the field energy ratios. */
export function frontierTextLines(r: FrontierResult): string[] {
  const lines = [
    `frontier: ${r.config.pairs} pairs, delta ${r.config.delta} vs 0, lambda ${r.config.lambdas.join(', ')}; chord - naive (dB of background PSNR at equal edit accuracy, 95% CI)`,
  ];
  for (const f of r.families) {
    const matched = f.matched
      .map((m) => `acc ${m.level}: ${fmt(m.deltaBackgroundPsnr, 2)} ${span(m.ci95, 2)}`)
      .join('; ');
    lines.push(
      `t ${f.t} ${f.refine ? 'refine' : 'no refine'} n ${f.noiseSamples}: ${matched}; peak acc ${f.peak.chord.toFixed(3)} vs ${f.peak.naive.toFixed(3)} ${span(f.peak.ci95, 3)}`,
    );
  }
  if (r.energy) {
    lines.push(
      `control field over ${r.energy.draws} noise draws, chord / naive (geometric mean over ${r.energy.pairs} pairs, 95% CI):`,
    );
    for (const row of r.energy.rows) {
      const q = row.ratio;
      lines.push(
        `t ${row.t} ${row.region.padEnd(10)} energy ${q.energy.ratio.toFixed(3)} ${span(q.energy.ci95, 3)}  variance ${q.variance.ratio.toFixed(3)} ${span(q.variance.ci95, 3)}  relative variance ${q.relativeVariance.ratio.toFixed(3)} ${span(q.relativeVariance.ci95, 3)}`,
      );
    }
  }
  return lines;
}
