/**
 * Training configuration of the latent-physics model (Castañeda Garcia et al., CVPR 2025, and its
 * reference code: MLP 5600 -> 1000 -> 100 -> d, ReLU; Adam lr 1e-3 for the encoder and 1e-2 for the
 * physical parameters; batch 128; 500 epochs; PyTorch's default init), declared once: one zod schema
 * with every setting's meaning, default and range. The defaults are the paper's, except `block`: every preset
 * uses our physics blocks unless `block: 'paper'` asks for the reference code's (docs/parts/physics.md); presets are partial
 * objects merged over them, and `modelmath physics train` derives
 * its flags from the same schema. `fast` is OUR reduced preset for a 2-core CPU: not the paper's.
 */
import { z } from 'zod';
import { parseConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';

const positiveInt = (max: number) => z.number().int().min(1).max(max);

export const physicsConfigSchema = z.object({
  // ---- data ----
  clips: positiveInt(100000).default(256).describe('synthetic clips to simulate when no video is given'),
  length: z.number().int().min(2).max(1000).default(10).describe('frames per clip (the rollout covers all of them)'),
  dt: z.number().positive().max(10).default(0.1).describe('seconds between frames'),
  noise: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Gaussian pixel noise std of simulated frames, [0, 1] intensity units'),
  background: z
    .enum(['plain', 'smooth', 'smooth-per-clip'])
    .default('plain')
    .describe(
      "background of simulated frames: 'plain' (black), 'smooth' (one seeded distractor for all clips) or 'smooth-per-clip'",
    ),
  // ---- model ----
  hidden: z
    .array(z.coerce.number().int().min(1).max(10000))
    .min(1)
    .max(8)
    .default([1000, 100])
    .describe('hidden widths of the MLP encoder'),
  latentInit: z
    .enum(['unit', 'torch'])
    .default('torch')
    .describe(
      "encoder init: 'torch' (the reference's PyTorch nn.Linear default) or 'unit' (ours: then the last layer rescaled so the first 128 clips' latents have mean 0, variance 1)",
    ),
  downsample: z
    .number()
    .int()
    .refine((f) => f === 1 || f === 2 || f === 4, 'must be 1, 2 or 4')
    .default(1)
    .describe('average-pool factor applied to the 56 x 100 frames before the encoder: 1 (paper), 2 or 4'),
  block: z
    .enum(['ours', 'paper'])
    .default('ours')
    .describe(
      "physics block: 'ours' or 'paper', the paper's reference code's block where it differs from ours (pendulum: trained in the length L with a damping; led and torricelli: without the learned offset); other systems have one block",
    ),
  substeps: positiveInt(1000)
    .default(1)
    .describe(
      'physics block steps per frame interval: 1 = the paper (Eq. 6 / explicit Euler), n > 1 = n classical RK4 steps from a shooting start',
    ),
  // ---- loss ----
  klWeight: z.number().min(0).max(1000).default(1).describe("weight of the KL distribution loss to the system's prior"),
  // ---- optimisation ----
  epochs: positiveInt(1000000).default(500).describe('passes over the clips'),
  batchSize: positiveInt(100000).default(128).describe('clips per Adam step'),
  lrEncoder: z.number().positive().max(10).default(1e-3).describe('Adam learning rate of the encoder'),
  lrSchedule: z
    .enum(['constant', 'cosine'])
    .default('constant')
    .describe("learning-rate schedule of both groups: 'constant' (paper) or 'cosine' (ours: decay from the peak to 0)"),
  lrPhys: z
    .number()
    .positive()
    .max(100)
    .default(1e-2)
    .describe("Adam learning rate of the physical parameters (the reference's main.py passes 0.01)"),
  checkpointEvery: positiveInt(1000000).default(10).describe('epochs between checkpoints'),
});
export type PhysicsConfig = z.output<typeof physicsConfigSchema>;

export const PHYSICS_DEFAULTS: Readonly<PhysicsConfig> = Object.freeze(physicsConfigSchema.parse({}));

/** Presets: small partial configs over the defaults. */
export const PHYSICS_PRESETS = Object.freeze({
  /** The paper's setting (the defaults). */
  paper: {},
  /**
   * Ours, for a shared 2-core CPU (not the paper's): 14 x 25 input, a 200-wide first layer, physics
   * learning rate 0.1 with a cosine decay of both rates, 600 epochs, the unit-variance latent init.
   */
  fast: { downsample: 4, hidden: [200, 100], lrPhys: 0.1, lrSchedule: 'cosine', epochs: 600, latentInit: 'unit' },
  /** Tiny, for tests and the tour's live demo. */
  test: {
    clips: 32,
    batchSize: 16,
    downsample: 4,
    hidden: [32, 16],
    epochs: 3,
    checkpointEvery: 1,
    latentInit: 'unit',
  },
} satisfies Record<string, Partial<PhysicsConfig>>);
export type PhysicsPreset = keyof typeof PHYSICS_PRESETS;
export const PHYSICS_PRESET_NAMES = Object.keys(PHYSICS_PRESETS) as [PhysicsPreset, ...PhysicsPreset[]];

/** Defaults, then the preset, then overrides; validated (first problem -> ConfigError naming the field). */
export function resolvePhysicsConfig(preset: PhysicsPreset = 'paper', overrides: Partial<PhysicsConfig> = {}) {
  if (!(preset in PHYSICS_PRESETS)) {
    throw new ConfigError(`preset must be one of ${PHYSICS_PRESET_NAMES.join(', ')}, got '${preset}'`);
  }
  return parseConfig(physicsConfigSchema, { ...PHYSICS_PRESETS[preset], ...overrides });
}
