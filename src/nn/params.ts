/**
 * Parameter trees: a params tree is a plain object/array nesting of tf.Variables (numbers,
 * strings and booleans in it are static config such as a head count and are skipped).
 * `flattenParams` names every Variable by its dotted path (`blocks.0.attn.wq.w`), the names used
 * by save/load through core/safetensors. Round trip and error cases in test/nn/params.test.ts.
 */
import type { Variable } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { ConfigError, InputError, ShapeError, show } from '../core/errors.js';
import { readSafetensorsFile, type TensorToWrite, writeSafetensors } from '../core/safetensors.js';

/** Any params tree (object or array nesting of tf.Variables). */
export type ParamTree = object;

/** name → Variable in depth-first, insertion order; names are dotted paths (array items by index). */
export function flattenParams(tree: ParamTree): Map<string, Variable> {
  const tf = tfSync();
  const out = new Map<string, Variable>();
  const visit = (node: unknown, path: string) => {
    if (node instanceof tf.Variable) {
      out.set(path, node);
    } else if (Array.isArray(node) || (typeof node === 'object' && node !== null && isPlain(node))) {
      for (const [k, v] of Object.entries(node)) {
        if (k === '' || k.includes('.'))
          throw new ConfigError(`params ${path || '(root)'}: key ${show(k)} is empty or has a '.'`);
        visit(v, path ? `${path}.${k}` : k);
      }
    } else if (node instanceof tf.Tensor) {
      throw new ConfigError(`params ${path}: a plain Tensor is not trainable; use tf.variable(...)`);
    } else if (node !== undefined && node !== null && !['number', 'string', 'boolean'].includes(typeof node)) {
      throw new ConfigError(`params ${path}: unexpected leaf of type ${typeof node}`);
    }
  };
  visit(tree, '');
  return out;
}

function isPlain(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Total number of scalar parameters: Σ over Variables of their sizes. */
export function paramCount(tree: ParamTree): number {
  let n = 0;
  for (const v of flattenParams(tree).values()) n += v.size;
  return n;
}

/** Disposes every Variable in the tree (rule 2 of the engine rule: the owner disposes once). */
export function disposeParams(tree: ParamTree): void {
  for (const v of flattenParams(tree).values()) v.dispose();
}

/** Float32 copies of every parameter by name (for checkpoints and safetensors). */
export function paramsToTensors(tree: ParamTree): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, v] of flattenParams(tree)) {
    out.set(name, { dtype: 'F32', shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) });
  }
  return out;
}

/** Writes every parameter of `tree` by its dotted name to a safetensors file (atomic). */
export function saveParams(path: string, tree: ParamTree, metadata: Record<string, string> = {}): void {
  writeSafetensors(path, paramsToTensors(tree), metadata);
}

/**
 * Assigns named float arrays to the tree's Variables: every Variable must be present with its exact
 * shape (ShapeError naming the tensor); with `strict` (default) extra names are an InputError too.
 */
export function assignParams(
  tree: ParamTree,
  tensors: Map<string, { shape: number[]; data: ArrayLike<number> | BigInt64Array }>,
  { strict = true, source = 'checkpoint' }: { strict?: boolean; source?: string } = {},
): void {
  const tf = tfSync();
  const vars = flattenParams(tree);
  const missing = [...vars.keys()].filter((k) => !tensors.has(k));
  if (missing.length) throw new InputError(`${source}: missing parameter(s) ${missing.slice(0, 5).join(', ')}`);
  if (strict) {
    const extra = [...tensors.keys()].filter((k) => !vars.has(k));
    if (extra.length) throw new InputError(`${source}: unexpected parameter(s) ${extra.slice(0, 5).join(', ')}`);
  }
  for (const [name, v] of vars) {
    const t = tensors.get(name)!;
    const same = t.shape.length === v.shape.length && t.shape.every((d, i) => d === v.shape[i]);
    if (!same) {
      throw new ShapeError(`${source}: parameter ${name} has shape [${t.shape}], the model expects [${v.shape}]`);
    }
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
      throw new ShapeError(`${source}: parameter ${name} must be a float tensor`);
    }
  }
  for (const [name, v] of vars) {
    const t = tensors.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(t.data as Float32Array), v.shape, 'float32')));
  }
}

/** Loads a safetensors file written by `saveParams` into the tree (shapes checked first); returns its metadata. */
export function loadParams(path: string, tree: ParamTree, options: { strict?: boolean } = {}): Record<string, string> {
  const { tensors, metadata } = readSafetensorsFile(path);
  assignParams(tree, tensors, { ...options, source: path });
  return metadata;
}
