/**
 * modelmath/web — the web lab: a static site computing in the browser (`buildWeb`, client in
 * ./client/), and `startLabServer`, which serves that build plus JSON APIs for scripts (validated
 * with zod, uploads checked by content, bounded job queue).
 */
export { buildWeb, NODE_ONLY_PACKAGES, WEB_DIST, webBuildConfig } from './build.js';
export { analyticModel, ModelSlot } from './models.js';
export { JobCancelledError, JobQueue, QueueFullError } from './queue.js';
export { type LabOptions, type LabServer, SERVER_DEFAULTS, startLabServer } from './server.js';
