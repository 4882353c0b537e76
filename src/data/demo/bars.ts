/**
 * Turns simulated paths into BarSeries: raw prices rounded to cents (x the factor of later
 * splits), integer volumes, corporate actions, and a Yahoo-style adjClose, backward-adjusted
 * relative to the last bar of the series (adjClose = close on the last bar).
 */
import type { BarSeries, CorporateAction, DailyBar } from '../bar.js';
import { emptyColumns, type BarColumns } from '../store/barColumns.js';
import type { DemoSplit } from './universe.js';

export const round2 = (x: number): number => Math.round(x * 100) / 100;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export interface PathInput {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Cash dividend per current-basis share by session (absent = none). */
  dividend?: Float64Array;
  /** Volume of session t from the raw close (index: absent = 0). */
  volume?: (t: number, rawClose: number) => number;
}

/** One simulated symbol as the store's typed columns (days are day numbers) and its corporate actions. */
export interface DemoColumnSeries {
  symbol: string;
  columns: BarColumns;
  actions: CorporateAction[];
}

/**
 * Bars of sessions first..last (inclusive) of `dates`. Split dates must be sessions; a split
 * multiplies every raw price before it by its factor.
 */
export function toSeries(
  symbol: string,
  dates: readonly string[],
  first: number,
  last: number,
  path: PathInput,
  splits: readonly DemoSplit[] = [],
): BarSeries {
  return seriesFromColumns(toColumns(symbol, dates, new Int32Array(0), first, last, path, splits), dates, first);
}

/** The BarSeries of columns made by toColumns from sessions first.. of `dates`. */
export function seriesFromColumns(c: DemoColumnSeries, dates: readonly string[], first: number): BarSeries {
  const { open, high, low, close, adjClose, volume } = c.columns;
  const count = close.length;
  const bars = new Array<DailyBar>(count);
  for (let i = 0; i < count; i++) {
    bars[i] = { date: dates[first + i], open: open[i], high: high[i], low: low[i], close: close[i], adjClose: adjClose[i], volume: volume[i] };
  }
  const series: BarSeries = { symbol: c.symbol, source: 'demo', bars };
  if (c.actions.length > 0) series.actions = c.actions;
  return series;
}

/**
 * toSeries as typed columns (what the store writes), without a bar object per session.
 * `days` are the day numbers of `dates` (empty: the columns' days are left at 0).
 */
export function toColumns(
  symbol: string,
  dates: readonly string[],
  days: Int32Array,
  first: number,
  last: number,
  path: PathInput,
  splits: readonly DemoSplit[] = [],
): DemoColumnSeries {
  const count = last - first + 1;
  const rawDiv = new Float64Array(count);
  const splitAt = new Float64Array(count).fill(1);
  const c = emptyColumns(count);
  if (days.length > 0) c.days.set(days.subarray(first, last + 1));

  // Multiplier of current-basis prices into raw prices: product of factors of splits after t.
  let mult = 1;
  for (const s of splits) if (s.date > dates[first]) mult *= s.factor;
  let nextSplit = 0;
  const sorted = [...splits].sort((a, b) => (a.date < b.date ? -1 : 1));
  while (nextSplit < sorted.length && sorted[nextSplit].date <= dates[first]) nextSplit++;

  for (let i = 0; i < count; i++) {
    const t = first + i;
    if (nextSplit < sorted.length && sorted[nextSplit].date === dates[t]) {
      mult /= sorted[nextSplit].factor;
      splitAt[i] = sorted[nextSplit].factor;
      nextSplit++;
    }
    const close = round2(path.close[t] * mult);
    const open = round2(path.open[t] * mult);
    c.close[i] = close;
    c.open[i] = open;
    c.high[i] = Math.max(round2(path.high[t] * mult), open, close);
    c.low[i] = Math.max(0.01, Math.min(round2(path.low[t] * mult), open, close));
    rawDiv[i] = path.dividend ? round4(path.dividend[t] * mult) : 0;
    c.volume[i] = path.volume ? Math.max(0, Math.round(path.volume(t, close))) : 0;
  }

  // Backward adjustment: each action scales every earlier bar by (1 - dividend / prevClose) / split.
  const rawClose = c.close;
  const actions: CorporateAction[] = [];
  let adj = 1;
  for (let i = count - 1; i >= 0; i--) {
    c.adjClose[i] = adj === 1 ? rawClose[i] : round6(rawClose[i] * adj);
    if (i > 0 && (splitAt[i] !== 1 || rawDiv[i] > 0)) {
      const split = splitAt[i];
      const prevOnNewBasis = rawClose[i - 1] / split;
      adj *= (1 - rawDiv[i] / prevOnNewBasis) / split;
      actions.push({ date: dates[first + i], splitFactor: split, dividend: rawDiv[i] });
    }
  }
  actions.reverse();
  return { symbol, columns: c, actions };
}
