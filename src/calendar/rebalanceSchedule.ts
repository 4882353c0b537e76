/**
 * @module The rebalance calendar, shared by the backtest and live operation: a rebalance is
 * decided at the close of the first session of each period (month, quarter, or half-year starting
 * February and August) and fills from the next session's open. The backtest's day loop and
 * `atlas run` / `atlas status` ask this one module, so they agree on every date.
 */
import { isTradingDay, previousSession, sessionOnOrAfter, nextSession } from './nyse.js';

export type RebalanceFrequency = 'semiannual' | 'quarterly' | 'monthly';

/** Period key of a date for a rebalance frequency; a rebalance happens when the key changes. */
export function rebalancePeriodKey(date: string, freq: RebalanceFrequency): number {
  // Digits by char code: a sweep asks this for every session of every configuration.
  const y = (date.charCodeAt(0) - 48) * 1000 + (date.charCodeAt(1) - 48) * 100 + (date.charCodeAt(2) - 48) * 10 + (date.charCodeAt(3) - 48);
  const m = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
  if (freq === 'monthly') return y * 12 + (m - 1);
  if (freq === 'quarterly') return y * 4 + Math.floor((m - 1) / 3);
  // semiannual: periods start Feb 1 and Aug 1; January belongs to the previous August period.
  if (m >= 8) return y * 2 + 1;
  if (m >= 2) return y * 2;
  return (y - 1) * 2 + 1;
}

/** True when `date` is the first NYSE session of its rebalance period. */
export function isRebalanceSession(date: string, freq: RebalanceFrequency): boolean {
  if (!isTradingDay(date)) return false;
  return rebalancePeriodKey(previousSession(date), freq) !== rebalancePeriodKey(date, freq);
}

/** The first rebalance session on or after `date`. */
export function nextRebalanceSession(date: string, freq: RebalanceFrequency): string {
  let d = sessionOnOrAfter(date);
  // A period is at most six months: 140 sessions always reach the next period's first session.
  for (let i = 0; i < 140; i++, d = nextSession(d)) if (isRebalanceSession(d, freq)) return d;
  throw new Error(`no rebalance session found after ${date}`);
}

/** The last rebalance session on or before `date` (the one whose targets are in force). */
export function lastRebalanceSession(date: string, freq: RebalanceFrequency): string {
  let d = isTradingDay(date) ? date : previousSession(date);
  for (let i = 0; i < 140; i++, d = previousSession(d)) if (isRebalanceSession(d, freq)) return d;
  throw new Error(`no rebalance session found before ${date}`);
}
