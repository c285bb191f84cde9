import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitLatentToState } from '../../src/physics/calibrate.js';
import { simulateStates } from '../../src/physics/dataset.js';
import { SYSTEMS } from '../../src/physics/systems.js';

/** True states of a few clips of `system` (RK4 ground truth). */
const states = (system: 'free-fall' | 'sliding-block' | 'led' | 'torricelli') =>
  Array.from(simulateStates(system, { clips: 8, seed: 3 }).states);

describe('calibration through the law-preserving map, on exact latents of each family', () => {
  it("free fall: z = a y + b has z'' = -(a g); g = g' / a", () => {
    const y = states('free-fall');
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (a, b) => {
        const z = y.map((v) => a * v + b);
        expect(SYSTEMS['free-fall'].calibrate({ g: a * 9.80665 }, z, y).g).toBeCloseTo(9.80665, 8);
      }),
    );
  });

  it('sliding block: z = a s + b scales the block acceleration g (sin - mu cos) by a', () => {
    const s = states('sliding-block');
    const [gs, gc] = [9.80665 * Math.sin((25 * Math.PI) / 180), 9.80665 * Math.cos((25 * Math.PI) / 180)];
    for (const a of [-2, 0.5, 3]) {
      const latentMu = (gs - a * (gs - 0.2 * gc)) / gc; // block value giving z'' = a s''
      const z = s.map((v) => a * v + 1);
      expect(SYSTEMS['sliding-block'].calibrate({ mu: latentMu }, z, s).mu).toBeCloseTo(0.2, 9);
    }
  });

  it("LED: z - bOff = C b^p has z' = -(p k)(z - bOff); k = k' / p", () => {
    const b = states('led');
    fc.assert(
      fc.property(
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: -4, max: 4, noNaN: true }).filter((c) => Math.abs(c) > 0.1),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (p, c, bOff) => {
          const z = b.map((v) => bOff + c * v ** p);
          expect(SYSTEMS.led.calibrate({ k: p * 0.8, bOff }, z, b).k).toBeCloseTo(0.8, 8);
        },
      ),
    );
  });

  it("Torricelli: sqrt(z - hOff) = r sqrt(h) + K has z' = -(r c) sqrt(z - hOff); c = c' / r", () => {
    const h = states('torricelli');
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (r, K, hOff) => {
          const z = h.map((v) => hOff + (r * Math.sqrt(v) + K) ** 2);
          expect(SYSTEMS.torricelli.calibrate({ c: r * 0.5, hOff }, z, h).c).toBeCloseTo(0.5, 8);
        },
      ),
    );
  });

  it('a linear calibration would get Torricelli wrong once K != 0 (why the family matters)', () => {
    const h = states('torricelli');
    const [r, K] = [3, -1];
    const z = h.map((v) => (r * Math.sqrt(v) + K) ** 2);
    const a = fitLatentToState(z, h).scale; // latent ≈ a h: c' = r c would read as c' / sqrt(a)
    expect(Math.abs((r * 0.5) / Math.sqrt(a) - 0.5) / 0.5).toBeGreaterThan(0.1);
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
