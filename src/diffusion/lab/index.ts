/**
 * The 2-D diffusion / EBM lab: data sets, closed-form Gaussian mixtures, samplers, metrics, the
 * energy and eps networks (on the engine), training and evaluation. Separate from
 * ../index.ts because it loads the engine.
 */

// Configuration and data
export {
  DIFFUSION_LAB_DEFAULTS,
  LAB_MODELS,
  LAB_PRESETS,
  type LabConfig,
  type LabModelKind,
  labConfig,
  labConfigSchema,
} from './config.js';
export { DATASETS, type DatasetName, datasetMixture, referenceMixture, sampleDataset } from './data.js';
export { type SampleQuality, type ScoreErrorRow, sampleQuality, scoreErrorByLevel } from './evaluate.js';
export { evaluateLab, type LabReport, loadLabModel, runLab, saveLabModel } from './lab.js';
export { energyDistance, mmdRbf } from './metrics.js';
// Closed-form ground truth: Gaussian mixtures, their noised scores and posterior means
export {
  empiricalMixture,
  type GaussianMixture,
  makeMixture,
  mixtureLogDensity,
  mixturePosteriorMean,
  mixtureScore,
  noisedMixture,
  sampleMixture,
} from './mixture.js';
// Networks, training and evaluation
export { type LabParams, labEnergy, labEpsFn, labModelInit } from './models.js';
// Training (one step at a time, for callers that own the loop, e.g. the web page)
export { createLabRun, type LabRun, labTrainStep } from './trainer.js';
// Samplers and metrics
export {
  annealedLangevin,
  type EpsFn,
  langevin,
  type ScoreFn,
  sampleWithScheduler,
  scoreFnFromEps,
  tweedieDenoise,
} from './samplers.js';
