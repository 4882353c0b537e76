import type { BarStore } from '../data/store/barStore.js';
import { loadPanel } from '../data/store/panelLoader.js';
import type { Panel, PanelField } from '../data/panel.js';
import { regimeFromStore } from '../regime/fromStore.js';
import type { RegimeParamsInput } from '../regime/types.js';
import type { RegimeModelName } from '../regime/models/registry.js';
import type { Universe } from '../selection/universes.js';
import { AtlasError } from '../core/errors.js';
import { SIMULATED_SOURCE } from '../data/simulated.js';
import type { RegimeSeries } from './engine.js';
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
}

/**
 * Loads what the scanner, the backtester and the rebalancer read: the universe's stored symbols
 * as one aligned panel, the regime series and SPY for the benchmark.
 */
export function loadStrategyData(
  store: BarStore,
  universe: Universe,
  options: { to?: string; withRegime?: boolean | 'if-available'; withVolume?: boolean; regimeParams?: RegimeParamsInput; regimeModel?: RegimeModelName } = {},
): StrategyData {
  const listed = store.listSymbols();
  const stored = new Set(listed.map((s) => s.symbol));
  const sources = new Map(listed.map((s) => [s.symbol, s.source]));
  const symbols = universe.symbols.filter((s) => stored.has(s));
  const missing = universe.symbols.filter((s) => !stored.has(s));
  if (symbols.length === 0) {
    throw new AtlasError(
      `None of the ${universe.symbols.length} symbols of universe "${universe.name}" has data in the store; import or sync them first (e.g. \`atlas data sync --symbols ${universe.symbols.slice(0, 3).join(',')}\`).`,
      { code: 'NO_DATA' },
    );
  }
  const fields: PanelField[] = ['open', 'high', 'close', 'adjClose'];
  if (options.withVolume) fields.push('volume');
  const withSpy = stored.has('SPY');
  const panel = loadPanel(store.db, withSpy ? [...symbols, 'SPY'] : symbols, { fields, to: options.to });
  let spy: Float64Array | null = null;
  const n = panel.dates.length;
  if (withSpy) {
    spy = panel.adjClose.slice(symbols.length * n, (symbols.length + 1) * n);
    // SPY is the benchmark, not a candidate: drop its column unless the universe holds it.
    if (!universe.symbols.includes('SPY')) dropLastSymbol(panel);
  }
  const regimes = options.withRegime === false ? null : (() => {
    try {
      const { history } = regimeFromStore(store, { to: options.to, params: options.regimeParams, model: options.regimeModel });
      return { dates: history.dates, regimes: history.regime };
    } catch (err) {
      // 'if-available': a run that does not apply the regime still works without SPY or VIX.
      if (options.withRegime === 'if-available') return null;
      throw err;
    }
  })();
  const rawPrices = rawPricesOf(panel, (symbol) => ({ source: sources.get(symbol), actions: store.getActions(symbol) }));
  // The benchmark and the regime inputs count too: a real universe judged by a simulated SPY is not real.
  const simulated = [...symbols, 'SPY', 'VIX'].filter((s) => sources.get(s) === SIMULATED_SOURCE);
  return { panel, missing, regimes, spy, rawPrices, simulated };
}

function dropLastSymbol(panel: Panel): void {
  const n = panel.dates.length;
  const m = panel.symbols.length - 1;
  panel.symbols = panel.symbols.slice(0, m);
  for (const f of ['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const) {
    if (panel[f].length > 0) panel[f] = panel[f].subarray(0, m * n);
  }
}
