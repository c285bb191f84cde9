/**
 * Bench: the full 4500-start Approach-3 grid fit on the 240 Chinchilla runs (5 highest losses
 * dropped), ours against SciPy's L-BFGS-B over the same grid (peer.py) with the same analytic
 * gradient, paired: each round fits on one thread here, then runs the peer; the JSON reports
 * medians over rounds of process-CPU and wall seconds and the ratio SciPy / ours. Also once: our
 * fit over 2 worker threads, and SciPy with finite-difference gradients (the replication's call).
 * Usage: npx tsx bench/scaling/grid.ts [--rounds 3] [--peer both|analytic|none]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CHINCHILLA_CSV, readRunsCsv } from '../../src/scaling/data-file.js';
import { fitApproach3 } from '../../src/scaling/fit.js';
import { fitApproach3Parallel } from '../../src/scaling/parallel.js';

const PEER = fileURLToPath(new URL('./peer.py', import.meta.url));
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const rounds = Number(arg('rounds', '3'));
const peerArg = arg('peer', 'both');

/** First interpreter that imports scipy: Debian's /usr/bin/python3, then python3 on PATH. */
export function findScipyPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

interface PeerResult {
  seconds: number;
  cpuSeconds: number;
  objective: number;
  evals: number;
  error?: string;
}

function runPeer(py: string, jac: string): PeerResult {
  const r = spawnSync(py, [PEER, '--csv', CHINCHILLA_CSV, '--drop', '5', '--jac', jac], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scipy peer failed: ${r.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout);
}

const runs = readRunsCsv(CHINCHILLA_CSV);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function fitOnce() {
  const [c0, t0] = [process.cpuUsage(), performance.now()];
  const fit = fitApproach3(runs, { dropHighestLoss: 5 });
  const c = process.cpuUsage(c0);
  return { fit, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

const py = peerArg === 'none' ? null : findScipyPython();
const ours: ReturnType<typeof fitOnce>[] = [];
const scipy: PeerResult[] = [];
const load: number[] = [];
for (let r = 0; r < rounds; r++) {
  load.push(+loadavg()[0].toFixed(2));
  ours.push(fitOnce());
  if (py) scipy.push(runPeer(py, 'analytic'));
}
const [c0, t0] = [process.cpuUsage(), performance.now()];
const two = await fitApproach3Parallel(runs, { dropHighestLoss: 5, threads: 2 });
const cpuTwo = process.cpuUsage(c0);
const twoThreads = {
  seconds: (performance.now() - t0) / 1000,
  /** CPU of this process: the main thread and both workers. */
  cpuSeconds: (cpuTwo.user + cpuTwo.system) / 1e6,
  objective: two.objective,
};
const { fit } = ours[0];
const oursMed = { seconds: median(ours.map((o) => o.seconds)), cpuSeconds: median(ours.map((o) => o.cpuSeconds)) };
const result: Record<string, unknown> = {
  runs: fit.runs,
  starts: fit.starts,
  clock: `median over ${rounds} rounds; ours (1 thread) and SciPy alternate within each round`,
  loadAverage1m: load,
  ours: {
    oneThread: { ...oursMed, perRoundCpu: ours.map((o) => +o.cpuSeconds.toFixed(3)), evaluations: fit.evaluations },
    twoThreads,
    objective: fit.objective,
    law: { E: fit.E, A: fit.A, B: fit.B, alpha: fit.alpha, beta: fit.beta },
  },
};
if (py) {
  const med = { seconds: median(scipy.map((p) => p.seconds)), cpuSeconds: median(scipy.map((p) => p.cpuSeconds)) };
  result.scipyAnalytic = {
    form: 'scipy.optimize.minimize(method="L-BFGS-B", jac=True) from every grid start, numpy value and gradient',
    ...med,
    perRoundCpu: scipy.map((p) => +p.cpuSeconds.toFixed(3)),
    evaluations: scipy[0].evals,
    objective: scipy[0].objective,
  };
  const ratio: Record<string, number> = {
    cpu1Thread: +(med.cpuSeconds / oursMed.cpuSeconds).toFixed(2),
    wall1Thread: +(med.seconds / oursMed.seconds).toFixed(2),
    wall2Threads: +(med.seconds / twoThreads.seconds).toFixed(2),
    objectiveDifference: scipy[0].objective - fit.objective,
  };
  if (peerArg === 'both') {
    const numeric = runPeer(py, 'numeric');
    result.scipyNumeric = { form: "the replication's call: L-BFGS-B with finite-difference gradients", ...numeric };
    ratio.numericCpu1Thread = +(numeric.cpuSeconds / oursMed.cpuSeconds).toFixed(2);
  }
  result.ratioScipyOverOurs = ratio;
} else result.scipy = 'skipped (--peer none or no python3 with scipy)';
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
