/**
 * One daily bar for one symbol, keyed by New York session date.
 *
 * open/high/low/close are the prices as they traded (raw; some sources, like the shared stock
 * files, deliver them split-adjusted only) and are what order sizing and price floors use.
 * adjClose is split- and dividend-adjusted and is what returns use. The adjustment factor
 * adjClose / close converts any raw field to the adjusted basis.
 */
export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number;
  volume: number;
}

/** Provider-side corporate actions seen on a bar (Tiingo delivers them; others leave them at neutral). */
export interface CorporateAction {
  date: string;
  splitFactor: number; // 1 = no split
  dividend: number; // cash per share, 0 = none
}

export interface BarSeries {
  symbol: string; // canonical form, e.g. BRK-B
  source: string; // 'tiingo' | 'yahoo' | 'alpaca' | 'csv' | 'demo'
  bars: DailyBar[]; // ascending by date, unique dates
  actions?: CorporateAction[];
}
