import type { TourSection } from './section.js';

/** "This machine": engine, threads, matmul GFLOPS, ONNX Runtime, Node (filled in by Foundation). */
export const section: TourSection | null = null;
