/**
 * Bench: the full 4500-start Approach-3 grid fit on the 240 Chinchilla runs, ours (1 thread and
 * 2 worker threads) against SciPy's L-BFGS-B over the same grid (peer.py; finite-difference
 * gradients as the replication called it, and the analytic gradient). Prints one JSON object with
 * wall and CPU seconds and the ratios. Usage: npx tsx bench/scaling/grid.ts [--peer both|numeric|analytic|none]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHINCHILLA_CSV, readRunsCsv } from '../../src/scaling/data-file.js';
import { fitApproach3 } from '../../src/scaling/fit.js';
import { fitApproach3Parallel } from '../../src/scaling/parallel.js';

const PEER = fileURLToPath(new URL('./peer.py', import.meta.url));

/** First interpreter that imports scipy: Debian's /usr/bin/python3, then python3 on PATH. */
export function findScipyPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

function runPeer(py: string, jac: string): Record<string, unknown> {
  const r = spawnSync(py, [PEER, '--csv', CHINCHILLA_CSV, '--drop', '5', '--jac', jac], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').at(-1) };
  return JSON.parse(r.stdout);
}

async function main(): Promise<void> {
  const peerArg = process.argv.includes('--peer') ? process.argv[process.argv.indexOf('--peer') + 1] : 'both';
  const runs = readRunsCsv(CHINCHILLA_CSV);
  const result: Record<string, unknown> = { runs: 240, starts: 4500 };
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  const one = fitApproach3(runs, { dropHighestLoss: 5 });
  const ours1 = { seconds: (performance.now() - t0) / 1000, cpuSeconds: process.cpuUsage(c0).user / 1e6 };
  c0 = process.cpuUsage();
  t0 = performance.now();
  const two = await fitApproach3Parallel(runs, { dropHighestLoss: 5, threads: 2 });
  const ours2 = { seconds: (performance.now() - t0) / 1000 };
  const law = ({ A, B, E, alpha, beta }: typeof one) => ({ A, B, E, alpha, beta });
  result.ours = {
    oneThread: { ...ours1, evaluations: one.evaluations, objective: one.objective, ...law(one) },
    twoThreads: { ...ours2, objective: two.objective },
  };
  const py = peerArg === 'none' ? null : findScipyPython();
  if (py === null) {
    result.scipy = peerArg === 'none' ? 'skipped (--peer none)' : 'skipped: no python3 with scipy found';
  } else {
    const jacs = peerArg === 'both' ? ['numeric', 'analytic'] : [peerArg];
    const scipy: Record<string, unknown> = {};
    const ratios: Record<string, number> = {};
    for (const jac of jacs) {
      const p = runPeer(py, jac);
      scipy[jac] = p;
      if (typeof p.seconds === 'number' && typeof p.cpuSeconds === 'number') {
        ratios[`${jac}/cpu1Thread`] = p.cpuSeconds / ours1.cpuSeconds;
        ratios[`${jac}/wall1Thread`] = p.seconds / ours1.seconds;
        ratios[`${jac}/wall2Threads`] = p.seconds / ours2.seconds;
        ratios[`${jac}/objectiveDifference`] = (p.objective as number) - one.objective;
      }
    }
    result.scipy = scipy;
    result.speedup = ratios;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
