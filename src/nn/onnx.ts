/**
 * nn's layers written as ONNX nodes (opset 17) from trained parameters, one function per layer
 * with the same formula as its engine twin in layers.ts / attention.ts: linear, LayerNorm (the
 * opset-17 LayerNormalization op), RMSNorm, GELU (exact erf form), SiLU, MLP, multi-head attention
 * with a rotary hook and an additive mask, and RoPE in both layouts (RoFormer eq. 13/14).
 * Exporters of trained models (toy denoiser, tiny LM) compose them; equality with the engine is
 * tested per model (test/toyworld/export.test.ts, test/lm/export.test.ts).
 */
import type { Tensor } from '../core/engine.js';
import { ConfigError } from '../core/errors.js';
import type { OnnxGraphBuilder } from '../core/onnx-graph.js';
import type { AttentionParams } from './attention.js';
import type { Activation, LayerNormParams, LinearParams, MlpParams, RmsNormParams } from './layers.js';

/** A weight's values as float32 (reads the engine tensor once). */
function values(t: Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** A parameter tensor as a float32 initializer of the same shape. */
export function weight(g: OnnxGraphBuilder, hint: string, t: Tensor): string {
  return g.tensor(hint, t.shape as number[], values(t));
}

/** y = x W + b on the last axis (W stored [in, out]). */
export function linearOnnx(g: OnnxGraphBuilder, p: LinearParams, x: string, hint = 'linear'): string {
  const y = g.op('MatMul', [x, weight(g, `${hint}.w`, p.w)]);
  return p.b ? g.op('Add', [y, weight(g, `${hint}.b`, p.b)]) : y;
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta (biased variance). */
export function layerNormOnnx(g: OnnxGraphBuilder, p: LayerNormParams, x: string, hint = 'ln', eps = 1e-5): string {
  const gamma = weight(g, `${hint}.gamma`, p.gamma);
  const beta = weight(g, `${hint}.beta`, p.beta);
  return g.op('LayerNormalization', [x, gamma, beta], { axis: { i: -1 }, epsilon: { f: eps } });
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * gamma. */
export function rmsNormOnnx(g: OnnxGraphBuilder, p: RmsNormParams, x: string, hint = 'rms', eps = 1e-6): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: { ints: [-1] }, keepdims: { i: 1 } });
  const denom = g.op('Sqrt', [g.op('Add', [ms, g.scalar('eps', eps)])]);
  return g.op('Mul', [g.op('Div', [x, denom]), weight(g, `${hint}.gamma`, p.gamma)]);
}

/** GELU(x) = x (1 + erf(x / sqrt 2)) / 2 (the exact form, as layers.ts). */
export function geluOnnx(g: OnnxGraphBuilder, x: string): string {
  const erf = g.op('Erf', [g.op('Mul', [x, g.scalar('inv_sqrt2', Math.SQRT1_2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, g.scalar('one', 1)])]), g.scalar('half', 0.5)]);
}

/** The named activation (silu(x) = x sigmoid(x)). */
export function activateOnnx(g: OnnxGraphBuilder, name: Activation, x: string): string {
  switch (name) {
    case 'gelu':
      return geluOnnx(g, x);
    case 'relu':
      return g.op('Relu', [x]);
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'silu':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    default:
      throw new ConfigError(`activation must be gelu, relu, tanh or silu, got ${String(name)}`);
  }
}

/** MLP: linear layers with the activation between them (none after the last). */
export function mlpOnnx(
  g: OnnxGraphBuilder,
  p: MlpParams,
  x: string,
  { activation = 'gelu', hint = 'mlp' }: { activation?: Activation; hint?: string } = {},
): string {
  let h = x;
  p.layers.forEach((layer, i) => {
    h = linearOnnx(g, layer, h, `${hint}.${i}`);
    if (i < p.layers.length - 1) h = activateOnnx(g, activation, h);
  });
  return h;
}

/** cos / sin tables as [P, Dh/2] initializers (or sliced views of them: see `sliceRows`). */
export interface RopeValues {
  cos: string;
  sin: string;
}

/**
 * RoPE on x [B, H, P, Dh] with tables [P, Dh/2] (RoFormer eq. 13). 'half' pairs dimension j with
 * j + Dh/2 (Llama checkpoints); 'interleaved' pairs 2j with 2j + 1 (eq. 14), as src/rope.
 */
export function ropeOnnx(g: OnnxGraphBuilder, x: string, t: RopeValues, layout: 'half' | 'interleaved'): string {
  if (layout === 'half') {
    const [a, b] = g.opN('Split', [x], 2, { axis: { i: -1 } });
    const first = g.op('Sub', [g.op('Mul', [a, t.cos]), g.op('Mul', [b, t.sin])]);
    const second = g.op('Add', [g.op('Mul', [b, t.cos]), g.op('Mul', [a, t.sin])]);
    return g.op('Concat', [first, second], { axis: { i: -1 } });
  }
  const pairs = g.op('Reshape', [x, g.int64('pairs', [0, 0, 0, -1, 2])]); // [B, H, P, Dh/2, 2]
  const [a, b] = g.opN('Split', [pairs], 2, { axis: { i: -1 } });
  const cos = g.op('Unsqueeze', [t.cos, g.int64('last', [-1])]); // [P, Dh/2, 1]
  const sin = g.op('Unsqueeze', [t.sin, g.int64('last', [-1])]);
  const first = g.op('Sub', [g.op('Mul', [a, cos]), g.op('Mul', [b, sin])]);
  const second = g.op('Add', [g.op('Mul', [a, sin]), g.op('Mul', [b, cos])]);
  const joined = g.op('Concat', [first, second], { axis: { i: -1 } });
  return g.op('Reshape', [joined, g.int64('heads_shape', [0, 0, 0, -1])]);
}

/** The first `rows` rows of a table (rows: a 1-element int64 value, e.g. the sequence length). */
export function sliceRows(g: OnnxGraphBuilder, table: string, rows: string, axes: number[] = [0]): string {
  const starts = g.int64(
    'zeros',
    axes.map(() => 0),
  );
  const ends =
    axes.length === 1
      ? rows
      : g.op(
          'Concat',
          axes.map(() => rows),
          { axis: { i: 0 } },
        );
  return g.op('Slice', [table, starts, ends, g.int64('axes', axes)]);
}

export interface AttentionOnnxOptions {
  /** RoPE tables and layout applied to q and k per head. */
  rope?: { tables: RopeValues; layout: 'half' | 'interleaved' };
  /** Additive mask broadcastable to [B, H, T, T] (0 = attend, -1e9 = masked). */
  mask?: string;
  hint?: string;
}

/** Multi-head self-attention: W_o concat_h softmax(q_h k_h^T / sqrt(Dh) + mask) v_h; x [B, T, D] -> [B, T, D]. */
export function attentionOnnx(
  g: OnnxGraphBuilder,
  p: AttentionParams,
  x: string,
  { rope, mask, hint = 'attn' }: AttentionOnnxOptions = {},
): string {
  const dim = p.wq.w.shape[1] as number;
  const dh = dim / p.heads;
  const headShape = g.int64('head_shape', [0, 0, p.heads, dh]);
  const split = (v: string) => g.op('Transpose', [g.op('Reshape', [v, headShape])], { perm: { ints: [0, 2, 1, 3] } });
  let q = split(linearOnnx(g, p.wq, x, `${hint}.wq`)); // [B, H, T, Dh]
  let k = split(linearOnnx(g, p.wk, x, `${hint}.wk`));
  const v = split(linearOnnx(g, p.wv, x, `${hint}.wv`));
  if (rope) {
    q = ropeOnnx(g, q, rope.tables, rope.layout);
    k = ropeOnnx(g, k, rope.tables, rope.layout);
  }
  const kT = g.op('Transpose', [k], { perm: { ints: [0, 1, 3, 2] } }); // [B, H, Dh, T]
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.scalar('attn_scale', 1 / Math.sqrt(dh))]); // [B, H, T, T]
  if (mask) scores = g.op('Add', [scores, mask]);
  const att = g.op('Softmax', [scores], { axis: { i: -1 } });
  const merged = g.op('Transpose', [g.op('MatMul', [att, v])], { perm: { ints: [0, 2, 1, 3] } }); // [B, T, H, Dh]
  const flat = g.op('Reshape', [merged, g.int64('merge_shape', [0, 0, dim])]); // [B, T, D]
  return linearOnnx(g, p.wo, flat, `${hint}.wo`);
}
