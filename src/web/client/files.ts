/**
 * Model folders in the page, as core/model-files.ts's ModelFiles: a folder served with the site
 * (its files listed in `files.json`, written by the build) fetched with progress, and a folder the
 * user picked (<input webkitdirectory>: File objects, read only when needed).
 */
import { joinPath, type ModelFiles, mapModelFiles } from '../../core/model-files.js';

/** Fetches a URL's bytes, reporting (received, total) as they arrive. */
export async function fetchBytes(
  url: string,
  onProgress?: (received: number, total: number) => void,
): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`could not load ${url} (HTTP ${res.status})`);
  const total = Number(res.headers.get('Content-Length') ?? 0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    onProgress?.(received, total);
  }
  const out = new Uint8Array(received);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A folder served at `base` (URL ending in '/') whose `files.json` lists { path: size }. */
export async function servedFolder(
  base: string,
  label: string,
  onProgress?: (path: string, received: number, total: number) => void,
): Promise<ModelFiles> {
  const res = await fetch(`${base}files.json`);
  if (!res.ok) throw new Error(`could not load the file list of ${label} (${base}files.json, HTTP ${res.status})`);
  const sizes = (await res.json()) as Record<string, number>;
  const cache = new Map<string, Promise<Uint8Array>>();
  const read = (path: string) => {
    let p = cache.get(path);
    if (!p) {
      p = fetchBytes(`${base}${path}`, (r, t) => onProgress?.(path, r, t || sizes[path]));
      cache.set(path, p);
    }
    return p;
  };
  return mapModelFiles(
    label,
    new Map(Object.entries(sizes).map(([path, size]) => [path, { size, read: () => read(path) }])),
  );
}

/** The files of a picked folder; paths drop the folder's own name (webkitRelativePath 'sd-turbo/unet/model.onnx'). */
export function pickedFolder(list: FileList): ModelFiles {
  const files = Array.from(list);
  if (files.length === 0) throw new Error('the chosen folder has no files');
  const top = files[0].webkitRelativePath.split('/')[0] || 'the chosen folder';
  const entries = new Map(
    files.map((f) => {
      const rel = f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
      return [joinPath(rel), { size: f.size, read: async () => new Uint8Array(await f.arrayBuffer()) }] as const;
    }),
  );
  return mapModelFiles(top, entries);
}
