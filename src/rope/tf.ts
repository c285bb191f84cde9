/**
 * RoPE inside trained models, on the autodiff engine: the same rotation as `applyRope` (lecture 17
 * Eq. 13/14 interleaved, or Hugging Face rotate_half), written with engine ops so gradients flow
 * to q and k. The cos/sin tables come from `ropeTables` / `axialRopeTables`; test/rope checks
 * this function against `applyRopeWithTables` and its gradient against the transposed rotation.
 */

import type { Tensor, Tf } from '../core/engine.js';
import { checkOneOf, ShapeError } from '../core/errors.js';
import { ROPE_LAYOUTS, type RopeLayout, type RopeTables } from './apply.js';

/**
 * Rotates x [..., P, Dh] (typically [B, H, P, Dh]) by tables [P, Dh/2]; returns a new tensor.
 * The caller owns the result (call inside `tf.tidy` to free the intermediates).
 */
export function applyRopeTf(tf: Tf, x: Tensor, tables: RopeTables, layout: RopeLayout = 'interleaved'): Tensor {
  checkOneOf('layout', layout, ROPE_LAYOUTS);
  const shape = x.shape;
  const rank = shape.length;
  const P = shape[rank - 2];
  const d = shape[rank - 1];
  if (rank < 2 || d % 2 !== 0) throw new ShapeError(`x must be [..., P, Dh] with even Dh, got [${shape.join(', ')}]`);
  const half = d / 2;
  if (tables.cos.length !== P * half || tables.sin.length !== P * half) {
    throw new ShapeError(
      `RoPE tables must be [${P}, ${half}] for x [${shape.join(', ')}], got ${tables.cos.length} elements`,
    );
  }
  return tf.tidy(() => {
    if (layout === 'half') {
      const cos = tf.tensor2d(tables.cos, [P, half]);
      const sin = tf.tensor2d(tables.sin, [P, half]);
      const [a, b] = tf.split(x, 2, rank - 1); // [..., P, Dh/2] each
      return tf.concat([a.mul(cos).sub(b.mul(sin)), b.mul(cos).add(a.mul(sin))], rank - 1);
    }
    const cos = tf.tensor3d(tables.cos, [P, half, 1]);
    const sin = tf.tensor3d(tables.sin, [P, half, 1]);
    const pairs = x.reshape([...shape.slice(0, rank - 1), half, 2]); // [..., P, Dh/2, 2]
    const [a, b] = tf.split(pairs, 2, rank); // [..., P, Dh/2, 1] each
    return tf.concat([a.mul(cos).sub(b.mul(sin)), a.mul(sin).add(b.mul(cos))], rank).reshape(shape);
  });
}
