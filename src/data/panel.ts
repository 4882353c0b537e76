/**
 * Aligned market data for research: one row per session date, one column per symbol.
 *
 * Each field is a Float64Array laid out symbol-major: the value for symbol s on date index d is
 * `field[s * dates.length + d]`. A missing bar (not listed yet, delisted, gap) is NaN in every
 * field. Prices follow DailyBar: open/high/low/close raw, adjClose adjusted.
 */
export interface Panel {
  dates: string[]; // ascending ISO session dates
  dayNumbers: Int32Array; // the same dates as days since epoch
  symbols: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  adjClose: Float64Array;
  volume: Float64Array;
}

export type PanelField = 'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume';
export const PANEL_FIELDS: readonly PanelField[] = ['open', 'high', 'low', 'close', 'adjClose', 'volume'];

/**
 * The one definition of "this bar exists": close, adjClose and high of cell k are all finite and
 * positive. Every reader of a panel (scanner, engine, reports) asks this function. NaN fails
 * every comparison and Infinity is excluded explicitly, so no isFinite call is needed.
 */
export function hasBar(panel: Pick<Panel, 'close' | 'adjClose' | 'high'>, k: number): boolean {
  const c = panel.close[k];
  const a = panel.adjClose[k];
  const h = panel.high[k];
  return c > 0 && a > 0 && h > 0 && c < Infinity && a < Infinity && h < Infinity;
}

export function symbolIndex(panel: Panel, symbol: string): number {
  return panel.symbols.indexOf(symbol);
}

/** Value of `field` for symbol index s at date index d (NaN when absent). */
export function cell(panel: Panel, field: PanelField, s: number, d: number): number {
  return panel[field][s * panel.dates.length + d];
}

/** A copy of one symbol's column of `field` (length = dates.length). */
export function column(panel: Panel, field: PanelField, s: number): Float64Array {
  const n = panel.dates.length;
  return panel[field].slice(s * n, (s + 1) * n);
}

/** Builds a panel from per-symbol bar arrays, aligning on the union of their dates. */
export function panelFromBars(series: { symbol: string; bars: { date: string; open: number; high: number; low: number; close: number; adjClose: number; volume: number }[] }[]): Panel {
  const dateSet = new Set<string>();
  for (const s of series) for (const b of s.bars) dateSet.add(b.date);
  const dates = [...dateSet].sort();
  const index = new Map(dates.map((d, i) => [d, i] as const));
  const n = dates.length;
  const m = series.length;
  const make = () => new Float64Array(n * m).fill(NaN);
  const panel: Panel = {
    dates,
    dayNumbers: Int32Array.from(dates, (d) => Date.parse(d + 'T00:00:00Z') / 86_400_000),
    symbols: series.map((s) => s.symbol),
    open: make(), high: make(), low: make(), close: make(), adjClose: make(), volume: make(),
  };
  series.forEach((s, si) => {
    for (const b of s.bars) {
      const k = si * n + index.get(b.date)!;
      panel.open[k] = b.open;
      panel.high[k] = b.high;
      panel.low[k] = b.low;
      panel.close[k] = b.close;
      panel.adjClose[k] = b.adjClose;
      panel.volume[k] = b.volume;
    }
  });
  return panel;
}
