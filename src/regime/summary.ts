import { REGIMES, type Regime, type RegimeHistory } from './types.js';

export type RegimeCounts = Record<Regime, number> & { none: number };

export interface RegimeSummary {
  from: string;
  to: string;
  /** Sessions in [from, to] (inclusive), with and without a regime. */
  days: number;
  classifiedDays: number;
  counts: RegimeCounts;
  /** Shares of the classified days (NaN when none is classified). */
  crashShare: number;
  crashOrBearShare: number;
  firstCrash: string | null;
  longestCrashRun: { days: number; start: string; end: string } | null;
  byYear: Record<string, RegimeCounts>;
}

function emptyCounts(): RegimeCounts {
  return { TREND_BULL: 0, TREND_NEUTRAL: 0, TREND_BEAR: 0, CRASH: 0, none: 0 };
}

/** Counts and CRASH statistics over the sessions with from <= date <= to (ISO dates, inclusive). */
export function summariseRegimes(history: RegimeHistory, from: string, to: string): RegimeSummary {
  const counts = emptyCounts();
  const byYear: Record<string, RegimeCounts> = {};
  let days = 0;
  let firstCrash: string | null = null;
  let run = 0;
  let runStart = '';
  let best: RegimeSummary['longestCrashRun'] = null;
  for (let i = 0; i < history.dates.length; i++) {
    const date = history.dates[i];
    if (date < from || date > to) continue;
    days++;
    const r = history.regime[i];
    const key = r ?? 'none';
    counts[key]++;
    const year = date.slice(0, 4);
    byYear[year] ??= emptyCounts();
    byYear[year][key]++;
    if (r === 'CRASH') {
      if (firstCrash === null) firstCrash = date;
      if (run === 0) runStart = date;
      run++;
      if (best === null || run > best.days) best = { days: run, start: runStart, end: date };
    } else {
      run = 0;
    }
  }
  const classifiedDays = REGIMES.reduce((s, r) => s + counts[r], 0);
  return {
    from,
    to,
    days,
    classifiedDays,
    counts,
    crashShare: classifiedDays > 0 ? counts.CRASH / classifiedDays : NaN,
    crashOrBearShare: classifiedDays > 0 ? (counts.CRASH + counts.TREND_BEAR) / classifiedDays : NaN,
    firstCrash,
    longestCrashRun: best,
    byYear,
  };
}
