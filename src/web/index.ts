/**
 * modelmath/web — the local web lab: `startLabServer` (ChordEdit and scaling pages, JSON APIs
 * validated with zod, uploads checked by content, bounded job queue) and the queue itself.
 */
export { analyticModel, ModelSlot } from './models.js';
export { JobCancelledError, JobQueue, QueueFullError } from './queue.js';
export { LAB_DEFAULTS, type LabOptions, type LabServer, startLabServer } from './server.js';
