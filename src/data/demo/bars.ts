/**
 * Turns simulated paths into BarSeries: raw prices rounded to cents (x the factor of later
 * splits), integer volumes, corporate actions, and a Yahoo-style adjClose, backward-adjusted
 * relative to the last bar of the series (adjClose = close on the last bar).
 */
import type { BarSeries, CorporateAction, DailyBar } from '../bar.js';
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
  const count = last - first + 1;
  const rawClose = new Float64Array(count);
  const rawDiv = new Float64Array(count);
  const splitAt = new Float64Array(count).fill(1);
  const bars = new Array<DailyBar>(count);

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
    const high = Math.max(round2(path.high[t] * mult), open, close);
    const low = Math.max(0.01, Math.min(round2(path.low[t] * mult), open, close));
    rawClose[i] = close;
    rawDiv[i] = path.dividend ? round4(path.dividend[t] * mult) : 0;
    const volume = path.volume ? Math.max(0, Math.round(path.volume(t, close))) : 0;
    bars[i] = { date: dates[t], open, high, low, close, adjClose: close, volume };
  }

  // Backward adjustment: each action scales every earlier bar by (1 - dividend / prevClose) / split.
  const actions: CorporateAction[] = [];
  let adj = 1;
  for (let i = count - 1; i >= 0; i--) {
    bars[i].adjClose = adj === 1 ? rawClose[i] : round6(rawClose[i] * adj);
    if (i > 0 && (splitAt[i] !== 1 || rawDiv[i] > 0)) {
      const split = splitAt[i];
      const prevOnNewBasis = rawClose[i - 1] / split;
      adj *= (1 - rawDiv[i] / prevOnNewBasis) / split;
      actions.push({ date: dates[first + i], splitFactor: split, dividend: rawDiv[i] });
    }
  }
  actions.reverse();
  const series: BarSeries = { symbol, source: 'demo', bars };
  if (actions.length > 0) series.actions = actions;
  return series;
}
