import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChordEditor } from '../../src/chordedit/index.js';
import { InputError } from '../../src/core/errors.js';
import { type Image, writeImage } from '../../src/core/image.js';
import { Rng } from '../../src/core/rng.js';
import { alphaSigma, makeSchedule } from '../../src/diffusion/index.js';
import {
  type DiffusersPipeline,
  loadPipeline,
  type PipelineConfig,
  resolveConfig,
  SD_TURBO_CONFIG,
  SHIPPED_MODELS,
} from '../../src/pipeline/index.js';
import { loadToyModel, toyOnnxFiles } from '../../src/toyworld/model/index.js';
import { captionOf, renderScene, sampleScene } from '../../src/toyworld/world/index.js';
import { runCliCaptured } from '../support/cli.js';

// Modified copies of the shipped toy folder: each config change must change the pipeline's
// behaviour exactly as the config says, and each broken folder must be one clear error.
const tmp = mkdtempSync(join(tmpdir(), 'pipeline-config-'));
const open: DiffusersPipeline[] = [];
afterAll(async () => {
  await Promise.all(open.map((p) => p.dispose()));
  rmSync(tmp, { recursive: true, force: true });
});

let count = 0;
/** A copy of the shipped toy folder with `edit(dir)` applied. */
function copy(edit: (dir: string) => void = () => {}): string {
  const dir = join(tmp, `copy${count++}`);
  cpSync(SHIPPED_MODELS.toy, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** Changes fields of a JSON config in place. */
function patch(dir: string, file: string, fields: Record<string, unknown>): void {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), ...fields }));
}

async function load(dir: string): Promise<DiffusersPipeline> {
  const p = await loadPipeline(dir, { threads: 1 });
  open.push(p);
  return p;
}

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Two noisy toy scenes and their captions. */
function inputs() {
  const rng = new Rng(8);
  const scenes = [sampleScene(rng), sampleScene(rng)];
  const z = new Float32Array(2 * 3072);
  scenes.forEach((s, i) => {
    z.set(
      renderScene(s).data.map((v) => 0.6 * v + 0.8 * rng.normal()),
      i * 3072,
    );
  });
  return { z, captions: scenes.map(captionOf) };
}

let shipped: DiffusersPipeline;
beforeAll(async () => {
  shipped = await load(SHIPPED_MODELS.toy);
});

describe('the toy folder read from its configs', () => {
  it('schedule, prediction type, spacing, clipping, VAE factor, latent shape and tokenizer length come from the folder', () => {
    const c = shipped.config;
    expect(c.scheduler).toMatchObject({
      betaSchedule: 'scaled_linear',
      predictionType: 'sample',
      timestepSpacing: 'trailing',
      clipSample: true,
      trainTimesteps: 1000,
    });
    expect(c.vae).toEqual({ scalingFactor: 1, latentChannels: 3, spatialFactor: 1 });
    expect(shipped.tokenizer.maxLength).toBe(22);
    expect(shipped.fixedImageSize()).toEqual({ height: 32, width: 32 });
    expect(shipped.parts(32, 32).denoiser.latentShape).toEqual([3, 32, 32]);
  });
  it("SD-Turbo's values fill in what a folder omits", () => {
    const partial = resolveConfig({ scheduler: { file: 's.json', text: '{"prediction_type": "v_prediction"}' } });
    const expected: PipelineConfig = {
      ...SD_TURBO_CONFIG,
      scheduler: { ...SD_TURBO_CONFIG.scheduler, predictionType: 'v_prediction' },
    };
    expect(partial).toEqual(expected);
    expect(resolveConfig({})).toEqual(SD_TURBO_CONFIG);
  });
});

describe('a modified copy changes the behaviour as its config says', () => {
  it('another schedule: abar follows beta_schedule, and eps = (z - alpha x0) / sigma with the new alpha, sigma', async () => {
    const dir = copy((d) =>
      patch(d, 'scheduler/scheduler_config.json', { beta_schedule: 'linear', beta_start: 1e-4, beta_end: 0.02 }),
    );
    const other = await load(dir);
    expect(Array.from(other.alphasCumprod)).toEqual(Array.from(makeSchedule('linear').alphasCumprod));
    const { z, captions } = inputs();
    const t = 600;
    const emb = await shipped.textEncoder.encode(captions);
    const epsShipped = await shipped.parts(32, 32).denoiser.predictEps(z, t, emb);
    const epsOther = await other.parts(32, 32).denoiser.predictEps(z, t, emb);
    const a = alphaSigma(shipped.alphasCumprod, t);
    const b = alphaSigma(other.alphasCumprod, t);
    const expected = z.map((v, i) => {
      const x0 = (v - a.sigma * epsShipped[i]) / a.alpha; // the unet's output, the same in both folders
      return (v - b.alpha * x0) / b.sigma;
    });
    expect(maxAbs(epsOther, expected)).toBeLessThan(1e-4);
    expect(maxAbs(epsOther, epsShipped)).toBeGreaterThan(0.01);
  });
  it('another prediction type: with "epsilon" the unet output is taken as eps itself', async () => {
    const other = await load(copy((d) => patch(d, 'scheduler/scheduler_config.json', { prediction_type: 'epsilon' })));
    const { z, captions } = inputs();
    const emb = await shipped.textEncoder.encode(captions);
    const eps = await shipped.parts(32, 32).denoiser.predictEps(z, 300, emb);
    const { alpha, sigma } = alphaSigma(shipped.alphasCumprod, 300);
    const x0 = z.map((v, i) => (v - sigma * eps[i]) / alpha);
    expect(maxAbs(await other.parts(32, 32).denoiser.predictEps(z, 300, emb), x0)).toBeLessThan(1e-4);
  });
  it('another VAE scaling factor: latent = factor x image, decode divides by it, and the edit changes', async () => {
    const other = await load(copy((d) => patch(d, 'vae_decoder/config.json', { scaling_factor: 0.5 })));
    const image: Image = renderScene(sampleScene(new Rng(3)));
    const latent = await other.parts(32, 32).codec.encode(image);
    expect(
      maxAbs(
        latent,
        image.data.map((v) => 0.5 * v),
      ),
    ).toBeLessThan(1e-7);
    const back = await other.parts(32, 32).codec.decode(latent);
    expect(maxAbs(back.data, image.data)).toBeLessThan(1e-6);
    const request = { image, source: captionOf(sampleScene(new Rng(3))), target: captionOf(sampleScene(new Rng(4))) };
    const a = await new ChordEditor(shipped.parts(32, 32)).edit(request);
    const b = await new ChordEditor(other.parts(32, 32)).edit(request);
    expect(maxAbs(a.image!.data, b.image!.data)).toBeGreaterThan(0.01);
  });
  it('another timestep spacing: sampling reads it from the scheduler config', async () => {
    const other = await load(copy((d) => patch(d, 'scheduler/scheduler_config.json', { timestep_spacing: 'leading' })));
    expect(shipped.samplerParts().sampling.timestepSpacing).toBe('trailing');
    expect(other.samplerParts().sampling.timestepSpacing).toBe('leading');
  });
  it('batch-1 graphs: the same eps and embeddings, one item per run', async () => {
    const engine = await loadToyModel();
    const files = toyOnnxFiles(engine.denoiser.params, engine.denoiser.config, {}, { fixedBatch: true });
    const dir = join(tmp, 'batch1');
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    const one = await load(dir);
    expect(one.sessions.unet.input('sample').shape[0]).toBe(1);
    const { z, captions } = inputs();
    const embShipped = await shipped.textEncoder.encode(captions);
    const embOne = await one.textEncoder.encode(captions);
    expect(Array.from(embOne[1].data)).toEqual(Array.from(embShipped[1].data));
    const runs = one.sessions.unet.runs;
    const eps = await one.parts(32, 32).denoiser.predictEps(z, [100, 800], embOne);
    expect(one.sessions.unet.runs).toBe(runs + 2);
    expect(maxAbs(eps, await shipped.parts(32, 32).denoiser.predictEps(z, [100, 800], embShipped))).toBeLessThan(1e-5);
  });
});

describe('a broken folder is one clear error', () => {
  it('a missing config that model_index.json requires names the file', async () => {
    const dir = copy((d) => rmSync(join(d, 'scheduler', 'scheduler_config.json')));
    await expect(loadPipeline(dir)).rejects.toThrow(InputError);
    await expect(loadPipeline(dir)).rejects.toThrow(/scheduler_config.json not found .*lists "scheduler"/);
  });
  it('a wrong field names the file and the field', async () => {
    const dir = copy((d) => patch(d, 'scheduler/scheduler_config.json', { prediction_type: 'x0' }));
    await expect(loadPipeline(dir)).rejects.toThrow(/scheduler_config.json: field "prediction_type" .*got "x0"/);
    const dir2 = copy((d) => patch(d, 'vae_decoder/config.json', { scaling_factor: -1 }));
    await expect(loadPipeline(dir2)).rejects.toThrow(/vae_decoder\/config.json: field "scaling_factor"/);
    const dir3 = copy((d) => patch(d, 'tokenizer/tokenizer_config.json', { model_max_length: 30 }));
    await expect(loadPipeline(dir3)).rejects.toThrow(/model_max_length is 30, but .*input_ids of length 22/);
    // Hugging Face's "very large" placeholder is not a length: the tokenizer falls back to CLIP's 77.
    const dir4 = copy((d) => patch(d, 'tokenizer/tokenizer_config.json', { model_max_length: 1e30 }));
    await expect(loadPipeline(dir4)).rejects.toThrow(/model_max_length is 77, but .*input_ids of length 22/);
  });
  it('the CLI exits 2 with one line for a truncated graph, a missing config and a wrong field', async () => {
    process.env.MODELMATH_NO_PROGRESS = '1';
    const photo = join(tmp, 'in.png');
    const cases: [string, RegExp][] = [
      [copy((d) => truncateSync(join(d, 'unet', 'model.onnx'), 1000)), /cannot load ONNX model .*unet.model\.onnx/],
      [copy((d) => rmSync(join(d, 'vae_decoder', 'config.json'))), /vae_decoder.config\.json not found/],
      [
        copy((d) => patch(d, 'scheduler/scheduler_config.json', { num_train_timesteps: 'many' })),
        /field "num_train_timesteps"/,
      ],
    ];
    await writeImage(photo, renderScene(sampleScene(new Rng(1))));
    for (const [model, message] of cases) {
      const out = join(tmp, 'out.png');
      const r = await runCliCaptured([
        'edit',
        '--model',
        model,
        '--image',
        photo,
        '--source',
        'a',
        '--target',
        'b',
        '--out',
        out,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
