import type { Command } from 'commander';

/** Registers this part's commands (filled in by the part's issue). */
export function register(_program: Command): void {}
