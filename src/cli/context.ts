/**
 * What every command receives: the global options (--json, --seed, --out, --verbose) and the
 * two output channels. Machine-readable results go to stdout as one JSON object (with --json);
 * human text and progress go to stderr, so `--json` output can always be piped.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

export interface CommandContext {
  /** Print one JSON object on stdout instead of human text. */
  json: boolean;
  /** Seed for every random choice of the command. */
  seed: number;
  /** Output path (file or folder, per command), if given. */
  out?: string;
  /** Print stack traces and extra detail. */
  verbose: boolean;
  /** Human-readable line on stderr (silent with --json unless verbose). */
  log(message: string): void;
}

export function contextFrom(cmd: Command): CommandContext {
  const o = cmd.optsWithGlobals() as { json?: boolean; seed?: string | number; out?: string; verbose?: boolean };
  const seed = o.seed === undefined ? 0 : Number(o.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new ConfigError(`--seed must be an integer in [0, 4294967295], got ${JSON.stringify(o.seed)}`);
  }
  const json = Boolean(o.json);
  const verbose = Boolean(o.verbose);
  return {
    json,
    seed,
    out: o.out,
    verbose,
    log: (message: string) => {
      if (!json || verbose) process.stderr.write(`${message}\n`);
    },
  };
}

/**
 * Validates commander's parsed options with a zod schema; the first problem becomes a
 * ConfigError naming the flag (`--noise-samples must be ...`).
 */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown): z.infer<S> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue.path.map(String).join('.');
  const flag = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';
  throw new ConfigError(`${flag}: ${issue.message}`);
}

/** A number flag parsed strictly (commander hands over strings): "1e-3" ok, "abc" or "" rejected. */
export const numberFlag = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a finite number, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

/** Wraps a command's handler: builds the context, runs it, prints the JSON result when asked. */
export function action<O>(
  handler: (options: O, ctx: CommandContext, cmd: Command) => Promise<unknown> | unknown,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const ctx = contextFrom(cmd);
    const result = await handler(cmd.opts() as O, ctx, cmd);
    if (ctx.json && result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
  };
}
