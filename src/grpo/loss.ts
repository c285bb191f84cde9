/**
 * The GRPO loss as pure functions on plain arrays: group advantages, KL estimators, the clipped
 * surrogate per token, and the four aggregations (grpo, bnpo, dr_grpo, dapo) with the gradient of
 * the loss with respect to each token's log-probability. Shao et al. 2024 (DeepSeekMath eq. 3-4),
 * Yu et al. 2025 (DAPO eq. 10-12), Liu et al. 2025 (Dr. GRPO). Checked against hand-computed cases
 * and finite differences in test/grpo/loss.test.ts. Shapes: N completions, T tokens, row-major [N, T].
 */
import { ConfigError, ShapeError } from '../core/errors.js';
import { variance } from '../core/math.js';
import type { KlEstimator, LossType, ScaleRewards } from './config.js';

type Num = Float32Array | Float64Array | number[];

/** Unbiased (Bessel-corrected, n - 1) standard deviation of x[from, to), as torch.Tensor.std; 0 below 2 values. */
export function besselStd(x: ArrayLike<number>, from = 0, to = x.length): number {
  if (to - from < 2) return 0;
  return Math.sqrt(
    Math.max(
      0,
      variance(
        Array.from({ length: to - from }, (_, i) => x[from + i]),
        1,
      ),
    ),
  );
}

/**
 * Group-relative advantages A_i = (r_i - mean(group)) / (std + eps) (GRPO eq. 3, outcome supervision).
 * `rewards` is [numGroups * numGenerations], groups contiguous. scale: 'group' std, 'batch' std, 'none'.
 */
export function groupAdvantages(rewards: Num, numGenerations: number, scale: ScaleRewards, eps: number): Float64Array {
  const n = rewards.length;
  if (numGenerations < 1 || n % numGenerations !== 0) {
    throw new ShapeError(`rewards length ${n} must be a multiple of numGenerations ${numGenerations}`);
  }
  const out = new Float64Array(n);
  const batchStd = besselStd(rewards);
  for (let g = 0; g < n; g += numGenerations) {
    let mean = 0;
    for (let i = g; i < g + numGenerations; i++) mean += rewards[i];
    mean /= numGenerations;
    const std = scale === 'group' ? besselStd(rewards, g, g + numGenerations) : batchStd;
    for (let i = g; i < g + numGenerations; i++) {
      out[i] = scale === 'none' ? rewards[i] - mean : (rewards[i] - mean) / (std + eps);
    }
  }
  return out;
}

/** Weighted sum of several reward functions' outputs (TRL reward_weights): r_i = sum_k w_k r_ki. */
export function combineRewards(perFunction: Num[], weights?: readonly number[]): Float64Array {
  if (perFunction.length === 0) throw new ShapeError('combineRewards needs at least one reward array');
  const n = perFunction[0].length;
  const out = new Float64Array(n);
  perFunction.forEach((r, k) => {
    if (r.length !== n) throw new ShapeError(`reward function ${k} returned ${r.length} rewards, expected ${n}`);
    const w = weights ? weights[k] : 1;
    for (let i = 0; i < n; i++) out[i] += w * r[i];
  });
  return out;
}

/** Masked mean sum(v * m) / max(sum(m), 1) (TRL's clamp(min=1)). */
export function maskedMean(values: Num, mask: Num): number {
  if (values.length !== mask.length) throw new ShapeError(`maskedMean: ${values.length} values vs ${mask.length} mask`);
  let s = 0;
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] * mask[i];
    m += mask[i];
  }
  return s / Math.max(m, 1);
}

/** k1 = log pi - log pi_ref (unbiased, can be negative). */
export const klK1 = (logp: number, refLogp: number): number => logp - refLogp;
/** k2 = (log pi - log pi_ref)^2 / 2. */
export const klK2 = (logp: number, refLogp: number): number => 0.5 * (logp - refLogp) ** 2;
/** k3 = exp(d) - d - 1 with d = log pi_ref - log pi (GRPO eq. 4; unbiased, >= 0). */
export const klK3 = (logp: number, refLogp: number): number => Math.exp(refLogp - logp) - (refLogp - logp) - 1;

/** d k / d logp for each estimator. */
export function klGrad(kind: KlEstimator, logp: number, refLogp: number): number {
  switch (kind) {
    case 'k1':
      return 1;
    case 'k2':
      return logp - refLogp;
    case 'k3':
      return 1 - Math.exp(refLogp - logp);
    default:
      throw new ConfigError(`klEstimator must be 'k1', 'k2' or 'k3', got ${String(kind)}`);
  }
}

/** Value of one KL estimator. */
export function klValue(kind: KlEstimator, logp: number, refLogp: number): number {
  if (kind === 'k1') return klK1(logp, refLogp);
  if (kind === 'k2') return klK2(logp, refLogp);
  if (kind === 'k3') return klK3(logp, refLogp);
  throw new ConfigError(`klEstimator must be 'k1', 'k2' or 'k3', got ${String(kind)}`);
}

/**
 * Clipped surrogate for one token, -min(rho A, clip(rho, 1-epsLow, 1+epsHigh) A) with
 * rho = exp(logp - oldLogp) (PPO / GRPO eq. 3), and its derivative with respect to logp
 * (d rho / d logp = rho).
 */
export function clippedSurrogate(
  ratio: number,
  adv: number,
  epsLow: number,
  epsHigh: number,
): { value: number; grad: number } {
  const clipped = Math.min(Math.max(ratio, 1 - epsLow), 1 + epsHigh);
  const value = -Math.min(ratio * adv, clipped * adv);
  // The gradient flows through rho unless the clipped branch is strictly the minimum (outside the range).
  const clippedWins = adv >= 0 ? ratio > 1 + epsHigh : ratio < 1 - epsLow;
  return { value, grad: clippedWins ? 0 : -adv * ratio };
}

/** Inputs of `grpoLoss`. Per-token arrays are [N, T]; `advantages` is [N]. */
export interface GrpoLossInput {
  logp: Num;
  oldLogp: Num;
  /** Reference log-probs; needed when beta > 0. */
  refLogp?: Num;
  advantages: Num;
  mask: Num;
  /** Tokens per row (the padded completion length). */
  T: number;
}

export interface GrpoLossOptions {
  lossType: LossType;
  epsilon: number;
  epsilonHigh?: number;
  beta: number;
  klEstimator: KlEstimator;
  /** dr_grpo's constant normaliser length (TRL max_completion_length); defaults to T. */
  maxCompletionLength?: number;
}

export interface GrpoLossResult {
  loss: number;
  /** dLoss / dlogp, [N, T] (0 on masked tokens). */
  grad: Float64Array;
  /** Masked mean of the per-token KL estimate (0 when beta = 0). */
  kl: number;
  /** Fraction of valid tokens clipped below (rho < 1 - eps, A < 0) and above (rho > 1 + epsHigh, A > 0). */
  clipLow: number;
  clipHigh: number;
}

/**
 * Per-token weights w_nt of the aggregation, loss = sum_nt w_nt * perToken_nt:
 * grpo 1/(N |o_n|); bnpo and dapo 1/sum(mask); dr_grpo 1/(N L). Masked tokens get 0.
 */
export function aggregationWeights(lossType: LossType, mask: Num, T: number, maxLen = T): Float64Array {
  const N = mask.length / T;
  const w = new Float64Array(mask.length);
  let total = 0;
  for (let i = 0; i < mask.length; i++) total += mask[i];
  for (let n = 0; n < N; n++) {
    let len = 0;
    for (let t = 0; t < T; t++) len += mask[n * T + t];
    for (let t = 0; t < T; t++) {
      const i = n * T + t;
      if (!mask[i]) continue;
      switch (lossType) {
        case 'grpo':
          w[i] = mask[i] / (N * Math.max(len, 1));
          break;
        case 'bnpo':
        case 'dapo':
          w[i] = mask[i] / Math.max(total, 1);
          break;
        case 'dr_grpo':
          w[i] = mask[i] / (N * maxLen);
          break;
        default:
          throw new ConfigError(`lossType must be one of grpo, bnpo, dr_grpo, dapo, got ${String(lossType)}`);
      }
    }
  }
  return w;
}

/**
 * The GRPO objective and its gradient in log-prob space: 1. log-ratio, 2. ratio, 3. clipped
 * surrogate, 4. per-token loss (+ beta KL), 5. aggregation by `lossType`.
 */
export function grpoLoss(input: GrpoLossInput, opts: GrpoLossOptions): GrpoLossResult {
  const { logp, oldLogp, refLogp, advantages, mask, T } = input;
  const size = logp.length;
  const N = size / T;
  if (!Number.isInteger(N) || advantages.length !== N) {
    throw new ShapeError(`grpoLoss: logp has ${size} tokens, T=${T}, advantages ${advantages.length} (expected N*T)`);
  }
  for (const [name, a] of [
    ['oldLogp', oldLogp],
    ['mask', mask],
  ] as const) {
    if (a.length !== size) throw new ShapeError(`grpoLoss: ${name} has ${a.length} entries, expected ${size}`);
  }
  if (opts.beta > 0 && (!refLogp || refLogp.length !== size)) {
    throw new ShapeError(`grpoLoss: beta=${opts.beta} needs refLogp with ${size} entries`);
  }
  const epsHigh = opts.epsilonHigh ?? opts.epsilon;
  const w = aggregationWeights(opts.lossType, mask, T, opts.maxCompletionLength ?? T);
  const grad = new Float64Array(size);
  let loss = 0;
  let kl = 0;
  let low = 0;
  let high = 0;
  let valid = 0;
  for (let i = 0; i < size; i++) {
    if (!mask[i]) continue;
    const adv = advantages[Math.floor(i / T)];
    const logRatio = logp[i] - oldLogp[i]; // 1.
    const ratio = Math.exp(logRatio); // 2.
    const s = clippedSurrogate(ratio, adv, opts.epsilon, epsHigh); // 3.
    let value = s.value; // 4.
    let g = s.grad;
    if (opts.beta > 0 && refLogp) {
      const k = klValue(opts.klEstimator, logp[i], refLogp[i]);
      value += opts.beta * k;
      g += opts.beta * klGrad(opts.klEstimator, logp[i], refLogp[i]);
      kl += k;
    }
    loss += w[i] * value; // 5.
    grad[i] = w[i] * g;
    if (ratio < 1 - opts.epsilon && adv < 0) low++;
    if (ratio > 1 + epsHigh && adv > 0) high++;
    valid++;
  }
  const denom = Math.max(valid, 1);
  return { loss, grad, kl: kl / denom, clipLow: low / denom, clipHigh: high / denom };
}
