/**
 * Scaling laws as plain functions of N (parameters) and D (tokens): Kaplan et al. (2020) eqs. 1.1,
 * 1.2, 1.5; the parametric law L = E + A/N^alpha + B/D^beta of Hoffmann et al. (2022) eq. 2 with the
 * `hoffmann2022` and `epoch2024` (Besiroglu et al. 2024) presets (the data-constrained law of
 * Muennighoff et al. 2023 is data-constrained.ts). Checked in test/scaling/laws.test.ts against the
 * lecture's N = D table (Besiroglu et al. 2024 fit) and closed-form limits.
 */
import { checkNumber, checkOneOf } from '../core/errors.js';

/** Kaplan et al. (2020) constants: eqs. 1.1-1.2 (Section 1.2) and Table 2 for the joint L(N, D). */
export const KAPLAN_2020 = {
  /** L(N) exponent alpha_N and scale N_c (non-embedding parameters), eq. 1.1. */
  alphaN: 0.076,
  nC: 8.8e13,
  /** L(D) exponent alpha_D and scale D_c (tokens), eq. 1.2. */
  alphaD: 0.095,
  dC: 5.4e13,
  /** The joint fit L(N, D) of eq. 1.5 uses its own constants (Table 2). */
  joint: { alphaN: 0.076, alphaD: 0.103, nC: 6.4e13, dC: 1.8e13 },
} as const;

/** Kaplan eq. 1.1: L(N) = (N_c / N)^alpha_N, for models trained to convergence on ample data. */
export function kaplanLossN(n: number, c: { alphaN: number; nC: number } = KAPLAN_2020): number {
  return (c.nC / n) ** c.alphaN;
}

/** Kaplan eq. 1.2: L(D) = (D_c / D)^alpha_D, for large models trained with early stopping. */
export function kaplanLossD(d: number, c: { alphaD: number; dC: number } = KAPLAN_2020): number {
  return (c.dC / d) ** c.alphaD;
}

/** Kaplan eq. 1.5: L(N, D) = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D. */
export function kaplanLossND(n: number, d: number, c = KAPLAN_2020.joint): number {
  return ((c.nC / n) ** (c.alphaN / c.alphaD) + c.dC / d) ** c.alphaD;
}

/** The parametric law L(N, D) = E + A / N^alpha + B / D^beta (Hoffmann et al. 2022, eq. 2). */
export interface ParametricLaw {
  /** Irreducible loss (nats per token), > 0. */
  E: number;
  /** Parameter-term scale, > 0. */
  A: number;
  /** Data-term scale, > 0. */
  B: number;
  /** Parameter exponent, > 0. */
  alpha: number;
  /** Data exponent, > 0. */
  beta: number;
}

/** Published fits. `epoch2024` is the form the lecture shows. */
export const LAW_PRESETS = {
  /** Hoffmann et al. (2022), Approach 3 (Section 3.3, eq. 10). */
  hoffmann2022: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 },
  /** Besiroglu et al. (2024), the replication's refit of Approach 3 on the extracted Chinchilla runs (Table 1). */
  epoch2024: { E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 },
  /** Muennighoff et al. (2023), the data-constrained fit (Section 3.1); alpha = beta by construction. */
  muennighoff2023: { E: 1.8691, A: 520.82, B: 1487.72, alpha: 0.35266, beta: 0.35266 },
} as const satisfies Record<string, ParametricLaw>;

export type LawName = keyof typeof LAW_PRESETS;
export const LAW_NAMES = Object.keys(LAW_PRESETS) as LawName[];

/** The preset for `name`, or a ConfigError listing the known names. */
export function lawPreset(name: string): ParametricLaw {
  return LAW_PRESETS[checkOneOf('law', name, LAW_NAMES)];
}

/** Throws a ConfigError unless every constant of the law is finite and positive. */
export function checkLaw(law: ParametricLaw): ParametricLaw {
  for (const key of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
    checkNumber(`law.${key}`, law[key], { min: 0, minExclusive: true });
  }
  return law;
}

/** Hoffmann eq. 2: L(N, D) = E + A N^-alpha + B D^-beta. */
export function parametricLoss(law: ParametricLaw, n: number, d: number): number {
  return law.E + law.A * n ** -law.alpha + law.B * d ** -law.beta;
}
