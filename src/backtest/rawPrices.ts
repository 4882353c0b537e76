/**
 * Raw (as traded) closes for the backtest's live-gate checks. The store's close is raw for some
 * sources (Tiingo, the demo market) and split-adjusted for others (Yahoo, most CSV files); the $5
 * floor of gate 6 is about the price that traded. A recorded split whose date shows no matching
 * drop in the close has already been applied to it, so it is undone (earlier closes x factor).
 * A CSV symbol with no split history cannot be undone: it is listed in `basisUnknown`.
 */
import type { CorporateAction } from '../data/bar.js';
import type { Panel } from '../data/panel.js';
import type { RawPrices } from './liveGates.js';

export interface SymbolPriceFacts {
  /** The store's source of the symbol ('csv', 'yahoo', 'tiingo', 'demo', ...). */
  source: string | undefined;
  actions: readonly CorporateAction[];
}

export function rawPricesOf(panel: Panel, facts: (symbol: string) => SymbolPriceFacts): RawPrices {
  const n = panel.dates.length;
  // The panel's own column until a split must be undone: most stores need no copy (a column of
  // a 500-symbol panel is 25 MB, and every fresh page costs a fault).
  let close = panel.close;
  const basisUnknown = new Set<string>();
  panel.symbols.forEach((symbol, s) => {
    const { source, actions } = facts(symbol);
    const splits = actions.filter((a) => a.splitFactor > 0 && a.splitFactor !== 1);
    if (splits.length === 0) {
      if (source === 'csv') basisUnknown.add(symbol);
      return;
    }
    const base = s * n;
    for (const split of splits) {
      let t = 0;
      while (t < n && panel.dates[t] < split.date) t++;
      while (t < n && !(close[base + t] > 0)) t++;
      let p = t - 1;
      while (p >= 0 && !(close[base + p] > 0)) p--;
      if (t >= n || p < 0) continue;
      const q = close[base + t] / close[base + p];
      // Raw closes drop by the factor on the split date; adjusted ones move like any other day.
      const alreadyRaw = Math.abs(Math.log(q * split.splitFactor)) < Math.abs(Math.log(q));
      if (alreadyRaw) continue;
      if (close === panel.close) close = panel.close.slice();
      for (let d = 0; d < t; d++) close[base + d] *= split.splitFactor;
    }
  });
  return { close, basisUnknown };
}
