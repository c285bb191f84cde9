#!/usr/bin/env node
/**
 * The `modelmath` command line: one commander program; every part plugs its commands in
 * through the registry in ./commands.ts. Exit codes: 0 ok, 2 bad usage or bad input, 1 other.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ModelMathError } from '../core/errors.js';
import { COMMANDS } from './commands.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('modelmath')
    .description('The math of large models, runnable.')
    .version(pkg.version)
    .option('--json', 'print one JSON object on stdout (human text goes to stderr)')
    .option('--seed <n>', 'seed for every random choice', '0')
    .option('--out <path>', 'output file or folder')
    .option('--verbose', 'show stack traces and extra detail')
    .showHelpAfterError(false)
    .exitOverride();
  program.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: () => {},
  });
  for (const register of COMMANDS) register(program);
  for (const sub of program.commands) applyToTree(sub);
  return program;
}

function applyToTree(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({ outputError: () => {} });
  for (const sub of cmd.commands) applyToTree(sub);
}

/** Runs the CLI on argv and returns the exit code (never throws). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help, --version
      const message = err.message.replace(/^error: /, '');
      process.stderr.write(`modelmath: error: ${message}\n`);
      return 2;
    }
    if (err instanceof ModelMathError) {
      process.stderr.write(`modelmath: error: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`modelmath: error: ${e?.message ?? String(err)}\n`);
    if (verbose && e?.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly || process.env.MODELMATH_CLI === '1') {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
