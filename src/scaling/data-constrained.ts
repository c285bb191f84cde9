/**
 * The data-constrained scaling law of Muennighoff et al. (2023): repeated tokens and excess
 * parameters are worth less than fresh ones (effective data D' and parameters N', eqs. 5-6), and the
 * loss is the parametric law at (N', D') (eq. 7), with U_N from the law's compute-optimal allocation
 * (optimal.ts). Checked in test/scaling/laws.test.ts against closed-form limits.
 */
import { ConfigError } from '../core/errors.js';
import { type ParametricLaw, parametricLoss } from './laws.js';
import { allocationG } from './optimal.js';

/** Muennighoff et al. (2023) decay constants R_D*, R_N* (Section 3.1, fitted values). */
export const MUENNIGHOFF_2023 = { rDStar: 15.387756, rNStar: 5.309743 } as const;

/** Muennighoff eq. 5 (and 6): U + U R* (1 - exp(-R / R*)) with R = X / U - 1 repetitions (R clamped at 0). */
export function effectiveAmount(total: number, unique: number, rStar: number): number {
  if (!(unique > 0) || !(total > 0)) throw new ConfigError(`amounts must be > 0, got total ${total}, unique ${unique}`);
  const r = Math.max(total / unique - 1, 0);
  return unique + unique * rStar * (1 - Math.exp(-r / rStar));
}

/** D' of Muennighoff eq. 5: D tokens drawn from a corpus of U unique tokens (U_D = min(U, D)) are worth D' fresh ones. */
export function effectiveData(tokens: number, uniqueTokens: number, rDStar: number = MUENNIGHOFF_2023.rDStar): number {
  return effectiveAmount(tokens, Math.min(uniqueTokens, tokens), rDStar);
}

/**
 * U_N of Muennighoff Section 3.1: the compute-optimal parameter count for U_D unique tokens under
 * the law's own allocation (D_opt = U_D solved for C, then N_opt(C)), capped at N.
 */
export function uniqueParams(law: ParametricLaw, params: number, uniqueTokens: number): number {
  const g = allocationG(law);
  // D_opt = g^-1 (C/6)^(a/(a+b))  =>  (C/6) = (g U_D)^((a+b)/a);  N_opt = g (C/6)^(b/(a+b)) = g (g U_D)^(b/a).
  const nOpt = g * (g * uniqueTokens) ** (law.beta / law.alpha);
  return Math.min(params, nOpt);
}

/** Muennighoff eqs. 5-7: loss of N parameters trained on D tokens drawn (with repetition) from U_D unique tokens. */
export function dataConstrainedLoss(
  law: ParametricLaw,
  run: { params: number; tokens: number; uniqueTokens: number },
  decay: { rDStar: number; rNStar: number } = MUENNIGHOFF_2023,
): { loss: number; effectiveTokens: number; effectiveParams: number; uniqueParams: number } {
  const uN = uniqueParams(law, run.params, Math.min(run.uniqueTokens, run.tokens));
  const effectiveTokens = effectiveData(run.tokens, run.uniqueTokens, decay.rDStar);
  const effectiveParams = effectiveAmount(run.params, uN, decay.rNStar);
  return {
    loss: parametricLoss(law, effectiveParams, effectiveTokens),
    effectiveTokens,
    effectiveParams,
    uniqueParams: uN,
  };
}
