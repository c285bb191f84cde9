/**
 * LoRA / DoRA linear layers on the engine (Hu et al. 2021, Eq. 3; Liu et al. 2024, Eq. 5),
 * wrapping nn's LinearParams (w [in, out]) without touching it: the base stays frozen because only
 * `loraTrainable(tree)` (A, B, magnitude) is handed to the optimiser. A [r, in] and B [out, r] use
 * PEFT's layout; A ~ U(-1/sqrt(in), 1/sqrt(in)) (PEFT's kaiming_uniform_(a=sqrt 5)), B = 0.
 * `loraLinear` is the unmerged forward (with dropout); `loraEffective` gives W0 + s A^T B^T as
 * LinearParams for layers such as nn's attention. Both checked against src/lora/math.ts in test/lora.
 */
import type { Tensor, Variable } from '../core/engine.js';
import { readAndDispose, tfSync } from '../core/engine.js';
import { ConfigError, ShapeError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { LinearParams } from '../nn/index.js';
import { type LoraConfig, validateLoraConfig } from './config.js';
import { loraScaling, mergeLora, rowNorms } from './math.js';

/** A linear layer with an adapter: frozen base, trainable A, B (and DoRA magnitude). */
export interface LoraLinearParams {
  base: LinearParams;
  /** [r, in] */
  loraA: Variable;
  /** [out, r] */
  loraB: Variable;
  /** DoRA magnitude [out] (row norms of W0 in [out, in] at init). */
  magnitude?: Variable;
  /** Static: s = alpha / r (or alpha / sqrt r). */
  scaling: number;
  /** Static: dropout rate on the adapter input. */
  dropout: number;
}

/** True for a node built by `loraLinearInit`. */
export function isLoraLinear(node: unknown): node is LoraLinearParams {
  return typeof node === 'object' && node !== null && 'loraA' in node && 'loraB' in node && 'base' in node;
}

/** W0 in PEFT layout [out, in] from nn's [in, out]. */
export function baseWeightOutIn(base: LinearParams): Float32Array {
  return readAndDispose(tfSync().transpose(base.w));
}

/** Wraps `base` with a fresh adapter: A ~ U(+-1/sqrt(in)) from `rng`, B = 0, m = ||W0 rows||. */
export function loraLinearInit(rng: Rng, base: LinearParams, config: Partial<LoraConfig> = {}): LoraLinearParams {
  const tf = tfSync();
  const c = validateLoraConfig(config);
  const [inDim, outDim] = base.w.shape;
  const bound = 1 / Math.sqrt(inDim);
  const a = rng.fillUniform(new Float32Array(c.r * inDim), -bound, bound);
  const p: LoraLinearParams = {
    base,
    loraA: tf.variable(tf.tensor2d(a, [c.r, inDim])),
    loraB: tf.variable(tf.zeros([outDim, c.r])),
    scaling: loraScaling(c.alpha, c.r, c.useRslora),
    dropout: c.dropout,
  };
  if (c.useDora) p.magnitude = tf.variable(tf.tensor1d(rowNorms(baseWeightOutIn(base), outDim, inDim)));
  return p;
}

/** Identity forward whose gradient is zero: DoRA treats ||W0 + s B A|| as a constant (Sec. 4.3). */
function stopGradient(x: Tensor): Tensor {
  const tf = tfSync();
  const f = tf.customGrad(((v: Tensor) => ({
    value: v.clone(),
    gradFunc: (dy: Tensor) => tf.zerosLike(dy),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as Tensor;
}

/** DoRA column scale m / ||W0 + s A^T B^T||, norms over `in` for each output ([in, out] layout). */
function doraScale(p: LoraLinearParams, wEff: Tensor): Tensor {
  const tf = tfSync();
  const norms = stopGradient(tf.sqrt(tf.sum(tf.square(wEff), 0))); // [out]
  return p.magnitude!.div(norms);
}

/** Effective weight W0 + s A^T B^T, [in, out] (the merged LoRA weight, differentiable in A, B). */
function effectiveWeight(p: LoraLinearParams): Tensor {
  const tf = tfSync();
  return p.base.w.add(tf.matMul(p.loraA, p.loraB, true, true).mul(p.scaling));
}

/**
 * The adapted layer as plain LinearParams (w = merged weight tensor), for layers that take
 * LinearParams (e.g. nn's attention). Call inside `tf.tidy`; no dropout on this path.
 */
export function loraEffective(p: LinearParams | LoraLinearParams): LinearParams {
  if (!isLoraLinear(p)) return p;
  let w = effectiveWeight(p);
  if (p.magnitude) w = w.mul(doraScale(p, w).reshape([1, -1]));
  // A merged tensor stands in for the Variable: nn's linear only reads it.
  return { w: w as Variable, b: p.base.b };
}

function isPlainNode(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null || Array.isArray(x);
}

/**
 * A copy of a params tree in which every LoRA layer is replaced by `loraEffective` (the same tree
 * when there is none), so models built on nn's layers run adapted weights unchanged. Inside `tf.tidy`.
 */
export function loraView<T extends object>(tree: T): T {
  let found = false;
  const map = (node: unknown): unknown => {
    if (isLoraLinear(node)) {
      found = true;
      return loraEffective(node);
    }
    if (Array.isArray(node)) return node.map(map);
    if (isPlainNode(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, map(v)]));
    return node;
  };
  const view = map(tree) as T;
  return found ? view : tree;
}

export interface LoraForwardOptions {
  /** Training mode applies dropout to the adapter input (default false). */
  training?: boolean;
  /** Seed for the dropout mask (required when training with dropout > 0). */
  seed?: number;
}

/** y = x W0 + s (drop(x) A^T) B^T + b; DoRA: (x W0 + s drop(x) A^T B^T) * m/||W'|| + b. x [..., in]. */
export function loraLinear(p: LoraLinearParams, x: Tensor, opts: LoraForwardOptions = {}): Tensor {
  const tf = tfSync();
  const [inDim, outDim] = p.base.w.shape;
  if (x.shape[x.rank - 1] !== inDim) {
    throw new ShapeError(`lora linear: input last dimension must be ${inDim}, got [${x.shape.join(', ')}]`);
  }
  if (opts.training && p.dropout > 0 && opts.seed === undefined) {
    throw new ConfigError('lora linear: training with dropout needs a seed');
  }
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    const x2 = x.reshape([-1, inDim]); // [N, in]
    const xd = opts.training && p.dropout > 0 ? tf.dropout(x2, p.dropout, undefined, opts.seed) : x2;
    const lora = tf.matMul(tf.matMul(xd, p.loraA, false, true), p.loraB, false, true).mul(p.scaling); // [N, out]
    let y = tf.matMul(x2, p.base.w).add(lora);
    if (p.magnitude) y = y.mul(doraScale(p, effectiveWeight(p)));
    if (p.base.b) y = y.add(p.base.b);
    return y.reshape([...lead, outDim]);
  });
}

/** Visits every LinearParams / LoraLinearParams node of a params tree with its dotted path. */
export function forEachLinear(
  tree: object,
  visit: (path: string, node: LinearParams | LoraLinearParams, parent: Record<string, unknown>, key: string) => void,
): void {
  const tf = tfSync();
  const walk = (node: unknown, path: string) => {
    if (typeof node !== 'object' || node === null || node instanceof tf.Tensor) return;
    for (const [k, v] of Object.entries(node)) {
      const p = path ? `${path}.${k}` : k;
      const isLinear = typeof v === 'object' && v !== null && 'w' in v && v.w instanceof tf.Variable && v.w.rank === 2;
      if (isLora(v) || isLinear) visit(p, v as LinearParams, node as Record<string, unknown>, k);
      else walk(v, p);
    }
  };
  const isLora = isLoraLinear;
  walk(tree, '');
}

/** PEFT's matching rule: a module matches a target if its name equals it or ends with `.target`. */
export function matchesTarget(path: string, targets: readonly string[]): boolean {
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}

/**
 * Replaces every targeted linear layer of `tree` (in place) by a LoRA layer; returns the adapted
 * module paths. Throws if no module matches (as PEFT does).
 */
export function addLora(tree: object, rng: Rng, config: Partial<LoraConfig>): string[] {
  const c = validateLoraConfig(config);
  const adapted: string[] = [];
  forEachLinear(tree, (path, node, parent, key) => {
    if (isLoraLinear(node) || !matchesTarget(path, c.targetModules)) return;
    parent[key] = loraLinearInit(rng.fork(path), node, c);
    adapted.push(path);
  });
  if (adapted.length === 0) {
    throw new ConfigError(`lora targetModules ${JSON.stringify(c.targetModules)} matched no linear layer of the model`);
  }
  return adapted;
}

/** The trainable part of an adapted tree, nested like the tree: { blocks: { 0: { wq: { loraA, loraB, magnitude? } } } }. */
export function loraTrainable(tree: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  forEachLinear(tree, (path, node) => {
    if (!isLoraLinear(node)) return;
    const keys = path.split('.');
    let at = out;
    for (const k of keys.slice(0, -1)) {
      if (at[k] === undefined) at[k] = {};
      at = at[k] as Record<string, unknown>;
    }
    at[keys[keys.length - 1]] = node.magnitude
      ? { loraA: node.loraA, loraB: node.loraB, magnitude: node.magnitude }
      : { loraA: node.loraA, loraB: node.loraB };
  });
  return out;
}

/** Every adapter Variable of the tree (A, B and DoRA magnitudes). */
function loraVariables(tree: object): Variable[] {
  const vars: Variable[] = [];
  forEachLinear(tree, (_path, node) => {
    if (isLoraLinear(node)) vars.push(node.loraA, node.loraB, ...(node.magnitude ? [node.magnitude] : []));
  });
  return vars;
}

/** Number of trainable adapter parameters: sum of r (in + out) (+ out for DoRA) over adapted layers. */
export function loraParamCount(tree: object): number {
  return loraVariables(tree).reduce((n, v) => n + v.size, 0);
}

/**
 * Merges every adapter of `tree` into its base (in place): each LoRA layer becomes plain
 * LinearParams with a new weight Variable W0 + s B A (DoRA: m (W0 + s B A) / ||.||); the adapter
 * Variables are disposed. Returns the merged paths. Uses `mergeLora` of ./math.ts.
 */
export function mergeLoraLayers(tree: object): string[] {
  const tf = tfSync();
  const merged: string[] = [];
  forEachLinear(tree, (path, node, parent, key) => {
    if (!isLoraLinear(node)) return;
    const [inDim, outDim] = node.base.w.shape;
    const dims = { inDim, outDim, r: node.loraA.shape[0] };
    const factors = {
      a: node.loraA.dataSync() as Float32Array,
      b: node.loraB.dataSync() as Float32Array,
      magnitude: node.magnitude ? (node.magnitude.dataSync() as Float32Array) : undefined,
    };
    const { w } = mergeLora(baseWeightOutIn(node.base), dims, factors, node.scaling); // [out, in]
    const wInOut = tf.tidy(() => tf.tensor2d(w, [outDim, inDim]).transpose());
    node.base.w.dispose();
    node.loraA.dispose();
    node.loraB.dispose();
    node.magnitude?.dispose();
    parent[key] = node.base.b ? { w: tf.variable(wInOut), b: node.base.b } : { w: tf.variable(wInOut) };
    wInOut.dispose();
    merged.push(path);
  });
  return merged;
}
