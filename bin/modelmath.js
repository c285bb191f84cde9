#!/usr/bin/env node
// Entry point of the installed CLI. `--version` answers at once; everything else runs the
// TypeScript sources through tsx's loader.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  process.env.MODELMATH_CLI = '0';
  const { endQuietlyOnClosedPipe, runCli } = await import('../src/cli/main.ts');
  endQuietlyOnClosedPipe();
  process.exitCode = await runCli(argv);
}
