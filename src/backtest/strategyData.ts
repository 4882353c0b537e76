import type { BarStore } from '../data/store/barStore.js';
import { loadPanel } from '../data/store/panelLoader.js';
import type { Panel, PanelField } from '../data/panel.js';
import { regimeFromStore } from '../regime/fromStore.js';
import type { RegimeParamsInput } from '../regime/types.js';
import type { RegimeModelName } from '../regime/models/registry.js';
import type { Universe } from '../selection/universes.js';
import { AtlasError } from '../core/errors.js';
import type { RegimeSeries } from './engine.js';

export interface StrategyData {
  panel: Panel;
  /** Universe symbols with no data in the store at all (never eligible). */
  missing: string[];
  regimes: RegimeSeries | null;
  /** SPY adjusted closes aligned to panel.dates (NaN where SPY has no bar), for buy-and-hold. */
  spy: Float64Array | null;
}

/**
 * Loads what the scanner, the backtester and the rebalancer read: the universe's stored symbols
 * as one aligned panel, the regime series and SPY for the benchmark.
 */
export function loadStrategyData(
  store: BarStore,
  universe: Universe,
  options: { to?: string; withRegime?: boolean; withVolume?: boolean; regimeParams?: RegimeParamsInput; regimeModel?: RegimeModelName } = {},
): StrategyData {
  const stored = new Set(store.listSymbols().map((s) => s.symbol));
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
    const { history } = regimeFromStore(store, { to: options.to, params: options.regimeParams, model: options.regimeModel });
    return { dates: history.dates, regimes: history.regime };
  })();
  return { panel, missing, regimes, spy };
}

function dropLastSymbol(panel: Panel): void {
  const n = panel.dates.length;
  const m = panel.symbols.length - 1;
  panel.symbols = panel.symbols.slice(0, m);
  for (const f of ['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const) {
    if (panel[f].length > 0) panel[f] = panel[f].subarray(0, m * n);
  }
}
