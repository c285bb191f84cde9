/**
 * vitest global setup: builds the web lab once per test run into a temporary folder (the same
 * build `npm run build:web` makes) and provides its path to the tests as `webDir`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildWeb } from '../../src/web/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    webDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'modelmath-web-'));
  await buildWeb(join(dir, 'web'));
  project.provide('webDir', join(dir, 'web'));
  return () => rmSync(dir, { recursive: true, force: true });
}
