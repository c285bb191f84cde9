/**
 * The grid fit and the bootstrap over worker threads (node:worker_threads): the starts or the
 * resamples are split into contiguous slices, one per thread, and the results concatenated in order,
 * so the output is identical to the single-thread functions (checked in test/scaling/parallel.test.ts).
 * `threads: 1` runs on the calling thread without workers.
 */
import { Worker } from 'node:worker_threads';
import { checkNumber } from '../core/errors.js';
import {
  type BootstrapConfig,
  type BootstrapResult,
  bootstrapConfig,
  bootstrapSamples,
  summarizeSamples,
} from './bootstrap.js';
import {
  bestOptimum,
  type FitConfig,
  type FullFit,
  type LocalOptimum,
  localOptima,
  prepareFit,
  type Runs,
  refineOptima,
} from './fit.js';
import type { LogRuns } from './objective.js';

export type WorkerTask =
  | { kind: 'optima'; logRuns: LogRuns; starts: number[][]; fit: Partial<FitConfig> }
  | {
      kind: 'bootstrap';
      logRuns: LogRuns;
      starts: number[][];
      job: { seed: number; from: number; to: number; flops: number };
      fit: Partial<FitConfig>;
    };

/** Worker threads to use: 2 (this machine's cores) unless told. */
export const DEFAULT_THREADS = 2;

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/**
 * A worker running from the TypeScript sources registers tsx's loader first (as bin/modelmath.js
 * does); compiled JavaScript is loaded directly.
 */
function startWorker(task: WorkerTask): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData: task });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(code, { eval: true, workerData: task });
}

/** Runs one task in a fresh worker; `onProgress(n)` receives progress increments. */
function runWorker<T>(task: WorkerTask, onProgress?: (n: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(task);
    worker.on('message', (m: { kind: 'progress'; done: number } | { kind: 'done'; result: T; rest?: number }) => {
      if (m.kind === 'progress') onProgress?.(m.done);
      else {
        if (m.rest) onProgress?.(m.rest);
        resolve(m.result);
        void worker.terminate();
      }
    });
    worker.on('error', reject);
  });
}

/** Contiguous slices [from, to) of 0..n, one per thread. */
function slices(n: number, threads: number): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < threads; t++) out.push([Math.floor((n * t) / threads), Math.floor((n * (t + 1)) / threads)]);
  return out.filter(([a, b]) => b > a);
}

/** Local optima from every start, split over `threads` workers. */
export async function localOptimaParallel(
  logRuns: LogRuns,
  starts: number[][],
  fit: Partial<FitConfig>,
  threads = DEFAULT_THREADS,
): Promise<LocalOptimum[]> {
  checkNumber('threads', threads, { min: 1, max: 64, integer: true });
  if (threads === 1) return localOptima(logRuns, starts, fit);
  const parts = await Promise.all(
    slices(starts.length, threads).map(([a, b]) =>
      runWorker<LocalOptimum[]>({ kind: 'optima', logRuns, starts: starts.slice(a, b), fit }),
    ),
  );
  return parts.flat();
}

/** `fitApproach3` with the grid split over threads (same result). */
export async function fitApproach3Parallel(
  runs: Runs,
  options: Partial<FitConfig> & { dropHighestLoss?: number; threads?: number } = {},
): Promise<FullFit> {
  const { logRuns, starts } = prepareFit(runs, options);
  const optima = refineOptima(logRuns, await localOptimaParallel(logRuns, starts, options, options.threads), options);
  return { ...bestOptimum(optima, logRuns.logN.length), starts: starts.length, logRuns, optima };
}

/** `bootstrapFit` with the resamples split over threads (same samples: resample k always uses fork k). */
export async function bootstrapParallel(
  logRuns: LogRuns,
  starts: number[][],
  seed: number,
  config: Partial<BootstrapConfig> = {},
  fit: Partial<FitConfig> = {},
  options: { threads?: number; onProgress?: (n: number) => void } = {},
): Promise<BootstrapResult> {
  const cfg = bootstrapConfig(config);
  const threads = options.threads ?? DEFAULT_THREADS;
  checkNumber('threads', threads, { min: 1, max: 64, integer: true });
  const jobs = slices(cfg.resamples, threads).map(([from, to]) => ({ seed, from, to, flops: cfg.flops }));
  const parts =
    threads === 1
      ? [bootstrapSamples(logRuns, starts, jobs[0], fit, () => options.onProgress?.(1))]
      : await Promise.all(
          jobs.map((job) =>
            runWorker<Float64Array[]>({ kind: 'bootstrap', logRuns, starts, job, fit }, options.onProgress),
          ),
        );
  return summarizeSamples(parts.flat(), starts, cfg);
}
