import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChordEditor } from '../../src/chordedit/index.js';
import { ShapeError } from '../../src/core/errors.js';
import type { Image } from '../../src/core/image.js';
import { makeSchedule } from '../../src/diffusion/index.js';
import { type DiffusersPipeline, editSize, loadPipeline } from '../../src/pipeline/index.js';
import { type FixtureOptions, tinyVocab, writeSdTurboFixture } from '../../testkit/sd-turbo-fixture.js';

const dirs: string[] = [];
const models: { dispose(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(models.map((m) => m.dispose()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fixture(options: FixtureOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sdt-'));
  dirs.push(dir);
  return writeSdTurboFixture(dir, options);
}

async function load(options: FixtureOptions = {}): Promise<DiffusersPipeline> {
  const m = await loadPipeline(fixture(options));
  models.push(m);
  return m;
}

const ID = tinyVocab();
const idsOf = (...tokens: string[]) => [49406, ...tokens.map((t) => ID[t]), 49407];

describe('SD-Turbo-shaped folders', () => {
  for (const variant of [
    { dtype: 'float32', tol: 1e-6 },
    { dtype: 'float16', tol: 2e-3, idsDtype: 'int64' },
    { dtype: 'float32', tol: 1e-6, fixedBatch: true },
  ] as const) {
    it(`text encoder and UNet give their closed forms (${JSON.stringify(variant)})`, async () => {
      const m = await load(variant);
      expect(m.layout).toBe('diffusers');
      const [cat, dogOnSnow] = await m.textEncoder.encode(['A  Cat', 'dog on snow']);
      expect(cat.shape).toEqual([77, 8]);
      const ids = idsOf('a</w>', 'cat</w>');
      for (let j = 0; j < 77; j++) {
        for (let d = 0; d < 8; d++) {
          const expected = ((ids[j] ?? 0) * (d + 1)) / 1024;
          expect(Math.abs(cat.data[j * 8 + d] - expected)).toBeLessThanOrEqual(variant.tol * (1 + expected) * 100);
        }
      }
      const { denoiser } = m.parts(16, 8);
      expect(denoiser.latentShape).toEqual([4, 2, 1]);
      const z = Float32Array.from({ length: 16 }, (_, i) => i / 8 - 1);
      const eps = await denoiser.predictEps(z, 899, [cat, dogOnSnow]);
      const mean = (e: Float32Array) => e.reduce((a, b) => a + b, 0) / e.length;
      z.forEach((v, i) => {
        const expected = 0.5 * v + mean(i < 8 ? cat.data : dogOnSnow.data) + 0.899;
        expect(Math.abs(eps[i] - expected)).toBeLessThanOrEqual(variant.tol * (1 + Math.abs(expected)) * 10);
      });
    });
  }

  it('VAE: encoder mean (first 4 of 8 channels) x 0.18215, decoder / 0.18215; block images round-trip', async () => {
    for (const encoderOutput of ['latent_parameters', 'latent_sample'] as const) {
      const m = await load({ encoderOutput });
      const { codec } = m.parts(16, 16);
      const image: Image = { channels: 3, height: 16, width: 16, data: new Float32Array(768) };
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 16; y++)
          for (let x = 0; x < 16; x++)
            image.data[c * 256 + y * 16 + x] = (c - 1) * 0.3 + (y >= 8 ? 0.2 : -0.1) + (x >= 8 ? 0.1 : 0);
      const latent = await codec.encode(image);
      expect(latent.length).toBe(16);
      expect(latent[0]).toBeCloseTo((-0.3 - 0.1) * 0.18215, 6); // channel 0, block (0, 0)
      expect(latent[3]).toBeCloseTo((-0.3 + 0.2 + 0.1) * 0.18215, 6); // channel 0, block (1, 1)
      expect(latent[12]).toBeCloseTo((-0.3 - 0.1) * 0.18215, 6); // channel 3 reads RGB channel 0
      const back = await codec.decode(latent);
      expect(back).toMatchObject({ channels: 3, height: 16, width: 16 });
      for (const [i, v] of back.data.entries()) expect(v).toBeCloseTo(image.data[i], 5);
    }
  });

  it('the whole ChordEdit pipeline matches its closed form on the generated graphs', async () => {
    const m = await load();
    const parts = m.parts(16, 16);
    const image: Image = {
      channels: 3,
      height: 16,
      width: 16,
      data: Float32Array.from({ length: 768 }, (_, i) => Math.sin(i) * 0.5),
    };
    const xSrc = await parts.codec.encode(image);
    const out = await new ChordEditor(parts).edit({
      image,
      source: 'a cat',
      target: 'a dog',
      seed: 3,
      config: { refine: false },
    });
    const [src, tar] = await parts.textEncoder.encode(['a cat', 'a dog']);
    const mean = (e: Float32Array) => e.reduce((a, b) => a + b, 0) / e.length;
    const abar = makeSchedule('scaled_linear').alphasCumprod;
    // x0_hat = (z - sigma (0.5 z + m_c + 0.001 idx)) / alpha, so R_s = -sigma_s (m_tar - m_src) / alpha_s
    const r = (idx: number) => (-Math.sqrt(1 - abar[idx]) * (mean(tar.data) - mean(src.data))) / Math.sqrt(abar[idx]);
    const u = (0.9 * r(749) + 0.15 * r(899)) / 1.05;
    for (const [i, v] of out.latent.entries()) expect(v).toBeCloseTo(xSrc[i] + u, 4);
    expect(out.image).toMatchObject({ channels: 3, height: 16, width: 16 });
    expect(out.diagnostics).toMatchObject({ nfe: 1, modelCalls: 1 }); // both times and prompts in one unet call
  });

  it('edit size: long side <= 512, multiples of 8', () => {
    expect(editSize(600, 800)).toEqual({ height: 384, width: 512 });
    expect(editSize(100, 61)).toEqual({ height: 104, width: 64 });
    expect(editSize(3, 3)).toEqual({ height: 8, width: 8 });
  });
});

describe('SD-Turbo folder failures are clear errors', () => {
  it('missing graph, missing tokenizer, missing folder', async () => {
    const dir = fixture();
    rmSync(join(dir, 'unet'), { recursive: true });
    await expect(loadPipeline(dir)).rejects.toThrow(/has no unet\/model.onnx/);
    const dir2 = fixture();
    rmSync(join(dir2, 'tokenizer', 'merges.txt'));
    await expect(loadPipeline(dir2)).rejects.toThrow(/tokenizer file not found: .*merges.txt/);
    await expect(loadPipeline('/no/such/folder')).rejects.toThrow(/model folder not found/);
  });
  it('wrong input name', async () => {
    await expect(loadPipeline(fixture({ unetTextInput: 'text_embeds' }))).rejects.toThrow(
      /has no input "encoder_hidden_states"; its inputs are: sample, timestep, text_embeds/,
    );
  });
  it('wrong latent channels', async () => {
    await expect(loadPipeline(fixture({ unetChannels: 3 }))).rejects.toThrow(ShapeError);
    await expect(loadPipeline(fixture({ unetChannels: 3 }))).rejects.toThrow(
      /wrong latent channels: .*unet.* 3 channels, expected 4/,
    );
    await expect(loadPipeline(fixture({ encoderChannels: 6 }))).rejects.toThrow(/outputs 6 channels, expected 4 or 8/);
  });
  it('corrupt graph', async () => {
    const dir = fixture();
    writeFileSync(join(dir, 'vae_decoder', 'model.onnx'), new Uint8Array([8, 1, 0xff, 0xff, 0xff]));
    await expect(loadPipeline(dir)).rejects.toThrow(/cannot load ONNX model .*vae_decoder/);
  });
  it('the onnxruntime-web layout (no configs, no vae_encoder) loads with SD-Turbo values but cannot encode a photo', async () => {
    const m = await load({ withEncoder: false, dtype: 'float16', fixedBatch: true, withConfigs: false });
    expect(m.config.vae.scalingFactor).toBe(0.18215);
    expect(m.layout).toBe('ort-web');
    const image: Image = { channels: 3, height: 8, width: 8, data: new Float32Array(192) };
    await expect(m.parts(8, 8).codec.encode(image)).rejects.toThrow(/has no vae_encoder/);
  });
});
