/**
 * toyworld/classifier — the attribute classifier that plays CLIP's role in scoring toy edits and
 * samples, its training and held-out evaluation, and the attribute scores built on its readings.
 */

export {
  CLASSIFIER_DEFAULTS,
  CLASSIFIER_FORMAT,
  type ClassifierConfig,
  type ClassifierParams,
  cellWindow,
  classifierInit,
  loadClassifier,
  type ObjectReading,
  pooledImage,
  readScenes,
  type SceneReading,
  SHIPPED_CLASSIFIER,
  trainClassifier,
  WINDOW,
} from './classifier.js';
export { ATTRIBUTES, type Attribute, attributeAccuracy, attributeHits, sceneMatches } from './scoring.js';
export { HELD_OUT_SEED, heldOutAccuracy, heldOutScenes, shipClassifier } from './train.js';
