/**
 * Start-up time of the CLI: wall time of whole processes (`modelmath --version`, a command's --help,
 * the top-level --help), median of --runs runs after one warm-up, as one JSON object. With
 * --vs DIR, the same commands of another checkout (for example main before a change) run
 * alternately with ours and the JSON carries both sides and their ratio.
 *   npx tsx bench/cli/startup.ts [--runs 9] [--vs ../other-checkout]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('runs', '9'));
const other = arg('vs');
const root = join(import.meta.dirname, '..', '..');
const CASES = [['--version'], ['--help'], ['lm', 'train', '--help'], ['edit', '--help'], ['scaling', 'fit', '--help']];

function seconds(checkout: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(checkout, 'bin', 'modelmath.js'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = CASES.map((args) => {
  seconds(root, args);
  if (other) seconds(other, args);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(seconds(root, args));
    if (other) theirs.push(seconds(other, args));
  }
  const row: Record<string, unknown> = { command: `modelmath ${args.join(' ')}`, seconds: median(ours) };
  if (other) Object.assign(row, { otherSeconds: median(theirs), speedup: median(theirs) / median(ours) });
  return row;
});
process.stdout.write(
  `${JSON.stringify({ bench: 'cli-startup', node: process.version, runs, vs: other ?? null, results })}\n`,
);
