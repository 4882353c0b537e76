/**
 * Target weights of the momentum book: each selected stock gets allocation / N of equity, where
 * N is the configured topN (not the number of names found), so a scan that finds fewer eligible
 * names leaves the unused slots in cash instead of concentrating the book.
 *
 * The allocation comes from the regime in force (see allocation.ts):
 * - regime mode 'off': always 1.0.
 * - regime modes 'rebalance' / 'daily': matrix[regime]. A null regime (the regime engine has too
 *   little history, e.g. the first year of a series) means "no regime known": the allocation is
 *   1.0, i.e. the strategy behaves as with the regime layer off, and the caller flags the day
 *   (regimeKnown = false) so reports can say how many days ran without a regime.
 */
import { AtlasError } from '../core/errors.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix, type Regime } from './allocation.js';

export type RegimeMode = 'off' | 'rebalance' | 'daily';

/** Allocation used when no regime is known (mode off, or a null regime). */
export const NO_REGIME_ALLOCATION = 1.0;

export function allocationForDay(
  regime: Regime | null,
  mode: RegimeMode,
  matrix: AllocationMatrix = DEFAULT_ALLOCATION,
): { allocation: number; regimeKnown: boolean } {
  if (mode === 'off') return { allocation: NO_REGIME_ALLOCATION, regimeKnown: regime !== null };
  if (regime === null) return { allocation: NO_REGIME_ALLOCATION, regimeKnown: false };
  return { allocation: matrix[regime], regimeKnown: true };
}

/** Equal weights allocation / topN for the first topN selected symbols (duplicates ignored). */
export function targetWeights(selected: readonly string[], allocation: number, topN: number): Map<string, number> {
  if (!Number.isInteger(topN) || topN < 1) {
    throw new AtlasError(`topN must be a whole number of at least 1, got ${topN}.`, { code: 'BAD_CONFIG' });
  }
  if (!(allocation >= 0 && allocation <= 1)) {
    throw new AtlasError(`An allocation must be between 0 and 1, got ${allocation}.`, { code: 'BAD_CONFIG' });
  }
  const w = allocation / topN;
  const out = new Map<string, number>();
  for (const sym of selected) {
    if (out.size >= topN) break;
    if (!out.has(sym)) out.set(sym, w);
  }
  return out;
}
