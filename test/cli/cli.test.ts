import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, MODELMATH_NO_PROGRESS: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('modelmath CLI', () => {
  it('prints help and version with exit code 0', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tour');
    const version = cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('rejects unknown commands and options with exit 2 and one error line', () => {
    const a = cli(['no-such-command']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^modelmath: error: .*no-such-command/m);
    const b = cli(['tour', '--no-such-flag']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^modelmath: error: .*--no-such-flag/m);
    const c = cli(['--seed', 'x', 'tour', '--only', 'machine']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--seed must be an integer/);
  });

  it('tour --only unknown fails cleanly and writes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mm-tour-')), 'tour');
    const r = cli(['tour', '--only', 'nope', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown section 'nope'.*machine/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('tour writes index.html and results.json atomically and --json prints one object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-tour-'));
    const out = join(dir, 'tour');
    const r = cli(['tour', '--only', 'machine', '--quick', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.sections).toEqual([expect.objectContaining({ id: 'machine', ok: true })]);
    expect(readdirSync(out).sort()).toEqual(['.modelmath-manifest.json', 'index.html', 'results.json']);
    expect(readdirSync(dir)).toEqual(['tour']); // no temp folders left
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.sections.machine.data.matmulGflops).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('This machine');
  });
});
