import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { alphaSigma, makeSchedule } from '../../src/diffusion/index.js';
import { labConfig } from '../../src/diffusion/lab/config.js';
import { referenceMixture, sampleDataset } from '../../src/diffusion/lab/data.js';
import { scoreErrorByLevel } from '../../src/diffusion/lab/evaluate.js';
import { loadLabModel, runLab, saveLabModel } from '../../src/diffusion/lab/lab.js';
import { labEnergy, labEpsFn, labModelInit } from '../../src/diffusion/lab/models.js';
import { createLabRun, labTrainStep } from '../../src/diffusion/lab/trainer.js';
import { flattenParams } from '../../src/nn/index.js';

let dir = '';
beforeAll(async () => {
  await getTf();
  dir = mkdtempSync(join(tmpdir(), 'mm-diffusion-lab-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const abar = makeSchedule('linear').alphasCumprod;
const snapshot = (tree: object) =>
  new Map([...flattenParams(tree)].map(([k, v]) => [k, Float32Array.from(v.dataSync() as Float32Array)]));

describe('energy model: score = -grad_x E (autodiff) against central finite differences of E', () => {
  it.each([100, 400, 900])('at DDPM index %i', (index) => {
    const config = labConfig({ model: 'energy', hidden: 32, depth: 2 });
    const params = labModelInit(new Rng(3), config);
    const x = Float32Array.from([0.3, -0.7, -1.2, 0.4, 1.5, 1.1]);
    const { sigma } = alphaSigma(abar, index);
    const score = labEpsFn(params, config, abar)(x, index).map((e) => -e / sigma); // score = -eps / sigma
    const h = 1e-2;
    for (let i = 0; i < x.length; i++) {
      const plus = Float32Array.from(x);
      const minus = Float32Array.from(x);
      plus[i] += h;
      minus[i] -= h;
      const row = Math.floor(i / 2);
      const dE =
        (labEnergy(params, config, plus, index, abar)[row] - labEnergy(params, config, minus, index, abar)[row]) /
        (2 * h);
      expect(Math.abs(score[i] + dE)).toBeLessThan(2e-3 * (1 + Math.abs(dE)));
    }
  });
});

describe.each(['energy', 'eps'] as const)('training the %s network', (model) => {
  it('is deterministic, has a finite loss and changes every parameter', () => {
    const config = labConfig({ model, steps: 5 }, 'quick');
    const a = createLabRun(config, 7);
    const b = createLabRun(config, 7);
    const before = snapshot(a.params);
    const lossesA = [0, 1, 2].map(() => labTrainStep(a).loss);
    const lossesB = [0, 1, 2].map(() => labTrainStep(b).loss);
    expect(lossesA).toEqual(lossesB);
    expect(lossesA.every(Number.isFinite)).toBe(true);
    for (const [name, v] of snapshot(a.params)) expect(v, name).not.toEqual(before.get(name));
  });
});

describe('learning the score of Gaussian data (closed-form truth)', () => {
  it('a short eps-network run cuts the score error at mid noise by >10x', () => {
    const config = labConfig({
      data: 'gaussian',
      model: 'eps',
      hidden: 32,
      depth: 2,
      steps: 300,
      batch: 128,
      lr: 1e-2,
    });
    const run = createLabRun(config, 1);
    const error = () =>
      scoreErrorByLevel(
        labEpsFn(run.params, config, run.alphasCumprod),
        referenceMixture('gaussian', new Rng(0)),
        run.alphasCumprod,
        {
          levels: [0.4],
          x0: sampleDataset('gaussian', 500, new Rng(2)),
          rng: new Rng(3),
        },
      )[0].relativeError;
    const before = error();
    for (let i = 0; i < config.steps; i++) labTrainStep(run);
    const after = error();
    expect(after).toBeLessThan(before / 10);
  });
});

describe('runLab: checkpoints, resume, save/load', () => {
  it('resuming from a checkpoint ends with the same weights as an uninterrupted run', async () => {
    const config = labConfig({ model: 'energy', steps: 6, checkpointEvery: 3 }, 'quick');
    const full = await runLab(config, { seed: 4, out: join(dir, 'full') });
    await runLab(config, { seed: 4, out: join(dir, 'part'), stopAfter: 3 }); // an interrupted run
    const resumed = await runLab(config, { seed: 4, out: join(dir, 'part'), resume: true });
    expect(resumed.report.train.resumedFrom).toBe(3);
    const a = snapshot(full.params);
    for (const [name, v] of snapshot(resumed.params))
      expect(Array.from(v), name).toEqual(Array.from(a.get(name) ?? []));
    expect(existsSync(join(dir, 'full', 'weights.safetensors'))).toBe(true);
    const r = full.report;
    expect(r.scoreErrors.map((e) => e.t)).toEqual(config.evalLevels);
    expect(r.scoreErrors.every((e) => Number.isFinite(e.relativeError) && e.tweedieMseExact >= 0)).toBe(true);
    expect(r.samplers.map((s) => s.sampler)).toEqual(['ddpm', 'ddim', 'annealed_langevin']);
    expect(r.baselines.prior.mmd).toBeGreaterThan(r.baselines.floor.mmd);
  });

  it('save/load round-trips weights and config; a foreign file is rejected by name', () => {
    const config = labConfig({ model: 'eps', data: 'spiral' }, 'quick');
    const params = labModelInit(new Rng(9), config);
    const path = join(dir, 'w.safetensors');
    saveLabModel(path, params, config);
    const loaded = loadLabModel(path);
    expect(loaded.config).toEqual(config);
    const a = snapshot(params);
    for (const [name, v] of snapshot(loaded.params)) expect(Array.from(v)).toEqual(Array.from(a.get(name) ?? []));
    writeFileSync(join(dir, 'junk.safetensors'), 'not a safetensors file');
    expect(() => loadLabModel(join(dir, 'junk.safetensors'))).toThrow(/junk.safetensors/);
  });

  it('rejects --resume without an output folder and bad config values', async () => {
    await expect(runLab(labConfig({}, 'quick'), { seed: 0, resume: true })).rejects.toThrow(/--resume needs --out/);
    expect(() => labConfig({ hidden: 0 })).toThrow(/hidden/);
    expect(() => labConfig({ evalLevels: [0] })).toThrow(/evalLevels/);
  });
});
