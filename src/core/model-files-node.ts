/**
 * A model folder on disk as ModelFiles (./model-files.ts): the Node side of the model loaders.
 * Messages name files by their full path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFiles } from './model-files.js';

/** The folder `dir` on disk. */
export function folderFiles(dir: string): ModelFiles {
  const full = (path: string) => join(dir, path);
  return {
    root: dir,
    label: full,
    exists: async (path) => existsSync(full(path)) && statSync(full(path)).isFile(),
    list: async (sub) =>
      existsSync(full(sub)) && statSync(full(sub)).isDirectory()
        ? readdirSync(full(sub)).filter((f) => statSync(join(full(sub), f)).isFile())
        : [],
    size: async (path) => statSync(full(path)).size,
    text: async (path) => readFileSync(full(path), 'utf8'),
    bytes: async (path) => new Uint8Array(readFileSync(full(path))),
  };
}
