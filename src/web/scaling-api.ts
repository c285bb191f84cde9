/**
 * The Scaling page's API: a preset law (LAW_PRESETS) or a law fitted to uploaded runs (Approach 3,
 * Hoffmann et al. 2022 sec. 3.3, with a small multi-start grid so it answers in seconds), drawn as
 * filled loss contours over (N, D) with iso-FLOP lines C = 6ND (Kaplan sec. 2.1) and the
 * compute-optimal allocation (Hoffmann eq. 4) at a chosen budget; figures are the scaling part's
 * lab specs (the web page draws the same ones in the browser) rendered to SVG with the report's
 * vegaLiteToSvg. All maths comes from the scaling part. Kept for scripts; the page computes itself.
 */
import { z } from 'zod';
import { vegaLiteToSvg } from '../report/vega.js';
import {
  computeOptimal,
  contourSpec,
  fitApproach3,
  isoFlopSpec,
  LAW_NAMES,
  LAW_PRESETS,
  type ParametricLaw,
  parseRunsCsv,
  type RunsWithFlops,
  type StartGrid,
} from '../scaling/index.js';

/** The lab's small start grid: 3 x 3 x 2 x 2 x 2 = 72 starts (the replication's full grid has 4500). */
export const LAB_FIT_GRID: StartGrid = {
  a: [0, 10, 20],
  b: [0, 10, 20],
  e: [-1, 0.5],
  alpha: [0.2, 0.6],
  beta: [0.2, 0.6],
};

const budget = z.number().min(1e15).max(1e30);
export const lawSchema = z.strictObject({ law: z.enum(LAW_NAMES as [string, ...string[]]), budget });
export const fitSchema = z.strictObject({ csv: z.string().min(1), budget });

/** Figures and allocation of one law at one budget. */
async function lawAnswer(law: ParametricLaw, flops: number, runs?: RunsWithFlops) {
  return {
    law: { E: law.E, A: law.A, B: law.B, alpha: law.alpha, beta: law.beta },
    allocation: computeOptimal(law, flops),
    contourSvg: await vegaLiteToSvg(contourSpec(law, flops, runs)),
    isoFlopSvg: await vegaLiteToSvg(isoFlopSpec(law, flops)),
  };
}

/** Answer of POST /api/scaling/law. */
export async function presetAnswer(body: z.infer<typeof lawSchema>) {
  return { source: body.law, ...(await lawAnswer(LAW_PRESETS[body.law as keyof typeof LAW_PRESETS], body.budget)) };
}

/** Runs from uploaded CSV text (the scaling part's parser; messages name "the uploaded CSV"). */
export function runsFromCsvText(text: string): RunsWithFlops {
  return parseRunsCsv(text, 'the uploaded CSV');
}

/** Answer of POST /api/scaling/fit. */
export async function fitAnswer(body: z.infer<typeof fitSchema>) {
  const runs = runsFromCsvText(body.csv);
  const fit = fitApproach3(runs, { grid: LAB_FIT_GRID, polish: 2 });
  return {
    source: 'fit',
    fit: { runs: fit.runs, starts: fit.starts, converged: fit.converged, objective: fit.objective },
    ...(await lawAnswer(fit, body.budget, runs)),
  };
}
