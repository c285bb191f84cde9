import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../src/core/clip-tokenizer.js';
import { getTf } from '../../src/core/engine.js';
import { InputError } from '../../src/core/errors.js';
import { folderFiles } from '../../src/core/model-files-node.js';
import { Rng } from '../../src/core/rng.js';
import { alphaSigma, makeSchedule } from '../../src/diffusion/index.js';
import { type DiffusersPipeline, loadPipeline, SHIPPED_MODELS } from '../../src/pipeline/index.js';
import {
  clipToToyIds,
  encodeCaption,
  learnMerges,
  loadToyModel,
  TOY_MODEL_DEFAULTS,
  ToyDenoiser,
  type ToyModel,
  toyModelInit,
  toyOnnxFiles,
  toyTokenizerFiles,
} from '../../src/toyworld/model/index.js';
import { captionOf, renderScene, sampleScene, tokenize, VOCAB } from '../../src/toyworld/world/index.js';
import { checkOnnxFiles } from '../support/onnx-checker.js';

const tmp = mkdtempSync(join(tmpdir(), 'toy-export-'));
const open: DiffusersPipeline[] = [];
afterAll(async () => {
  await Promise.all(open.map((p) => p.dispose()));
  rmSync(tmp, { recursive: true, force: true });
});

function writeFolder(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

async function pipeline(dir: string): Promise<DiffusersPipeline> {
  const p = await loadPipeline(dir, { threads: 1 });
  open.push(p);
  return p;
}

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** n scenes noised at spread DDPM indices (fixed seed): latents z [n, 3, 32, 32], their captions and indices. */
function noisedScenes(n: number, seed: number) {
  const rng = new Rng(seed);
  const abar = makeSchedule('scaled_linear').alphasCumprod;
  const indices = Array.from({ length: n }, (_, i) => [0, 1, 20, 150, 300, 450, 600, 750, 900, 999][i % 10]);
  const captions: string[] = [];
  const z = new Float32Array(n * 3072);
  for (let i = 0; i < n; i++) {
    const scene = sampleScene(rng);
    captions.push(captionOf(scene));
    const { alpha, sigma } = alphaSigma(abar, indices[i]);
    const eps = rng.normals(3072);
    z.set(
      renderScene(scene).data.map((v, k) => alpha * v + sigma * eps[k]),
      i * 3072,
    );
  }
  return { z, captions, indices };
}

describe('toy tokenizer in the CLIP format', () => {
  it('BPE merges learned on the vocabulary make every word one token', () => {
    const merges = learnMerges(VOCAB.slice(1));
    const { vocab, files } = toyTokenizerFiles();
    const tok = new ClipTokenizer(new Map(Object.entries(vocab)), merges, { maxLength: 22, unknown: 'error' });
    for (const [id, word] of VOCAB.entries()) if (id > 0) expect(tok.tokenize(word)).toEqual([id]);
    expect(JSON.parse(files['tokenizer_config.json']).model_max_length).toBe(22);
  });
  it("the shipped tokenizer files give the toy encoder's ids for any scene's caption", async () => {
    const tok = await ClipTokenizer.fromFiles(folderFiles(SHIPPED_MODELS.toy), 'tokenizer', { unknown: 'error' });
    expect(tok.maxLength).toBe(22); // read from tokenizer_config.json
    const table = clipToToyIds(Object.fromEntries(tok.vocab));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const caption = captionOf(sampleScene(new Rng(seed)));
        const ids = Array.from(tok.encode(caption), (id) => table[id]);
        expect(ids.slice(1, 21)).toEqual(Array.from(tokenize(caption)));
        expect(ids[0]).toBe(0); // BOS reads as padding
      }),
      { numRuns: 50 },
    );
  });
  it('a word outside the vocabulary is an InputError, not a silent unknown token', async () => {
    const tok = await ClipTokenizer.fromFiles(folderFiles(SHIPPED_MODELS.toy), 'tokenizer', { unknown: 'error' });
    expect(() => tok.encode('a large red circle at top on snowy')).toThrow(InputError);
    expect(() => tok.encode('a large red circle at top on snowy')).toThrow(
      /"snowy" is not in the tokenizer's vocabulary/,
    );
  });
});

describe('export round trip: engine vs ONNX Runtime', () => {
  let engine: ToyDenoiser;
  let onnx: DiffusersPipeline;
  beforeAll(async () => {
    await getTf();
    const config = { ...TOY_MODEL_DEFAULTS, dim: 32, depth: 2, heads: 2 };
    const params = toyModelInit(new Rng(5), config);
    engine = new ToyDenoiser(params, config);
    onnx = await pipeline(writeFolder(join(tmp, 'tiny'), toyOnnxFiles(params, config, {})));
  });
  it('text encoder output = the engine features, unet eps = the engine eps for mixed timesteps in one batch', async () => {
    const { z, captions, indices } = noisedScenes(6, 11);
    const parts = onnx.parts(32, 32);
    const emb = await parts.textEncoder.encode(captions);
    for (const [i, e] of emb.entries()) expect(Array.from(e.data)).toEqual(Array.from(encodeCaption(captions[i]).data));
    const a = await engine.predictEps(z, indices, emb);
    const b = await parts.denoiser.predictEps(z, indices, emb);
    expect(maxAbs(a, b)).toBeLessThan(1e-4);
  });
  it('the written graphs pass the reference onnx checker', () => {
    const graphs = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'].map((c) =>
      join(tmp, 'tiny', c, 'model.onnx'),
    );
    const r = checkOnnxFiles(graphs);
    if (r.available) expect(r.ok, r.output).toBe(true);
  });
});

describe('the shipped folder (assets/toy/onnx)', () => {
  let engine: ToyModel;
  let onnx: DiffusersPipeline;
  beforeAll(async () => {
    engine = await loadToyModel();
    onnx = await pipeline(SHIPPED_MODELS.toy);
  });
  it('is what `toy export-onnx` writes from the shipped weights (byte for byte)', () => {
    const m = engine.metadata;
    const files = toyOnnxFiles(engine.denoiser.params, engine.denoiser.config, {
      weights: 'assets/toy/toy-denoiser.safetensors',
      steps: m.steps,
      final_loss: m.finalLoss,
      params: m.params,
      seed: m.seed,
    });
    for (const [name, data] of Object.entries(files)) {
      const shipped = readFileSync(join(SHIPPED_MODELS.toy, name));
      expect(Buffer.compare(shipped, Buffer.from(data)), name).toBe(0);
    }
  });
  it('equals the engine model on 16 fixed scenes: eps and x0 to 1e-4 max abs', async () => {
    const { z, captions, indices } = noisedScenes(16, 2024);
    const parts = onnx.parts(32, 32);
    const emb = await parts.textEncoder.encode(captions);
    const epsEngine = await engine.denoiser.predictEps(z, indices, emb);
    const epsOnnx = await parts.denoiser.predictEps(z, indices, emb);
    expect(maxAbs(epsEngine, epsOnnx)).toBeLessThan(1e-4);
    const x0Engine = await engine.denoiser.predictRaw(z, indices, emb); // the model predicts x0
    const x0Onnx = new Float32Array(z.length);
    indices.forEach((t, i) => {
      const { alpha, sigma } = alphaSigma(onnx.alphasCumprod, t);
      for (let k = i * 3072; k < (i + 1) * 3072; k++) x0Onnx[k] = (z[k] - sigma * epsOnnx[k]) / alpha;
    });
    expect(maxAbs(x0Engine, x0Onnx)).toBeLessThan(1e-4);
  });
  it('passes the reference onnx checker', () => {
    const graphs = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'].map((c) =>
      join(SHIPPED_MODELS.toy, c, 'model.onnx'),
    );
    const r = checkOnnxFiles(graphs);
    if (r.available) expect(r.ok, r.output).toBe(true);
  });
});
