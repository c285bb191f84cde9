/**
 * ONNX Runtime session settings, declared once (validation, CLI flags and --help come from this
 * schema). Kept apart from core/onnx.ts so that reading them does not load the runtime.
 */
import { z } from 'zod';

/** Graph optimisation levels of ONNX Runtime. */
export const GRAPH_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimization = (typeof GRAPH_OPTIMIZATIONS)[number];

export const onnxOptionsSchema = z.object({
  device: z
    .string()
    .min(1)
    .default('cpu')
    .describe("ONNX Runtime device ('cpu', or 'webgpu'/'cuda' where the installed binary ships them)"),
  threads: z
    .number()
    .int()
    .min(0)
    .max(256)
    .optional()
    .describe('ONNX Runtime intra-op threads, 0 = one per core (default: 1 for a model under 64 MB, else 0)'),
  graphOptimization: z.enum(GRAPH_OPTIMIZATIONS).default('all').describe('ONNX Runtime graph optimisation level'),
});

export type OnnxOptions = Partial<z.output<typeof onnxOptionsSchema>>;
