/**
 * modelmath/rope: rotary position embeddings (RoFormer; lecture 17 Eq. 8-21).
 * Legend: P positions, Dh (headDim) head size, theta_j = base^(-2j/Dh), pairs j = 0..Dh/2-1.
 */

// Plain-array application, tables and checkpoint layout conversion
export {
  type ApplyRopeOptions,
  applyRope,
  applyRopeInto,
  applyRopeWithTables,
  axialRopeTables,
  permuteRopeRows,
  ROPE_LAYOUTS,
  type RopeLayout,
  type RopeTables,
  ropeRowPermutation,
  ropeTables,
} from './apply.js';
// Zero-copy tensors in WebAssembly memory (applyRopeInto rotates them without copies)
export { isRopeBuffer, ropeBuffer } from './kernels.js';
// Frequencies and context-extension scalings
export {
  ROPE_SCALING_TYPES,
  type RopeScaling,
  type RopeScalingType,
  ropeBaseSchema,
  ropeScalingSchema,
} from './config.js';
export {
  dynamicNtkBase,
  type RopeFrequencyOptions,
  resolveScaling,
  ropeInverseFrequencies,
  yarnAttentionFactor,
} from './frequencies.js';

// Engine version for trained models
export { applyRopeTf } from './tf.js';
