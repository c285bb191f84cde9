import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Checkpoint, hasCheckpoint, readCheckpoint, writeCheckpoint } from '../../src/core/checkpoint.js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): Checkpoint => {
  const rng = new Rng(9);
  rng.normal(); // leaves a cached spare normal in the state
  return {
    step: 5,
    weights: new Map([['layer.w', { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]]),
    optimizer: {
      step: 5,
      m: new Map([['layer.w', new Float32Array([0.1, 0.2, 0.3, 0.4])]]),
      v: new Map([['layer.w', new Float32Array([1e-3, 2e-3, 3e-3, 4e-3])]]),
    },
    rng: { data: rng.getState() },
    metrics: [{ step: 0, loss: 1 / 3, gradNorm: Number.NaN }],
    extra: { cursor: 17 },
  };
};

describe('checkpoint folder', () => {
  it('round-trips weights, moments, RNG state (exactly), metrics and extra', async () => {
    const path = join(dir, 'a');
    const ck = sample();
    await writeCheckpoint(path, ck);
    expect(hasCheckpoint(path)).toBe(true);
    const back = readCheckpoint(path);
    expect(back.step).toBe(5);
    expect(back.weights.get('layer.w')?.data).toEqual(ck.weights.get('layer.w')?.data);
    expect(back.optimizer?.m.get('layer.w')).toEqual(ck.optimizer?.m.get('layer.w'));
    expect(back.optimizer?.v.get('layer.w')).toEqual(ck.optimizer?.v.get('layer.w'));
    expect(back.rng).toEqual(ck.rng);
    const r1 = Rng.fromState(back.rng!.data);
    const r2 = Rng.fromState(ck.rng!.data);
    expect([r1.normal(), r1.uniform()]).toEqual([r2.normal(), r2.uniform()]);
    expect(back.metrics[0].loss).toBe(1 / 3);
    expect(back.metrics[0].gradNorm).toBeNaN();
    expect(back.extra).toEqual({ cursor: 17 });
  });

  it('a failing save leaves the previous checkpoint intact', async () => {
    const path = join(dir, 'b');
    await writeCheckpoint(path, sample());
    const bad = { ...sample(), step: 6, weights: new Map([['w', { shape: [3], data: new Float32Array(2) }]]) };
    await expect(writeCheckpoint(path, bad)).rejects.toThrow();
    expect(readCheckpoint(path).step).toBe(5);
  });

  describe('corrupt folders → InputError naming the file', () => {
    const corrupt = async (name: string, damage: (p: string) => void) => {
      const path = join(dir, name);
      await writeCheckpoint(path, sample());
      damage(path);
      return path;
    };
    it('missing folder', () => expect(() => readCheckpoint(join(dir, 'nope'))).toThrow(/checkpoint folder not found/));
    it('missing state.json', async () => {
      const p = await corrupt('c1', (p) => unlinkSync(join(p, 'state.json')));
      expect(() => readCheckpoint(p)).toThrow(/state.json missing/);
    });
    it('state.json not JSON', async () => {
      const p = await corrupt('c2', (p) => writeFileSync(join(p, 'state.json'), '{"step": '));
      expect(() => readCheckpoint(p)).toThrow(InputError);
    });
    it('wrong format tag', async () => {
      const p = await corrupt('c3', (p) => writeFileSync(join(p, 'state.json'), '{"format": "other"}'));
      expect(() => readCheckpoint(p)).toThrow(/expected format/);
    });
    it('negative step', async () => {
      const p = await corrupt('c4', (p) => {
        const s = JSON.parse(readFileSync(join(p, 'state.json'), 'utf8'));
        writeFileSync(join(p, 'state.json'), JSON.stringify({ ...s, step: -2 }));
      });
      expect(() => readCheckpoint(p)).toThrow(/step must be a non-negative integer, got -2/);
    });
    it('missing optimiser file', async () => {
      const p = await corrupt('c5', (p) => unlinkSync(join(p, 'optimizer.safetensors')));
      expect(() => readCheckpoint(p)).toThrow(/optimizer.safetensors: missing/);
    });
    it('truncated weights', async () => {
      const p = await corrupt('c6', (p) => {
        const f = join(p, 'weights.safetensors');
        writeFileSync(f, readFileSync(f).subarray(0, 40));
      });
      expect(() => readCheckpoint(p)).toThrow(/weights.safetensors/);
    });
  });
});
