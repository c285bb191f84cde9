/**
 * AdamW on the engine (Loshchilov & Hutter 2019, Alg. 2, in PyTorch's form; the update rule itself is
 * adamw-rule.ts, shared with the plain-array optimiser): g ← g · min(1, c / ‖g‖) (global-norm clipping,
 * Pascanu et al. 2013, Alg. 2), then m, v and p updated by the rule.
 * Moments are keyed by parameter name so they checkpoint with the weights. Checked against a
 * hand-iterated Float64 computation in test/nn/adamw.test.ts.
 */
import type { Scalar, Tensor, Tf, Variable } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { checkNumber, ModelMathError, ShapeError } from '../core/errors.js';
import { type AdamwArith, adamwFirstMoment, adamwParam, adamwScalars, adamwSecondMoment } from './adamw-rule.js';
import { flattenParams, type ParamTree } from './params.js';

export interface AdamwConfig {
  /** Learning rate, or a schedule `(step) => lr` called with the 0-based update index (see `lrAt`). */
  lr: number | ((step: number) => number);
  /** First-moment decay β1 (default 0.9, range [0, 1)). */
  beta1?: number;
  /** Second-moment decay β2 (default 0.999, range [0, 1)). */
  beta2?: number;
  /** ε added to √v̂ (default 1e-8, > 0). */
  eps?: number;
  /** Decoupled weight decay λ (default 0.01 as PyTorch; ≥ 0). */
  weightDecay?: number;
  /** Clip the global gradient norm to this value (default: no clipping; > 0). */
  clipNorm?: number;
  /** Which parameters decay (default: rank ≥ 2, i.e. weights but not biases/gains, as nanoGPT). */
  decayFilter?: (name: string, v: Variable) => boolean;
}

/** Defaults of the optional AdamW knobs (PyTorch's `torch.optim.AdamW`). */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 } as const;

/** Serializable optimiser state: update count and both moments by parameter name. */
export interface AdamwState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export interface Optimizer {
  /** One update: gradients of `lossFn` w.r.t. every Variable in `params`; returns the loss value. */
  step(lossFn: () => Scalar, params: ParamTree): number;
  /** Number of updates applied so far. */
  readonly stepCount: number;
  /** Global gradient norm before clipping, from the last step. */
  readonly lastGradNorm: number;
  /** Learning rate used by the last step. */
  readonly lastLr: number;
  /** A copy of the state for checkpoints. */
  getState(): AdamwState;
  /** Restores a state from `getState()` (moment shapes are checked on the next step). */
  setState(state: AdamwState): void;
  /** Frees the moment Variables. */
  dispose(): void;
}

/** Engine-tensor arithmetic for the shared update rule (adamw-rule.ts). */
const tensorArith = (tf: Tf): AdamwArith<Tensor> => ({
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  sqrt: (a) => tf.sqrt(a),
  scale: (a, c) => tf.mul(a, c),
  unscale: (a, c) => tf.div(a, c),
  shift: (a, c) => tf.add(a, c),
});

/** The fields of `o` whose value is not undefined (so explicit `undefined` keeps the default). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Builds an AdamW optimiser; see `AdamwConfig` for every knob and its default. */
export function adamw(config: AdamwConfig): Optimizer {
  const { lr, clipNorm } = config;
  const { beta1, beta2, eps, weightDecay } = { ...ADAMW_DEFAULTS, ...definedOnly(config) };
  const decayFilter = config.decayFilter ?? ((_: string, v: Variable) => v.rank >= 2);
  if (typeof lr !== 'function') checkNumber('lr', lr, { min: 0 });
  checkNumber('beta1', beta1, { min: 0, max: 1, maxExclusive: true });
  checkNumber('beta2', beta2, { min: 0, max: 1, maxExclusive: true });
  checkNumber('eps', eps, { min: 0, minExclusive: true });
  checkNumber('weightDecay', weightDecay, { min: 0 });
  if (clipNorm !== undefined) checkNumber('clipNorm', clipNorm, { min: 0, minExclusive: true });
  const tf = tfSync();
  const moments = new Map<string, { m: Variable; v: Variable }>();
  let pending: AdamwState | null = null;
  let t = 0;
  let lastGradNorm = Number.NaN;
  let lastLr = Number.NaN;

  const momentsFor = (name: string, p: Variable) => {
    let mv = moments.get(name);
    if (!mv) {
      const m0 = pending?.m.get(name);
      const v0 = pending?.v.get(name);
      if ((m0 && m0.length !== p.size) || (v0 && v0.length !== p.size)) {
        throw new ShapeError(`optimiser state for ${name} has ${m0?.length} values, the parameter has ${p.size}`);
      }
      const make = (init?: Float32Array) => tf.variable(init ? tf.tensor(init, p.shape) : tf.zeros(p.shape), false);
      mv = { m: make(m0), v: make(v0) };
      moments.set(name, mv);
    }
    return mv;
  };

  return {
    step(lossFn, params) {
      const vars = flattenParams(params);
      const byId = new Map([...vars].map(([name, v]) => [v.name, name]));
      const { value, grads } = tf.variableGrads(lossFn, [...vars.values()]);
      const loss = value.dataSync()[0];
      const release = () => {
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
      };
      const lrNow = typeof lr === 'function' ? lr(t) : lr;
      if (!Number.isFinite(loss) || !Number.isFinite(lrNow) || lrNow < 0) {
        release();
        throw new ModelMathError(`adamw step ${t}: loss ${loss}, lr ${lrNow}; expected finite values (lower the lr?)`);
      }
      t += 1;
      tf.tidy(() => {
        const named = Object.entries(grads).map(([id, g]) => [byId.get(id)!, g] as [string, Tensor]);
        const norm = Math.sqrt(tf.addN(named.map(([, g]) => tf.sum(tf.square(g)))).dataSync()[0]);
        lastGradNorm = norm;
        const scale = clipNorm !== undefined && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
        const hyper = { beta1, beta2, eps, weightDecay };
        const ar = tensorArith(tf);
        for (const [name, g0] of named) {
          const p = vars.get(name)!;
          const { m, v } = momentsFor(name, p);
          const g = scale === 1 ? g0 : g0.mul(scale);
          const c = adamwScalars(t, lrNow, hyper, decayFilter(name, p) && weightDecay > 0);
          m.assign(adamwFirstMoment(ar, m, g, c));
          v.assign(adamwSecondMoment(ar, v, g, c));
          p.assign(adamwParam(ar, p, m, v, c));
        }
      });
      release();
      lastLr = lrNow;
      return loss;
    },
    get stepCount() {
      return t;
    },
    get lastGradNorm() {
      return lastGradNorm;
    },
    get lastLr() {
      return lastLr;
    },
    getState() {
      const m = new Map<string, Float32Array>();
      const v = new Map<string, Float32Array>();
      for (const [name, mv] of moments) {
        m.set(name, Float32Array.from(mv.m.dataSync() as Float32Array));
        v.set(name, Float32Array.from(mv.v.dataSync() as Float32Array));
      }
      if (pending) {
        for (const [name, arr] of pending.m) if (!m.has(name)) m.set(name, arr);
        for (const [name, arr] of pending.v) if (!v.has(name)) v.set(name, arr);
      }
      return { step: t, m, v };
    },
    setState(state) {
      checkNumber('optimiser state step', state.step, { min: 0, integer: true });
      for (const mv of moments.values()) {
        mv.m.dispose();
        mv.v.dispose();
      }
      moments.clear();
      pending = state;
      t = state.step;
    },
    dispose() {
      for (const mv of moments.values()) {
        mv.m.dispose();
        mv.v.dispose();
      }
      moments.clear();
    },
  };
}
