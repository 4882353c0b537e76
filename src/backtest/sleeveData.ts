/**
 * @module Sleeve prices for a backtest: the remainder sleeve's symbols (a cash-like ETF or a
 * defensive list) added as columns to the strategy's panel, aligned to its sessions with the
 * store's `loadAlignedSeries`. A symbol the store lacks is left out (the engine then holds its
 * share as cash and warns); a symbol already in the panel (a universe member) is not loaded twice.
 */
import type { Panel, PanelField } from '../data/panel.js';
import type { BarStore } from '../data/store/barStore.js';
import { loadAlignedSeries } from '../data/store/panelLoader.js';
import { sleeveSymbols, type Sleeve } from '../portfolio/sleeve.js';
import type { RawPrices } from './liveGates.js';

const FIELDS: readonly PanelField[] = ['open', 'high', 'low', 'close', 'adjClose', 'volume'];

/**
 * The panel and raw prices with the sleeve's stored symbols appended (new arrays; the inputs are
 * not changed). Raw closes of an ETF are its stored closes (gate 6's $5 floor).
 */
export function withSleevePrices(store: BarStore, panel: Panel, rawPrices: RawPrices, sleeve: Sleeve): { panel: Panel; rawPrices: RawPrices; added: string[] } {
  const n = panel.dates.length;
  const added: string[] = [];
  const columns = new Map<PanelField, Float64Array[]>(FIELDS.map((f) => [f, []]));
  for (const sym of sleeveSymbols(sleeve)) {
    if (panel.symbols.includes(sym) || !store.hasSymbol(sym)) continue;
    for (const f of FIELDS) {
      if (panel[f].length === 0) continue;
      columns.get(f)!.push(loadAlignedSeries(store.db, sym, f, panel.dayNumbers) ?? new Float64Array(n).fill(NaN));
    }
    added.push(sym);
  }
  if (added.length === 0) return { panel, rawPrices, added };
  const widen = (base: Float64Array, extra: Float64Array[]): Float64Array => {
    const out = new Float64Array(base.length + extra.length * n);
    out.set(base);
    extra.forEach((c, i) => out.set(c, base.length + i * n));
    return out;
  };
  const out: Panel = { ...panel, symbols: [...panel.symbols, ...added] };
  for (const f of FIELDS) if (panel[f].length > 0) out[f] = widen(panel[f], columns.get(f)!);
  return { panel: out, rawPrices: { ...rawPrices, close: widen(rawPrices.close, columns.get('close')!) }, added };
}

/**
 * The panel with the symbols of every sleeve a sweep's points hold (each loaded once). A sweep or
 * walk-forward that adds any must rank only its universe (pass it), so an ETF is never a stock.
 */
export function withSleevesPrices(store: BarStore, panel: Panel, rawPrices: RawPrices, sleeves: readonly (Sleeve | undefined)[]): { panel: Panel; rawPrices: RawPrices; added: string[] } {
  let out = { panel, rawPrices, added: [] as string[] };
  for (const sleeve of sleeves) {
    if (sleeve === undefined || sleeve.kind === 'cash') continue;
    const next = withSleevePrices(store, out.panel, out.rawPrices, sleeve);
    out = { panel: next.panel, rawPrices: next.rawPrices, added: [...out.added, ...next.added] };
  }
  return out;
}
