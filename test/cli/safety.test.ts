/**
 * Issue 16's reproductions, each of which destroyed or misplaced data before: commands refuse
 * (exit 2, one line naming the user's path and --overwrite) instead of replacing a user's files,
 * check their output before any work, and never write over their own input. Plus a property
 * test over random trees of pre-existing files under and beside --out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/core/image.js';
import { MANIFEST, readManifest } from '../../src/core/outputs.js';
import { runCliCaptured } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mm-safety-'));
const CORPUS = 'assets/lm/corpus/pretrain.valid.txt';

/** Every file under `root` with the hash of its bytes. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else files.set(relative(root, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(root);
  return files;
}

describe('--out never destroys a folder or file of the user (issue 16, reproduction 1)', () => {
  const commands: [string, string[]][] = [
    ['lm corpus', ['lm', 'corpus']],
    ['lm train', ['lm', 'train', '--data', CORPUS, '--valid', CORPUS, '--preset', 'test', '--steps', '1']],
    ['lm finetune', ['lm', 'finetune', '--data', CORPUS, '--valid', CORPUS, '--steps', '1', '--eval-windows', '1']],
    ['lm merge', ['lm', 'merge', '--adapter', 'assets/lm/lora-captions']],
    ['physics simulate', ['physics', 'simulate', '--system', 'led', '--clips', '1']],
    ['tour', ['tour', '--only', 'rope', '--quick']],
  ];
  for (const [name, args] of commands) {
    it(`${name} refuses a folder holding thesis.txt and sub/ and leaves both`, async () => {
      const p = tmp();
      writeFileSync(join(p, 'thesis.txt'), 'thesis');
      mkdirSync(join(p, 'sub'));
      writeFileSync(join(p, 'sub', 'data.csv'), '1,2');
      const r = await runCliCaptured([...args, '--out', p]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `modelmath: error: --out ${p} holds files modelmath did not write (sub/, thesis.txt); choose a new or empty folder, or pass --overwrite to write into it (files of the same names are replaced; nothing else is touched)\n`.replace(
          '(sub/, thesis.txt)',
          `(${readdirSync(p, { withFileTypes: true })
            .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
            .join(', ')})`,
        ),
      );
      expect(readFileSync(join(p, 'thesis.txt'), 'utf8')).toBe('thesis');
      expect(readFileSync(join(p, 'sub', 'data.csv'), 'utf8')).toBe('1,2');
    });
  }

  it('lm train --out naming an existing file refuses and keeps the file', async () => {
    const dir = tmp();
    const red = join(dir, 'red.png');
    writeFileSync(red, 'my picture');
    const r = await runCliCaptured([...commands[1][1], '--out', red]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`modelmath: error: --out ${red} is a file, expected a folder\n`);
    expect(readFileSync(red, 'utf8')).toBe('my picture');
  });

  it('the same command may write into its own earlier output; another command may not', async () => {
    const p = join(tmp(), 'clips');
    const args = ['physics', 'simulate', '--system', 'led', '--clips', '2', '--out', p];
    expect((await runCliCaptured(args)).code).toBe(0);
    writeFileSync(join(p, 'notes.txt'), 'mine');
    expect((await runCliCaptured([...args.slice(0, -3), '1', '--out', p])).code).toBe(0);
    expect(readdirSync(p).sort()).toEqual([MANIFEST, 'clip_0000', 'notes.txt', 'params.json']); // clip_0001 was ours
    expect(readFileSync(join(p, 'notes.txt'), 'utf8')).toBe('mine');
    const r = await runCliCaptured(['tour', '--only', 'rope', '--quick', '--out', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was written by 'modelmath physics simulate'/);
  });
});

describe('an output equal to an input is refused (reproduction 2)', () => {
  it('edit --image in.png --out in.png', async () => {
    const dir = tmp();
    const image = join(dir, 'in.png');
    const r0 = await runCliCaptured([
      'toy',
      'render',
      '--caption',
      'a large red circle at top on snow',
      '--out',
      image,
    ]);
    expect(r0.code).toBe(0);
    const before = readFileSync(image);
    const r = await runCliCaptured(['edit', '--image', image, '--source', 'a', '--target', 'b', '--out', image]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`modelmath: error: --out ${image} is also an input (${image}); write the output elsewhere\n`);
    expect(readFileSync(image).equals(before)).toBe(true);
  });
});

describe('output problems are found before the work, in one line naming the user path (reproduction 3)', () => {
  it('edit --out into a folder that cannot be written', async () => {
    const r = await runCliCaptured([
      'edit',
      '--image',
      'assets/toy/samples.png',
      '--source',
      'a',
      '--target',
      'b',
      '--out',
      '/sys/edited.png',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^modelmath: error: --out \/sys\/edited\.png: cannot write in \/sys \(.+\)\n$/);
    expect(r.stderr).not.toMatch(/\.tmp/);
  });
  for (const [name, args] of [
    ['physics train', ['physics', 'train', '--system', 'free-fall', '--preset', 'test']],
    ['diffusion lab', ['diffusion', 'lab', '--preset', 'quick']],
  ] as const) {
    it(`${name} with --out an existing file`, async () => {
      const file = join(tmp(), 'exists.txt');
      writeFileSync(file, 'x');
      const r = await runCliCaptured([...args, '--out', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`modelmath: error: --out ${file} is a file, expected a folder\n`);
      expect(readFileSync(file, 'utf8')).toBe('x');
    });
  }
});

describe('--out is written by every command that accepts it (reproduction 5)', () => {
  it('scaling optimal --out writes its JSON, and the text result goes to stdout', async () => {
    const out = join(tmp(), 'optimal.json');
    const r = await runCliCaptured(['scaling', 'optimal', '--flops', '1e21', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^C = 1\.00e\+21: N = /);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8'))).sort()).toEqual([
      'loss',
      'params',
      'tokens',
      'tokensPerParam',
    ]);
  });
  it('a command that writes nothing refuses --out', async () => {
    const r = await runCliCaptured(['rope', 'freqs', '--out', join(tmp(), 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("modelmath: error: --out does not apply: 'modelmath rope freqs' writes no file\n");
  });
});

describe('short runs and flag names (reproduction 6)', () => {
  it('toy train --steps 3 works (the warm-up is cut to the run)', async () => {
    const out = join(tmp(), 'toy');
    const r = await runCliCaptured(['toy', 'train', '--preset', 'quick', '--steps', '3', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: 3, scheduleSteps: 3 });
  });
  it('lm train --steps 2 works, and a bad value names the flag', async () => {
    const out = join(tmp(), 'lm');
    const args = ['lm', 'train', '--data', CORPUS, '--valid', CORPUS, '--preset', 'test', '--eval-windows', '1'];
    expect((await runCliCaptured([...args, '--steps', '2', '--out', out])).code).toBe(0);
    const r = await runCliCaptured([...args, '--dim', '18', '--out', join(tmp(), 'lm')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^modelmath: error: --dim must split into nHead = 2 heads of even integer head size/);
  });
});

describe('results on stdout (reproduction 8)', () => {
  it('rope freqs prints a table with a header; --json one object', async () => {
    const r = await runCliCaptured(['rope', 'freqs', '--head-dim', '4']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['# RoPE d = 4, base 10000', 'pair\ttheta\twavelength']);
    expect(r.stderr).toBe('');
    const j = await runCliCaptured(['rope', 'freqs', '--head-dim', '4', '--json']);
    expect(JSON.parse(j.stdout).pairs).toHaveLength(2);
  });
});

describe('degenerate input is reported (reproduction 10)', () => {
  it('edit says in one stderr line that it resized a 50x20 image', async () => {
    const dir = tmp();
    const image = join(dir, 'wide.png');
    writeFileSync(
      image,
      await encodePng({ data: new Float32Array(3 * 20 * 50).fill(0.2), channels: 3, height: 20, width: 50 }),
    );
    const out = join(dir, 'edited.png');
    const r = await runCliCaptured([
      'edit',
      '--image',
      image,
      '--source',
      'a large red circle at top left on grass',
      '--target',
      'a large red circle at top left on snow',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`note: ${image} (50x20) was resized to 32x32, the size the model edits at\n`);
    expect(existsSync(out)).toBe(true);
  });

  it('scaling fit on 6 identical rows exits 2 with the reason', async () => {
    const csv = join(tmp(), 'same.csv');
    writeFileSync(csv, `N,D,loss\n${'1e8,2e9,3.1\n'.repeat(6)}`);
    const r = await runCliCaptured(['scaling', 'fit', '--csv', csv, '--threads', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs at least 5 distinct \(N, D\) runs.*got 6 rows with 1 distinct \(N, D\)/);
    expect(r.stdout).toBe('');
  });
});

/** Cheap writing commands and where they write (a file name for file outputs). */
const WRITERS: { args: string[]; file?: string }[] = [
  { args: ['physics', 'simulate', '--system', 'led', '--clips', '1', '--frames', '2'] },
  { args: ['toy', 'render', '--caption', 'a small blue square at center on sand'], file: 'scene.png' },
  { args: ['scaling', 'optimal', '--flops', '1e20'], file: 'optimal.json' },
  { args: ['tour', '--only', 'rope', '--quick'] },
];
/** Names a user may have, some colliding with what the writers produce. */
const NAMES = ['thesis.txt', 'params.json', 'clip_0000', 'index.html', 'results.json', 'scene.png', 'optimal.json'];

describe('property: a writing command refuses or leaves every file it does not own byte-identical', () => {
  it('holds for random trees under and beside --out, with and without --overwrite', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: WRITERS.length - 1 }),
        fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 }),
        fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        async (which, under, beside, asDir, overwrite) => {
          const root = tmp();
          const writer = WRITERS[which];
          const outDir = join(root, 'out');
          for (const name of beside) writeFileSync(join(root, name), `beside ${name}`);
          if (asDir || under.length > 0) mkdirSync(outDir);
          for (const name of under) {
            if (name === 'clip_0000') {
              mkdirSync(join(outDir, name));
              writeFileSync(join(outDir, name, 'frame_00.png'), 'user frame');
            } else writeFileSync(join(outDir, name), `under ${name}`);
          }
          const out = writer.file ? join(outDir, writer.file) : outDir;
          const before = snapshot(root);
          const r = await runCliCaptured([...writer.args, '--out', out, ...(overwrite ? ['--overwrite'] : [])]);
          expect([0, 2]).toContain(r.code);
          if (r.code === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
          const after = snapshot(root);
          const manifest = existsSync(outDir) && statSync(outDir).isDirectory() ? readManifest(outDir) : null;
          const owned = new Set(
            [...(manifest?.entries ?? []), ...(manifest?.claims ?? [])].map((e) => e.replace(/\/$/, '')),
          );
          for (const [path, hash] of before) {
            const top = relative('out', path).split('/')[0];
            const mayChange =
              r.code === 0 && overwrite && path.startsWith('out') && (owned.has(top) || path === relative(root, out));
            if (!mayChange) expect(after.get(path), path).toBe(hash);
          }
        },
      ),
      { numRuns: 24, seed: 16 },
    );
  }, 120_000);
});
