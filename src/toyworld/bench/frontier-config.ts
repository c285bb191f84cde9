/**
 * Settings of the matched-accuracy comparison (bench/frontier.ts), kept apart from it so that the
 * CLI can show the defaults in --help without loading the editor: the lambda grid (fine where edit
 * accuracy rises, and small values because refinement alone already edits), the families (t,
 * refinement, noise draws) and the control-field energy measurement.
 */
import { ConfigError } from '../../core/errors.js';

export interface FrontierConfig {
  /** Edit pairs per point (the benchmark's pairs). Default 240. */
  pairs: number;
  /** Step scales lambda of every curve, ascending; the smallest should edit rarely. */
  lambdas: number[];
  /** Query times t (one family each). */
  ts: number[];
  /** The chord window delta > 0 compared with delta = 0. Default 0.15 (the paper's). */
  delta: number;
  /** Noise draws n averaged in each residual field (one family each). */
  noiseSamples: number[];
  /** Refinement off / on (one family each). */
  refine: boolean[];
  /** Edit-accuracy levels at which the curves are compared. */
  levels: number[];
  /** Bootstrap resamples of the pairs. */
  resamples: number;
  /** Noise draws per pair for the control-field energy and variance (0 skips that measurement). */
  energyDraws: number;
  /** Query times of the energy measurement. */
  energyTs: number[];
}

export const FRONTIER_DEFAULTS: FrontierConfig = {
  pairs: 240,
  lambdas: [0.05, 0.1, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 2.5],
  ts: [0.9, 1],
  delta: 0.15,
  noiseSamples: [1, 4],
  refine: [false, true],
  levels: [0.5, 0.8, 0.9],
  resamples: 1000,
  energyDraws: 8,
  energyTs: [0.3, 0.5, 0.7, 0.9, 1],
};

/** Validates a frontier config (lambdas ascending and positive, delta in (0, min t), levels in (0, 1]). */
export function frontierConfig(partial: Partial<FrontierConfig> = {}): FrontierConfig {
  const c = { ...FRONTIER_DEFAULTS, ...partial };
  const ascending = c.lambdas.every((l, i) => l > 0 && (i === 0 || l > c.lambdas[i - 1]));
  if (c.lambdas.length < 2 || !ascending)
    throw new ConfigError(`lambdas must be at least 2 ascending values > 0, got ${c.lambdas.join(', ')}`);
  const tMin = Math.min(...c.ts, ...(c.energyDraws > 0 ? c.energyTs : []));
  if (!(c.delta > 0 && c.delta < tMin))
    throw new ConfigError(`delta must be in (0, smallest t = ${tMin}), got ${c.delta}`);
  if (c.energyDraws === 1 || !Number.isInteger(c.energyDraws) || c.energyDraws < 0)
    throw new ConfigError(`energyDraws must be 0 (skip) or an integer >= 2, got ${c.energyDraws}`);
  if (c.levels.some((a) => !(a > 0 && a <= 1)))
    throw new ConfigError(`levels must be in (0, 1], got ${c.levels.join(', ')}`);
  for (const [name, list] of [
    ['ts', c.ts],
    ['noiseSamples', c.noiseSamples],
    ['refine', c.refine],
  ] as const)
    if (list.length === 0) throw new ConfigError(`${name} must not be empty`);
  return c;
}
