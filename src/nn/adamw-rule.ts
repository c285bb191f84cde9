/**
 * The AdamW update, written once (Loshchilov & Hutter 2019, Alg. 2, in PyTorch's form):
 * m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², p ← p (1 − lr λ) − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
 * Generic over the arithmetic of its storage: numbers (`arrayAdamwStep` below, on plain Float32Arrays, for the
 * hand-differentiated models of mlp-explicit.ts) and engine tensors (`adamw` in adamw.ts).
 * Checked against torch.optim.AdamW golden values (test/nn/fixtures/make_adamw_golden.py) in test/nn/adamw-rule.test.ts.
 */

/** The element-wise operations the rule needs from a storage back-end. */
export interface AdamwArith<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  sqrt(a: T): T;
  scale(a: T, c: number): T;
  unscale(a: T, c: number): T;
  shift(a: T, c: number): T;
}

/** Scalars of one update: β1, β2, ε, the decay factor 1 − lr λ, the step size lr / (1−β1ᵗ) and √(1−β2ᵗ). */
export interface AdamwScalars {
  beta1: number;
  beta2: number;
  eps: number;
  decay: number;
  stepSize: number;
  bc2Sqrt: number;
}

/** The scalars of update number t (1-based) at learning rate lr; `decays` false turns weight decay off. */
export function adamwScalars(
  t: number,
  lr: number,
  o: { beta1: number; beta2: number; eps: number; weightDecay: number },
  decays = true,
): AdamwScalars {
  return {
    beta1: o.beta1,
    beta2: o.beta2,
    eps: o.eps,
    decay: decays ? 1 - lr * o.weightDecay : 1,
    stepSize: lr / (1 - o.beta1 ** t),
    bc2Sqrt: Math.sqrt(1 - o.beta2 ** t),
  };
}

/** m ← β1 m + (1−β1) g (Alg. 2 line 7). */
export const adamwFirstMoment = <T>(ar: AdamwArith<T>, m: T, g: T, c: AdamwScalars): T =>
  ar.add(ar.scale(m, c.beta1), ar.scale(g, 1 - c.beta1));

/** v ← β2 v + (1−β2) g² (Alg. 2 line 8). */
export const adamwSecondMoment = <T>(ar: AdamwArith<T>, v: T, g: T, c: AdamwScalars): T =>
  ar.add(ar.scale(v, c.beta2), ar.scale(ar.mul(g, g), 1 - c.beta2));

/** p ← p (1 − lr λ) − (lr / (1−β1ᵗ)) m / (√v / √(1−β2ᵗ) + ε) with the new moments (Alg. 2 lines 9-12). */
export function adamwParam<T>(ar: AdamwArith<T>, p: T, m: T, v: T, c: AdamwScalars): T {
  const decayed = c.decay === 1 ? p : ar.scale(p, c.decay);
  return ar.sub(decayed, ar.scale(ar.div(m, ar.shift(ar.unscale(ar.sqrt(v), c.bc2Sqrt), c.eps)), c.stepSize));
}

/** Plain-number arithmetic (float64; the plain-array back-end stores the results as float32). */
export const NUMBER_ARITH: AdamwArith<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  sqrt: Math.sqrt,
  scale: (a, c) => a * c,
  unscale: (a, c) => a / c,
  shift: (a, c) => a + c,
};

/** Hyper-parameters of the plain-array optimiser (defaults as torch.optim.AdamW). */
export interface ArrayAdamwOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay λ; PyTorch's default is 0.01. */
  weightDecay?: number;
}

/** Update count and both moments, one array per parameter. */
export interface ArrayAdamwState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** Zero moments for parameters of the given sizes. */
export function arrayAdamwInit(sizes: number[]): ArrayAdamwState {
  return { step: 0, m: sizes.map((n) => new Float32Array(n)), v: sizes.map((n) => new Float32Array(n)) };
}

/** The state as named arrays for a checkpoint: m0.., v0.. (copies) and optStep. */
export function arrayAdamwStateEntries(state: ArrayAdamwState): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = { optStep: Float32Array.of(state.step) };
  state.m.forEach((m, k) => {
    out[`m${k}`] = m.slice();
    out[`v${k}`] = state.v[k].slice();
  });
  return out;
}

/** The state of `count` parameters back from `arrayAdamwStateEntries`' arrays (copies). */
export function arrayAdamwStateFrom(entries: Record<string, Float32Array>, count: number): ArrayAdamwState {
  const k = Array.from({ length: count }, (_, i) => i);
  return {
    step: entries.optStep[0],
    m: k.map((i) => entries[`m${i}`].slice()),
    v: k.map((i) => entries[`v${i}`].slice()),
  };
}

/** One AdamW update of every parameter in place (dense: zero gradients still decay and move by momentum). */
export function arrayAdamwStep(
  params: Float32Array[],
  grads: ArrayLike<number>[],
  state: ArrayAdamwState,
  o: ArrayAdamwOptions,
): void {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01 } = o;
  state.step += 1;
  const c = adamwScalars(state.step, o.lr, { beta1, beta2, eps, weightDecay });
  const ar = NUMBER_ARITH;
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    const g = grads[k];
    const m = state.m[k];
    const v = state.v[k];
    for (let i = 0; i < p.length; i++) {
      // As torch: the new moments are stored (float32) and the stored values enter the parameter update.
      m[i] = adamwFirstMoment(ar, m[i], g[i], c);
      v[i] = adamwSecondMoment(ar, v[i], g[i], c);
      p[i] = adamwParam(ar, p[i], m[i], v[i], c);
    }
  }
}
