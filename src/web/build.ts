/**
 * Builds the lab as a static site (vite): src/web/client -> dist/web, with relative URLs so any
 * static file server (or `modelmath serve`) can host it offline. The build also writes what the
 * pages load at run time, from the installed packages and assets: the engine's .wasm files (vite
 * emits onnxruntime-web's itself, as the pages import their URLs), and the toy model's ONNX folder
 * with a file list. A guard fails the build
 * when Node-only code (a Node built-in, or a Node-only package) would end up in the page.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InlineConfig, Plugin } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src') + sep;
const CLIENT = join(ROOT, 'src', 'web', 'client') + sep;

/** Where `npm run build:web` writes the site. */
export const WEB_DIST = join(ROOT, 'dist', 'web');

/** Packages that only work in Node (native code or Node APIs): none may reach the page. */
export const NODE_ONLY_PACKAGES = [
  'sharp',
  'onnxruntime-node',
  'cli-progress',
  'commander',
  'pngjs',
  'jpeg-js',
  'upng-js',
  'gifuct-js',
  'tsx',
  '@jax-js/jax',
];

/** Files copied into the site: [path in dist/web, absolute source]. */
function runtimeFiles(): [string, string][] {
  const require = createRequire(import.meta.url);
  const tfjsDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const tfjs = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map(
    (f): [string, string] => [`tfjs/${f}`, join(tfjsDir, f)],
  );
  return tfjs;
}

/** Every file under `dir`, relative, '/'-separated (dot-files skipped). */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name)).map((f) => `${e.name}/${f}`) : e.isFile() ? [e.name] : [],
    );
}

/** Emits the runtime files, the toy model folder (+ files.json) and the sample CSV into the build. */
function siteFiles(): Plugin {
  return {
    name: 'modelmath-site-files',
    apply: 'build',
    generateBundle() {
      const emit = (fileName: string, path: string) =>
        this.emitFile({ type: 'asset', fileName, source: new Uint8Array(readFileSync(path)) });
      for (const [name, path] of runtimeFiles()) emit(name, path);
      const toy = join(ROOT, 'assets', 'toy', 'onnx');
      const files = listFiles(toy);
      for (const f of files) emit(`models/toy/${f}`, join(toy, f));
      const sizes = Object.fromEntries(files.map((f) => [f, statSync(join(toy, f)).size]));
      this.emitFile({ type: 'asset', fileName: 'models/toy/files.json', source: JSON.stringify(sizes) });
      emit('data/chinchilla.csv', join(ROOT, 'assets', 'data', 'chinchilla.csv'));
    },
  };
}

/** The Node-only package a module id belongs to, or null. */
function nodeOnlyPackage(id: string): string | null {
  const m = id.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  return m && NODE_ONLY_PACKAGES.includes(m[1]) ? m[1] : null;
}

/**
 * Fails the build if, after tree-shaking, one of our modules in the page imports a Node built-in,
 * or any module of a Node-only package is in the page: shared modules must keep Node APIs out.
 * (Third-party isomorphic packages such as tfjs keep guarded `require('fs')` branches for Node;
 * those are not ours to judge.) The message names each module and its importers.
 */
function browserGuard(): Plugin {
  return {
    name: 'modelmath-browser-guard',
    apply: 'build',
    generateBundle(_options, bundle) {
      const bad = new Set<string>();
      const rendered = new Set<string>();
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        for (const [id, info] of Object.entries(chunk.modules)) if (info.renderedLength > 0) rendered.add(id);
      }
      const name = (id: string) => relative(ROOT, id);
      for (const id of rendered) {
        const info = this.getModuleInfo(id);
        const pkg = nodeOnlyPackage(id);
        if (pkg) {
          const by = (info?.importers ?? []).filter((i) => rendered.has(i) && !nodeOnlyPackage(i)).map(name);
          if (by.length) bad.add(`package ${pkg} (imported by ${by.join(', ')})`);
        }
        if (id.startsWith(SRC)) {
          for (const dep of info?.importedIds ?? []) {
            if (dep.includes('__vite-browser-external')) bad.add(`a Node built-in (imported by ${name(id)})`);
          }
        }
      }
      if (bad.size) this.error(`Node-only code in the browser build: ${[...bad].join('; ')}`);
    },
  };
}

/**
 * Our modules have no import-time side effects (the client's do: it is the page), so a part's index
 * that re-exports Node-side file readers costs the page nothing unless they are used.
 */
const TREESHAKE = { moduleSideEffects: (id: string) => !id.startsWith(SRC) || id.startsWith(CLIENT) };

/** The vite configuration of the site. */
export function webBuildConfig(outDir = WEB_DIST): InlineConfig {
  return {
    root: CLIENT,
    base: './',
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    plugins: [siteFiles(), browserGuard()],
    // csv-parse's package exports resolve to code that needs Node's Buffer; its own browser bundle
    // (dist/esm, with a Buffer shim) is the same parser.
    resolve: {
      alias: [
        {
          find: /^csv-parse\/sync$/,
          replacement: createRequire(import.meta.url)
            .resolve('csv-parse/sync')
            .replace(/dist\/cjs\/sync\.cjs$/, 'dist/esm/sync.js'),
        },
      ],
    },
    worker: { format: 'es', plugins: () => [browserGuard()], rolldownOptions: { treeshake: TREESHAKE } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 2000,
      rolldownOptions: { treeshake: TREESHAKE },
    },
  };
}

/** Builds the site into `outDir` (default dist/web). */
export async function buildWeb(outDir = WEB_DIST): Promise<void> {
  const { build } = await import('vite');
  await build(webBuildConfig(outDir));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildWeb(process.argv[2] ? resolve(process.argv[2]) : WEB_DIST);
  process.stderr.write(
    `web lab built into ${relative(process.cwd(), process.argv[2] ?? WEB_DIST) || '.'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
