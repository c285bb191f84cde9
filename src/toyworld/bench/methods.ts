/**
 * The edit benchmark's method names, kept apart from the benchmark itself so that the CLI can list
 * them in --help without loading the editor.
 */

/**
 * The benchmark's methods: ChordEdit and the naive residual (delta = 0), each with and without
 * refinement, SDEdit (stochastic, Meng et al.) and its DDIM variant, and DDIM inversion.
 */
export const BENCH_METHODS = [
  'chord',
  'chord-norefine',
  'naive',
  'naive-norefine',
  'sdedit',
  'sdedit-ddim',
  'ddim-inversion',
] as const;
export type BenchMethod = (typeof BENCH_METHODS)[number];
