/**
 * The edit benchmark's method names, kept apart from the benchmark itself so that the CLI can list
 * them in --help without loading the editor.
 */

/** The benchmark's methods: ChordEdit with / without refinement and the three baselines. */
export const BENCH_METHODS = ['chord', 'chord-norefine', 'naive', 'sdedit', 'ddim-inversion'] as const;
export type BenchMethod = (typeof BENCH_METHODS)[number];
