/**
 * @module The four regime labels and the label -> exposure matrix (the share of equity held in
 * stocks under each label; the rest stays in cash). Defined with the regime layer that produces
 * the labels; portfolio/allocation.ts re-exports them for the layers that size positions.
 */
export type Regime = 'TREND_BULL' | 'TREND_NEUTRAL' | 'TREND_BEAR' | 'CRASH';

export const REGIMES: readonly Regime[] = ['TREND_BULL', 'TREND_NEUTRAL', 'TREND_BEAR', 'CRASH'];

export type AllocationMatrix = Readonly<Record<Regime, number>>;

export const DEFAULT_ALLOCATION: AllocationMatrix = {
  TREND_BULL: 1.0,
  TREND_NEUTRAL: 0.7,
  TREND_BEAR: 0.3,
  CRASH: 0.0,
};

export function isRegime(s: string): s is Regime {
  return (REGIMES as readonly string[]).includes(s);
}

export function allocationFor(regime: Regime, matrix: AllocationMatrix = DEFAULT_ALLOCATION): number {
  return matrix[regime];
}
