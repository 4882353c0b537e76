import { CALENDAR_RANGE, isTradingDay, sessionOnOrBefore, sessionsBetween } from '../calendar/nyse.js';
import type { DailyBar } from './bar.js';

export type IssueKind = 'missing_session' | 'non_trading_day' | 'bad_ohlc' | 'stale' | 'large_move';

export interface QualityIssue {
  kind: IssueKind;
  date: string;
  detail: string;
}

export interface QualityReport {
  symbol: string;
  from: string | null;
  to: string | null;
  bars: number;
  missingSessions: number;
  nonTradingDayBars: number;
  badOhlc: number;
  largeMoves: number;
  stale: boolean;
  ok: boolean;
  issues: QualityIssue[];
}

export interface QualityOptions {
  /** The date the data should be current to (default: today in New York). */
  asOf: string;
  /** A last bar more than this many sessions before asOf is stale. */
  staleSessions?: number;
  /** |adjusted one-day return| above this is flagged as a possible unadjusted split. */
  largeMove?: number;
  /** Keep at most this many issues of each kind in `issues` (counts stay exact). */
  maxIssuesPerKind?: number;
}

/**
 * Checks one symbol's bars against the NYSE calendar and basic price sanity. Counts are exact;
 * the issue list is capped per kind so a badly broken file still gives a readable report.
 */
export function checkBars(symbol: string, bars: readonly DailyBar[], opts: QualityOptions): QualityReport {
  const staleSessions = opts.staleSessions ?? 5;
  const largeMove = opts.largeMove ?? 0.5;
  const cap = opts.maxIssuesPerKind ?? 20;
  const issues: QualityIssue[] = [];
  const perKind = new Map<IssueKind, number>();
  const add = (kind: IssueKind, date: string, detail: string) => {
    const c = (perKind.get(kind) ?? 0) + 1;
    perKind.set(kind, c);
    if (c <= cap) issues.push({ kind, date, detail });
  };
  const count = (kind: IssueKind) => perKind.get(kind) ?? 0;

  if (bars.length === 0) {
    return { symbol, from: null, to: null, bars: 0, missingSessions: 0, nonTradingDayBars: 0, badOhlc: 0, largeMoves: 0, stale: true, ok: false, issues: [{ kind: 'stale', date: opts.asOf, detail: 'no bars stored' }] };
  }
  const from = bars[0].date;
  const to = bars[bars.length - 1].date;
  const inRange = (d: string) => d >= CALENDAR_RANGE.from && d <= CALENDAR_RANGE.to;

  const have = new Set<string>();
  for (const b of bars) {
    have.add(b.date);
    if (inRange(b.date) && !isTradingDay(b.date)) add('non_trading_day', b.date, 'bar on a day the NYSE was closed');
    const vals = [b.open, b.high, b.low, b.close, b.adjClose];
    if (vals.some((v) => !(v > 0))) add('bad_ohlc', b.date, `non-positive price (O ${b.open} H ${b.high} L ${b.low} C ${b.close} adj ${b.adjClose})`);
    else if (b.low > b.high * (1 + 1e-9) || b.open > b.high * (1 + 1e-6) || b.open < b.low * (1 - 1e-6) || b.close > b.high * (1 + 1e-6) || b.close < b.low * (1 - 1e-6)) {
      add('bad_ohlc', b.date, `inconsistent OHLC (O ${b.open} H ${b.high} L ${b.low} C ${b.close})`);
    }
  }
  const lo = from < CALENDAR_RANGE.from ? CALENDAR_RANGE.from : from;
  const hi = to > CALENDAR_RANGE.to ? CALENDAR_RANGE.to : to;
  if (lo <= hi) for (const s of sessionsBetween(lo, hi)) if (!have.has(s)) add('missing_session', s, 'NYSE session with no bar');

  for (let i = 1; i < bars.length; i++) {
    const r = bars[i].adjClose / bars[i - 1].adjClose - 1;
    if (Math.abs(r) > largeMove) add('large_move', bars[i].date, `adjusted close moved ${(r * 100).toFixed(1)}% in one session: possible unadjusted split`);
  }

  const asOf = opts.asOf > CALENDAR_RANGE.to ? CALENDAR_RANGE.to : opts.asOf;
  let stale = false;
  if (to < asOf && asOf >= CALENDAR_RANGE.from) {
    const expected = sessionOnOrBefore(asOf);
    const behind = to >= CALENDAR_RANGE.from ? Math.max(0, sessionsBetween(to, expected).length - 1) : Infinity;
    if (behind > staleSessions) {
      stale = true;
      add('stale', to, `last bar ${to} is ${behind} sessions before ${expected}`);
    }
  }
  const report: QualityReport = {
    symbol, from, to, bars: bars.length,
    missingSessions: count('missing_session'), nonTradingDayBars: count('non_trading_day'), badOhlc: count('bad_ohlc'), largeMoves: count('large_move'),
    stale, ok: false, issues,
  };
  report.ok = report.missingSessions === 0 && report.nonTradingDayBars === 0 && report.badOhlc === 0 && report.largeMoves === 0;
  return report;
}
