/**
 * @module One symbol's daily bars as parallel typed arrays (the store's system of record, see
 * docs/architecture.md "Store"), and the pure conversions to and from DailyBar objects.
 */
import { AtlasError } from '../../core/errors.js';
import { fromDayNumber, toDayNumber } from '../../core/dates.js';
import type { DailyBar } from '../bar.js';
import type { PanelField } from '../panel.js';

/** Ascending, unique day numbers (days since 1970-01-01) and one value per day in each field. */
export interface BarColumns {
  days: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  adjClose: Float64Array;
  volume: Float64Array;
}

export const VALUE_FIELDS: readonly PanelField[] = ['open', 'high', 'low', 'close', 'adjClose', 'volume'];

export function emptyColumns(n = 0): BarColumns {
  return {
    days: new Int32Array(n),
    open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n),
    close: new Float64Array(n), adjClose: new Float64Array(n), volume: new Float64Array(n),
  };
}

/** Bars in any order; a repeated date keeps the last one (what a row upsert did). */
export function columnsFromBars(bars: readonly DailyBar[]): BarColumns {
  const byDay = new Map<number, DailyBar>();
  for (const b of bars) byDay.set(toDayNumber(b.date), b);
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const out = emptyColumns(days.length);
  days.forEach((d, i) => {
    const b = byDay.get(d)!;
    out.days[i] = d;
    out.open[i] = b.open;
    out.high[i] = b.high;
    out.low[i] = b.low;
    out.close[i] = b.close;
    out.adjClose[i] = b.adjClose;
    out.volume[i] = b.volume;
  });
  return out;
}

/** The bars with lo <= day <= hi (day numbers), as DailyBar objects. */
export function barsFromColumns(c: BarColumns, lo = -Infinity, hi = Infinity): DailyBar[] {
  const out: DailyBar[] = [];
  for (let i = lowerBound(c.days, lo); i < c.days.length && c.days[i] <= hi; i++) {
    out.push({ date: fromDayNumber(c.days[i]), open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i], adjClose: c.adjClose[i], volume: c.volume[i] });
  }
  return out;
}

/** First index (from `from` on) whose day is >= day. */
export function lowerBound(days: Int32Array, day: number, from = 0): number {
  let lo = from;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Copies src's bars [from, to) into out from index k (one typed-array copy per field). */
function copyRun(out: BarColumns, k: number, src: BarColumns, from: number, to: number): number {
  if (to <= from) return k;
  out.days.set(src.days.subarray(from, to), k);
  out.open.set(src.open.subarray(from, to), k);
  out.high.set(src.high.subarray(from, to), k);
  out.low.set(src.low.subarray(from, to), k);
  out.close.set(src.close.subarray(from, to), k);
  out.adjClose.set(src.adjClose.subarray(from, to), k);
  out.volume.set(src.volume.subarray(from, to), k);
  return k + to - from;
}

/**
 * `base` with `update` laid over it: a day in both takes update's values. Copied in runs (a daily
 * sync lays one new bar after a block of about 1,400: two copies per field, not 1,400 x 7 reads
 * through a field name).
 */
export function mergeColumns(base: BarColumns, update: BarColumns): BarColumns {
  const a = base.days;
  const b = update.days;
  const out = emptyColumns(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (j < b.length) {
    // base's bars before update's next day, then update's bars before base's next remaining day
    const end = lowerBound(a, b[j], i);
    k = copyRun(out, k, base, i, end);
    i = end;
    if (i < a.length && a[i] === b[j]) i++;
    const next = i < a.length ? a[i] : Infinity;
    let e = j + 1;
    while (e < b.length && b[e] < next) e++;
    k = copyRun(out, k, update, j, e);
    j = e;
  }
  k = copyRun(out, k, base, i, a.length);
  return sliceColumns(out, 0, k);
}

export function sliceColumns(c: BarColumns, start: number, end: number): BarColumns {
  return {
    days: c.days.subarray(start, end),
    open: c.open.subarray(start, end), high: c.high.subarray(start, end), low: c.low.subarray(start, end),
    close: c.close.subarray(start, end), adjClose: c.adjClose.subarray(start, end), volume: c.volume.subarray(start, end),
  };
}

/** Index of the first NaN in `col` from `from` to `to` (-1: none): one small loop over one typed array. */
function firstNaN(col: Float64Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const v = col[i];
    if (v !== v) return i;
  }
  return -1;
}

/**
 * Refuses a value SQLite's old row table refused (NaN bound as NULL broke NOT NULL) in the bars
 * from index `from` to `to`. The block writer calls it on each block just before writing it, while
 * the block is in the cache (an import checks 17 million values; a separate pass over the columns
 * read them all from memory once more); it throws inside the write's transaction, which rolls back whole.
 */
export function assertNumbers(symbol: string, c: BarColumns, from = 0, to = c.days.length): void {
  for (const f of VALUE_FIELDS) {
    const i = firstNaN(c[f], from, to);
    if (i >= 0) throw new AtlasError(`Bars for ${symbol}: ${f} is not a number on ${fromDayNumber(c.days[i])}; nothing was written, fix the source data.`, { code: 'STORE_BAD_BARS' });
  }
}

/** Refuses columns of unequal length and days that are not strictly ascending (checked before a write starts). */
export function assertShape(symbol: string, c: BarColumns): void {
  const n = c.days.length;
  for (const f of VALUE_FIELDS) {
    if (c[f].length !== n) throw new AtlasError(`Bars for ${symbol}: the ${f} column has ${c[f].length} values for ${n} days; nothing was written.`, { code: 'STORE_BAD_BARS' });
  }
  for (let i = 1; i < n; i++) {
    if (!(c.days[i] > c.days[i - 1])) throw new AtlasError(`Bars for ${symbol}: dates are not ascending and unique at ${fromDayNumber(c.days[i])}; nothing was written.`, { code: 'STORE_BAD_BARS' });
  }
}
