/**
 * @module The backtest a deployed account is compared with: the same strategy (file, hash) over
 * the sessions the account has snapshots for, starting from its first snapshot's equity.
 */
import { runBacktest, type BacktestResult } from '../../backtest/engine.js';
import { loadStrategyData } from '../../backtest/strategyData.js';
import type { BarStore } from '../../data/store/barStore.js';
import type { AllocationMatrix } from '../../portfolio/allocation.js';
import type { RegimeParamsInput } from '../../regime/types.js';
import type { LoadedStrategy } from '../../strategy/index.js';
import { universeOfStrategy } from '../daemon/requestFromStrategy.js';

export function backtestOfStrategy(store: BarStore, loaded: LoadedStrategy, window: { from: string; to: string; initialCash: number }): BacktestResult {
  const s = loaded.strategy;
  const universe = universeOfStrategy(loaded);
  const data = loadStrategyData(store, universe, { to: window.to, withRegime: s.regime.mode !== 'off', withVolume: s.scanner.volumeFilter, regimeModel: s.regime.model, regimeParams: s.regime.params as RegimeParamsInput });
  return runBacktest(data.panel, data.regimes, {
    universe,
    topN: s.scanner.topN,
    minDistance: s.scanner.minDistance,
    lookback: s.scanner.lookback,
    volumeFilter: s.scanner.volumeFilter,
    volumeMultiplier: s.scanner.volumeMultiplier,
    volumeWindow: s.scanner.volumeWindow,
    rebalance: s.rebalance,
    from: window.from,
    to: window.to,
    initialCash: window.initialCash,
    regimeMode: s.regime.mode,
    allocation: s.regime.allocation as AllocationMatrix,
    fill: s.fill,
    commissionBps: s.costs.commissionBps,
    slippageBps: s.costs.slippageBps,
    wholeShares: s.wholeShares,
    minNotional: s.minNotional,
    liveGates: false,
    rawPrices: data.rawPrices,
  });
}
