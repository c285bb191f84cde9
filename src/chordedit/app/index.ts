/**
 * chordedit/app — ChordEdit as an application, shared by the CLI's `edit` and the web lab: open a
 * model once, edit image files, resumable JSONL batches and PIE-Bench folders with background metrics.
 */

export {
  type BatchReport,
  type EditJob,
  type EditModel,
  type EditSummary,
  loadEditModel,
  type PieReport,
  type PieRow,
  parseBatchRow,
  runBatch,
  runEditJob,
  runPieBench,
} from './run.js';
