/** The data-safety contract (core/outputs): what modelmath may replace, what it never touches. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimDir, MANIFEST, OutputError, planOutput, readManifest, writeDirAtomic } from '../../src/core/outputs.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mm-outputs-'));
const build = (files: Record<string, string>) => (dir: string) => {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
};

describe('writeDirAtomic', () => {
  it('creates a new folder with a manifest listing what it wrote', async () => {
    const dir = join(tmp(), 'out');
    await writeDirAtomic(dir, build({ 'a.txt': 'a', 'sub/b.txt': 'b' }), { command: 'lm corpus' });
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'a.txt', 'sub']);
    expect(readManifest(dir)).toMatchObject({ tool: 'modelmath', command: 'lm corpus', entries: ['a.txt', 'sub/'] });
  });

  it('refuses a folder holding a file of the user, before building, and changes nothing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'thesis.txt'), 'my thesis');
    let built = false;
    const run = writeDirAtomic(dir, () => {
      built = true;
    });
    await expect(run).rejects.toThrow(OutputError);
    await expect(writeDirAtomic(dir, () => {})).rejects.toThrow(
      /holds files modelmath did not write \(thesis\.txt\).*--overwrite/,
    );
    expect(built).toBe(false);
    expect(readdirSync(dir)).toEqual(['thesis.txt']);
  });

  it('rebuilds its own folder: replaces and removes only its entries, keeps claims and the user files added since', async () => {
    const dir = join(tmp(), 'out');
    await writeDirAtomic(dir, build({ 'a.txt': '1', 'b.txt': '1' }), { command: 'x' });
    claimDir(dir, ['checkpoint/'], { command: 'x' });
    mkdirSync(join(dir, 'checkpoint'));
    writeFileSync(join(dir, 'checkpoint', 'state.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'user notes');
    await writeDirAtomic(dir, build({ 'a.txt': '2', 'c.txt': '2' }), { command: 'x' });
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'a.txt', 'c.txt', 'checkpoint', 'notes.txt']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('2');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('user notes');
    expect(existsSync(join(dir, 'checkpoint', 'state.json'))).toBe(true);
  });

  it("never replaces a user's file that a rebuild of its own folder would produce, unless overwrite", async () => {
    const dir = join(tmp(), 'out');
    await writeDirAtomic(dir, build({ 'a.txt': '1' }), { command: 'x' });
    writeFileSync(join(dir, 'b.txt'), 'user b');
    await expect(writeDirAtomic(dir, build({ 'a.txt': '2', 'b.txt': '2' }), { command: 'x' })).rejects.toThrow(
      /holds b\.txt, which modelmath did not write; nothing was changed/,
    );
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('1');
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('user b');
    await writeDirAtomic(dir, build({ 'a.txt': '2', 'b.txt': '2' }), { command: 'x', overwrite: true });
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('2');
  });

  it("refuses another command's folder unless overwrite, and with overwrite touches only same-named entries", async () => {
    const dir = join(tmp(), 'out');
    await writeDirAtomic(dir, build({ 'a.txt': '1' }), { command: 'lm corpus' });
    await expect(writeDirAtomic(dir, build({ 'b.txt': '1' }), { command: 'tour' })).rejects.toThrow(
      /was written by 'modelmath lm corpus'/,
    );
    const user = tmp();
    writeFileSync(join(user, 'keep.txt'), 'keep');
    writeFileSync(join(user, 'index.html'), 'mine');
    await writeDirAtomic(user, build({ 'index.html': 'report' }), { command: 'tour', overwrite: true });
    expect(readFileSync(join(user, 'keep.txt'), 'utf8')).toBe('keep');
    expect(readFileSync(join(user, 'index.html'), 'utf8')).toBe('report');
  });

  it('leaves no temporary folder behind when the build fails', async () => {
    const parent = tmp();
    await expect(
      writeDirAtomic(join(parent, 'out'), () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('planOutput', () => {
  const base = { command: 'test', overwrite: false } as const;

  it('refuses an existing file unless --overwrite, naming the path and the flag', () => {
    const dir = tmp();
    const file = join(dir, 'red.png');
    writeFileSync(file, 'png');
    expect(() => planOutput({ ...base, path: file, kind: 'file' })).toThrow(
      `--out ${file} exists; choose another name, or pass --overwrite to replace it`,
    );
    expect(() => planOutput({ ...base, path: file, kind: 'file', overwrite: true })).not.toThrow();
    expect(() => planOutput({ ...base, path: file, kind: 'dir' })).toThrow(/is a file, expected a folder/);
  });

  it('refuses an output that is an input, or a folder that contains one', () => {
    const dir = tmp();
    const image = join(dir, 'in.png');
    writeFileSync(image, 'png');
    expect(() => planOutput({ ...base, path: image, kind: 'file', overwrite: true, inputs: [image] })).toThrow(
      /is also an input/,
    );
    expect(() =>
      planOutput({ ...base, path: join(dir, '.', 'in.png'), kind: 'file', overwrite: true, inputs: [image] }),
    ).toThrow(/is also an input/);
    expect(() => planOutput({ ...base, path: dir, kind: 'dir', overwrite: true, inputs: [image] })).toThrow(
      /contains an input/,
    );
  });

  it('checks endings, empty paths and writability before any work', () => {
    const dir = tmp();
    expect(() => planOutput({ ...base, path: join(dir, 'x.jpg'), kind: 'file', extensions: ['.png'] })).toThrow(
      /expected a file ending in \.png/,
    );
    expect(() => planOutput({ ...base, path: '', kind: 'file' })).toThrow(/empty path/);
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    expect(() => planOutput({ ...base, path: join(file, 'sub', 'x.png'), kind: 'file' })).toThrow(
      new RegExp(`cannot write in ${file}|is a file, expected a folder`),
    );
    expect(readdirSync(dir).sort()).toEqual(['plain']); // the probe left nothing behind
    expect(() => planOutput({ ...base, path: join(dir, 'new', 'deep', 'x.png'), kind: 'file' })).not.toThrow();
    expect(existsSync(join(dir, 'new'))).toBe(false); // nothing is created before the work
  });

  it('accepts the same command on its own earlier folder and an empty folder', async () => {
    const dir = join(tmp(), 'out');
    await writeDirAtomic(dir, build({ 'a.txt': '1' }), { command: 'physics simulate' });
    expect(() => planOutput({ ...base, path: dir, kind: 'dir', command: 'physics simulate' })).not.toThrow();
    expect(() => planOutput({ ...base, path: dir, kind: 'dir', command: 'lm corpus' })).toThrow(OutputError);
    expect(() => planOutput({ ...base, path: tmp(), kind: 'dir' })).not.toThrow();
  });
});
