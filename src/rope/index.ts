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
// Frequencies and context-extension scalings
export {
  dynamicNtkBase,
  ROPE_DEFAULTS,
  ROPE_SCALING_TYPES,
  type RopeFrequencyOptions,
  type RopeScaling,
  type RopeScalingType,
  resolveScaling,
  ropeInverseFrequencies,
  yarnAttentionFactor,
} from './frequencies.js';

// Engine version for trained models
export { applyRopeTf } from './tf.js';
