/**
 * The latent-physics model of Castañeda Garcia et al. (CVPR 2025), lecture section 三: an MLP
 * encoder E (pixels -> d = 1 latent, ReLU between layers), the system's physics block rolled out
 * from the first `order` encodings over the clip (MSE against the encodings of the later frames,
 * lecture L1), plus KL(N(batch mean, var) || N(0, 1)) (lecture L2). Shapes: B clips, T frames,
 * P pixels. Checked in test/physics/model.test.ts (loss vs a float64 recomputation, smoke training).
 */
import { readAndDispose, type Tensor, type Tf, type Variable } from '../core/engine.js';
import type { Rng } from '../core/rng.js';
import { linear, type MlpParams } from '../nn/index.js';
import { klToNormal, rollout, STANDARD_PRIOR } from './blocks.js';
import type { PhysicsConfig } from './config.js';
import { tensorOps } from './ops.js';
import type { SystemSpec } from './systems.js';

/**
 * Trainable parts: the encoder and one scalar Variable per physical parameter. The paper trains
 * the physical parameters with their own Adam learning rate; Adam's step is invariant to a
 * constant gradient scale, so one Adam at lrEncoder on phi with theta = physScale * phi and
 * physScale = lrPhys / lrEncoder takes exactly the steps of Adam at lrPhys on theta (up to eps).
 */
export interface PhysicsModel {
  encoder: MlpParams;
  /** phi per physical parameter (theta = physScale * phi). */
  phys: Record<string, Variable>;
  /** lrPhys / lrEncoder (static, not trained). */
  physScale: number;
}

/** Latent dimension d (every system here has one scalar state). */
export const LATENT_DIM = 1;

/**
 * The reference encoder's initialisation, PyTorch's `nn.Linear` default (kaiming_uniform with
 * a = sqrt(5)): weights and biases uniform in +-1/sqrt(fan_in). Weights are stored [in, out].
 */
export function torchLinearInit(tf: Tf, rng: Rng, dims: readonly number[]): MlpParams {
  const uniform = (r: Rng, n: number, bound: number) =>
    Float32Array.from({ length: n }, () => r.uniformRange(-bound, bound));
  return {
    layers: dims.slice(1).map((out, i) => {
      const [r, bound] = [rng.fork(`layer${i}`), 1 / Math.sqrt(dims[i])];
      const w = tf.variable(tf.tensor2d(uniform(r.fork('w'), dims[i] * out, bound), [dims[i], out]));
      return { w, b: tf.variable(tf.tensor1d(uniform(r.fork('b'), out, bound))) };
    }),
  };
}

/** Encoder [P, ...hidden, d] and physical parameters at the system's initial values. */
export function physicsModelInit(tf: Tf, rng: Rng, spec: SystemSpec, cfg: PhysicsConfig, pixels: number): PhysicsModel {
  const encoder = torchLinearInit(tf, rng.fork('encoder'), [pixels, ...cfg.hidden, LATENT_DIM]);
  const physScale = cfg.lrPhys / cfg.lrEncoder;
  const phys: Record<string, Variable> = {};
  for (const p of spec.params)
    phys[p.name] = tf.tidy(() => tf.variable(tf.scalar(p.init / physScale, 'float32'), true));
  return { encoder, phys, physScale };
}

/** Clips whose frames set the latent's initial mean and variance (`standardizeLatent`). */
export const STANDARDIZE_CLIPS = 128;

/**
 * Data-dependent init of the encoder's last layer (LSUV-style, Mishkin & Matas 2016, on the output
 * layer only): weights and bias rescaled so that the latents of `frames` [n * P] have mean 0 and
 * variance 1, the prior's, before the first step. Ours, not the reference's: from PyTorch's init the
 * latents have variance ~1e-4, the KL term dominates the first steps and grows the latent along
 * whatever feature spreads fastest (measured: oscillator stuck on a latent even in the ball's
 * position in 2 of 5 fast seeds; none with this init; an earlier preset, docs/parts/physics.md Decisions).
 */
export function standardizeLatent(tf: Tf, model: PhysicsModel, frames: Float32Array): void {
  const pixels = model.encoder.layers[0].w.shape[0];
  const z = encodeAll(tf, model, frames, pixels);
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
  const last = model.encoder.layers[model.encoder.layers.length - 1];
  tf.tidy(() => {
    last.w.assign(tf.div(last.w, std));
    last.b!.assign(tf.div(tf.sub(last.b!, mean), std));
  });
}

/** The physical parameters theta = physScale * phi as tensors (call inside a tidy). */
export function physTensors(tf: Tf, model: PhysicsModel): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(model.phys).map(([k, v]) => [k, tf.mul(v, model.physScale)]));
}

/** Current physical parameter values as numbers. */
export function physValues(model: PhysicsModel): Record<string, number> {
  return Object.fromEntries(Object.entries(model.phys).map(([k, v]) => [k, v.dataSync()[0] * model.physScale]));
}

/**
 * z = E(x): [N, P] -> [N] (d = 1); ReLU between the layers, none after the last. Frames are [-1, 1]
 * in modelmath; the encoder sees them as intensities in [0, 1], as the reference code feeds it
 * (src/utils/video2npy.py divides gray levels by 255). Measured: with [-1, 1] inputs the pendulum's
 * latent folded back at large angles in 4 of 4 fast runs (docs/parts/physics.md, Decisions).
 */
export function encode(tf: Tf, model: PhysicsModel, x: Tensor): Tensor {
  let h = tf.mul(tf.add(x, 1), 0.5); // [N, P] in [0, 1]
  model.encoder.layers.forEach((layer, i) => {
    h = linear(layer, h);
    if (i < model.encoder.layers.length - 1) h = tf.relu(h);
  });
  return h.reshape([-1]);
}

export interface LossTerms {
  total: Tensor;
  rollout: Tensor;
  kl: Tensor;
}

/**
 * Lecture L = L1 + L2 for a batch of clips [B, T, P], as the reference code computes it
 * (`latent_loss` over `EndPhys.forward`'s outputs): L1 = MSE between the encodings of all T frames
 * and the block's sequence (the first `order` encodings, then its predictions), i.e. the squared
 * errors of the T - order predicted frames summed and divided by B x T; L2 = KL of the B x T
 * latents' mean and unbiased variance to the system's prior (N(0, 1) in the paper).
 */
export function physicsLoss(tf: Tf, spec: SystemSpec, model: PhysicsModel, clips: Tensor, cfg: PhysicsConfig) {
  const [B, T, P] = clips.shape;
  const order = spec.dynamics.order;
  const ops = tensorOps(tf);
  const z = encode(tf, model, clips.reshape([B * T, P])).reshape([B, T]); // [B, T]
  const frames = tf.unstack(z, 1); // T x [B]
  const preds = rollout(ops, spec.dynamics, frames.slice(0, order), physTensors(tf, model), {
    steps: T - order,
    dt: cfg.dt,
    substeps: cfg.substeps,
  });
  const pred = tf.stack(preds, 1); // [B, T - order]
  const target = z.slice([0, order], [B, T - order]);
  const rolloutLoss = tf.div(tf.sum(tf.square(tf.sub(pred, target))), B * T);
  const flat = z.reshape([-1]);
  const mu = tf.mean(flat);
  const variance = tf.div(tf.sum(tf.square(tf.sub(flat, mu))), B * T - 1);
  const kl = klToNormal(ops, mu, variance, spec.prior ?? STANDARD_PRIOR);
  const total = tf.add(rolloutLoss, tf.mul(kl, cfg.klWeight));
  return { total, rollout: rolloutLoss, kl } satisfies LossTerms;
}

/** Encodes every frame of a flat frame array [N * P] in chunks; returns float64 latents [N]. */
export function encodeAll(
  tf: Tf,
  model: PhysicsModel,
  frames: Float32Array,
  pixels: number,
  chunk = 512,
): Float64Array {
  const n = frames.length / pixels;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const z = tf.tidy(() => encode(tf, model, tf.tensor2d(frames.subarray(i * pixels, (i + m) * pixels), [m, pixels])));
    out.set(readAndDispose(z), i);
  }
  return out;
}
