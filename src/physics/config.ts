/**
 * Training configuration of the latent-physics model (Castañeda Garcia et al., CVPR 2025, and its
 * reference code: MLP 5600 -> 1000 -> 100 -> d, ReLU; Adam lr 1e-3 for the encoder and 1e-2 for the
 * physical parameters; batch 128; 500 epochs). `PHYSICS_DEFAULTS` is the paper's setting except
 * `latentInit` (ours; 'torch' is the reference's); presets are partial objects merged over it. `fast`
 * is OUR reduced preset for a 2-core CPU: not the paper's.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

export interface PhysicsConfig {
  // ---- data ----
  /** Synthetic clips to simulate when no video is given. Default 256; range [1, 100000]. */
  clips: number;
  /** Frames per clip (the rollout covers all of them). Default 10 (paper); >= order + 1. */
  length: number;
  /** Seconds between frames. Default 0.1 (paper). */
  dt: number;
  /** Pixel noise std of simulated frames, [0, 1] intensity units. Default 0. */
  noise: number;
  /** Background of simulated frames: 'plain' (black), 'smooth' (one seeded distractor for all clips) or 'smooth-per-clip'. Default 'plain'. */
  background: 'plain' | 'smooth' | 'smooth-per-clip';
  // ---- model ----
  /** Hidden widths of the MLP encoder. Default [1000, 100] (paper). */
  hidden: number[];
  /**
   * Initial latent scale: 'unit' (ours, default: the last layer rescaled so the first 128 clips'
   * latents have mean 0 and variance 1, model.ts `standardizeLatent`) or 'torch' (the reference's
   * PyTorch default init as it is).
   */
  latentInit: 'unit' | 'torch';
  /** Average-pool factor applied to the 56 x 100 frames before the encoder: 1 (paper), 2 or 4. */
  downsample: 1 | 2 | 4;
  /**
   * Integrator sub-steps inside the physics block per frame interval. 1 = the paper's one-step
   * block (Eq. 6 for second-order laws, explicit Euler for first-order ones); n > 1 = n classical
   * RK4 steps per interval, second-order laws started from the velocity that carries frame 2 back
   * onto frame 1 (shooting), which removes the one-step block's O(dt) bias (blocks.ts `rollout`).
   */
  substeps: number;
  // ---- loss ----
  /** Weight of the KL(N(mean, var) || N(0, 1)) distribution loss. Default 1 (paper). */
  klWeight: number;
  // ---- optimisation ----
  /** Passes over the clips. Default 500 (paper). */
  epochs: number;
  /** Clips per Adam step. Default 128 (paper). */
  batchSize: number;
  /** Adam learning rate of the encoder. Default 1e-3 (paper). */
  lrEncoder: number;
  /**
   * Learning-rate schedule of both groups: 'constant' (paper) or 'cosine' (ours: cosine decay from
   * the peak to 0 over the run, so the last steps stop jittering around the optimum).
   */
  lrSchedule: 'constant' | 'cosine';
  /** Adam learning rate of the physical parameters. Default 1e-2 (paper; the reference code's real-video script passes 1.0). */
  lrPhys: number;
  /** Epochs between checkpoints. Default 10. */
  checkpointEvery: number;
}

export const PHYSICS_DEFAULTS: Readonly<PhysicsConfig> = Object.freeze({
  clips: 256,
  length: 10,
  dt: 0.1,
  noise: 0,
  background: 'plain',
  hidden: [1000, 100],
  latentInit: 'unit',
  downsample: 1,
  substeps: 1,
  klWeight: 1,
  epochs: 500,
  batchSize: 128,
  lrEncoder: 1e-3,
  lrSchedule: 'constant',
  lrPhys: 1e-2,
  checkpointEvery: 10,
});

/** Presets: small partial configs over the defaults. */
export const PHYSICS_PRESETS = Object.freeze({
  /** The paper's setting (the defaults). */
  paper: {},
  /**
   * Ours, for a shared 2-core CPU (not the paper's): 14 x 25 input, a 200-wide first layer, physics
   * learning rate 0.1 with a cosine decay of both rates, RK4 block (2 sub-steps), 300 epochs.
   */
  fast: { downsample: 4, hidden: [200, 100], lrPhys: 0.1, lrSchedule: 'cosine', substeps: 2, epochs: 300 },
  /** Tiny, for tests and the tour's live demo. */
  test: { clips: 32, batchSize: 16, downsample: 4, hidden: [32, 16], epochs: 3, checkpointEvery: 1 },
} satisfies Record<string, Partial<PhysicsConfig>>);
export type PhysicsPreset = keyof typeof PHYSICS_PRESETS;

const positiveInt = (max: number) => z.number().int().min(1).max(max);

export const physicsConfigSchema = z.object({
  clips: positiveInt(100000),
  length: z.number().int().min(2).max(1000),
  dt: z.number().positive().max(10),
  noise: z.number().min(0).max(1),
  background: z.enum(['plain', 'smooth', 'smooth-per-clip']),
  hidden: z.array(positiveInt(10000)).min(1).max(8),
  latentInit: z.enum(['unit', 'torch']),
  downsample: z.union([z.literal(1), z.literal(2), z.literal(4)]),
  substeps: positiveInt(1000),
  klWeight: z.number().min(0).max(1000),
  epochs: positiveInt(1000000),
  batchSize: positiveInt(100000),
  lrEncoder: z.number().positive().max(10),
  lrSchedule: z.enum(['constant', 'cosine']),
  lrPhys: z.number().positive().max(100),
  checkpointEvery: positiveInt(1000000),
});

/** Defaults, then the preset, then overrides; validated (first problem -> ConfigError naming the field). */
export function resolvePhysicsConfig(preset: PhysicsPreset = 'paper', overrides: Partial<PhysicsConfig> = {}) {
  if (!(preset in PHYSICS_PRESETS)) {
    throw new ConfigError(`preset must be one of ${Object.keys(PHYSICS_PRESETS).join(', ')}, got '${preset}'`);
  }
  const merged = { ...PHYSICS_DEFAULTS, ...PHYSICS_PRESETS[preset], ...overrides };
  const r = physicsConfigSchema.safeParse(merged);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`physics config ${issue.path.join('.')}: ${issue.message}`);
  }
  return r.data as PhysicsConfig;
}
