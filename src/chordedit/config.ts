/**
 * ChordEdit settings: one zod schema with the paper's defaults (ChordEdit, CVPR 2026, Sec. 4 and
 * its reference pipeline_chord.py), presets, the edit methods, and `validateChordConfig`, which
 * checks every field or, only when asked with `sanitize: true`, first applies the reference's clamps
 * (`_prepare_edit_params`) and reports each change it made. The `edit` flags come from this schema.
 */
import { z } from 'zod';
import { parseConfig } from '../core/config.js';
import { checkNumber, checkOneOf } from '../core/errors.js';

/**
 * The edit methods: ChordEdit and the baselines that share its code paths.
 * - 'chord': ChordEdit (Lu et al. 2026).
 * - 'naive': the one-time residual, ChordEdit with delta = 0.
 * - 'sdedit': SDEdit as Meng et al. 2022 define it (noise to t, reverse SDE as DDPM ancestral steps, fresh seeded noise).
 * - 'sdedit-ddim': SDEdit's deterministic variant (noise to t, DDIM steps: the probability-flow ODE).
 * - 'ddim-inversion': DDIM inversion with the source prompt, DDIM regeneration with the target prompt.
 */
export const EDIT_METHODS = ['chord', 'naive', 'sdedit', 'sdedit-ddim', 'ddim-inversion'] as const;
export type EditMethod = (typeof EDIT_METHODS)[number];

/**
 * The ChordEdit knobs with the paper's defaults. Time convention (the reference code's): t is the
 * noise level of a query, 1 = pure noise, 0 = clean.
 */
export const chordConfigSchema = z
  .strictObject({
    t: z
      .number()
      .gt(0)
      .max(1)
      .default(0.9)
      .describe('query time t, the noise level of the first query (reference t_start)'),
    delta: z
      .number()
      .min(0)
      .default(0.15)
      .describe(
        'chord window delta in [0, t): the second query is at t - delta; 0 = the naive residual (reference t_delta)',
      ),
    lambda: z
      .number()
      .positive()
      .default(1)
      .describe('step scale lambda of the transport x + lambda u (reference step_scale)'),
    tc: z.number().gt(0).lt(1).default(0.3).describe('proximal refinement time t_c'),
    refine: z.boolean().default(true).describe('run the proximal refinement (+1 NFE)'),
    noiseSamples: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe('independent noise draws averaged in each residual field'),
    steps: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1)
      .describe('transport steps on linspace(t, tEnd, steps); the DDIM steps k of the baselines'),
    tEnd: z
      .number()
      .min(0)
      .nullable()
      .default(null)
      .describe('last time of the multi-step grid, in [0, t] (default: t_c)'),
    sanitize: z
      .boolean()
      .default(false)
      .describe("apply the reference's clamps instead of rejecting out-of-range values (changes are reported)"),
  })
  .superRefine((c, ctx) => {
    if (c.delta >= c.t) ctx.addIssue({ code: 'custom', path: ['delta'], message: `must be in [0, t) = [0, ${c.t})` });
    if (c.tEnd !== null && c.tEnd > c.t)
      ctx.addIssue({ code: 'custom', path: ['tEnd'], message: `must be <= t (${c.t})` });
  });
export type ChordConfig = z.output<typeof chordConfigSchema>;

export const CHORD_DEFAULTS: Readonly<ChordConfig> = Object.freeze(chordConfigSchema.parse({}));

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
  let c = { ...CHORD_DEFAULTS, ...partial };
  let adjustments: string[] = [];
  if (c.sanitize) {
    for (const key of ['t', 'delta', 'noiseSamples', 'steps'] as const) checkNumber(key, c[key]);
    ({ config: c, adjustments } = sanitizeConfig(c, trainSteps - 1));
  }
  const valid = parseConfig(chordConfigSchema, c);
  return { ...valid, tEnd: valid.tEnd ?? Math.min(valid.tc, valid.t), adjustments };
}

/** Checks a method name against the allowed set. */
export function checkMethod(method: unknown): EditMethod {
  return checkOneOf('method', method, EDIT_METHODS);
}
