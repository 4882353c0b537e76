/**
 * The classic trend filter: bull while SPY (adjusted close) is above its moving average, of the last
 * N sessions ('days', e.g. 200) or of the last N month-end closes ('months', e.g. 10: Faber 2007).
 * The monthly variant decides once a month: on the first session of a month it compares the
 * previous month-end close with the average of the last N month-end closes and holds that state
 * through the month. Both use closes up to day t only.
 */
import type { JumpState, NoRegimeReason } from '../types.js';

export function smaStates(dates: readonly string[], close: ArrayLike<number>, length: number, unit: 'days' | 'months'): { state: (JumpState | null)[]; reason: (NoRegimeReason | null)[] } {
  const n = dates.length;
  const state = new Array<JumpState | null>(n).fill(null);
  const reason = new Array<NoRegimeReason | null>(n).fill('insufficient history');
  if (unit === 'days') {
    for (let t = length - 1; t < n; t++) {
      // Summed afresh each day (not a running sum), so the value depends on the window only.
      const avg = windowMean(close, t - length + 1, t);
      state[t] = close[t] > avg ? 'bull' : 'bear';
      reason[t] = null;
    }
    return { state, reason };
  }
  const monthEnds: number[] = [];
  let current: JumpState | null = null;
  for (let t = 0; t < n; t++) {
    if (t > 0 && dates[t].slice(0, 7) !== dates[t - 1].slice(0, 7)) {
      monthEnds.push(close[t - 1]);
      if (monthEnds.length >= length) {
        let s = 0;
        for (let k = monthEnds.length - length; k < monthEnds.length; k++) s += monthEnds[k];
        current = monthEnds[monthEnds.length - 1] > s / length ? 'bull' : 'bear';
      }
    }
    if (current !== null) {
      state[t] = current;
      reason[t] = null;
    }
  }
  return { state, reason };
}

function windowMean(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i <= to; i++) s += x[i];
  return s / (to - from + 1);
}
