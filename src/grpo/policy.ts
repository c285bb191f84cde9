/**
 * What the GRPO trainer needs from a policy: sample completions with their per-token
 * log-probabilities, give reference log-probs, and take one optimiser step given dLoss/dlogp.
 * The loss itself is computed once, in loss.ts, on plain arrays; a policy only back-propagates
 * the per-token gradient (a vector-Jacobian product through its own model or engine).
 */
import type { Rng } from '../core/rng.js';

/** One rollout batch: N = prompts x numGenerations completions, groups contiguous, T tokens per row. */
export interface Rollout<P, C> {
  /** [N] the prompt of each completion (each prompt repeated numGenerations times). */
  prompts: P[];
  /** [N] decoded completions, handed to the reward functions. */
  completions: C[];
  /** Padded completion length. */
  T: number;
  /** [N, T] 1 on completion tokens, 0 on padding. */
  mask: Float32Array;
  /** [N, T] log-probs of the sampled tokens under the sampling (old) policy. */
  oldLogp: Float32Array;
  /** [N] 1 when the completion hit the length limit without an end token. */
  truncated: Uint8Array;
  /** Policy-specific token data (ids, positions...) needed to recompute log-probs. */
  tokens: Int32Array;
}

/** Loss callback: from the current per-token log-probs to the loss value and dLoss/dlogp. */
export type TokenLoss = (logp: Float32Array) => { loss: number; grad: Float64Array };

/** Serializable policy state (weights + optimiser), for checkpoints. */
export type PolicyState = Record<string, Float32Array>;

export interface GrpoPolicy<P, C> {
  /** Samples one completion per prompt (prompts are already repeated numGenerations times). */
  generate(prompts: P[], rng: Rng): Rollout<P, C> | Promise<Rollout<P, C>>;
  /** [N, T] log-probs of the rollout's tokens under the frozen reference policy (used when beta > 0). */
  referenceLogProbs(rollout: Rollout<P, C>): Float32Array | Promise<Float32Array>;
  /**
   * One optimiser step: current log-probs of the rollout's tokens (tracked for gradients), then
   * `loss(logp)` for the value and dLoss/dlogp, back-propagation, then the optimiser update.
   * Returns the loss and the masked mean entropy of the policy at the rollout's positions.
   */
  update(
    rollout: Rollout<P, C>,
    loss: TokenLoss,
  ): { loss: number; entropy: number } | Promise<{ loss: number; entropy: number }>;
  /** Copies of the trainable parameters by name (tests check every one changes). */
  parameters(): Map<string, Float32Array>;
  /** Full state for checkpoints, and its inverse. */
  getState(): PolicyState;
  setState(state: PolicyState): void;
}
