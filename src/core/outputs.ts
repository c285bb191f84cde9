/**
 * The data-safety contract of every command that writes (DESIGN: "a user's files are sacred"):
 * modelmath never deletes or overwrites a file it did not create unless the user asked for it
 * (`--overwrite`). Every file is written atomically (temporary sibling, then rename), every folder
 * modelmath writes carries a manifest (`.modelmath-manifest.json`) naming the command and the
 * entries it owns, and only those entries are ever replaced or removed. Commands check their output
 * before any work starts (`planOutput`), so a refusal costs nothing.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from './errors.js';

/** The file that marks a folder as written by modelmath, and lists what modelmath owns in it. */
export const MANIFEST = '.modelmath-manifest.json';

export interface Manifest {
  tool: 'modelmath';
  /** The command that wrote the folder ('lm train'; 'library' for API calls). */
  command: string;
  /** Top-level entries modelmath wrote: file names, or folder names ending in '/'. */
  entries: string[];
  /**
   * Entries a command writes while it runs and keeps across rebuilds of the folder (a training run's
   * 'checkpoint/', see `claimDir`); also modelmath's.
   */
  claims: string[];
  updatedAt: string;
}

/** A refused or impossible output: exit code 2, one line naming the user's path. */
export class OutputError extends InputError {}

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

// ---------------------------------------------------------------------------------------------
// Atomic primitives
// ---------------------------------------------------------------------------------------------

/** Writes `data` to `path` atomically (creating parent folders); replaces a file already there. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes `value` as pretty JSON atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes `data` to `path` atomically, refusing (OutputError) if a file appeared there: the final
 * step is a hard link, which, unlike rename, never replaces an existing file.
 */
export function writeFileNew(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    writeFileSync(tmp, data);
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new OutputError(`${path} appeared while modelmath was working; it was left as it is`);
    }
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Manifests and owned folders
// ---------------------------------------------------------------------------------------------

/** The manifest of `dir`, or null when the folder has none (or an unreadable one). */
export function readManifest(dir: string): Manifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest>;
    if (m.tool !== 'modelmath' || typeof m.command !== 'string' || !Array.isArray(m.entries)) return null;
    const claims = Array.isArray(m.claims) ? m.claims.map(String) : [];
    return {
      tool: 'modelmath',
      command: m.command,
      entries: m.entries.map(String),
      claims,
      updatedAt: String(m.updatedAt),
    };
  } catch {
    return null;
  }
}

function writeManifest(dir: string, command: string, entries: Iterable<string>, claims: Iterable<string> = []): void {
  const unique = (xs: Iterable<string>) => [...new Set(xs)].filter((e) => e !== MANIFEST).sort();
  const manifest: Manifest = {
    tool: 'modelmath',
    command,
    entries: unique(entries),
    claims: unique(claims),
    updatedAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(dir, MANIFEST), manifest);
}

/** Top-level entries of a folder, folders marked with a trailing '/', the manifest left out. */
function entriesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== MANIFEST)
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
}

const entryName = (entry: string) => entry.replace(/\/$/, '');

export interface DirWriteOptions {
  /** The command writing the folder; a folder written by another command is refused. Default 'library'. */
  command?: string;
  /** The user allowed replacing entries modelmath did not write (never deletes anything else). */
  overwrite?: boolean;
  /** How to name the folder in messages (default: the path itself). */
  label?: string;
}

/**
 * Why modelmath may not write into `dir` (null when it may): an existing non-empty folder is
 * writable only if its manifest says the same command wrote it, or if the user passed --overwrite.
 */
export function dirRefusal(dir: string, options: DirWriteOptions = {}): string | null {
  const label = options.label ?? dir;
  if (!existsSync(dir)) return null;
  if (!statSync(dir).isDirectory()) return `${label} is a file, expected a folder`;
  const entries = entriesOf(dir);
  if (entries.length === 0 || options.overwrite) return null;
  const manifest = readManifest(dir);
  const command = options.command ?? 'library';
  if (manifest && (manifest.command === command || command === 'library')) return null;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, ... (${entries.length} entries)` : '');
  const whose = manifest
    ? `was written by 'modelmath ${manifest.command}'`
    : `holds files modelmath did not write (${shown})`;
  return `${label} ${whose}; choose a new or empty folder, or pass --overwrite to write into it (files of the same names are replaced; nothing else is touched)`;
}

/**
 * Builds a folder atomically: `build(tmp)` fills a temporary sibling, which then becomes `dir`.
 * If `dir` exists, the entries of the new build replace their namesakes, entries of an earlier
 * build that this one lacks are removed (claimed entries such as a checkpoint stay), and with
 * `overwrite` same-named entries of the user's are replaced too. Nothing else is touched. An existing folder that may not be written is an OutputError,
 * raised before `build` runs.
 */
export async function writeDirAtomic(
  dir: string,
  build: (tmpDir: string) => Promise<void> | void,
  options: DirWriteOptions = {},
): Promise<void> {
  const refusal = dirRefusal(dir, options);
  if (refusal) throw new OutputError(refusal);
  mkdirSync(dirname(resolve(dir)), { recursive: true });
  const tmp = tempSibling(dir);
  mkdirSync(tmp);
  try {
    await build(tmp);
    const fresh = entriesOf(tmp);
    if (!existsSync(dir)) {
      writeManifest(tmp, options.command ?? 'library', fresh);
      renameSync(tmp, dir);
      return;
    }
    const before = readManifest(dir);
    const owned = new Set([...(before?.entries ?? []), ...(before?.claims ?? [])].map(entryName));
    const theirs = fresh.filter((e) => !owned.has(entryName(e)) && existsSync(join(dir, entryName(e))));
    if (theirs.length > 0 && !options.overwrite) {
      throw new OutputError(
        `${options.label ?? dir} holds ${theirs.join(', ')}, which modelmath did not write; nothing was changed (pass --overwrite to replace them)`,
      );
    }
    for (const entry of fresh) {
      const target = join(dir, entryName(entry));
      if (existsSync(target)) rmSync(target, { recursive: true, force: true });
      renameSync(join(tmp, entryName(entry)), target);
    }
    const keep = new Set([...fresh, ...(before?.claims ?? [])].map(entryName));
    for (const old of before?.entries ?? []) {
      if (!keep.has(entryName(old))) rmSync(join(dir, entryName(old)), { recursive: true, force: true });
    }
    writeManifest(dir, options.command ?? before?.command ?? 'library', fresh, before?.claims);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Opens `dir` for a command that writes into it while it runs (training with checkpoints):
 * creates it if needed and records `entries` as claimed by modelmath in its manifest, so that a
 * later run of the same command (`--resume`) may write there again and a rebuild of the folder's
 * other entries keeps them. Checks as `writeDirAtomic` does.
 */
export function claimDir(dir: string, entries: readonly string[], options: DirWriteOptions = {}): void {
  const refusal = dirRefusal(dir, options);
  if (refusal) throw new OutputError(refusal);
  mkdirSync(dir, { recursive: true });
  const before = readManifest(dir);
  writeManifest(dir, options.command ?? before?.command ?? 'library', before?.entries ?? [], [
    ...(before?.claims ?? []),
    ...entries,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Checking an output before the work
// ---------------------------------------------------------------------------------------------

export interface OutputRequest {
  /** The path as the user gave it. */
  path: string;
  kind: 'file' | 'dir';
  /** The command, for the manifest ('lm train'). */
  command: string;
  /** The user passed --overwrite. */
  overwrite: boolean;
  /** Paths the command reads: the output may not be one of them, nor (a folder) contain one. */
  inputs?: readonly string[];
  /** Allowed endings for a file ('.png'); case-insensitive. */
  extensions?: readonly string[];
  /** The flag, for messages. Default '--out'. */
  flag?: string;
}

const ERRNO_WORDS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file',
  EDQUOT: 'disk quota exceeded',
};

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

const isInside = (child: string, parent: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
};

/** The nearest existing ancestor of `path` (the folder where new entries would be created). */
function existingAncestor(path: string): string {
  let p = dirname(resolve(path));
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/** Tries to create and remove a file in `dir`: the only honest test that writing there works. */
function probeWritable(dir: string, label: string): void {
  if (!statSync(dir).isDirectory()) throw new OutputError(`${label}: ${dir} is a file, expected a folder`);
  const probe = join(dir, `.modelmath-probe.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    accessSync(dir, constants.W_OK);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    rmSync(probe, { force: true });
    throw new OutputError(`${label}: cannot write in ${dir} (${ERRNO_WORDS[code] ?? code ?? 'error'})`);
  }
}

/**
 * Checks an output before any work: the path is not an input, a file output does not replace an
 * existing file (unless --overwrite), a folder output is new, empty, the same command's own earlier
 * output or allowed by --overwrite, and the place is writable. Throws one OutputError line naming
 * the path the user gave and the flag that would allow it.
 */
export function planOutput(req: OutputRequest): void {
  const flag = req.flag ?? '--out';
  const label = `${flag} ${req.path}`;
  if (req.path.trim() === '') throw new OutputError(`${flag} must name a file or folder, got an empty path`);
  const out = realOrResolved(req.path);
  for (const input of req.inputs ?? []) {
    const inp = realOrResolved(input);
    if (inp === out) throw new OutputError(`${label} is also an input (${input}); write the output elsewhere`);
    if (req.kind === 'dir' && isInside(inp, out)) {
      throw new OutputError(`${label} contains an input (${input}); write the output to another folder`);
    }
  }
  if (req.kind === 'file') {
    if (req.extensions && !req.extensions.some((e) => req.path.toLowerCase().endsWith(e))) {
      throw new OutputError(`${label}: expected a file ending in ${req.extensions.join(', ')}`);
    }
    if (existsSync(req.path)) {
      if (statSync(req.path).isDirectory()) throw new OutputError(`${label} is a folder, expected a file name`);
      if (!req.overwrite) {
        throw new OutputError(`${label} exists; choose another name, or pass --overwrite to replace it`);
      }
    }
  } else {
    const refusal = dirRefusal(req.path, { command: req.command, overwrite: req.overwrite, label });
    if (refusal) throw new OutputError(refusal);
  }
  probeWritable(existsSync(req.path) && req.kind === 'dir' ? req.path : existingAncestor(req.path), label);
}
