import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/core/checkpoint.js';
import { getTf, type Scalar, type Tf } from '../../src/core/engine.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { adamw, checkpointOf, flattenParams, lrSchedule, mlp, mlpInit, trainLoop } from '../../src/nn/index.js';

let tf: Tf;
const dir = mkdtempSync(join(tmpdir(), 'nn-train-'));
beforeAll(async () => {
  tf = await getTf();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny regression run: y = sin(x0) + x1·x2 with fresh random batches from `data` each step. */
function setup() {
  const params = mlpInit(new Rng(3), [3, 8, 1]);
  const opt = adamw({ lr: lrSchedule({ warmupSteps: 2, totalSteps: 10, peak: 0.05, floor: 0.005 }), clipNorm: 1 });
  const data = new Rng(4);
  const step = (_i: number) => {
    const x = data.normals(16 * 3);
    const y = new Float32Array(16).map((_, r) => Math.sin(x[r * 3]) + x[r * 3 + 1] * x[r * 3 + 2]);
    const xt = tf.tensor2d(x, [16, 3]);
    const yt = tf.tensor2d(y, [16, 1]);
    const loss = opt.step(() => tf.losses.meanSquaredError(yt, mlp(params, xt)) as Scalar, params);
    xt.dispose();
    yt.dispose();
    return { loss, lr: opt.lastLr, gradNorm: opt.lastGradNorm };
  };
  return { params, opt, data, step };
}

const weightsOf = (params: object) => [...flattenParams(params)].map(([n, v]) => [n, Array.from(v.dataSync())]);

describe('trainLoop', () => {
  it('an interrupted run resumed from its checkpoint ends with bit-identical weights and history', async () => {
    // uninterrupted: 10 steps
    const a = setup();
    const full = await trainLoop({ steps: 10, step: a.step });
    expect(full.history).toHaveLength(10);
    expect(full.history[9].loss).toBeLessThan(full.history[0].loss);

    // interrupted: checkpoint every 3, "crash" at step 7 (last checkpoint after step index 5 → step 6)
    const path = join(dir, 'run');
    const b = setup();
    const crashing = (i: number) => {
      if (i === 7) throw new Error('simulated crash');
      return b.step(i);
    };
    await expect(
      trainLoop({
        steps: 10,
        step: crashing,
        checkpoint: { path, every: 3, ...checkpointOf({ params: b.params, optimizer: b.opt, rngs: { data: b.data } }) },
      }),
    ).rejects.toThrow('simulated crash');
    expect(readCheckpoint(path).step).toBe(6);

    // a fresh process: new model, optimiser and RNG objects, resumed
    const c = setup();
    const resumed = await trainLoop({
      steps: 10,
      step: c.step,
      resume: true,
      checkpoint: { path, every: 3, ...checkpointOf({ params: c.params, optimizer: c.opt, rngs: { data: c.data } }) },
    });
    expect(resumed.resumedFrom).toBe(6);
    expect(weightsOf(c.params)).toEqual(weightsOf(a.params));
    expect(resumed.history).toEqual(full.history);
    expect(c.opt.stepCount).toBe(10);
    expect(readCheckpoint(path).step).toBe(10);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('without the RNG in the checkpoint, the resumed run diverges (the check is meaningful)', async () => {
    const a = setup();
    await trainLoop({ steps: 6, step: a.step });
    const path = join(dir, 'no-rng');
    const b = setup();
    await trainLoop({
      steps: 3,
      step: b.step,
      checkpoint: { path, every: 3, ...checkpointOf({ params: b.params, optimizer: b.opt }) },
    });
    const c = setup();
    await trainLoop({
      steps: 6,
      step: c.step,
      resume: true,
      checkpoint: { path, every: 3, ...checkpointOf({ params: c.params, optimizer: c.opt }) },
    });
    expect(weightsOf(c.params)).not.toEqual(weightsOf(a.params));
  });

  it('resume with no checkpoint yet starts fresh; fresh runs overwrite old checkpoints', async () => {
    const path = join(dir, 'fresh');
    const a = setup();
    const r = await trainLoop({
      steps: 4,
      step: a.step,
      resume: true,
      checkpoint: { path, every: 10, ...checkpointOf({ params: a.params, optimizer: a.opt }) },
    });
    expect(r.resumedFrom).toBe(0);
    expect(readCheckpoint(path).step).toBe(4); // final save even when 4 % every ≠ 0
    const b = setup();
    await trainLoop({
      steps: 2,
      step: b.step,
      checkpoint: { path, every: 10, ...checkpointOf({ params: b.params, optimizer: b.opt }) },
    });
    expect(readCheckpoint(path).step).toBe(2);
  });

  it('stopWhen ends the run after the step it fires on and checkpoints that step', async () => {
    const path = join(dir, 'early');
    const a = setup();
    const seen: number[] = [];
    const r = await trainLoop({
      steps: 10,
      step: a.step,
      checkpoint: { path, every: 4, ...checkpointOf({ params: a.params, optimizer: a.opt }) },
      stopWhen: (i, m) => {
        seen.push(i);
        expect(typeof m.loss).toBe('number');
        return i === 5;
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.history.map((h) => h.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.stoppedEarly).toBe(true);
    expect(readCheckpoint(path).step).toBe(6);
    // Firing on the last step is not an early stop.
    const b = await trainLoop({ steps: 3, step: () => ({}), stopWhen: (i) => i === 2 });
    expect(b.history).toHaveLength(3);
    expect(b.stoppedEarly).toBe(false);
  });

  it('validates its options and reports progress', async () => {
    await expect(trainLoop({ steps: -1, step: () => ({}) })).rejects.toThrow(ConfigError);
    await expect(trainLoop({ steps: 1, step: () => ({}), resume: true })).rejects.toThrow(/needs a checkpoint/);
    await expect(trainLoop({ steps: 1, step: () => ({ loss: '1' as unknown as number }) })).rejects.toThrow(
      /metric loss must be a number, got "1"/,
    );
    const seen: number[] = [];
    let stopped = false;
    await trainLoop({
      steps: 3,
      step: (i) => ({ i }),
      progress: {
        update: (n) => seen.push(n),
        increment() {},
        stop: () => {
          stopped = true;
        },
      },
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(stopped).toBe(true);
    const path = join(dir, 'far');
    const a = setup();
    await trainLoop({ steps: 3, step: a.step, checkpoint: { path, every: 1, ...checkpointOf({ params: a.params }) } });
    expect(existsSync(join(path, 'optimizer.safetensors'))).toBe(false);
    await expect(
      trainLoop({
        steps: 2,
        step: a.step,
        resume: true,
        checkpoint: { path, every: 1, ...checkpointOf({ params: a.params }) },
      }),
    ).rejects.toThrow(/at step 3, beyond steps=2/);
  });
});
