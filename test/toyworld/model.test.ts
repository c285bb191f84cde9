import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Tf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { alphaSigma, makeSchedule } from '../../src/diffusion/index.js';
import { flattenParams } from '../../src/nn/index.js';
import { generateImages, guidedEps } from '../../src/pipeline/index.js';
import { TOY_MODEL_DEFAULTS, TOY_TRAIN_PRESETS, toyTrainConfig } from '../../src/toyworld/model/config.js';
import { makeBatch } from '../../src/toyworld/model/data.js';
import { loadToyModel, TOY_SAMPLING, ToyCodec, ToyDenoiser } from '../../src/toyworld/model/denoiser.js';
import {
  patchGeometry,
  patchify,
  segmentPatchMap,
  sequenceRopeTables,
  toyModelApply,
  toyModelInit,
  unpatchify,
} from '../../src/toyworld/model/model.js';
import { encodeCaption, TOKEN_FEATURES, ToyTextEncoder } from '../../src/toyworld/model/text.js';
import { trainToyModel } from '../../src/toyworld/model/train.js';
import { MAX_TOKENS } from '../../src/toyworld/world/caption.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

const tiny = { ...TOY_MODEL_DEFAULTS, dim: 32, depth: 1, heads: 2 };

describe('patches', () => {
  it('unpatchify inverts patchify for every patch size', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 1, max: 3 }), (patch, batch) => {
        const x = new Rng(patch * 7 + batch).normals(batch * 3 * 32 * 32);
        expect(unpatchify(patchify(x, batch, patch), batch, patch)).toEqual(x);
      }),
      { numRuns: 15 },
    );
  });

  it('puts pixel (c, y, x) of an 8-pixel patch at its (c, dy, dx) offset', () => {
    const x = new Float32Array(3 * 32 * 32);
    x[2 * 1024 + 9 * 32 + 17] = 1; // channel 2, row 9, column 17 -> patch (1, 2), offset (2, 1, 1)
    const p = patchify(x, 1, 8);
    expect(p.indexOf(1)).toBe((1 * 4 + 2) * 192 + (2 * 8 + 1) * 8 + 1);
  });
});

describe('grounding map', () => {
  it('spreads each cell onto the patches its objects can cover, and nothing for segment 0', () => {
    const map = segmentPatchMap(TOY_MODEL_DEFAULTS); // 8-pixel patches: 4 x 4
    const row = (seg: number) => Array.from(map.slice(seg * 16, (seg + 1) * 16));
    expect(row(0).every((v) => v === 0)).toBe(true);
    const centre = row(1 + 4); // cell 4 at (16, 16), disc radius 7.25: the four middle patches equally
    for (const p of [5, 6, 9, 10]) expect(centre[p]).toBeCloseTo(centre[5], 12);
    // share of an 8 x 8 patch inside a quarter disc of radius 7.25 at its corner: pi r^2 / 4 / 64 ~ 0.645
    expect(centre[5]).toBeCloseTo((Math.PI * 7.25 ** 2) / 4 / 64, 1);
    expect(centre[0]).toBe(0);
    const topLeft = row(1 + 0); // cell 0 at (7.5, 7.5): mostly patch 0, never the far corner patch 15
    expect(topLeft[0]).toBeGreaterThan(0.5);
    expect(topLeft[15]).toBe(0);
  });
});

describe('toy denoiser', () => {
  it('maps [B, P, Q] patches to [B, P, Q] and reads the caption', () => {
    const params = toyModelInit(new Rng(0), tiny);
    const { patches, values } = patchGeometry(tiny);
    const run = (caption: string) =>
      tf.tidy(() => {
        const words = tf.tensor3d(encodeCaption(caption).data, [1, MAX_TOKENS, TOKEN_FEATURES]);
        const input = {
          patches: tf.tensor3d(new Rng(5).normals(patches * values), [1, patches, values]),
          t: Float32Array.of(0.5),
          words,
        };
        return toyModelApply(params, tiny, input, sequenceRopeTables(tiny)).dataSync();
      });
    const a = run('a large red circle at top on snow');
    expect(a.length).toBe(patches * values);
    expect(a.every(Number.isFinite)).toBe(true);
    const b = run('a large blue circle at top on snow');
    expect(a.some((v, i) => Math.abs(v - b[i]) > 1e-6)).toBe(true);
  });

  it('exposes eps by the standard conversion: sigma z + alpha v (v-model), (z - alpha x0) / sigma (x0-model)', async () => {
    const { alpha, sigma } = alphaSigma(makeSchedule('scaled_linear').alphasCumprod, 700);
    expect(alpha ** 2 + sigma ** 2).toBeCloseTo(1, 12);
    const z = new Rng(9).normals(2 * 3 * 1024);
    const cond = [encodeCaption('a small cyan star at center on night'), encodeCaption('')];
    for (const prediction of ['v_prediction', 'sample'] as const) {
      const config = { ...tiny, prediction };
      const denoiser = new ToyDenoiser(toyModelInit(new Rng(0), config), config);
      const raw = await denoiser.predictRaw(z, 700, cond);
      const eps = await denoiser.predictEps(z, 700, cond);
      for (let i = 0; i < z.length; i += 97) {
        const expected =
          prediction === 'v_prediction' ? sigma * z[i] + alpha * raw[i] : (z[i] - alpha * raw[i]) / sigma;
        expect(eps[i]).toBeCloseTo(expected, 4);
      }
      expect(denoiser.alphasCumprod[899]).toBeCloseTo(0.01429865, 7); // SD-Turbo's scheduler table (scaled_linear 0.00085..0.012)
    }
  });

  it('rejects bad latents, timesteps and embeddings', async () => {
    const denoiser = new ToyDenoiser(toyModelInit(new Rng(0), tiny), tiny);
    const cond = [encodeCaption('a small cyan star at center on night')];
    await expect(denoiser.predictEps(new Float32Array(10), 10, cond)).rejects.toThrow(/latents of 3072/);
    await expect(denoiser.predictEps(new Float32Array(3072), 1000, cond)).rejects.toThrow(/timestep/);
    await expect(
      denoiser.predictEps(new Float32Array(3072), 10, [{ data: new Float32Array(4), shape: [2, 2] }]),
    ).rejects.toThrow(/text embedding/);
    await expect(
      new ToyCodec().encode({ data: new Float32Array(3 * 64 * 64), channels: 3, height: 64, width: 64 }),
    ).rejects.toThrow(/32x32/);
  });

  it('guided eps is eps_u + w (eps_c - eps_u)', () => {
    expect(Array.from(guidedEps(Float32Array.of(1, 2), Float32Array.of(0, 4), 3))).toEqual([3, -2]);
  });

  it('samples k-step DDIM images in [-1, 1], fixed by the seed', async () => {
    const denoiser = new ToyDenoiser(toyModelInit(new Rng(0), tiny), tiny);
    const parts = { denoiser, textEncoder: new ToyTextEncoder(), codec: new ToyCodec(), sampling: TOY_SAMPLING };
    const a = await generateImages(parts, ['a large red circle at top on snow'], new Rng(3), { steps: 3, guidance: 2 });
    const b = await generateImages(parts, ['a large red circle at top on snow'], new Rng(3), { steps: 3, guidance: 2 });
    expect(a[0].data).toEqual(b[0].data);
    expect(a[0].data.every((v) => v >= -1 && v <= 1)).toBe(true);
  });
});

describe('training', () => {
  it('batches hold v = alpha eps - sigma x0 targets for noisy inputs (checked through x0 = alpha z - sigma v)', () => {
    const { alphasCumprod } = makeSchedule('scaled_linear');
    const b = makeBatch(new Rng(4), {
      batch: 3,
      patch: 8,
      prediction: 'v_prediction',
      captionDropout: 0,
      alphasCumprod,
    });
    // x0 recovered from (z, v) must be a valid image in [-1, 1]
    for (let i = 0; i < 3; i++) {
      const { alpha, sigma } = alphaSigma(alphasCumprod, Math.round(b.t[i] * 999));
      for (let j = i * 3072; j < (i + 1) * 3072; j += 31) {
        const x0 = alpha * b.patches[j] - sigma * b.target[j];
        expect(Math.abs(x0)).toBeLessThanOrEqual(1 + 1e-4);
      }
    }
  });

  it('quick preset: finite loss, every parameter changes, interrupted + resumed = uninterrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'toy-train-'));
    const config = toyTrainConfig(TOY_TRAIN_PRESETS.quick);
    const init = toyModelInit(new Rng(7).fork('init'), config.model);
    const before = new Map([...flattenParams(init)].map(([k, v]) => [k, v.dataSync().slice()]));
    const r = await trainToyModel(config, { seed: 7, dir: join(dir, 'a') });
    expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    for (const [name, v] of flattenParams(r.params)) {
      expect(
        v.dataSync().some((x, i) => x !== before.get(name)![i]),
        name,
      ).toBe(true);
    }
    // interrupted at step 5 (a checkpoint), then resumed: the same weights as the uninterrupted run
    const part = await trainToyModel(config, { seed: 7, dir: join(dir, 'b'), stopAfter: 5 });
    expect(part.history.length).toBe(5);
    const resumed = await trainToyModel(config, { seed: 7, dir: join(dir, 'b'), resume: true });
    expect(resumed.resumedFrom).toBe(5);
    expect(readFileSync(join(dir, 'b', 'toy-denoiser.safetensors'))).toEqual(readFileSync(r.weightsPath));
    const loaded = await loadToyModel(r.weightsPath);
    expect(loaded.denoiser.config).toEqual(config.model);
    expect(loaded.metadata.steps).toBe(String(config.steps));
  });

  it('loadToyModel names a missing or foreign weights file', async () => {
    await expect(loadToyModel('/nonexistent/toy.safetensors')).rejects.toThrow(/not found/);
  });
});
