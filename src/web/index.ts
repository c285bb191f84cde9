/**
 * modelmath/web — the local web lab: `startLabServer` (ChordEdit and scaling pages, JSON APIs
 * validated with zod, uploads checked by content, bounded job queue) and the queue itself.
 */
export { analyticModel, ModelSlot } from './models.js';
export { JobCancelledError, JobQueue, QueueFullError } from './queue.js';
export { type LabOptions, type LabServer, SERVER_DEFAULTS, startLabServer } from './server.js';
