/**
 * GRPO with LoRA on the tiny byte-level LM (src/lm, src/lora) for a verifiable task (two-digit
 * addition "a+b=" -> "c\n", or reversal of random words "abcd>" -> "dcba\n") with an exact-match reward (the DeepSeekMath/R1 outcome-reward
 * setting in miniature). Only the LoRA adapters train; the reference policy (beta > 0) is the
 * frozen base model. Log-probs come from the engine; the loss is loss.ts's, back-propagated as a
 * vector-Jacobian product sum(logp * dL/dlogp). Held-out prompts never appear in training.
 */
import type { Tensor } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import type { Rng } from '../core/rng.js';
import { NEWLINE_ID, type TinyLmConfig, type TinyLmParams, tinyLmForward } from '../lm/index.js';
import { isLoraLinear, loraTrainable } from '../lora/index.js';
import { adamw, flattenParams, lrAt, type Optimizer, type ParamTree } from '../nn/index.js';
import type { LmTaskName } from './lm-config.js';
import type { GrpoPolicy, PolicyState, Rollout, TokenLoss } from './policy.js';

/**
 * A verifiable text task: a prompt line whose one correct completion is `answer(p)` followed by a
 * newline (the exact-match reward checks it). Held-out problems never appear in SFT or GRPO.
 */
export interface LmTask<P = unknown> {
  name: string;
  /** Completion tokens before a completion counts as truncated (answer bytes + newline). */
  maxNewTokens: number;
  prompt(p: P): string;
  answer(p: P): string;
  isHeldOut(p: P): boolean;
  /** A training problem (never held out). */
  sampleTrain(rng: Rng): P;
  /** `n` distinct held-out problems in a seeded order. */
  heldOut(n: number, rng: Rng): P[];
}

/** One addition problem. */
export interface AdditionProblem {
  a: number;
  b: number;
}

/** Held-out split: (7 a + b) % 10 === 3, 10 % of the 10,000 pairs, spread over every last digit of a and b. */
export const isHeldOut = (p: AdditionProblem): boolean => (7 * p.a + p.b) % 10 === 3;

/** Two-digit addition "a+b=" -> "c" (the pre-training corpus has lines "a+b=c", a and b in 0..99). */
export const ADDITION: LmTask<AdditionProblem> = {
  name: 'addition',
  maxNewTokens: 4,
  prompt: (p) => `${p.a}+${p.b}=`,
  answer: (p) => String(p.a + p.b),
  isHeldOut,
  sampleTrain(rng) {
    for (;;) {
      const p = { a: rng.int(100), b: rng.int(100) };
      if (!isHeldOut(p)) return p;
    }
  },
  heldOut(n, rng) {
    const all: AdditionProblem[] = [];
    for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) if (isHeldOut({ a, b })) all.push({ a, b });
    return rng.shuffle(all).slice(0, n);
  },
};

/** Letters of the reversal task's words. */
const REVERSE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
/** Word length of the reversal task. */
const REVERSE_LENGTH = 4;

const randomWord = (rng: Rng): string =>
  Array.from({ length: REVERSE_LENGTH }, () => REVERSE_ALPHABET[rng.int(REVERSE_ALPHABET.length)]).join('');

/** Held-out words: a position-weighted letter sum ending in 3 (10 % of the 456,976 words). */
const isHeldOutWord = (w: string): boolean =>
  Array.from(w).reduce((s, ch, i) => s + (i + 1) * (ch.charCodeAt(0) - 97), 0) % 10 === 3;

/**
 * String reversal "abcd>" -> "dcba" over random 4-letter words. The pre-trained model has never
 * seen the format, and with 411k training words GRPO's prompts are almost always new: reward
 * can only rise by learning the rule, not by recalling pairs.
 */
export const REVERSE: LmTask<string> = {
  name: 'reverse',
  maxNewTokens: REVERSE_LENGTH + 1,
  prompt: (w) => `${w}>`,
  answer: (w) => Array.from(w).reverse().join(''),
  isHeldOut: isHeldOutWord,
  sampleTrain(rng) {
    for (;;) {
      const w = randomWord(rng);
      if (!isHeldOutWord(w)) return w;
    }
  },
  heldOut(n, rng) {
    const seen = new Set<string>();
    while (seen.size < n) {
      const w = randomWord(rng);
      if (isHeldOutWord(w)) seen.add(w);
    }
    return [...seen];
  },
};

/** The tasks `grpo lm --task` offers. */
export const LM_TASKS: Readonly<Record<LmTaskName, LmTask>> = { addition: ADDITION, reverse: REVERSE };

/** Exact-match reward: 1 if the completion (before the newline) is the answer. */
export const exactMatch = <P>(task: LmTask<P>, p: P, completion: string): number =>
  completion === task.answer(p) ? 1 : 0;

/** Partial credit: fraction of right-aligned characters that match the answer (shaping; 1 iff exact). */
export function charCredit(answer: string, completion: string): number {
  const n = Math.max(answer.length, completion.length);
  let hits = 0;
  for (let i = 1; i <= n; i++) if (answer[answer.length - i] === completion[completion.length - i]) hits++;
  return hits / n;
}

const bytes = (s: string): number[] => Array.from(new TextEncoder().encode(s));

/** Left-padded prompt ids [N, L]: a newline, the prompt bytes, padded on the left with newlines. */
export function promptIds<P>(task: LmTask<P>, problems: P[]): { ids: number[][]; L: number } {
  const rows = problems.map((p) => [NEWLINE_ID, ...bytes(task.prompt(p))]);
  const L = Math.max(...rows.map((r) => r.length));
  return { ids: rows.map((r) => [...Array<number>(L - r.length).fill(NEWLINE_ID), ...r]), L };
}

/** The params tree with every LoRA layer replaced by its frozen base (the reference policy). */
function baseView<T extends object>(tree: T): T {
  const map = (node: unknown): unknown => {
    if (isLoraLinear(node)) return node.base;
    if (Array.isArray(node)) return node.map(map);
    if (node && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, map(v)]));
    }
    return node;
  };
  return map(tree) as T;
}

export interface LmPolicyOptions {
  /** Clip the global gradient norm of the LoRA weights (TRL max_grad_norm, default 1). */
  maxGradNorm?: number;
  /**
   * Optimiser updates (GRPO steps x PPO epochs) over which the learning rate follows a cosine from
   * `lr` down to lr / 10 (TRL decays linearly by default); omitted: constant `lr`.
   */
  decayUpdates?: number;
  /** Sampling temperature (TRL `temperature`); the policy trained is softmax(logits / temperature). Default 1. */
  temperature?: number;
  lr: number;
  weightDecay: number;
}

/** The LoRA-adapted tiny LM behind the GrpoPolicy interface. Tokens: [N, L + T] full sequences. */
export class LmGrpoPolicy<P> implements GrpoPolicy<P, string> {
  private readonly opt: Optimizer;
  private readonly trainable: ParamTree;
  /** Completion tokens generated so far (for tokens/s). */
  generatedTokens = 0;

  constructor(
    private readonly task: LmTask<P>,
    private readonly params: TinyLmParams,
    private readonly config: TinyLmConfig,
    private readonly o: LmPolicyOptions,
  ) {
    this.trainable = loraTrainable(params); // nested { blocks: [{ attn: { wq: { loraA, loraB } } }] }
    if (Object.keys(this.trainable).length === 0)
      throw new Error('LmGrpoPolicy needs a LoRA-adapted model (addLora first)');
    const schedule = o.decayUpdates
      ? { warmupSteps: 0, totalSteps: o.decayUpdates, peak: o.lr, floor: o.lr / 10 }
      : undefined;
    this.opt = adamw({
      lr: schedule ? (step) => lrAt(step, schedule) : o.lr,
      weightDecay: o.weightDecay,
      clipNorm: o.maxGradNorm ?? 1,
    });
  }

  /** Log-softmax [N, S, V] of the model (or its base) on ids [N, S]. */
  private logSoftmax(ids: number[][], base: boolean): Tensor {
    const tf = tfSync();
    const p = base ? baseView(this.params) : this.params;
    const tau = this.o.temperature ?? 1;
    return tf.tidy(() => tf.logSoftmax(tinyLmForward(p, this.config, tf.tensor2d(ids, undefined, 'int32')).div(tau)));
  }

  generate(problems: P[], rng: Rng): Rollout<P, string> {
    const tf = tfSync();
    const { ids, L } = promptIds(this.task, problems);
    const N = problems.length;
    const T = this.task.maxNewTokens;
    const V = this.config.vocabSize;
    const seqs = ids.map((r) => [...r]);
    const done = new Uint8Array(N);
    const mask = new Float32Array(N * T);
    const oldLogp = new Float32Array(N * T);
    for (let t = 0; t < T && done.some((d) => !d); t++) {
      const last = tf.tidy(() => {
        const lp = this.logSoftmax(seqs, false);
        const S = seqs[0].length;
        return lp.slice([0, S - 1, 0], [N, 1, V]).dataSync() as Float32Array;
      });
      for (let n = 0; n < N; n++) {
        if (done[n]) {
          seqs[n].push(NEWLINE_ID);
          continue;
        }
        const row = last.subarray(n * V, n * V + V);
        const tok = rng.categorical(Array.from(row, Math.exp));
        seqs[n].push(tok);
        mask[n * T + t] = 1;
        oldLogp[n * T + t] = row[tok];
        this.generatedTokens++;
        if (tok === NEWLINE_ID) done[n] = 1;
      }
    }
    while (seqs[0].length < L + T) for (const s of seqs) s.push(NEWLINE_ID);
    const completions = seqs.map((s) => new TextDecoder().decode(Uint8Array.from(s.slice(L, L + T))).split('\n')[0]);
    const truncated = Uint8Array.from(seqs, (s) => (s.slice(L, L + T).includes(NEWLINE_ID) ? 0 : 1));
    return { prompts: problems, completions, T, mask, oldLogp, truncated, tokens: Int32Array.from(seqs.flat()) };
  }

  /** Rows of the rollout's token matrix [N, L + T]. */
  private rows(r: Rollout<P, string>): number[][] {
    const N = r.prompts.length;
    const S = r.tokens.length / N;
    return Array.from({ length: N }, (_, n) => Array.from(r.tokens.subarray(n * S, (n + 1) * S)));
  }

  /** logp [N, T] of the completion tokens: position L-1+t predicts token L+t. */
  private completionLogp(lp: Tensor, r: Rollout<P, string>): Tensor {
    const tf = tfSync();
    const N = r.prompts.length;
    const S = r.tokens.length / N;
    const L = S - r.T;
    const V = this.config.vocabSize;
    const target = Array.from({ length: N }, (_, n) => Array.from(r.tokens.subarray(n * S + L, (n + 1) * S)));
    const window = lp.slice([0, L - 1, 0], [N, r.T, V]); // [N, T, V]
    return tf.sum(window.mul(tf.oneHot(tf.tensor2d(target, [N, r.T], 'int32'), V)), 2); // [N, T]
  }

  referenceLogProbs(r: Rollout<P, string>): Float32Array {
    const tf = tfSync();
    return tf
      .tidy(() => this.completionLogp(this.logSoftmax(this.rows(r), true), r).dataSync() as Float32Array)
      .slice();
  }

  update(r: Rollout<P, string>, loss: TokenLoss): { loss: number; entropy: number } {
    const tf = tfSync();
    let value = 0;
    let entropy = 0;
    this.opt.step(() => {
      const lpAll = this.logSoftmax(this.rows(r), false);
      const logp = this.completionLogp(lpAll, r);
      const out = loss(logp.dataSync() as Float32Array);
      value = out.loss;
      entropy = tf.tidy(() => {
        const N = r.prompts.length;
        const L = lpAll.shape[1]! - r.T;
        const w = lpAll.slice([0, L - 1, 0], [N, r.T, this.config.vocabSize]);
        const h = tf.neg(tf.sum(tf.exp(w).mul(w), 2)).mul(tf.tensor2d(r.mask, [N, r.T]));
        return (
          tf.sum(h).dataSync()[0] /
          Math.max(
            r.mask.reduce((a, b) => a + b, 0),
            1,
          )
        );
      });
      return tf.sum(logp.mul(tf.tensor2d(Float32Array.from(out.grad), logp.shape as [number, number])));
    }, this.trainable);
    return { loss: value, entropy };
  }

  parameters(): Map<string, Float32Array> {
    const flat = flattenParams(this.trainable);
    return new Map([...flat].map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()]));
  }

  getState(): PolicyState {
    const s: PolicyState = Object.fromEntries(this.parameters());
    const o = this.opt.getState();
    for (const [k, m] of o.m) s[`m.${k}`] = m.slice();
    for (const [k, v] of o.v) s[`v.${k}`] = v.slice();
    s.optStep = Float32Array.of(o.step);
    return s;
  }

  setState(s: PolicyState): void {
    const flat = flattenParams(this.trainable);
    for (const [k, v] of flat) v.assign(tfSync().tensor(s[k], v.shape));
    const names = [...flat.keys()];
    this.opt.setState({
      step: s.optStep[0],
      m: new Map(names.filter((k) => s[`m.${k}`]).map((k) => [k, s[`m.${k}`].slice()])),
      v: new Map(names.filter((k) => s[`v.${k}`]).map((k) => [k, s[`v.${k}`].slice()])),
    });
  }

  /** Greedy accuracy on problems (argmax decoding up to the task's maxNewTokens). */
  greedyAccuracy(problems: P[]): number {
    return lmGreedyAccuracy(this.params, this.config, this.task, problems);
  }

  /** Fraction of exact completions, one sample per problem at the policy temperature (not counted in generatedTokens). */
  sampledAccuracy(problems: P[], rng: Rng): number {
    const counted = this.generatedTokens;
    const r = this.generate(problems, rng);
    this.generatedTokens = counted;
    return problems.filter((p, n) => exactMatch(this.task, p, r.completions[n]) === 1).length / problems.length;
  }
}

/** Greedy (argmax) exact-match accuracy of a model on problems, decoding up to the task's maxNewTokens. */
export function lmGreedyAccuracy<P>(
  params: TinyLmParams,
  config: TinyLmConfig,
  task: LmTask<P>,
  problems: P[],
): number {
  const tf = tfSync();
  const maxNewTokens = task.maxNewTokens;
  const { ids } = promptIds(task, problems);
  const seqs = ids.map((r) => [...r]);
  const N = problems.length;
  const V = config.vocabSize;
  for (let t = 0; t < maxNewTokens; t++) {
    const last = tf.tidy(() => {
      const S = seqs[0].length;
      return tinyLmForward(params, config, tf.tensor2d(seqs, undefined, 'int32'))
        .slice([0, S - 1, 0], [N, 1, V])
        .argMax(2)
        .dataSync() as Int32Array;
    });
    seqs.forEach((s, n) => {
      s.push(s.slice(ids[n].length).includes(NEWLINE_ID) ? NEWLINE_ID : last[n]);
    });
  }
  const text = seqs.map((s, n) => new TextDecoder().decode(Uint8Array.from(s.slice(ids[n].length))).split('\n')[0]);
  return problems.filter((p, n) => exactMatch(task, p, text[n]) === 1).length / N;
}
