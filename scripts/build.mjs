#!/usr/bin/env node
// Builds a publishable package in dist/: compiled JavaScript + type declarations under dist/src
// (the same depth as src/, so modules find ../../assets as in the checkout), the data files the
// modules read, the shipped assets, and a package.json whose subpath exports point at the .js files.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
// Non-TypeScript files that modules read at run time (JSON results, the web lab's static client).
cpSync(join(root, 'src'), join(dist, 'src'), {
  recursive: true,
  filter: (src) => !src.endsWith('.ts') || src.endsWith('.d.ts'),
});
cpSync(join(root, 'assets'), join(dist, 'assets'), { recursive: true });
cpSync(join(root, 'README.md'), join(dist, 'README.md'));
mkdirSync(join(dist, 'bin'), { recursive: true });
writeFileSync(
  join(dist, 'bin/modelmath.js'),
  "#!/usr/bin/env node\nimport { runCli } from '../src/cli/main.js';\n\nprocess.exitCode = await runCli(process.argv.slice(2));\n",
  { mode: 0o755 },
);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const js = (p) => p.replace(/\.ts$/, '.js');
const dts = (p) => p.replace(/\.ts$/, '.d.ts');
const exportsMap = {};
for (const [key, value] of Object.entries(pkg.exports)) {
  exportsMap[key] = typeof value === 'string' ? value : { types: dts(value.types), import: js(value.import) };
}
const { scripts: _scripts, devDependencies: _dev, files: _files, ...rest } = pkg;
writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify({ ...rest, exports: exportsMap, bin: { modelmath: 'bin/modelmath.js' } }, null, 2)}\n`,
);
console.error(`built ${dist}`);
