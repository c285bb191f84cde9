import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chordEdit, type Denoiser, type TextEmbedding, validateChordConfig } from '../../src/chordedit/index.js';
import { makeSchedule, timestepsPerItem } from '../../src/diffusion/index.js';

/** Golden values from a PyTorch re-implementation of the reference loop (fixtures/make_golden.py). */
interface Golden {
  shape: number[];
  w: number[];
  x: number[];
  src: number[];
  tar: number[];
  cases: {
    config: {
      t: number;
      delta: number;
      lambda: number;
      tEnd: number;
      steps: number;
      noiseSamples: number;
      refine: boolean;
    };
    noises: number[][];
    expected: number[];
  }[];
}
const golden = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'golden.json'), 'utf8')) as Golden;

/** The same toy linear eps-model as the script: eps = 0.5 z + w mean(c) + 0.001 idx. */
const w = Float32Array.from(golden.w);
const denoiser: Denoiser = {
  latentShape: golden.shape,
  alphasCumprod: makeSchedule('scaled_linear').alphasCumprod,
  async predictEps(z, timesteps, cond) {
    const n = w.length;
    const idx = timestepsPerItem(timesteps, cond.length, 1000);
    const out = new Float32Array(z.length);
    cond.forEach((c, b) => {
      const m = c.data.reduce((s, v) => s + v, 0) / c.data.length;
      for (let i = 0; i < n; i++) out[b * n + i] = 0.5 * z[b * n + i] + w[i] * m + 0.001 * idx[b];
    });
    return out;
  },
};
const emb = (v: number[]): TextEmbedding => ({ data: Float32Array.from(v), shape: [5, 3] });

describe('ChordEdit against the reference loop (PyTorch golden values)', () => {
  for (const c of golden.cases) {
    it(`matches ${JSON.stringify(c.config)}`, async () => {
      const { tEnd, ...rest } = c.config;
      const cfg = validateChordConfig({ ...rest, tEnd, tc: tEnd }); // the reference refines at its t_end
      const out = await chordEdit(
        denoiser,
        Float32Array.from(golden.x),
        c.noises.map((n) => Float32Array.from(n)),
        cfg,
        emb(golden.src),
        emb(golden.tar),
      );
      expect(out.latent.length).toBe(c.expected.length);
      for (let i = 0; i < c.expected.length; i++)
        expect(Math.abs(out.latent[i] - c.expected[i])).toBeLessThan(1e-5 * (1 + Math.abs(c.expected[i])));
    });
  }
});
