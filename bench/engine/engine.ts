/**
 * Engine benchmark: modelmath's engine (core/engine.ts: TensorFlow.js wasm, large matmuls on ONNX
 * Runtime) in three settings (`wasm`: every matmul on the tfjs wasm kernel, as before; `onnx1` /
 * `onnx2`: ONNX Runtime with 1 / 2 threads, alternating per round), @jax-js/jax (wasm, `jit`), and
 * the PyTorch peer (bench/engine/peer.py, 1 and 2 threads, run once per round after the settings).
 * Prints one JSON object: fp32 1024² matmul GFLOPS, per-op overhead of a tiny add (µs), MLP training
 * steps/s (5600 → 1000 → 100 → 1, ReLU, Adam) at batch 128 and at the physics epoch's 1280 rows
 * (128 clips × 10 frames), steps/s of a small transformer-style block (causal attention + MLP, B 8,
 * T 32, D 64, H 4) and of the toy denoiser's training step (src/toyworld/model/train.ts, default
 * config, batch 16), and gradient correctness (float32 vs float64 central differences) for a small
 * GELU MLP and attention block. Best of the repetitions and rounds per metric, CPU and wall time.
 * Run: npx tsx bench/engine/engine.ts [--quick] [--no-peer] [--rounds 2]
 *      [--jax-workers] (jax-js kernels on worker threads); start Node with
 *      --experimental-wasm-relaxed-simd for jax-js's relaxed-SIMD kernels (Node 20: off by default).
 */
import './jax-workers.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  defaultDevice,
  init,
  grad as jgrad,
  jit,
  nn as jnn,
  numpy as np,
  scipySpecial,
  valueAndGrad,
} from '@jax-js/jax';
import { getTf, type Scalar, type Tensor, type Tf } from '../../src/core/engine.js';
import { configureMatMul, matMulRouting } from '../../src/core/engine-matmul.js';
import { Rng } from '../../src/core/rng.js';
import { adamw, attention, attentionInit, flattenParams, mlp, mlpInit } from '../../src/nn/index.js';
import { TOY_TRAIN_DEFAULTS } from '../../src/toyworld/model/config.js';
import { toyTrainer } from '../../src/toyworld/model/train.js';
import {
  type Attn64,
  attention64,
  finiteDiffGrads,
  maxRelError,
  mlp64,
  weightedSum,
} from '../../testkit/nn-reference.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 7;
const MLP_STEPS = quick ? 2 : 4;
const BLOCK_STEPS = quick ? 5 : 20;
const TOY_STEPS = quick ? 2 : 5;
const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 2;
/** Rows of the physics epoch's encoder matmuls: 128 clips × 10 frames. */
const ENCODER_ROWS = 1280;
/** Engine settings compared (see the header). */
const SETTINGS = {
  wasm: { threads: 1, minMacs: 2 ** 53 },
  onnx1: { threads: 1, minMacs: matMulRouting().minMacs },
  onnx2: { threads: 2, minMacs: matMulRouting().minMacs },
};
type Setting = keyof typeof SETTINGS;
/** Small transformer-style block: causal attention (H heads) + ReLU MLP (D → F → D), residuals, batch B × T tokens. */
const BLOCK = { b: 8, t: 32, d: 64, heads: 4, f: 256 };

/**
 * Best (minimum) wall time and process CPU time (s) of `fn` over `reps` runs. On a shared machine
 * the CPU time is the contention-robust number for single-threaded engines; wall time is what a
 * user waits for. Both are reported.
 */
interface Timing {
  wall: number;
  cpu: number;
}
async function timed(fn: () => unknown, reps = REPS): Promise<Timing> {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

/** work / time for both clocks (e.g. GFLOP per second, steps per second). */
const rate = (t: Timing, work: number) => ({ wall: work / t.wall, cpu: work / t.cpu });
/** time per unit in µs for both clocks. */
const perUnitUs = (t: Timing, units: number) => ({ wall: (t.wall / units) * 1e6, cpu: (t.cpu / units) * 1e6 });
const MATMUL_GFLOP = (2 * 1024 ** 3) / 1e9;

// ---------- shared small problems for the gradient checks (float64 reference = testkit/nn-reference.ts) ----------

const GRAD_MLP = { dims: [4, 6, 5, 2], n: 3 };
const GRAD_ATT = { b: 1, t: 3, d: 4, heads: 2 };

/** Random problem data in float64: MLP [x, (w, b)×3], attention [x, (w, b)×4], and weights r of the loss Σ y·r. */
function gradProblem() {
  const rng = new Rng(1);
  const { dims, n } = GRAD_MLP;
  const mlpArrays = [rng.fillNormal(new Float64Array(n * dims[0]))];
  for (let i = 0; i < 3; i++) {
    mlpArrays.push(rng.fillNormal(new Float64Array(dims[i] * dims[i + 1]), 0, 1 / Math.sqrt(dims[i])));
    mlpArrays.push(rng.fillNormal(new Float64Array(dims[i + 1]), 0, 0.5));
  }
  const rMlp = rng.fillNormal(new Float64Array(n * dims[3]));
  const { t, d } = GRAD_ATT;
  const attArrays = [rng.fillNormal(new Float64Array(t * d))];
  for (let i = 0; i < 4; i++) {
    attArrays.push(rng.fillNormal(new Float64Array(d * d), 0, 0.5));
    attArrays.push(rng.fillNormal(new Float64Array(d), 0, 0.3));
  }
  const rAtt = rng.fillNormal(new Float64Array(t * d));
  const mlpLoss = () =>
    weightedSum(
      mlp64(
        [0, 1, 2].map((i) => ({ w: mlpArrays[1 + 2 * i], b: mlpArrays[2 + 2 * i] })),
        mlpArrays[0],
        n,
      ),
      rMlp,
    );
  const [, wq, bq, wk, bk, wv, bv, wo, bo] = attArrays;
  const p64: Attn64 = { wq, bq, wk, bk, wv, bv, wo, bo };
  const attLoss = () => weightedSum(attention64(p64, attArrays[0], GRAD_ATT), rAtt);
  return {
    mlpArrays,
    rMlp,
    attArrays,
    rAtt,
    mlpFd: finiteDiffGrads(mlpLoss, mlpArrays),
    attFd: finiteDiffGrads(attLoss, attArrays),
  };
}

// ---------- TensorFlow.js (wasm) ----------

async function benchTfjs(tf: Tf, problem: ReturnType<typeof gradProblem>) {
  const rng = new Rng(0);
  const a = tf.tensor(rng.normals(1024 * 1024), [1024, 1024]);
  const b = tf.tensor(rng.normals(1024 * 1024), [1024, 1024]);
  // read the result outside tf.tidy: tidy walks a returned container element by element (1M entries here)
  const mm = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  mm();
  const matmulGflops = rate(await timed(mm), MATMUL_GFLOP);
  const x = tf.tensor1d([1, 2, 3, 4]);
  const N = 2000;
  const addNoSync = () => {
    for (let i = 0; i < N; i++) tf.add(x, x).dispose();
  };
  const addSync = () => {
    for (let i = 0; i < N; i++) {
      const y = tf.add(x, x);
      y.dataSync();
      y.dispose();
    }
  };
  addNoSync();
  const smallOpUs = perUnitUs(await timed(addNoSync, 3), N);
  const smallOpSyncUs = perUnitUs(await timed(addSync, 3), N);
  // MLP training: modelmath's own nn (mlp + adamw with weightDecay 0 = Adam), at 128 and 1280 rows
  const mlpRate = async (rows: number) => {
    const params = mlpInit(rng, [5600, 1000, 100, 1]);
    const opt = adamw({ lr: 1e-3, weightDecay: 0 });
    const xs = tf.tensor(rng.normals(rows * 5600), [rows, 5600]);
    const ys = tf.tensor(rng.normals(rows), [rows, 1]);
    const step = () =>
      opt.step(() => tf.losses.meanSquaredError(ys, mlp(params, xs, { activation: 'relu' })) as Scalar, params);
    step();
    return rate(await timed(step, MLP_STEPS), 1);
  };
  const mlpStepsPerSec = await mlpRate(128);
  const encoderStepsPerSec = await mlpRate(ENCODER_ROWS);
  // small transformer-style block with modelmath's nn layers
  const { b: bb, t, d, heads, f } = BLOCK;
  const block = { attn: attentionInit(rng.fork('attn'), { dim: d, heads }), ff: mlpInit(rng.fork('ff'), [d, f, d]) };
  const bx = tf.tensor(rng.normals(bb * t * d), [bb, t, d]);
  const by = tf.tensor(rng.normals(bb * t * d), [bb, t, d]);
  const blockOpt = adamw({ lr: 1e-3, weightDecay: 0 });
  const blockLoss = () => {
    const h = tf.add(bx, attention(block.attn, bx, { causal: true }));
    return tf.losses.meanSquaredError(by, tf.add(h, mlp(block.ff, h, { activation: 'relu' }))) as Scalar;
  };
  const blockStep = () => blockOpt.step(blockLoss, block);
  blockStep();
  const blockStepsPerSec = rate(await timed(blockStep, BLOCK_STEPS), 1);
  // the toy denoiser's training step (batch generation included), default config
  const toy = await toyTrainer(TOY_TRAIN_DEFAULTS, 0);
  let toyIndex = 0;
  const toyStep = () => toy.step(toyIndex++);
  toyStep();
  const toyStepsPerSec = rate(await timed(toyStep, TOY_STEPS), 1);
  return {
    matmulGflops,
    smallOpUs,
    smallOpSyncUs,
    mlpStepsPerSec,
    encoderStepsPerSec,
    blockStepsPerSec,
    toyStepsPerSec,
    gradRelError: tfjsGradErrors(tf, problem),
  };
}

function tfjsGradErrors(tf: Tf, pr: ReturnType<typeof gradProblem>) {
  const f32 = (a: Float64Array, shape: number[]) => tf.variable(tf.tensor(Float32Array.from(a), shape));
  const { dims, n } = GRAD_MLP;
  const mp = mlpInit(new Rng(0), dims);
  const xv = f32(pr.mlpArrays[0], [n, dims[0]]);
  mp.layers.forEach((l, i) => {
    l.w.assign(tf.tensor(Float32Array.from(pr.mlpArrays[1 + 2 * i]), l.w.shape));
    l.b?.assign(tf.tensor(Float32Array.from(pr.mlpArrays[2 + 2 * i]), l.b.shape));
  });
  const rm = tf.tensor(Float32Array.from(pr.rMlp), [n, dims[3]]);
  const mlpVars = [xv, ...flattenParams(mp).values()];
  const gm = tf.variableGrads(() => tf.sum(tf.mul(mlp(mp, xv), rm)) as Scalar, mlpVars).grads;
  const { t, d, heads } = GRAD_ATT;
  const ap = attentionInit(new Rng(0), { dim: d, heads });
  const av = f32(pr.attArrays[0], [1, t, d]);
  [ap.wq, ap.wk, ap.wv, ap.wo].forEach((l, i) => {
    l.w.assign(tf.tensor(Float32Array.from(pr.attArrays[1 + 2 * i]), [d, d]));
    l.b?.assign(tf.tensor(Float32Array.from(pr.attArrays[2 + 2 * i]), [d]));
  });
  const ra = tf.tensor(Float32Array.from(pr.rAtt), [1, t, d]);
  const attVars = [av, ...flattenParams(ap).values()];
  const ga = tf.variableGrads(() => tf.sum(tf.mul(attention(ap, av), ra)) as Scalar, attVars).grads;
  const read = (g: Record<string, Tensor>, vs: { name: string }[]) => vs.map((v) => g[v.name].dataSync());
  return {
    mlp: maxRelError(read(gm, mlpVars), pr.mlpFd),
    attention: maxRelError(read(ga, attVars), pr.attFd),
  };
}

// ---------- @jax-js/jax (wasm) ----------
// jax-js arrays are reference-counted: every function consumes its arguments, `.ref` adds a reference.

type JArr = np.Array;
type JTree = Record<string, JArr>;

const jarr = (data: ArrayLike<number>, shape: number[]) => np.array(Float32Array.from(data)).reshape(shape);
const refTree = (p: JTree): JTree => Object.fromEntries(Object.entries(p).map(([k, a]) => [k, a.ref]));

function jaxMlpLoss(p: JTree, x: JArr, y: JArr): JArr {
  const h1 = jnn.relu(np.matmul(x, p.w1).add(p.b1));
  const h2 = jnn.relu(np.matmul(h1, p.w2).add(p.b2));
  return np.mean(np.square(np.matmul(h2, p.w3).add(p.b3).sub(y)));
}

/** Transformer-style block (causal attention + ReLU MLP, residuals) on x [B, T, D], MSE to y. */
function jaxBlockLoss(p: JTree, x: JArr, y: JArr): JArr {
  const [b, t, d] = x.shape;
  const { heads } = BLOCK;
  const dh = d / heads;
  const split = (z: JArr) => z.reshape([b, t, heads, dh]).transpose([0, 2, 1, 3]); // [B, H, T, Dh]
  const q = split(np.matmul(x.ref, p.wq).add(p.bq));
  const k = split(np.matmul(x.ref, p.wk).add(p.bk));
  const v = split(np.matmul(x.ref, p.wv).add(p.bv));
  const mask = np
    .tril(np.ones([t, t]))
    .sub(1)
    .mul(1e9); // 0 on and below the diagonal, −1e9 above
  const scores = np
    .matmul(q, k.transpose([0, 1, 3, 2]))
    .mul(1 / Math.sqrt(dh))
    .add(mask);
  const merged = np.matmul(jnn.softmax(scores, -1), v).transpose([0, 2, 1, 3]).reshape([b, t, d]);
  const h = x.add(np.matmul(merged, p.wo).add(p.bo)); // [B, T, D]
  const f = jnn.relu(np.matmul(h.ref, p.w1).add(p.b1));
  const out = h.add(np.matmul(f, p.w2).add(p.b2));
  return np.mean(np.square(out.sub(y)));
}

/** A jitted Adam step for `loss` (bias correction folded into lrT = lr √(1−β2ᵗ)/(1−β1ᵗ)). */
function jaxAdam(loss: (p: JTree, x: JArr, y: JArr) => JArr) {
  return jit((p: JTree, m: JTree, v: JTree, x: JArr, y: JArr, lrT: JArr) => {
    const [l, g] = valueAndGrad(loss)(refTree(p), x, y);
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const out = { p: {} as JTree, m: {} as JTree, v: {} as JTree };
    for (const key of Object.keys(p)) {
      const gk = (g as JTree)[key];
      const mk = m[key].mul(b1).add(gk.ref.mul(1 - b1));
      const vk = v[key].mul(b2).add(gk.ref.mul(gk).mul(1 - b2));
      out.p[key] = p[key].sub(mk.ref.div(np.sqrt(vk.ref).add(eps)).mul(lrT.ref));
      out.m[key] = mk;
      out.v[key] = vk;
    }
    lrT.dispose();
    return [l, out.p, out.m, out.v] as [JArr, JTree, JTree, JTree];
  });
}

/** Training steps per second of a jitted Adam loop (one warm-up step compiles). */
async function jaxTrainRate(loss: (p: JTree, x: JArr, y: JArr) => JArr, p0: JTree, xs: JArr, ys: JArr, steps: number) {
  const adamStep = jaxAdam(loss);
  let p = p0;
  const zeros = () => Object.fromEntries(Object.entries(p).map(([k, a]) => [k, np.zeros(a.shape)]));
  let m = zeros();
  let v = zeros();
  let t = 0;
  const step = async () => {
    t += 1;
    const lrT = (1e-3 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
    const [l, p2, m2, v2] = adamStep(p, m, v, xs.ref, ys.ref, np.array(lrT));
    await Promise.all([l, ...Object.values(p2)].map((a) => a.blockUntilReady()));
    await l.data();
    [p, m, v] = [p2, m2, v2];
  };
  await step();
  return rate(await timed(step, steps), 1);
}

async function benchJax(problem: ReturnType<typeof gradProblem>) {
  await init('wasm');
  defaultDevice('wasm');
  const rng = new Rng(0);
  const a = jarr(rng.normals(1024 * 1024), [1024, 1024]);
  const b = jarr(rng.normals(1024 * 1024), [1024, 1024]);
  // asynchronous reads: with worker threads jax-js cannot read synchronously
  const mm = async () => (await np.matmul(a.ref, b.ref).blockUntilReady()).data();
  await mm();
  const matmulGflops = rate(await timed(mm), MATMUL_GFLOP);
  const x = jarr([1, 2, 3, 4], [4]);
  const N = 1000;
  const addSync = async () => {
    for (let i = 0; i < N; i++) await (await np.add(x.ref, x.ref).blockUntilReady()).data();
  };
  await addSync();
  const smallOpSyncUs = perUnitUs(await timed(addSync, 3), N);
  // MLP training, same shapes as tfjs and torch
  const w = (i: number, o: number) => jarr(rng.fillNormal(new Float32Array(i * o), 0, 1 / Math.sqrt(i)), [i, o]);
  const mlpP: JTree = { w1: w(5600, 1000), b1: np.zeros([1000]), w2: w(1000, 100), b2: np.zeros([100]) };
  Object.assign(mlpP, { w3: w(100, 1), b3: np.zeros([1]) });
  const mlpAt = (rows: number) => {
    const p = Object.fromEntries(Object.entries(mlpP).map(([k, a]) => [k, a.ref]));
    const xs = jarr(rng.normals(rows * 5600), [rows, 5600]);
    return jaxTrainRate(jaxMlpLoss, p, xs, jarr(rng.normals(rows), [rows, 1]), MLP_STEPS);
  };
  const mlpStepsPerSec = await mlpAt(128);
  const encoderStepsPerSec = await mlpAt(ENCODER_ROWS);
  // small transformer-style block
  const { b: bb, t, d, f } = BLOCK;
  const blockP: JTree = {};
  for (const k of ['q', 'k', 'v', 'o']) Object.assign(blockP, { [`w${k}`]: w(d, d), [`b${k}`]: np.zeros([d]) });
  Object.assign(blockP, { w1: w(d, f), b1: np.zeros([f]), w2: w(f, d), b2: np.zeros([d]) });
  const bx = jarr(rng.normals(bb * t * d), [bb, t, d]);
  const by = jarr(rng.normals(bb * t * d), [bb, t, d]);
  const blockStepsPerSec = await jaxTrainRate(jaxBlockLoss, blockP, bx, by, BLOCK_STEPS);
  const gradRelError = await jaxGradErrors(problem);
  return {
    workers: process.argv.includes('--jax-workers'),
    relaxedSimd: process.execArgv.includes('--experimental-wasm-relaxed-simd'),
    matmulGflops,
    smallOpSyncUs,
    mlpStepsPerSec,
    encoderStepsPerSec,
    blockStepsPerSec,
    gradRelError,
  };
}

async function jaxGradErrors(pr: ReturnType<typeof gradProblem>) {
  const { dims, n } = GRAD_MLP;
  const gelu = (z: JArr) => z.ref.mul(scipySpecial.erf(z.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  const mlpLoss = (ps: JArr[], r: JArr) => {
    let h = ps[0];
    for (let i = 0; i < 3; i++) {
      h = np.matmul(h, ps[1 + 2 * i]).add(ps[2 + 2 * i]);
      if (i < 2) h = gelu(h);
    }
    return np.sum(h.mul(r));
  };
  const mlpShapes = [[n, dims[0]], ...[0, 1, 2].flatMap((i) => [[dims[i], dims[i + 1]], [dims[i + 1]]])];
  const gm = jgrad(mlpLoss)(
    pr.mlpArrays.map((arr, i) => jarr(arr, mlpShapes[i])),
    jarr(pr.rMlp, [n, dims[3]]),
  ) as JArr[];
  const { t, d, heads } = GRAD_ATT;
  const dh = d / heads;
  const attLoss = (ps: JArr[], r: JArr) => {
    const [x, wq, bq, wk, bk, wv, bv, wo, bo] = ps;
    const split = (z: JArr) => z.reshape([1, t, heads, dh]).transpose([0, 2, 1, 3]); // [B, H, T, Dh]
    const q = split(np.matmul(x.ref, wq).add(bq));
    const k = split(np.matmul(x.ref, wk).add(bk));
    const v = split(np.matmul(x, wv).add(bv));
    const att = jnn.softmax(np.matmul(q, k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(dh)), -1); // [B, H, T, T]
    const merged = np.matmul(att, v).transpose([0, 2, 1, 3]).reshape([1, t, d]);
    return np.sum(np.matmul(merged, wo).add(bo).mul(r));
  };
  const attShapes = [[1, t, d], ...[0, 1, 2, 3].flatMap(() => [[d, d], [d]])];
  const ga = jgrad(attLoss)(
    pr.attArrays.map((arr, i) => jarr(arr, attShapes[i])),
    jarr(pr.rAtt, [1, t, d]),
  ) as JArr[];
  const read = (gs: JArr[]) =>
    Promise.all(gs.map(async (g) => (await g.blockUntilReady()).data() as Promise<Float32Array>));
  return { mlp: maxRelError(await read(gm), pr.mlpFd), attention: maxRelError(await read(ga), pr.attFd) };
}

// ---------- PyTorch peer ----------

/** First interpreter that imports torch (Debian's /usr/bin/python3 first), or null. */
function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next interpreter
    }
  }
  return null;
}

function runPeer(): Record<string, unknown> | null {
  if (process.argv.includes('--no-peer')) return null;
  const py = findTorchPython();
  if (!py) return null;
  const script = fileURLToPath(new URL('./peer.py', import.meta.url));
  if (!existsSync(script)) return null;
  const out = execFileSync(py, [script, ...(quick ? ['--quick'] : [])], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

// ---------- main ----------

type Clock = { wall: number; cpu: number };
type Row = {
  matmulGflops: Clock;
  mlpStepsPerSec: Clock;
  blockStepsPerSec: Clock;
  smallOpUs?: Clock;
  smallOpSyncUs: Clock;
};
type PeerRow = { matmulGflops: Clock; smallOpUs: Clock; mlpStepsPerSec: Clock; blockStepsPerSec: Clock };

const div = (a: Clock, b: Clock): Clock => ({ wall: a.wall / b.wall, cpu: a.cpu / b.cpu });

/** TS engine / PyTorch for each metric and clock (for smallOpUs, > 1 means more overhead than torch). */
function ratios(ts: Row, torch: PeerRow) {
  return {
    matmulGflops: div(ts.matmulGflops, torch.matmulGflops),
    mlpStepsPerSec: div(ts.mlpStepsPerSec, torch.mlpStepsPerSec),
    blockStepsPerSec: div(ts.blockStepsPerSec, torch.blockStepsPerSec),
    smallOpUs: div(ts.smallOpUs ?? ts.smallOpSyncUs, torch.smallOpUs),
  };
}

type TfjsRow = Awaited<ReturnType<typeof benchTfjs>>;

/** The better of two runs per metric (higher rates, lower per-op times). */
function bestOf(a: TfjsRow, b: TfjsRow): TfjsRow {
  const out: Record<string, unknown> = { ...b };
  for (const [k, v] of Object.entries(a)) {
    const w = (b as Record<string, unknown>)[k] as Clock;
    if (k === 'gradRelError') continue;
    const pick = k.endsWith('Us') ? Math.min : Math.max;
    out[k] = { wall: pick((v as Clock).wall, w.wall), cpu: pick((v as Clock).cpu, w.cpu) };
  }
  return out as TfjsRow;
}

type PeerResult = { torch: string; gradRelError: Record<string, number>; threads1: PeerRow; threads2: PeerRow };

/** The better of two PyTorch runs per metric and thread count. */
function bestPeer(a: PeerResult, b: PeerResult): PeerResult {
  const merge = (x: PeerRow, y: PeerRow) =>
    bestOf(x as unknown as TfjsRow, y as unknown as TfjsRow) as unknown as PeerRow;
  return { ...b, threads1: merge(a.threads1, b.threads1), threads2: merge(a.threads2, b.threads2) };
}

/**
 * Each engine setting once per round, alternating, and the PyTorch peer once per round after them
 * (when `withPeer`); the best per metric over rounds.
 */
async function benchSettings(tf: Tf, problem: ReturnType<typeof gradProblem>, withPeer: boolean) {
  const best: Partial<Record<Setting, TfjsRow>> = {};
  let peer: PeerResult | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of Object.keys(SETTINGS) as Setting[]) {
      configureMatMul(SETTINGS[s]);
      const row = await benchTfjs(tf, problem);
      best[s] = best[s] ? bestOf(best[s], row) : row;
    }
    const p = withPeer ? (runPeer() as PeerResult | null) : null;
    if (p) peer = peer ? bestPeer(peer, p) : p;
  }
  configureMatMul(SETTINGS.onnx1);
  return { engine: best as Record<Setting, TfjsRow>, peer };
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : 'all';

async function main() {
  const load0 = loadavg()[0];
  const problem = gradProblem();
  const tf = await getTf();
  const measured = only === 'jax' ? null : await benchSettings(tf, problem, only === 'all');
  const engine = measured?.engine ?? null;
  const peer = measured?.peer ?? null;
  const jax = only === 'tfjs' ? null : await benchJax(problem);
  const speedup = (s: Setting, k: 'encoderStepsPerSec' | 'toyStepsPerSec' | 'blockStepsPerSec' | 'mlpStepsPerSec') =>
    engine ? div(engine[s][k], engine.wasm[k]) : null;
  const result = {
    command: `npx tsx bench/engine/engine.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { node: process.version, cpus: cpus().length, loadAvgStart: load0, loadAvgEnd: loadavg()[0] },
    engine,
    engineSpeedupOverWasm: engine
      ? Object.fromEntries(
          (['onnx1', 'onnx2'] as const).map((s) => [
            s,
            {
              encoderStep: speedup(s, 'encoderStepsPerSec'),
              toyStep: speedup(s, 'toyStepsPerSec'),
              mlpStep: speedup(s, 'mlpStepsPerSec'),
              blockStep: speedup(s, 'blockStepsPerSec'),
            },
          ]),
        )
      : null,
    jaxWasm: jax,
    jaxOverEngine:
      jax && engine
        ? {
            encoderStep: div(jax.encoderStepsPerSec, engine.onnx1.encoderStepsPerSec),
            blockStep: div(jax.blockStepsPerSec, engine.onnx1.blockStepsPerSec),
          }
        : null,
    pytorch: peer,
    ratios:
      peer && engine && jax
        ? {
            engineVsTorch1: ratios(engine.onnx1, peer.threads1),
            engineVsTorch2: ratios(engine.onnx2, peer.threads2),
            wasmVsTorch1: ratios(engine.wasm, peer.threads1),
            jaxVsTorch1: ratios(jax, peer.threads1),
            jaxVsTorch2: ratios(jax, peer.threads2),
          }
        : 'PyTorch peer skipped (no python3 with torch, --no-peer or --only)',
  };
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

await main();
