/**
 * ChordEdit settings: one typed config with documented defaults (the paper's, Lu et al. 2026),
 * presets, the edit methods, and `validateChordConfig`, which checks every field (issue 4, item 1)
 * or, only when asked with `sanitize: true`, applies the reference's clamps (pipeline_chord.py,
 * `_prepare_edit_params`) and reports each change it made.
 */
import { ConfigError, checkNumber, checkOneOf } from '../core/errors.js';

/** The edit methods: ChordEdit and the three baselines that share its code paths. */
export const EDIT_METHODS = ['chord', 'naive', 'sdedit', 'ddim-inversion'] as const;
export type EditMethod = (typeof EDIT_METHODS)[number];

/** Time convention (the reference code's): t is the noise level of a query, 1 = pure noise, 0 = clean. */
export interface ChordConfig {
  /** Query time t (reference `t_start`). Default 0.90, range (0, 1]. */
  t: number;
  /** Chord window delta: the second query is at t - delta (reference `t_delta`). Default 0.15, range [0, t). 0 = naive. */
  delta: number;
  /** Step scale lambda of the transport x_pred = x + lambda u (reference `step_scale`). Default 1, finite > 0. */
  lambda: number;
  /** Proximal refinement time t_c. Default 0.30, range (0, 1). */
  tc: number;
  /** Run the proximal refinement (+1 NFE). Default true. */
  refine: boolean;
  /** n: independent noise draws averaged inside each residual field. Default 1, integer >= 1. */
  noiseSamples: number;
  /** Transport steps on linspace(t, tEnd, steps) (also the DDIM steps k of the baselines). Default 1, integer >= 1. */
  steps: number;
  /** Last time of the multi-step grid; null = tc (the reference uses one `t_end` for both). Range [0, t]. */
  tEnd: number | null;
  /** Apply the reference's clamps instead of rejecting out-of-range values (changes are reported). Default false. */
  sanitize: boolean;
}

export const CHORD_DEFAULTS: Readonly<ChordConfig> = Object.freeze({
  t: 0.9,
  delta: 0.15,
  lambda: 1,
  tc: 0.3,
  refine: true,
  noiseSamples: 1,
  steps: 1,
  tEnd: null,
  sanitize: false,
});

/** Presets: small partial objects merged over the defaults. */
export const CHORD_PRESETS = Object.freeze({
  /** The paper's default (NFE 2). */
  paper: {},
  /** One network evaluation: no refinement (paper, table "ChordEdit no refinement"). */
  oneStep: { refine: false },
  /** The naive one-time residual baseline (delta = 0). */
  naive: { delta: 0 },
} satisfies Record<string, Partial<ChordConfig>>);

/** A validated config plus the list of changes the sanitation made (empty unless `sanitize`). */
export interface ValidConfig extends ChordConfig {
  tEnd: number;
  adjustments: string[];
}

/** The reference's clamps (`_prepare_edit_params`), each change recorded in words. */
function sanitizeConfig(c: ChordConfig, maxIndex: number): { config: ChordConfig; adjustments: string[] } {
  const out = { ...c };
  const adjustments: string[] = [];
  const set = <K extends keyof ChordConfig>(key: K, value: ChordConfig[K], why: string) => {
    if (out[key] !== value) adjustments.push(`${key} ${show(out[key])} -> ${show(value)} (${why})`);
    out[key] = value;
  };
  set('noiseSamples', Math.max(1, Math.trunc(c.noiseSamples)), 'integer >= 1');
  set('steps', Math.max(1, Math.trunc(c.steps)), 'integer >= 1');
  set('t', Math.max(0, Math.min(1, c.t)), 'clamped to [0, 1]');
  if (c.tEnd !== null) set('tEnd', Math.max(0, Math.min(out.t, c.tEnd)), 'clamped to [0, t]');
  let delta = Math.max(0, Math.min(1, c.delta));
  if (delta >= out.t) delta = Math.max(0, out.t - 1 / maxIndex);
  set('delta', delta, 'clamped to [0, t - 1/999]');
  return { config: out, adjustments };
}

function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/**
 * Checks every field (t in (0, 1], delta in [0, t), lambda finite > 0, tc in (0, 1), noiseSamples
 * and steps integers >= 1, tEnd in [0, t]); with `sanitize` first applies the reference's clamps.
 */
export function validateChordConfig(partial: Partial<ChordConfig> = {}, trainSteps = 1000): ValidConfig {
  for (const key of Object.keys(partial)) {
    if (!(key in CHORD_DEFAULTS)) {
      throw new ConfigError(
        `unknown ChordEdit option ${JSON.stringify(key)}; known: ${Object.keys(CHORD_DEFAULTS).join(', ')}`,
      );
    }
  }
  let c: ChordConfig = { ...CHORD_DEFAULTS, ...partial };
  let adjustments: string[] = [];
  for (const key of ['t', 'delta', 'lambda', 'tc', 'noiseSamples', 'steps'] as const) checkNumber(key, c[key]);
  if (c.sanitize) ({ config: c, adjustments } = sanitizeConfig(c, trainSteps - 1));
  checkNumber('t', c.t, { min: 0, max: 1, minExclusive: true });
  checkNumber('delta', c.delta, { min: 0, max: c.t, maxExclusive: true });
  checkNumber('lambda', c.lambda, { min: 0, minExclusive: true });
  checkNumber('tc', c.tc, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  checkNumber('noiseSamples', c.noiseSamples, { min: 1, max: 64, integer: true });
  checkNumber('steps', c.steps, { min: 1, max: 1000, integer: true });
  const tEnd = c.tEnd === null ? Math.min(c.tc, c.t) : checkNumber('tEnd', c.tEnd, { min: 0, max: c.t });
  if (typeof c.refine !== 'boolean') throw new ConfigError(`refine must be true or false, got ${show(c.refine)}`);
  return { ...c, tEnd, adjustments };
}

/** Checks a method name against the allowed set. */
export function checkMethod(method: unknown): EditMethod {
  return checkOneOf('method', method, EDIT_METHODS);
}
