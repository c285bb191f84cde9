/** Every part's commands, in the order of `modelmath --help`. */
import type { Command } from 'commander';
import { register as causalCommands } from '../causal/cli.js';
import { register as chordeditCommands } from '../chordedit/cli.js';
import { register as diffusionCommands } from '../diffusion/cli.js';
import { register as evalCommands } from '../eval/cli.js';
import { register as grpoCommands } from '../grpo/cli.js';
import { register as lmCommands } from '../lm/cli.js';
import { register as loraCommands } from '../lora/cli.js';
import { register as physicsCommands } from '../physics/cli.js';
import { register as reportCommands } from '../report/cli.js';
import { register as ropeCommands } from '../rope/cli.js';
import { register as scalingCommands } from '../scaling/cli.js';
import { register as toyworldCommands } from '../toyworld/cli.js';
import { register as webCommands } from '../web/cli.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = Object.freeze([
  reportCommands,
  scalingCommands,
  diffusionCommands,
  ropeCommands,
  loraCommands,
  lmCommands,
  evalCommands,
  grpoCommands,
  physicsCommands,
  chordeditCommands,
  toyworldCommands,
  causalCommands,
  webCommands,
]);
