/**
 * The training engine: TensorFlow.js with the WebAssembly backend (decision and measurements in
 * docs/decisions.md). Only this module chooses and initialises the backend; everything trained
 * in modelmath calls `getTf()` once and then uses the returned namespace.
 *
 * Memory rule (tfjs): every tensor created inside `tf.tidy(() => ...)` is freed when the
 * callback returns, except the returned tensors; tensors kept across steps (parameters,
 * optimiser moments) are `tf.Variable`s or are disposed explicitly exactly once.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;

let ready: Promise<Tf> | null = null;

/** The engine namespace with the wasm backend ready (falls back to 'cpu' only if wasm fails). */
export function getTf(): Promise<Tf> {
  if (!ready) {
    ready = (async () => {
      const ok = await tf.setBackend('wasm').catch(() => false);
      if (!ok) await tf.setBackend('cpu');
      await tf.ready();
      return tf;
    })();
  }
  return ready;
}

/** Name of the active backend ('wasm' normally). */
export function engineBackend(): string {
  return tf.getBackend();
}
