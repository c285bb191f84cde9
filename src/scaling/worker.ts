/**
 * Worker-thread entry for parallel.ts: runs one slice of the grid fit (local optima from a list of
 * starts) or of the bootstrap (a range of resamples) and posts the result back. No state is kept.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bootstrapSamples } from './bootstrap.js';
import { localOptima } from './fit.js';
import type { WorkerTask } from './parallel.js';

const task = workerData as WorkerTask;
if (task.kind === 'optima') {
  const optima = localOptima(task.logRuns, task.starts, task.fit);
  parentPort?.postMessage({ kind: 'done', result: optima });
} else {
  let done = 0;
  const samples = bootstrapSamples(task.logRuns, task.starts, task.job, task.fit, () => {
    done++;
    if (done % 25 === 0) parentPort?.postMessage({ kind: 'progress', done: 25 });
  });
  parentPort?.postMessage({ kind: 'done', result: samples, rest: done % 25 });
}
