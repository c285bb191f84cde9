/**
 * Test-only multi-token policy: a table of logits [P, T, V] (prompt, position, token); token 0
 * ends a completion, a completion that reaches T tokens without it is truncated. Gradients are
 * analytic (d logp / d logits = onehot - softmax), the optimiser is the plain AdamW.
 */
import { logSoftmax } from '../../src/core/math.js';
import type { Rng } from '../../src/core/rng.js';
import type { GrpoPolicy, PolicyState, Rollout, TokenLoss } from '../../src/grpo/policy.js';
import { type ArrayAdamwState, arrayAdamwInit, arrayAdamwStep } from '../../src/nn/index.js';

export class TablePolicy implements GrpoPolicy<number, number[]> {
  table: Float32Array;
  readonly ref: Float32Array;
  private opt: ArrayAdamwState;

  constructor(
    readonly P: number,
    readonly T: number,
    readonly V: number,
    rng: Rng,
    readonly lr = 0.05,
  ) {
    this.table = rng.fillNormal(new Float32Array(P * T * V), 0, 0.5);
    this.ref = this.table.slice();
    this.opt = arrayAdamwInit([this.table.length]);
  }

  private logProbs(table: Float32Array, prompt: number, t: number): Float64Array {
    const off = (prompt * this.T + t) * this.V;
    return logSoftmax(Float64Array.from(table.subarray(off, off + this.V)));
  }

  generate(prompts: number[], rng: Rng): Rollout<number, number[]> {
    const { T, V } = this;
    const N = prompts.length;
    const tokens = new Int32Array(N * T);
    const mask = new Float32Array(N * T);
    const oldLogp = new Float32Array(N * T);
    const truncated = new Uint8Array(N);
    const completions: number[][] = [];
    prompts.forEach((prompt, n) => {
      const out: number[] = [];
      let ended = false;
      for (let t = 0; t < T && !ended; t++) {
        const lp = this.logProbs(this.table, prompt, t);
        const tok = rng.categorical(Array.from(lp, Math.exp));
        tokens[n * T + t] = tok;
        mask[n * T + t] = 1;
        oldLogp[n * T + t] = lp[tok];
        if (tok === 0) ended = true;
        else out.push(tok);
      }
      truncated[n] = ended ? 0 : 1;
      completions.push(out);
    });
    void V;
    return { prompts, completions, T, mask, oldLogp, truncated, tokens };
  }

  private gather(table: Float32Array, r: Rollout<number, number[]>): Float32Array {
    return Float32Array.from(
      r.tokens,
      (tok, i) => this.logProbs(table, r.prompts[Math.floor(i / this.T)], i % this.T)[tok],
    );
  }

  referenceLogProbs(r: Rollout<number, number[]>): Float32Array {
    return this.gather(this.ref, r);
  }

  update(r: Rollout<number, number[]>, loss: TokenLoss): { loss: number; entropy: number } {
    const { T, V } = this;
    const out = loss(this.gather(this.table, r));
    const grad = new Float32Array(this.table.length);
    let entropy = 0;
    let count = 0;
    for (let i = 0; i < r.tokens.length; i++) {
      if (!r.mask[i]) continue;
      const prompt = r.prompts[Math.floor(i / T)];
      const t = i % T;
      const lp = this.logProbs(this.table, prompt, t);
      const off = (prompt * T + t) * V;
      for (let v = 0; v < V; v++) {
        grad[off + v] += out.grad[i] * ((v === r.tokens[i] ? 1 : 0) - Math.exp(lp[v]));
        entropy -= Math.exp(lp[v]) * lp[v];
      }
      count++;
    }
    arrayAdamwStep([this.table], [grad], this.opt, { lr: this.lr });
    return { loss: out.loss, entropy: entropy / Math.max(count, 1) };
  }

  parameters(): Map<string, Float32Array> {
    return new Map([['table', this.table.slice()]]);
  }

  getState(): PolicyState {
    return {
      table: this.table.slice(),
      ref: this.ref.slice(),
      m: this.opt.m[0].slice(),
      v: this.opt.v[0].slice(),
      step: Float32Array.of(this.opt.step),
    };
  }

  setState(s: PolicyState): void {
    this.table = s.table.slice();
    this.ref.set(s.ref);
    this.opt = { step: s.step[0], m: [s.m.slice()], v: [s.v.slice()] };
  }
}

/** Reward: number of 1-tokens in the completion (a verifiable "count" task). */
export const countOnes = {
  name: 'ones',
  score: (_p: number[], c: number[][]) => c.map((toks) => toks.filter((t) => t === 1).length),
};
