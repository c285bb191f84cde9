import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { adamw } from '../../src/nn/index.js';
import { klStandardNormal, rollout } from '../../src/physics/blocks.js';
import { resolvePhysicsConfig } from '../../src/physics/config.js';
import { downsample, simulateClips } from '../../src/physics/dataset.js';
import { encodeAll, fitLatentToState, physicsLoss, physicsModelInit, physValues } from '../../src/physics/model.js';
import { numberOps } from '../../src/physics/ops.js';
import { SYSTEMS } from '../../src/physics/systems.js';
import { fitPhysics } from '../../src/physics/train.js';

const tf = await getTf();

describe('physics loss', () => {
  it('equals a float64 recomputation from the encodings (rollout MSE + KL)', () => {
    const cfg = resolvePhysicsConfig('test', { substeps: 2 });
    for (const system of ['oscillator', 'led'] as const) {
      const spec = SYSTEMS[system];
      const set = downsample(simulateClips(system, { clips: 6, seed: 4 }), cfg.downsample);
      const P = set.height * set.width;
      const model = physicsModelInit(tf, new Rng(2), spec, cfg, P);
      const terms = tf.tidy(() => {
        const t = physicsLoss(tf, spec, model, tf.tensor3d(set.frames, [6, 10, P]), cfg);
        return [t.total, t.rollout, t.kl].map((v) => v.dataSync()[0]);
      });
      const z = encodeAll(tf, model, set.frames, P);
      const p = physValues(model);
      let mse = 0;
      const order = spec.dynamics.order;
      for (let c = 0; c < 6; c++) {
        const zc = Array.from(z.subarray(c * 10, c * 10 + 10));
        const pred = rollout(numberOps, spec.dynamics, zc.slice(0, order), p, {
          steps: 10 - order,
          dt: 0.1,
          substeps: 2,
        });
        pred.forEach((v, i) => {
          mse += (v - zc[order + i]) ** 2 / (6 * (10 - order));
        });
      }
      const mu = z.reduce((a, b) => a + b, 0) / z.length;
      const variance = z.reduce((a, b) => a + (b - mu) ** 2, 0) / (z.length - 1);
      const kl = klStandardNormal(numberOps, mu, variance);
      expect(terms[1]).toBeCloseTo(mse, 4);
      expect(terms[2]).toBeCloseTo(kl, 4);
      expect(terms[0]).toBeCloseTo(mse + kl, 4);
    }
  });

  it('one Adam on the rescaled parameter = Adam with the separate physics learning rate', () => {
    const target = 3;
    const run = (scale: number, lr: number) => {
      const phi = tf.variable(tf.scalar(10 / scale));
      const opt = adamw({ lr, weightDecay: 0 });
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        opt.step(() => tf.square(tf.sub(tf.mul(phi, scale), target)) as never, { phi });
        out.push(phi.dataSync()[0] * scale);
      }
      return out;
    };
    const direct = run(1, 1e-2);
    const rescaled = run(10, 1e-3);
    direct.forEach((v, i) => {
      expect(rescaled[i]).toBeCloseTo(v, 5);
    });
    expect(direct[4]).toBeLessThan(10);
  });

  it('fits latent = scale * state + offset exactly on affine data', () => {
    const s = [0.1, 0.5, -0.3, 2];
    const f = fitLatentToState(
      s.map((v) => -2 * v + 0.5),
      s,
    );
    expect(f.scale).toBeCloseTo(-2, 12);
    expect(f.offset).toBeCloseTo(0.5, 12);
    expect(f.r2).toBeCloseTo(1, 12);
  });
});

describe('training (smoke)', () => {
  const set = simulateClips('oscillator', { clips: 32, seed: 5 });

  it('lowers the loss and moves the physical parameters', async () => {
    const cfg = resolvePhysicsConfig('test', { epochs: 12 });
    const leftover = async (epochs: number) => {
      const before = tf.memory().numTensors;
      const run = (await fitPhysics(tf, set, { ...cfg, epochs }, { seed: 1 })).run;
      run.optimizer.dispose();
      for (const v of [...run.model.encoder.layers.flatMap((l) => [l.w, l.b!]), ...Object.values(run.model.phys)]) {
        v.dispose();
      }
      return tf.memory().numTensors - before;
    };
    expect(await leftover(6)).toBe(await leftover(1)); // nothing leaks per step
    const r = await fitPhysics(tf, set, cfg, { seed: 1 });
    expect(r.history).toHaveLength(12);
    expect(r.history[11].loss).toBeLessThan(r.history[0].loss);
    expect(r.raw.g0).not.toBeCloseTo(10, 2);
    expect(r.raw.g1).not.toBeCloseTo(1, 2);
    expect(Number.isFinite(r.secondsPerEpoch)).toBe(true);
    expect(r.params.g0.true).toBe(4);
    expect(r.fit!.r2).toBeGreaterThanOrEqual(0);
  });

  it('resuming from a checkpoint gives the same run as training straight through', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mm-phys-ckpt-')), 'ckpt');
    const straight = await fitPhysics(tf, set, resolvePhysicsConfig('test', { epochs: 4 }), { seed: 3 });
    await fitPhysics(tf, set, resolvePhysicsConfig('test', { epochs: 2 }), { seed: 3, checkpointDir: dir });
    const resumed = await fitPhysics(tf, set, resolvePhysicsConfig('test', { epochs: 4 }), {
      seed: 3,
      checkpointDir: dir,
      resume: true,
    });
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(resumed.raw).toEqual(straight.raw);
    await expect(
      fitPhysics(tf, set, resolvePhysicsConfig('test', { epochs: 4, substeps: 2 }), {
        seed: 3,
        checkpointDir: dir,
        resume: true,
      }),
    ).rejects.toThrow(/checkpoint was made for/);
  });
});
