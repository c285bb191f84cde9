import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';

describe('Rng', () => {
  it('is reproducible from its seed and restorable from its state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.uniform()));
    a.normal();
    const saved = a.getState();
    const next = [a.normal(), a.normal(), a.uniform()];
    const c = Rng.fromState(saved);
    expect([c.normal(), c.normal(), c.uniform()]).toEqual(next);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const x = new Rng(7).normals(200_000);
    let m = 0;
    for (const v of x) m += v;
    m /= x.length;
    let v2 = 0;
    for (const v of x) v2 += (v - m) ** 2;
    v2 /= x.length - 1;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v2 - 1)).toBeLessThan(0.01);
  });

  it('forks independent, reproducible streams', () => {
    const r = new Rng(1);
    expect(r.fork('a').uniform()).toBe(new Rng(1).fork('a').uniform());
    expect(r.fork('a').uniform()).not.toBe(r.fork('b').uniform());
  });

  it('rejects bad seeds and weights', () => {
    expect(() => new Rng(-1)).toThrow(/seed/);
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(0).categorical([0, 0])).toThrow(/zero/);
    expect(() => new Rng(0).categorical([1, Number.NaN])).toThrow(/index 1/);
  });
});
