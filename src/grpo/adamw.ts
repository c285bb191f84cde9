/**
 * AdamW on plain Float32Arrays, exactly as torch.optim.AdamW (Loshchilov & Hutter 2019, Alg. 2):
 * p <- p (1 - lr wd); m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
 * p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Used by the analytic (non-engine) policies; the engine policies use nn's adamw. Checked against
 * the closed-form first step and a hand-iterated scalar case in test/grpo/adamw.test.ts.
 */
export interface AdamwOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay; PyTorch's default is 0.01. */
  weightDecay?: number;
}

export interface AdamwState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** Zero moments for parameters of the given sizes. */
export function adamwInit(sizes: number[]): AdamwState {
  return { step: 0, m: sizes.map((n) => new Float32Array(n)), v: sizes.map((n) => new Float32Array(n)) };
}

/** One AdamW update of every parameter in place (dense: zero gradients still decay and move by momentum). */
export function adamwStep(
  params: Float32Array[],
  grads: ArrayLike<number>[],
  state: AdamwState,
  o: AdamwOptions,
): void {
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01 } = o;
  state.step += 1;
  const bc1 = 1 - beta1 ** state.step;
  const bc2Sqrt = Math.sqrt(1 - beta2 ** state.step);
  const stepSize = lr / bc1;
  const decay = 1 - lr * weightDecay;
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    const g = grads[k];
    const m = state.m[k];
    const v = state.v[k];
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }
}
