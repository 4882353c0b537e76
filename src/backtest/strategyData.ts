import type { BarStore } from '../data/store/barStore.js';
import { loadAlignedSeries } from '../data/store/panelLoader.js';
import type { Panel } from '../data/panel.js';
import { regimeSeriesFromStore } from '../regime/regimeCache.js';
import type { RegimeParamsInput } from '../regime/types.js';
import type { RegimeModelName } from '../regime/models/registry.js';
import type { Universe } from '../selection/universes.js';
import { loadUniversePanel } from '../selection/universePanel.js';
import { SIMULATED_SOURCE } from '../data/simulated.js';
import { UNADJUSTED_SOURCE } from '../data/unadjusted.js';
import type { RegimeSeries } from './engine.js';
import type { RegimesByModel } from './sweep.js';
import type { RawPrices } from './liveGates.js';
import { rawPricesOf } from './rawPrices.js';

export interface StrategyData {
  panel: Panel;
  /** Universe symbols with no data in the store at all (never eligible). */
  missing: string[];
  regimes: RegimeSeries | null;
  /** SPY adjusted closes aligned to panel.dates (NaN where SPY has no bar), for buy-and-hold. */
  spy: Float64Array | null;
  /** Raw (as traded) closes for the live-gate checks, rebuilt from the store's split history. */
  rawPrices: RawPrices;
  /** Universe symbols, SPY and VIX stored from the simulated demo market (source 'demo'). */
  simulated: string[];
  /** Universe symbols imported without adjusted prices (`data import --unadjusted`): their returns are wrong across splits. */
  unadjusted: string[];
}

/**
 * Loads what the scanner, the backtester and the rebalancer read: the universe's stored symbols
 * as one aligned panel (loadUniversePanel: from `from` less the 52-week-high lookback, the fields
 * the scan reads), the regime series and SPY for the benchmark. SPY is read on its own, aligned to
 * the panel's sessions, so the panel does not start on SPY's first bar (1993) when the stocks
 * start later; it is a panel column only when the universe holds it.
 */
export function loadStrategyData(
  store: BarStore,
  universe: Universe,
  options: { from?: string; to?: string; lookback?: number; withRegime?: boolean | 'if-available'; withVolume?: boolean; regimeParams?: RegimeParamsInput; regimeModel?: RegimeModelName } = {},
): StrategyData {
  const { panel, missing, sources } = loadUniversePanel(store, universe, { from: options.from, to: options.to, lookback: options.lookback, withVolume: options.withVolume });
  const spy = loadAlignedSeries(store.db, 'SPY', 'adjClose', panel.dayNumbers) ?? null;
  const regimes = options.withRegime === false ? null : (() => {
    try {
      return regimeSeriesFromStore(store, { to: options.to, params: options.regimeParams, model: options.regimeModel });
    } catch (err) {
      // 'if-available': a run that does not apply the regime still works without SPY or VIX.
      if (options.withRegime === 'if-available') return null;
      throw err;
    }
  })();
  const rawPrices = rawPricesOf(panel, (symbol) => ({ source: sources.get(symbol), actions: store.getActions(symbol) }));
  // The benchmark and the regime inputs count too: a real universe judged by a simulated SPY is not real.
  const simulated = [...new Set([...panel.symbols, 'SPY', 'VIX'])].filter((s) => sources.get(s) === SIMULATED_SOURCE);
  const unadjusted = panel.symbols.filter((s) => sources.get(s) === UNADJUSTED_SOURCE);
  return { panel, missing, regimes, spy, rawPrices, simulated, unadjusted };
}

/**
 * The regime series of each named model over the store's SPY and VIX (up to `to`), computed once
 * per model: a sweep whose grid varies regime.model shares each series across its points.
 */
export function regimesByModel(store: BarStore, models: readonly RegimeModelName[], options: { to?: string; params?: RegimeParamsInput } = {}): RegimesByModel {
  const byModel: Record<string, RegimeSeries> = {};
  for (const model of new Set(models)) {
    byModel[model] = regimeSeriesFromStore(store, { to: options.to, params: options.params, model });
  }
  return { byModel };
}
