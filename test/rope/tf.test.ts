import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { applyRopeTf, applyRopeWithTables, axialRopeTables, ropeTables } from '../../src/rope/index.js';

describe('applyRopeTf (engine version)', () => {
  it('equals applyRopeWithTables in both layouts, with 1-D and axial tables', async () => {
    const tf = await getTf();
    const rng = new Rng(7);
    const shape = [2, 3, 12, 8]; // [B, H, P, Dh]
    const x = rng.normals(2 * 3 * 12 * 8);
    for (const tables of [ropeTables(12, 8), axialRopeTables(3, 4, 8)]) {
      for (const layout of ['interleaved', 'half'] as const) {
        const want = applyRopeWithTables(x, tables, 8, layout);
        const xt = tf.tensor(x, shape);
        const yt = applyRopeTf(tf, xt, tables, layout);
        expect(yt.shape).toEqual(shape);
        const got = yt.dataSync();
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
        xt.dispose();
        yt.dispose();
      }
    }
  });

  it('has the transposed rotation as gradient (rotation by the negative angle)', async () => {
    const tf = await getTf();
    const rng = new Rng(8);
    const tables = ropeTables(5, 8);
    const inverse = { cos: tables.cos, sin: tables.sin.map((v) => -v) };
    const x = tf.tensor(rng.normals(5 * 8), [1, 1, 5, 8]);
    const w = rng.normals(5 * 8);
    const wt = tf.tensor(w, [1, 1, 5, 8]);
    for (const layout of ['interleaved', 'half'] as const) {
      const g = tf.grad((v) => applyRopeTf(tf, v, tables, layout).mul(wt).sum())(x);
      const want = applyRopeWithTables(w, inverse, 8, layout);
      const got = g.dataSync();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
      g.dispose();
    }
    x.dispose();
    wt.dispose();
  });

  it('rejects tables that do not match x', async () => {
    const tf = await getTf();
    const x = tf.zeros([1, 1, 4, 8]);
    expect(() => applyRopeTf(tf, x, ropeTables(5, 8), 'half')).toThrow(/tables must be \[4, 4\]/);
    x.dispose();
  });
});
