import { CALENDAR_RANGE, sessionOnOrBefore, sessionsBetween } from '../calendar/nyse.js';
import type { DailyBar } from './bar.js';

export type IssueKind = 'missing_session' | 'non_trading_day' | 'bad_ohlc' | 'stale' | 'large_move' | 'split_like' | 'unadjusted';

/** A split as the price ratio it leaves in an unadjusted series: factor k means new = old / k. */
export interface SplitRatio {
  label: string;
  factor: number;
}

/** Forward splits (k:1, 3:2) and reverse splits (1:k) seen in US equities. */
export const SPLIT_RATIOS: readonly SplitRatio[] = [
  ...[[3, 2], [2, 1], [5, 2], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1], [8, 1], [10, 1], [15, 1], [20, 1], [50, 1]].map(([a, b]) => ({ label: `${a}:${b}`, factor: a / b })),
  ...[2, 3, 4, 5, 8, 10, 15, 20, 25, 30, 50, 100].map((k) => ({ label: `1:${k}`, factor: 1 / k })),
];

/**
 * The split whose ratio a one-session price ratio `next / prev` matches within `tolerance`
 * (relative, on the log scale), or null. A 2:1 split with a 1% down day (ratio 0.495) is a 2:1.
 */
export function splitLikeRatio(ratio: number, tolerance = 0.02): SplitRatio | null {
  if (!(ratio > 0) || !Number.isFinite(ratio)) return null;
  const limit = Math.log(1 + tolerance);
  const lr = Math.log(ratio);
  // Most sessions move far less than the smallest split (3:2): no ratio can match.
  if (Math.abs(lr) < SMALLEST_SPLIT_LOG - limit) return null;
  let best: SplitRatio | null = null;
  let bestErr = Infinity;
  for (const sp of SPLIT_RATIOS) {
    const err = Math.abs(Math.log(ratio * sp.factor));
    if (err <= limit && err < bestErr) {
      best = sp;
      bestErr = err;
    }
  }
  return best;
}

const SMALLEST_SPLIT_LOG = Math.min(...SPLIT_RATIOS.map((sp) => Math.abs(Math.log(sp.factor))));

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
  /** One-session moves of the adjusted close at a split's ratio (2:1, 3:2, 1:10 ...): possible unadjusted splits. */
  splitLike: number;
  /** The symbol was imported without adjusted prices (adjusted close = raw close). */
  unadjusted: boolean;
  stale: boolean;
  ok: boolean;
  issues: QualityIssue[];
}

export interface QualityOptions {
  /** The date the data should be current to (default: today in New York). */
  asOf: string;
  /** A last bar more than this many sessions before asOf is stale. */
  staleSessions?: number;
  /** |adjusted one-day return| above this counts as a large move (listed as an issue unless split-like). */
  largeMove?: number;
  /** Relative tolerance of the split-ratio match (default 0.02). */
  splitTolerance?: number;
  /** The store marks the symbol as imported without adjusted prices. */
  unadjusted?: boolean;
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
    return { symbol, from: null, to: null, bars: 0, missingSessions: 0, nonTradingDayBars: 0, badOhlc: 0, largeMoves: 0, splitLike: 0, unadjusted: opts.unadjusted ?? false, stale: true, ok: false, issues: [{ kind: 'stale', date: opts.asOf, detail: 'no bars stored' }] };
  }
  const from = bars[0].date;
  const to = bars[bars.length - 1].date;
  const inRange = (d: string) => d >= CALENDAR_RANGE.from && d <= CALENDAR_RANGE.to;

  const lo = from < CALENDAR_RANGE.from ? CALENDAR_RANGE.from : from;
  const hi = to > CALENDAR_RANGE.to ? CALENDAR_RANGE.to : to;
  // Every bar inside the calendar's range lies in [lo, hi]: one list of those sessions answers both
  // "is this bar on a session" and "which session has no bar".
  const sessions = lo <= hi ? sessionsBetween(lo, hi) : [];
  const isSession = new Set(sessions);
  const have = new Set<string>();
  for (const b of bars) {
    have.add(b.date);
    if (inRange(b.date) && !isSession.has(b.date)) add('non_trading_day', b.date, 'bar on a day the NYSE was closed');
    if (!(b.open > 0 && b.high > 0 && b.low > 0 && b.close > 0 && b.adjClose > 0)) add('bad_ohlc', b.date, `non-positive price (O ${b.open} H ${b.high} L ${b.low} C ${b.close} adj ${b.adjClose})`);
    else if (b.low > b.high * (1 + 1e-9) || b.open > b.high * (1 + 1e-6) || b.open < b.low * (1 - 1e-6) || b.close > b.high * (1 + 1e-6) || b.close < b.low * (1 - 1e-6)) {
      add('bad_ohlc', b.date, `inconsistent OHLC (O ${b.open} H ${b.high} L ${b.low} C ${b.close})`);
    }
  }
  for (const s of sessions) if (!have.has(s)) add('missing_session', s, 'NYSE session with no bar');

  if (opts.unadjusted) {
    add('unadjusted', from, 'imported without adjusted prices (adjusted close = raw close): returns across splits and dividends are wrong; import a file with an Adj Close column');
  }
  // Split-like first, by ratio whatever the size: a 2:1 split on a down day is -49.6%, under any
  // "large move" threshold; a 3:2 split is only -33%.
  let largeMoves = 0;
  for (let i = 1; i < bars.length; i++) {
    const ratio = bars[i].adjClose / bars[i - 1].adjClose;
    const r = ratio - 1;
    const split = splitLikeRatio(ratio, opts.splitTolerance);
    if (Math.abs(r) > largeMove) largeMoves++;
    if (split) add('split_like', bars[i].date, `adjusted close moved ${(r * 100).toFixed(1)}% in one session, the ratio of a ${split.label} ${split.factor > 1 ? 'split' : 'reverse split'}: possible unadjusted split`);
    else if (Math.abs(r) > largeMove) add('large_move', bars[i].date, `adjusted close moved ${(r * 100).toFixed(1)}% in one session: check for an unadjusted corporate action`);
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
    missingSessions: count('missing_session'), nonTradingDayBars: count('non_trading_day'), badOhlc: count('bad_ohlc'), largeMoves,
    splitLike: count('split_like'), unadjusted: opts.unadjusted ?? false,
    stale, ok: false, issues,
  };
  report.ok = report.missingSessions === 0 && report.nonTradingDayBars === 0 && report.badOhlc === 0 && report.largeMoves === 0 && report.splitLike === 0 && !report.unadjusted;
  return report;
}
