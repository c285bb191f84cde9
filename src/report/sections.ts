/** The tour's sections, in reading order. Each part owns its `tour.ts`. */

import { section as causalSection } from '../causal/tour.js';
import { section as chordeditSection } from '../chordedit/tour.js';
import type { TourSection } from '../core/tour-section.js';
import { section as diffusionSection } from '../diffusion/tour.js';
import { section as evalSection } from '../eval/tour.js';
import { section as grpoSection } from '../grpo/tour.js';
import { section as lmSection } from '../lm/tour.js';
import { section as loraSection } from '../lora/tour.js';
import { section as physicsSection } from '../physics/tour.js';
import { section as ropeSection } from '../rope/tour.js';
import { section as scalingSection } from '../scaling/tour.js';
import { section as toyworldSection } from '../toyworld/tour.js';
import { section as machineSection } from './machine.js';

export const SECTIONS: ReadonlyArray<TourSection | null> = Object.freeze([
  machineSection,
  scalingSection,
  diffusionSection,
  ropeSection,
  loraSection,
  lmSection,
  evalSection,
  grpoSection,
  physicsSection,
  chordeditSection,
  toyworldSection,
  causalSection,
]);
