/**
 * A tiny arithmetic interface so that every physics formula is written once and runs both on
 * plain numbers (ground-truth simulation, tests) and on TensorFlow.js tensors (training, where
 * autodiff needs tensors). Checked in test/physics/blocks.test.ts: the tensor twin of each block
 * matches the number version to float32 precision.
 */
import type { Tensor, Tf } from '../core/engine.js';

/** Arithmetic on values of type T (numbers or tensors that broadcast like numpy). */
export interface Ops<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  /** a * s for a plain number s. */
  scale(a: T, s: number): T;
  neg(a: T): T;
  sin(a: T): T;
  sqrt(a: T): T;
  abs(a: T): T;
  log(a: T): T;
  /** A constant as a T. */
  constant(c: number): T;
}

/** Ops on JavaScript numbers (float64). */
export const numberOps: Ops<number> = Object.freeze({
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  scale: (a: number, s: number) => a * s,
  neg: (a: number) => -a,
  sin: Math.sin,
  sqrt: Math.sqrt,
  abs: Math.abs,
  log: Math.log,
  constant: (c: number) => c,
});

/** Ops on tfjs tensors; call inside `tf.tidy` (intermediates are freed by the caller's tidy). */
export function tensorOps(tf: Tf): Ops<Tensor> {
  return {
    add: (a, b) => tf.add(a, b),
    sub: (a, b) => tf.sub(a, b),
    mul: (a, b) => tf.mul(a, b),
    div: (a, b) => tf.div(a, b),
    scale: (a, s) => tf.mul(a, s),
    neg: (a) => tf.neg(a),
    sin: (a) => tf.sin(a),
    sqrt: (a) => tf.sqrt(a),
    abs: (a) => tf.abs(a),
    log: (a) => tf.log(a),
    constant: (c) => tf.scalar(c),
  };
}
