#!/usr/bin/env node
/**
 * The `modelmath` command line. `--version` answers before anything is imported; a command loads
 * only its own part's command specs (src/cli/commands.ts), and a part's heavy code (engines,
 * models) only when the command runs. Exit codes: 0 ok, 2 bad usage or bad input, 1 other failure.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ModelMathError } from '../core/errors.js';
import { REGISTRY } from './commands.js';
import { addEntries, addGlobalOptions } from './program.js';

const version = () =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The first word of argv that is not an option (or an option's value). */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seed') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** The program with the parts that argv needs (all of them for the top-level help). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = addGlobalOptions(new Command('modelmath'))
    .description('The math of large models, runnable.')
    .version(version(), '-V, --version')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });
  const word = commandWord(argv);
  const parts = REGISTRY.filter((p) => word !== undefined && p.names.includes(word));
  for (const part of parts.length ? parts : REGISTRY) addEntries(program, (await part.load()).commands);
  for (const sub of program.commands) applyToTree(sub);
  return program;
}

function applyToTree(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureHelp({ showGlobalOptions: true });
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });
  for (const sub of cmd.commands) applyToTree(sub);
}

/** Runs the CLI on argv and returns the exit code (never throws). */
export async function runCli(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help, --version
      process.stderr.write(`modelmath: error: ${err.message.replace(/^error: /, '')}\n`);
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
/** A closed pipe (`modelmath ... | head`) ends the output quietly instead of crashing. */
export function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

if (invokedDirectly || process.env.MODELMATH_CLI === '1') {
  endQuietlyOnClosedPipe();
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
