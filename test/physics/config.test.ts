import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  PHYSICS_DEFAULTS,
  PHYSICS_PRESETS,
  type PhysicsPreset,
  physicsConfigSchema,
  resolvePhysicsConfig,
} from '../../src/physics/config.js';

describe('physics config (one schema)', () => {
  it('the defaults are the paper setting: 5600 -> 1000 -> 100 -> 1, lr 1e-3 / 1e-2, batch 128, 500 epochs, one-step block', () => {
    expect(PHYSICS_DEFAULTS).toMatchObject({
      hidden: [1000, 100],
      downsample: 1,
      lrEncoder: 1e-3,
      lrPhys: 1e-2,
      lrSchedule: 'constant',
      batchSize: 128,
      epochs: 500,
      substeps: 1,
      klWeight: 1,
      length: 10,
      dt: 0.1,
    });
    expect(resolvePhysicsConfig('paper')).toEqual(PHYSICS_DEFAULTS);
  });

  it('every setting has a doc string and a default, and every preset resolves', () => {
    for (const [key, field] of Object.entries(physicsConfigSchema.shape)) {
      expect(field.description, key).toBeTruthy();
      expect((PHYSICS_DEFAULTS as Record<string, unknown>)[key], key).not.toBeUndefined();
    }
    for (const name of Object.keys(PHYSICS_PRESETS) as PhysicsPreset[]) {
      expect(resolvePhysicsConfig(name)).toMatchObject(PHYSICS_PRESETS[name]);
    }
  });

  it('bad values and unknown presets are one ConfigError naming the setting', () => {
    expect(() => resolvePhysicsConfig('fast', { epochs: 0 })).toThrow(ConfigError);
    expect(() => resolvePhysicsConfig('fast', { epochs: 0 })).toThrow(/epochs must be >= 1, got 0/);
    expect(() => resolvePhysicsConfig('paper', { downsample: 3 as never })).toThrow(/downsample must be 1, 2 or 4/);
    expect(() => resolvePhysicsConfig('paper', { lrPhys: Number.NaN })).toThrow(/lrPhys/);
    expect(() => resolvePhysicsConfig('huge' as PhysicsPreset)).toThrow(/preset must be one of paper, fast, test/);
  });
});
