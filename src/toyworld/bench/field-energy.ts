/**
 * The paper's mechanism measured directly (Lu et al. 2026, sec. 3; lecture step 3): on every
 * benchmark pair, K independent noise draws give K naive fields R_t and K chord fields u; their
 * energy, mean-field energy and variance over draws (chordedit's `fieldStats`) over the whole image
 * and outside the true edit mask (what x + lambda u does to the background), and the chord/naive
 * ratios as geometric means over pairs with 95% bootstrap intervals.
 */
import { controlFieldDraws, type EditorParts, type FieldStats, fieldStats } from '../../chordedit/index.js';
import { ConfigError, ShapeError } from '../../core/errors.js';
import { meanOf } from '../../core/math.js';
import { Rng } from '../../core/rng.js';
import { bootstrapMeans, type Interval } from '../../core/stats.js';
import type { RenderedEdit } from '../world/index.js';

/** Means over pairs of one field's statistics. */
export type MeanStats = Omit<FieldStats, 'relativeVariance'> & {
  /** Mean over pairs of each pair's variance / meanEnergy. */
  relativeVariance: number;
};

/** chord / naive as the geometric mean over pairs of the per-pair ratio, with its 95% interval. */
export interface Ratio {
  ratio: number;
  ci95: Interval;
}

export interface FieldEnergyRow {
  t: number;
  delta: number;
  region: 'all' | 'background';
  chord: MeanStats;
  naive: MeanStats;
  /** chord / naive: energy, variance over draws, and relative variance (variance / mean-field energy). */
  ratio: { energy: Ratio; variance: Ratio; relativeVariance: Ratio };
}

export interface FieldEnergyResult {
  pairs: number;
  draws: number;
  rows: FieldEnergyRow[];
}

function meanStats(stats: FieldStats[]): MeanStats {
  const mean = (f: (s: FieldStats) => number) => meanOf(stats, f);
  return {
    energy: mean((s) => s.energy),
    meanEnergy: mean((s) => s.meanEnergy),
    variance: mean((s) => s.variance),
    relativeVariance: mean((s) => s.relativeVariance),
  };
}

/** Geometric-mean ratios chord / naive over pairs (mean of log ratios, bootstrapped over pairs, exponentiated). */
function ratios(chord: FieldStats[], naive: FieldStats[], seed: number, resamples: number): FieldEnergyRow['ratio'] {
  const keys = ['energy', 'variance', 'relativeVariance'] as const;
  const logs = keys.map((k) => chord.map((c, i) => Math.log(c[k] / naive[i][k])));
  const r = bootstrapMeans(logs, { seed, resamples, level: 0.95 });
  const out = {} as FieldEnergyRow['ratio'];
  keys.forEach((k, j) => {
    out[k] = { ratio: Math.exp(r[j].mean), ci95: [Math.exp(r[j].ci[0]), Math.exp(r[j].ci[1])] };
  });
  return out;
}

/** The true edit mask's complement, repeated over the latent's channels (the toy's latent is the image). */
function backgroundOf(e: RenderedEdit, size: number): Uint8Array {
  const pixels = e.mask.length;
  if (size % pixels !== 0)
    throw new ShapeError(`latent of ${size} values is not channels x the ${pixels}-pixel mask (an image-space model)`);
  return Uint8Array.from({ length: size }, (_, i) => 1 - e.mask[i % pixels]);
}

/** Field statistics of chord vs naive on each edit, K draws each, at every t (see the module header). */
export async function runFieldEnergy(
  model: EditorParts,
  edits: RenderedEdit[],
  o: { ts: number[]; delta: number; draws: number; seed: number; resamples: number; onPair?: () => void },
): Promise<FieldEnergyResult> {
  if (!model.codec || !model.textEncoder)
    throw new ConfigError('field energy needs a model with a codec and a text encoder');
  if (!(o.draws >= 2)) throw new ConfigError(`draws must be at least 2 (variance over draws), got ${o.draws}`);
  const stats = o.ts.map(() => ({
    all: { chord: [] as FieldStats[], naive: [] as FieldStats[] },
    background: { chord: [] as FieldStats[], naive: [] as FieldStats[] },
  }));
  for (const [i, e] of edits.entries()) {
    const x = await model.codec.encode(e.sourceImage);
    const [src, tar] = await model.textEncoder.encode([e.sourceCaption, e.targetCaption]);
    const rng = new Rng(o.seed).fork('field-energy').fork(i);
    const noises = Array.from({ length: o.draws }, () => rng.normals(x.length));
    const bg = backgroundOf(e, x.length);
    for (const [j, t] of o.ts.entries()) {
      const f = await controlFieldDraws(model.denoiser, x, noises, t, o.delta, src, tar);
      stats[j].all.chord.push(fieldStats(f.chord));
      stats[j].all.naive.push(fieldStats(f.naive));
      stats[j].background.chord.push(fieldStats(f.chord, bg));
      stats[j].background.naive.push(fieldStats(f.naive, bg));
    }
    o.onPair?.();
  }
  const rows: FieldEnergyRow[] = [];
  for (const [j, t] of o.ts.entries())
    for (const region of ['all', 'background'] as const) {
      const { chord, naive } = stats[j][region];
      rows.push({
        t,
        delta: o.delta,
        region,
        chord: meanStats(chord),
        naive: meanStats(naive),
        ratio: ratios(chord, naive, o.seed, o.resamples),
      });
    }
  return { pairs: edits.length, draws: o.draws, rows };
}
