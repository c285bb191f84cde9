#!/usr/bin/env node
// Entry point of the installed CLI: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
process.env.MODELMATH_CLI = '0';
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
