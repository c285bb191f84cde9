/**
 * Every command's --help: a one-line purpose, every option with its default or marked required,
 * --out where the command writes, and examples. The first example of every command is run, as a
 * user would paste it, in an empty folder that sees the repository's assets/ (`serve` runs until
 * stopped: test/web/cli.test.ts starts and stops it instead).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/cli/commands.js';
import { flagsOf } from '../../src/cli/flags.js';
import { type CommandSpec, isGroup } from '../../src/core/command.js';

const root = join(import.meta.dirname, '..', '..');
const BIN = join(root, 'bin', 'modelmath.js');

/** Every command with its words ('toy train'). */
async function allCommands(): Promise<{ words: string; spec: CommandSpec }[]> {
  const out: { words: string; spec: CommandSpec }[] = [];
  for (const part of REGISTRY) {
    const { commands } = await part.load();
    const names = commands.map((e) => e.name);
    expect(names.sort(), `registry names of ${part.names.join(', ')}`).toEqual([...part.names].sort());
    for (const entry of commands) {
      if (isGroup(entry)) for (const spec of entry.commands) out.push({ words: `${entry.name} ${spec.name}`, spec });
      else out.push({ words: entry.name, spec: entry });
    }
  }
  return out;
}

/** Splits a shell line into words (double quotes only, as in the examples). */
const shellWords = (line: string) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);

function run(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MODELMATH_NO_PROGRESS: '1' },
    timeout: 300_000,
  });
}

describe('--help of every command', async () => {
  const commands = await allCommands();
  it('lists every command of the registry', () => {
    expect(commands.length).toBeGreaterThan(25);
  });
  for (const { words, spec } of commands) {
    it(`modelmath ${words} --help: purpose, options with defaults or (required), --out, examples`, () => {
      const r = run(root, [...words.split(' '), '--help']);
      expect(r.status).toBe(0);
      const help = r.stdout.replace(/\s+/g, ' ');
      expect(help).toContain(spec.summary);
      for (const flag of flagsOf(spec.options, spec)) {
        expect(help).toContain(flag.syntax);
        if (flag.required) expect(flag.description).toMatch(/\(.*required.*\)$/);
      }
      if (spec.out) expect(help).toMatch(/--out <(file|dir|path)> .*\((default: .+|optional|required)\)/);
      else expect(help).not.toContain('--out <');
      expect(r.stdout).toContain('Examples:');
      for (const example of spec.examples)
        expect(example.startsWith(`modelmath ${words} `) || example === `modelmath ${words}`).toBe(true);
      expect(r.stdout).not.toMatch(/\/(work|home|root|tmp)\//); // no machine-specific paths
    });
  }
});

describe('the first example of every command works when pasted', async () => {
  const commands = (await allCommands()).filter(({ words }) => words !== 'serve');
  for (const { spec } of commands) {
    it(`$ ${spec.examples[0]}`, () => {
      const cwd = mkdtempSync(join(tmpdir(), 'mm-example-'));
      symlinkSync(join(root, 'assets'), join(cwd, 'assets'));
      const r = run(cwd, shellWords(spec.examples[0]).slice(1));
      expect(
        r.stderr.split('\n').filter((l) => l.startsWith('modelmath: error')),
        r.stderr,
      ).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim().length).toBeGreaterThan(0);
    }, 300_000);
  }
});
