/**
 * Summaries of parameter-recovery runs (bench/physics/recovery.ts writes them to
 * assets/physics/<suite>.json): per system and parameter, the median estimate and the median and
 * range of the relative error over seeds. Pure functions on plain objects (tested in
 * test/physics/summary.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { ParamEstimate } from './train.js';

/** One training run as stored by the recovery bench. */
export interface RecoveryRun {
  system: string;
  seed: number;
  /** Preset of the run (older files: the suite's). */
  preset?: string;
  /** Block variant of bench/physics/recovery.ts (--variant), when not the system's own. */
  variant?: string;
  substeps: number;
  noise: number;
  background: string;
  /** Epochs of the run (older files: the suite's config). */
  epochs?: number;
  params: Record<string, ParamEstimate>;
  /** The law refitted to the encoded frames with free clip starts (ours, ../physics/refit.ts), when stored. */
  refit?: Record<string, ParamEstimate>;
  /** The physics block's values (latent units), when stored. */
  raw?: Record<string, number>;
  latentFit?: { scale: number; offset: number; r2: number };
  secondsPerEpoch: number;
  cpuSecondsPerEpoch?: number;
}

/** A stored suite (see bench/physics/recovery.ts). */
export interface RecoverySuite {
  command: string;
  suite: string;
  preset: string;
  config: Record<string, unknown>;
  seeds: number[];
  wallSeconds: number;
  runs: RecoveryRun[];
  curves: Record<string, Record<string, number>[]>;
  traces: Record<string, { clip: number; t: number; state: number; latentInStateUnits: number | null }[]>;
}

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface RecoveryRow {
  system: string;
  param: string;
  preset: string;
  variant: string;
  substeps: number;
  noise: number;
  background: string;
  epochs: number;
  seeds: number;
  trueValue: number;
  medianEstimate: number;
  medianError: number;
  minError: number;
  maxError: number;
  /** The same over the refitted law's estimates (NaN when a run has none). */
  refitMedianEstimate: number;
  refitMedianError: number;
  refitMaxError: number;
  medianR2: number;
  /** Median CPU seconds per epoch (NaN when not recorded). */
  cpuSecondsPerEpoch: number;
}

/** The runs of every stored suite named `name` (all when omitted), each tagged with its preset. */
export function suiteRuns(suites: readonly RecoverySuite[], name?: string): RecoveryRun[] {
  return suites
    .filter((s) => name === undefined || s.suite === name)
    .flatMap((s) => s.runs.map((r) => ({ ...r, preset: r.preset ?? s.preset })));
}

/**
 * Groups runs by (system, parameter, preset, variant, substeps, noise, background, epochs) and
 * summarises each group; `preset` fills in for runs stored without one.
 */
export function summarizeRuns(runs: readonly RecoveryRun[], preset = 'fast'): RecoveryRow[] {
  const groups = new Map<string, { run: RecoveryRun; param: string }[]>();
  for (const run of runs) {
    for (const param of Object.keys(run.params)) {
      const key = JSON.stringify([
        run.system,
        param,
        run.preset ?? preset,
        run.variant ?? '',
        run.substeps,
        run.noise,
        run.background,
        run.epochs,
      ]);
      groups.set(key, [...(groups.get(key) ?? []), { run, param }]);
    }
  }
  return [...groups.values()].map((g) => {
    const { run, param } = g[0];
    const errors = g.map((x) => x.run.params[param].relativeError ?? Number.NaN);
    const refit = g.map((x) => x.run.refit?.[param]);
    const refitErrors = refit.map((e) => e?.relativeError ?? Number.NaN);
    return {
      system: run.system,
      param,
      preset: run.preset ?? preset,
      variant: run.variant ?? '',
      substeps: run.substeps,
      noise: run.noise,
      background: run.background,
      epochs: run.epochs ?? Number.NaN,
      seeds: g.length,
      trueValue: run.params[param].true ?? Number.NaN,
      medianEstimate: median(g.map((x) => x.run.params[param].estimate)),
      medianError: median(errors),
      minError: Math.min(...errors),
      maxError: Math.max(...errors),
      refitMedianEstimate: median(refit.map((e) => e?.estimate ?? Number.NaN)),
      refitMedianError: median(refitErrors),
      refitMaxError: Math.max(...refitErrors),
      medianR2: median(g.map((x) => x.run.latentFit?.r2 ?? Number.NaN)),
      cpuSecondsPerEpoch: median(g.map((x) => x.run.cpuSecondsPerEpoch ?? Number.NaN)),
    };
  });
}

/** Reads a stored suite, or null when the file does not exist yet. */
export function readSuite(path: string): RecoverySuite | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RecoverySuite;
  } catch (err) {
    throw new InputError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Every suite file (*.json) in `dir`, in name order; none when the folder does not exist. */
export function readSuites(dir: string): RecoverySuite[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => readSuite(join(dir, n)))
    .filter((s): s is RecoverySuite => s !== null);
}

/** One suite from several files of the same suite (runs, curves and traces concatenated). */
export function mergeSuites(parts: readonly RecoverySuite[]): RecoverySuite {
  return {
    ...parts[0],
    command: parts.map((p) => p.command).join('; '),
    wallSeconds: parts.reduce((s, p) => s + p.wallSeconds, 0),
    runs: parts.flatMap((p) => p.runs),
    curves: Object.assign({}, ...parts.map((p) => p.curves)),
    traces: Object.assign({}, ...parts.map((p) => p.traces)),
  };
}
