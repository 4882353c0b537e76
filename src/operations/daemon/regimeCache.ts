/**
 * @module The regime of each deployed strategy for a session, with its model and parameters,
 * computed once per (strategy, session) from the store (the same regimeFromStore the backtest
 * uses) and kept for the snapshot, rebalance and summary steps of the same job.
 */
import type { BarStore } from '../../data/store/barStore.js';
import type { AllocationMatrix, Regime } from '../../portfolio/allocation.js';
import { allocationForDay } from '../../portfolio/targetWeights.js';
import { explainDay } from '../../regime/explain.js';
import { indexOnOrBefore, readRegimeFromStore } from '../../regime/fromStore.js';
import type { RegimeParamsInput } from '../../regime/types.js';
import type { LoadedStrategy } from '../../strategy/index.js';
import type { RegimeDecision } from './strategySignal.js';

export interface SessionRegime extends RegimeDecision {
  /** The model's regime on the session before (null when unknown). */
  previous: Regime | null;
  /** The date of the model's latest day on or before the session. */
  date: string | null;
}

export class RegimeCache {
  private readonly cache = new Map<string, SessionRegime>();

  constructor(private readonly bars: BarStore) {}

  of(loaded: LoadedStrategy, session: string): SessionRegime {
    const key = `${loaded.hash}:${session}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const s = loaded.strategy;
    const matrix = s.regime.allocation as AllocationMatrix;
    let out: SessionRegime;
    try {
      out = readRegimeFromStore(this.bars, { to: session, model: s.regime.model, params: s.regime.params as RegimeParamsInput }, (history) => {
        const i = indexOnOrBefore(history.dates, session);
        const regime = i >= 0 ? history.regime[i] : null;
        return {
          regime,
          previous: i > 0 ? history.regime[i - 1] : null,
          allocation: allocationForDay(regime, s.regime.mode, matrix).allocation,
          summary: i >= 0 ? `${s.regime.model}: ${explainDay(history, i).summary}` : null,
          date: i >= 0 ? history.dates[i] : null,
        };
      });
    } catch (err) {
      // Too little history is "no regime known": allocation 1.0, as in the backtest.
      out = { regime: null, previous: null, allocation: allocationForDay(null, s.regime.mode, matrix).allocation, summary: `no regime: ${(err as Error).message}`, date: null };
    }
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }
}
