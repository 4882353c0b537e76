/**
 * @module The backtest a deployed account is compared with: the same strategy (file, hash) over
 * the sessions the account has snapshots for, starting from its first snapshot's equity. Its
 * config comes from backtestConfigOf, the mapping `atlas backtest` uses.
 */
import { runBacktest, type BacktestResult } from '../../backtest/engine.js';
import { backtestConfigOf, regimeParamsOf, universeOfStrategy } from '../../backtest/fromStrategy.js';
import { loadStrategyData } from '../../backtest/strategyData.js';
import type { BarStore } from '../../data/store/barStore.js';
import type { LoadedStrategy } from '../../strategy/index.js';

export function backtestOfStrategy(store: BarStore, loaded: LoadedStrategy, window: { from: string; to: string; initialCash: number }): BacktestResult {
  const s = loaded.strategy;
  const universe = universeOfStrategy(loaded);
  const regimeParams = regimeParamsOf(s);
  const data = loadStrategyData(store, universe, { to: window.to, withRegime: s.regime.mode !== 'off', withVolume: s.scanner.volumeFilter, regimeModel: s.regime.model, ...(regimeParams ? { regimeParams } : {}) });
  return runBacktest(data.panel, data.regimes, { ...backtestConfigOf(s), universe, from: window.from, to: window.to, initialCash: window.initialCash, liveGates: false, rawPrices: data.rawPrices });
}
