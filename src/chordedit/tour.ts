/**
 * Tour section: ChordEdit on the closed-form Gaussian model (./analytic.ts), where every step has an
 * exact answer: the pipeline is checked against the closed form, the chord field's energy is set
 * against the bound mean(u^2) <= (t mean(R_{t-d}^2) + d mean(R_t^2)) / (t + d), and the methods are
 * compared on a small two-class "scene" (a disc vs a square on the same background).
 * The toy-model image grid is the toyworld section's.
 */
import { encodePng, type Image, imageGrid } from '../core/image.js';
import { Rng } from '../core/rng.js';
import type { SectionResult, TourContext, TourSection } from '../core/tour-section.js';
import { ClassTextEncoder, GaussianDenoiser } from './analytic.js';
import { EDIT_METHODS } from './config.js';
import { ChordEditor } from './editor.js';
import { backgroundMetrics } from './metrics.js';

const SIZE = 32;

/** Class means: the same sky/ground background with a red disc (0) or a blue square (1); edit mask = where they differ. */
export function twoClassScene(): { means: Float32Array[]; editMask: Float32Array } {
  const hw = SIZE * SIZE;
  const means = [0, 1].map((k) => {
    const m = new Float32Array(3 * hw);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const i = y * SIZE + x;
        const sky = y < 20;
        let rgb = sky ? [0.2, 0.5, 0.9] : [0.2, 0.7, 0.25];
        const inDisc = (x - 16) ** 2 + (y - 14) ** 2 < 49;
        const inSquare = Math.abs(x - 16) < 7 && Math.abs(y - 14) < 7;
        if (k === 0 && inDisc) rgb = [0.9, 0.15, 0.1];
        if (k === 1 && inSquare) rgb = [0.15, 0.2, 0.85];
        for (let c = 0; c < 3; c++) m[c * hw + i] = rgb[c] * 2 - 1;
      }
    }
    return m;
  });
  const editMask = new Float32Array(hw).map((_, i) =>
    means[0].some((_, j) => j % hw === i && means[0][j] !== means[1][j]) ? 1 : 0,
  );
  return { means, editMask };
}

const asImage = (data: Float32Array): Image => ({
  data: data.map((v) => Math.max(-1, Math.min(1, v))),
  channels: 3,
  height: SIZE,
  width: SIZE,
});

async function run(ctx: TourContext): Promise<SectionResult> {
  const { means, editMask } = twoClassScene();
  const variance = 0.01;
  const denoiser = new GaussianDenoiser({ latentShape: [3, SIZE, SIZE], means, variance });
  const parts = { denoiser, textEncoder: new ClassTextEncoder(['a red disc', 'a blue square']) };
  const editor = new ChordEditor(parts);
  const rng = new Rng(ctx.seed).fork('chordedit-tour');
  const x = means[0].map((m) => m + Math.sqrt(variance) * rng.normal()); // a sample of the source class
  const req = { latent: x, source: 'a red disc', target: 'a blue square', seed: ctx.seed } as const;

  // 1. Exactness: u is closed-form on this model, so the one-step edit is x + lambda u exactly.
  const chord = await editor.edit({ ...req, config: { refine: false } });
  let maxErr = 0;
  const abar = denoiser.alphasCumprod;
  const g = (s: number) => {
    const a = abar[Math.round(999 * s)];
    return (1 - a) / (a * variance + 1 - a);
  };
  const uScale = (0.9 * g(0.75) + 0.15 * g(0.9)) / 1.05;
  for (let i = 0; i < x.length; i++)
    maxErr = Math.max(maxErr, Math.abs(chord.latent[i] - (x[i] + uScale * (means[1][i] - means[0][i]))));

  // 2. Energy of the chord field against the bound, for several windows delta.
  const deltas = ctx.quick ? [0, 0.15] : [0, 0.05, 0.15, 0.3, 0.6];
  const energyRows: (string | number)[][] = [];
  for (const delta of deltas) {
    const out = await editor.edit({ ...req, config: { delta, refine: false } });
    const s = out.diagnostics.steps[0];
    const bound = delta === 0 ? s.energyRNow : (0.9 * s.energyRPrev + delta * s.energyRNow) / (0.9 + delta);
    energyRows.push([delta, s.energyRNow, s.energyRPrev, s.energyU, bound]);
  }

  // 3. The methods side by side: background kept (PSNR outside the edit mask) and distance to the target mean inside.
  const images: Image[] = [asImage(x)];
  const methodRows: (string | number)[][] = [];
  const variants = [
    ...EDIT_METHODS.map((method) => ({ name: method, method, refine: true })),
    { name: 'chord, no refinement', method: 'chord' as const, refine: false },
  ];
  for (const { name, method, refine } of variants) {
    const out = await editor.edit({ ...req, method, config: { refine, steps: method === 'ddim-inversion' ? 10 : 1 } });
    const img = asImage(out.latent);
    images.push(img);
    const bg = backgroundMetrics(asImage(x), img, editMask);
    let inside = 0;
    let n = 0;
    for (let i = 0; i < out.latent.length; i++) {
      if (editMask[i % (SIZE * SIZE)]) {
        inside += (out.latent[i] - means[1][i]) ** 2;
        n++;
      }
    }
    const psnr = Number.isFinite(bg.psnr) ? bg.psnr : '∞ (unchanged)';
    methodRows.push([name, out.diagnostics.nfe, psnr, bg.ssim, Math.sqrt(inside / n)]);
  }
  images.push(asImage(means[1]));
  const grid = imageGrid(images, images.length, 2);

  return {
    summary:
      'ChordEdit on a Gaussian class-conditional model, where the x0-estimates (and hence the residual fields R, the chord field u and the edit) are closed-form.' +
      `\n\nThe one-step edit matches its closed form to ${maxErr.toExponential(1)} (float32). The chord field's energy mean(u²) never exceeds the convex bound, and δ = 0 is the naive residual. ` +
      'On this model R_s barely changes with s (the class variance is small), so the chord window lowers the energy only slightly; the proximal refinement also denoises the source sample, which costs background PSNR here.',
    tables: [
      {
        caption:
          'Energy of the chord field (t = 0.9): mean(R_t²), mean(R_{t−δ}²), mean(u²) and the bound (t·mean(R_{t−δ}²) + δ·mean(R_t²))/(t+δ)',
        columns: ['δ', 'mean(R_t²)', 'mean(R_{t−δ}²)', 'mean(u²)', 'bound'],
        rows: energyRows,
      },
      {
        caption: 'Methods on one source sample (red disc → blue square); background = outside the edit mask',
        columns: ['method', 'NFE', 'background PSNR (dB)', 'background SSIM', 'RMS to target inside mask'],
        rows: methodRows,
      },
    ],
    images: [
      {
        caption: `source sample | ${variants.map((v) => v.name).join(' | ')} | target class mean`,
        png: await encodePng(grid),
        displayWidth: images.length * 100,
      },
    ],
    data: { closedFormMaxError: maxErr, energy: energyRows, methods: methodRows },
  };
}

export const section: TourSection = {
  id: 'chordedit',
  title: 'ChordEdit: one-step low-energy editing (closed-form check)',
  run,
};
