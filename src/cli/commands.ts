/**
 * The registry of commands: each part's `cli.ts` exports `commands` (src/core/command.ts), loaded
 * only when needed, so `modelmath <command> --help` imports one part, not all of them. `names`
 * lists the part's top-level words; a test checks them against what the module exports.
 */
import type { CommandEntry } from '../core/command.js';

export interface PartCommands {
  names: readonly string[];
  load(): Promise<{ commands: readonly CommandEntry[] }>;
}

/** In the order of `modelmath --help`. */
export const REGISTRY: readonly PartCommands[] = Object.freeze([
  { names: ['tour'], load: () => import('../report/cli.js') },
  { names: ['scaling'], load: () => import('../scaling/cli.js') },
  { names: ['diffusion'], load: () => import('../diffusion/cli.js') },
  { names: ['rope'], load: () => import('../rope/cli.js') },
  { names: ['lora'], load: () => import('../lora/cli.js') },
  { names: ['lm'], load: () => import('../lm/cli.js') },
  { names: ['eval'], load: () => import('../eval/cli.js') },
  { names: ['grpo'], load: () => import('../grpo/cli.js') },
  { names: ['physics'], load: () => import('../physics/cli.js') },
  { names: ['edit'], load: () => import('../chordedit/cli.js') },
  { names: ['toy', 'edit-bench'], load: () => import('../toyworld/cli.js') },
  { names: ['causal'], load: () => import('../causal/cli.js') },
  { names: ['serve'], load: () => import('../web/cli.js') },
]);
