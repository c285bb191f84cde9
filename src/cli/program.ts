/**
 * Builds the commander program from the parts' command specs (src/core/command.ts): flags from
 * each schema, `--out`/`--overwrite`/`--resume` from the output spec, examples in --help, and the
 * action: validate options, check the output before any work, run, print the result (text on
 * stdout, or one JSON object with --json), logs and progress on stderr.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { CommandContext, CommandEntry, CommandSpec } from '../core/command.js';
import { isGroup } from '../core/command.js';
import { ConfigError, ModelMathError } from '../core/errors.js';
import { claimDir, MANIFEST, planOutput, writeDirAtomic, writeJsonAtomic } from '../core/outputs.js';
import { createProgress } from '../core/progress.js';
import { flagName, flagsOf, resolveOptions } from './flags.js';

export interface GlobalOptions {
  json?: boolean;
  seed?: string;
  verbose?: boolean;
}

/** The program's own options, shown in every command's --help. */
export function addGlobalOptions(program: Command): Command {
  return (
    program
      .option('--json', 'print the result as one JSON object on stdout (logs stay on stderr)')
      .option('--seed <n>', 'seed for every random choice (default: 0)')
      .option('--verbose', 'show stack traces and extra detail')
      // Also accepted before the command word (`modelmath --out x.json edit-bench`); each command's
      // --help lists them when it writes, and a command that writes nothing refuses them.
      .addOption(new Option('--out <path>').hideHelp())
      .addOption(new Option('--overwrite').hideHelp())
      .addOption(new Option('--resume').hideHelp())
  );
}

function parseSeed(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const seed = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new ConfigError(`--seed must be an integer in [0, 4294967295], got ${JSON.stringify(raw)}`);
  }
  return seed;
}

function examplesText(spec: CommandSpec): string {
  return `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`;
}

/**
 * Names flags instead of internal fields in a library's message: "warmupSteps must ..." becomes
 * "--warmup-steps must ...", and "scaling.factor must ..." becomes "--factor must ...".
 */
function withFlagNames(message: string, spec: CommandSpec): string {
  const path = /^([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*)\b/.exec(message)?.[1];
  if (!path) return message;
  const keys = path.split('.');
  const key = [...keys].reverse().find((k) => k in spec.options.shape);
  return key ? `${flagName(key)}${message.slice(path.length)}` : message;
}

function addCommand(parent: Command, spec: CommandSpec, words: string): void {
  const cmd = parent.command(spec.name).description(spec.summary);
  for (const flag of flagsOf(spec.options, spec)) {
    const option = new Option(flag.syntax, flag.description);
    if (flag.kind === 'boolean' && flag.defaultValue === true) option.default(true);
    cmd.addOption(option);
  }
  const out = spec.out;
  if (out) {
    const when = out.default ? `default: ${out.default}` : out.optional ? 'optional' : 'required';
    cmd.option(`--out <${typeof out.kind === 'function' ? 'path' : out.kind}>`, `${out.describe} (${when})`);
    cmd.option('--overwrite', 'let --out replace files modelmath did not write (nothing else is touched)');
    if (spec.resumable) cmd.option('--resume', 'continue from the checkpoint under --out');
  }
  cmd.addHelpText('after', examplesText(spec));
  cmd.action(async (...args: unknown[]) => {
    const self = args[args.length - 1] as Command;
    await runSpec(spec, words, self);
  });
}

/** Runs one command: options, output check, run, print. */
async function runSpec(spec: CommandSpec, words: string, cmd: Command): Promise<void> {
  const globals = cmd.optsWithGlobals() as GlobalOptions & { out?: string; overwrite?: boolean; resume?: boolean };
  const seed = parseSeed(globals.seed);
  const raw = cmd.opts() as Record<string, unknown>;
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) if (cmd.getOptionValueSource(key) === 'cli') given[key] = raw[key];
  const options = resolveOptions(spec, given);
  try {
    spec.check?.(options as never);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(withFlagNames(err.message, spec), { cause: err });
    throw err;
  }
  const overwrite = Boolean(globals.overwrite);
  const resume = Boolean(globals.resume);
  for (const flag of ['out', 'overwrite', 'resume'] as const) {
    const accepted = flag === 'resume' ? spec.resumable : spec.out;
    if (globals[flag] !== undefined && !accepted) {
      throw new ConfigError(
        `--${flag} does not apply: 'modelmath ${words}' ${flag === 'resume' ? 'does not resume' : 'writes no file'}`,
      );
    }
  }
  const outPath = spec.out ? (globals.out ?? spec.out.default) : undefined;
  if (spec.out && outPath === undefined && !spec.out.optional) {
    throw new ConfigError(`--out is required: ${spec.out.describe}`);
  }
  let createdDir: string | undefined;
  if (spec.out && outPath !== undefined) {
    const inputs = (spec.inputs ?? []).map((k) => options[k]).filter((v): v is string => typeof v === 'string');
    const kind = typeof spec.out.kind === 'function' ? spec.out.kind(options) : spec.out.kind;
    const extensions = kind === 'file' ? spec.out.extensions : undefined;
    planOutput({ path: outPath, kind, command: words, overwrite, inputs, extensions });
    if (kind === 'dir' && spec.out.claims) {
      createdDir = existsSync(outPath) ? undefined : outPath;
      claimDir(outPath, spec.out.claims, { command: words, overwrite, label: `--out ${outPath}` });
    }
  }
  const json = Boolean(globals.json);
  const ctx: CommandContext = {
    json,
    seed,
    verbose: Boolean(globals.verbose),
    out: outPath,
    overwrite,
    resume,
    command: words,
    log: (message) => process.stderr.write(`${message}\n`),
    progress: (label, total) => createProgress(label, total),
    writeDir: (build) => {
      if (outPath === undefined) throw new ConfigError('--out is required: the folder to write');
      return writeDirAtomic(outPath, build, { command: words, overwrite, label: `--out ${outPath}` });
    },
  };
  let result: Awaited<ReturnType<CommandSpec['run']>>;
  try {
    result = await spec.run(options as never, ctx);
  } catch (err) {
    if (createdDir) removeIfNothingWritten(createdDir);
    if (err instanceof ConfigError) throw new ConfigError(withFlagNames(err.message, spec), { cause: err });
    throw err;
  }
  if (spec.out?.resultJson && outPath !== undefined) writeJsonAtomic(outPath, result.data);
  if (json) process.stdout.write(`${JSON.stringify(result.data)}\n`);
  else if (result.text) process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  if (result.failure) throw new ModelMathError(result.failure, 2);
}

/** A folder this run created and then failed before writing anything into: removed, so bad input leaves no trace. */
function removeIfNothingWritten(dir: string): void {
  const hasFiles = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? hasFiles(join(d, e.name)) : e.name !== MANIFEST || d !== dir,
    );
  if (existsSync(dir) && !hasFiles(dir)) rmSync(dir, { recursive: true, force: true });
}

/** Adds a part's commands (and groups) to the program. */
export function addEntries(program: Command, entries: readonly CommandEntry[]): void {
  for (const entry of entries) {
    if (!isGroup(entry)) {
      addCommand(program, entry, entry.name);
      continue;
    }
    const group = program.command(entry.name).description(entry.summary);
    for (const spec of entry.commands) addCommand(group, spec, `${entry.name} ${spec.name}`);
  }
}
