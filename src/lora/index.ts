/**
 * modelmath/lora: low-rank adapters (LoRA, Hu et al. 2021) and weight-decomposed adapters
 * (DoRA, Liu et al. 2024), on plain arrays and on the engine, saved and loaded in the Hugging
 * Face PEFT format. Weight layout: PEFT's W [out, in], A [r, in], B [out, r]; nn's w is [in, out].
 */

// Settings (PEFT's LoraConfig)
export { LORA_DEFAULTS, type LoraConfig, loraConfigSchema, validateLoraConfig } from './config.js';
// Engine layers
export {
  addLora,
  baseWeightOutIn,
  forEachLinear,
  isLoraLinear,
  type LoraForwardOptions,
  type LoraLinearParams,
  loraEffective,
  loraLinear,
  loraLinearInit,
  loraParamCount,
  loraTrainable,
  loraView,
  matchesTarget,
  mergeLoraLayers,
} from './layer.js';
// Pure math on Float32Arrays
export {
  checkLoraShapes,
  type LoraDims,
  type LoraFactors,
  loraDeltaWeight,
  loraForward,
  loraScaling,
  type MergedWeight,
  mergeLora,
  rowNorms,
  unmergeLora,
} from './math.js';

// PEFT folder format
export {
  ADAPTER_CONFIG,
  ADAPTER_WEIGHTS,
  attachLoraAdapter,
  loadLoraAdapter,
  type PeftAdapter,
  type PeftModule,
  saveLoraAdapter,
} from './peft.js';
