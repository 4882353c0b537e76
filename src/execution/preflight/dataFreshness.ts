/**
 * @module Pre-flight 4 — data freshness. The store's last bar of every traded symbol and of the
 * benchmarks (SPY, VIX) must be the last COMPLETED NYSE session at the clock's time: orders are
 * never sized on old prices. Stale or missing data FAILs, or WARNs with allowStale. A bar dated
 * after today (New York) is bad data and FAILs either way; today's bar of a session still in
 * progress WARNs (its close is not a close yet).
 */
import { isTradingDay, nyDateOf, previousSession, sessionsBetween, sessionTimes } from '../../calendar/nyse.js';
import { describeError } from '../../core/errors.js';
import type { PreflightInput, PreflightOptions, PreflightResult } from './types.js';

/** The last session whose close is at or before `now` (today after the close, else the previous session). */
export function lastCompletedSession(now: Date): string {
  const today = nyDateOf(now);
  if (isTradingDay(today) && now.getTime() >= sessionTimes(today).close.getTime()) return today;
  return previousSession(today);
}

function sessionsBehind(date: string, expected: string): number {
  try {
    return sessionsBetween(date, expected).filter((d) => d > date).length;
  } catch {
    return Number.NaN;
  }
}

export function checkDataFreshness(input: PreflightInput, options: PreflightOptions): PreflightResult {
  const name = 'data freshness';
  let expected: string;
  let today: string;
  try {
    expected = lastCompletedSession(input.now);
    today = nyDateOf(input.now);
  } catch (err) {
    return { check: 4, name, result: 'FAIL', reason: `cannot place ${input.now.toISOString()} in the NYSE calendar: ${describeError(err)}` };
  }
  const symbols = [...new Set([...input.orders.map((o) => o.symbol), ...options.benchmarks])].sort();
  const stale: string[] = [];
  const future: string[] = [];
  const inProgress: string[] = [];
  for (const sym of symbols) {
    const last = input.lastBarDates.get(sym);
    if (last === undefined) stale.push(`${sym} has no bars`);
    else if (last > today) future.push(`${sym} ${last}`);
    else if (last > expected) inProgress.push(`${sym} ${last}`);
    else if (last < expected) {
      const n = sessionsBehind(last, expected);
      stale.push(`${sym} ${last} (${Number.isNaN(n) ? 'outside the calendar' : `${n} session(s) behind`})`);
    }
  }
  const head = `last completed session ${expected}; ${symbols.length} symbol(s) checked`;
  if (future.length > 0) {
    return { check: 4, name, result: 'FAIL', reason: `${head}; bars dated after today ${today}: ${future.join(', ')}; delete or re-import them` };
  }
  if (stale.length > 0) {
    const verdict = options.allowStale ? 'WARN' : 'FAIL';
    const fix = options.allowStale ? 'trading on them (--allow-stale)' : 'run `atlas data sync` or pass --allow-stale';
    return { check: 4, name, result: verdict, reason: `${head}; stale: ${stale.join(', ')}; ${fix}` };
  }
  if (inProgress.length > 0) {
    return { check: 4, name, result: 'WARN', reason: `${head}; today's session is still in progress: ${inProgress.join(', ')} (not a final close)` };
  }
  return { check: 4, name, result: 'PASS', reason: `${head}; every last bar is ${expected}` };
}
