/**
 * The lecture's bandit policy on the training engine (TensorFlow.js wasm, autodiff): the same
 * Embedding + Linear model as bandit.ts. It is the reference for the analytic gradient
 * (test/grpo/bandit.test.ts) and the engine side of the speed measurement (bench/grpo/bandit.ts);
 * `grpo bandit --engine tf` trains with it. Parameters are uploaded per call (2,568 floats).
 */
import { readAndDispose, type Tf } from '../core/engine.js';
import type { BanditVjp } from './bandit.js';

/**
 * Value and parameter gradients of sum_n upstream[n] * log pi(action_n | prompt_n), computed
 * by the engine's autodiff (a vector-Jacobian product through the policy).
 */
export const banditVjpTf =
  (tf: Tf): BanditVjp =>
  (params, spec, prompts, actions, upstream) => {
    const { numPrompts: P, numActions: A, hiddenDim: D } = spec;
    let logp: Float32Array = new Float32Array(0);
    let logpAll: Float32Array = new Float32Array(0);
    const [ge, gw, gb] = tf.tidy(() => {
      const emb = tf.tensor2d(params.emb, [P, D]);
      const weight = tf.tensor2d(params.weight, [A, D]);
      const bias = tf.tensor1d(params.bias);
      // gather's gradient (UnsortedSegmentSum) is missing on wasm: select rows by a one-hot matmul.
      const select = tf.oneHot(tf.tensor1d(Int32Array.from(prompts), 'int32'), P).toFloat(); // [N, P]
      const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(actions), 'int32'), A); // [N, A]
      const f = (e: typeof emb, w: typeof weight, b: typeof bias) => {
        const logits = tf.add(tf.matMul(tf.matMul(select, e), w, false, true), b); // [N, A]
        const ls = tf.logSoftmax(logits);
        const lp = tf.sum(tf.mul(ls, onehot), 1); // [N]
        logpAll = ls.dataSync() as Float32Array;
        logp = lp.dataSync() as Float32Array;
        return tf.sum(tf.mul(lp, tf.tensor1d(Float32Array.from(upstream(logp)))));
      };
      return tf.grads((e, w, b) => f(e as typeof emb, w as typeof weight, b as typeof bias))([emb, weight, bias]);
    });
    return { logp, logpAll, grads: { emb: readAndDispose(ge), weight: readAndDispose(gw), bias: readAndDispose(gb) } };
  };
