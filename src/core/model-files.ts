/**
 * A model folder as a set of named files, whatever holds them: a folder on disk (Node,
 * ./model-files-node.ts), the files of a folder a user picked in the browser, or a folder served
 * over HTTP with a file list. Loaders (the CLIP tokenizer, the diffusers pipeline) read through this
 * interface only, so the same loading code runs in Node and in the browser. Paths are relative,
 * '/'-separated; `label` names a file in messages (the full path on disk).
 */

export interface ModelFiles {
  /** The folder as messages name it. */
  readonly root: string;
  /** How the file `path` is named in messages. */
  label(path: string): string;
  /** Whether `path` is a file of the folder. */
  exists(path: string): Promise<boolean>;
  /** Names of the files directly inside the sub-folder `dir` ('' = the root); [] when there is none. */
  list(dir: string): Promise<string[]>;
  /** Size of the file in bytes. */
  size(path: string): Promise<number>;
  text(path: string): Promise<string>;
  bytes(path: string): Promise<Uint8Array>;
}

/** `a/b` joined without doubled or leading slashes. */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/**
 * Files held in memory or behind a fetch, by relative path (the browser's folder picker and the
 * served model folders): `entries` maps each path to its size and a reader of its bytes.
 */
export function mapModelFiles(
  root: string,
  entries: ReadonlyMap<string, { size: number; read(): Promise<Uint8Array> }>,
): ModelFiles {
  const get = (path: string) => {
    const e = entries.get(joinPath(path));
    if (!e) throw new Error(`${root}/${joinPath(path)} is not in the folder`);
    return e;
  };
  return {
    root,
    label: (path) => `${root}/${joinPath(path)}`,
    exists: async (path) => entries.has(joinPath(path)),
    async list(dir) {
      const prefix = joinPath(dir);
      const names: string[] = [];
      for (const p of entries.keys()) {
        const slash = p.lastIndexOf('/');
        if ((slash < 0 ? '' : p.slice(0, slash)) === prefix) names.push(p.slice(slash + 1));
      }
      return names;
    },
    size: async (path) => get(path).size,
    bytes: (path) => get(path).read(),
    text: async (path) => new TextDecoder().decode(await get(path).read()),
  };
}
