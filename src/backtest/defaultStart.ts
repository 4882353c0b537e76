/**
 * Where a backtest starts when no --from is given: the first session on which the regime is known
 * and the universe can fill its book (enough members with a full 52-week-high history). Starting
 * earlier (on SPY's first bar, years before the stocks) measures mostly cash, not the strategy.
 */
import type { Panel } from '../data/panel.js';
import type { RegimeSeries, UniverseLike } from './engine.js';

export interface DefaultStart {
  /** The first session meeting both conditions (the last panel date when none does). */
  date: string;
  /** First date with a known regime, or null when no regime series was available. */
  regimeFrom: string | null;
  /** First session on which `members` universe members have `lookback` sessions of history. */
  historyFrom: string | null;
  members: number;
  lookback: number;
  /** One sentence for the terminal and the report. */
  reason: string;
}

export function defaultBacktestStart(
  panel: Panel,
  regimes: RegimeSeries | null,
  options: { lookback: number; topN: number; universe?: UniverseLike | null },
): DefaultStart {
  const { dates } = panel;
  const n = dates.length;
  const { lookback, topN } = options;
  const universe = options.universe ?? null;
  const candidates = universe ? new Set(universe.symbols) : null;

  // The date index at which each candidate completes `lookback` bars (-1 = never).
  const ready: { symbol: string; at: number }[] = [];
  panel.symbols.forEach((symbol, s) => {
    if (candidates && !candidates.has(symbol)) return;
    let count = 0;
    for (let d = 0; d < n; d++) {
      const k = s * n + d;
      if (panel.close[k] > 0 && panel.adjClose[k] > 0) count++;
      if (count === lookback) {
        ready.push({ symbol, at: d });
        return;
      }
    }
  });
  const members = Math.min(topN, ready.length);
  let historyAt = -1;
  if (members > 0) {
    for (let d = 0; d < n && historyAt < 0; d++) {
      let have = 0;
      for (const r of ready) if (r.at <= d && (!universe || universe.isMember(r.symbol, dates[d]))) have++;
      if (have >= members) historyAt = d;
    }
  }
  const regimeFrom = regimes ? (regimes.dates[regimes.regimes.findIndex((r) => r !== null)] ?? null) : null;
  let at = historyAt < 0 ? n - 1 : historyAt;
  if (regimeFrom !== null) while (at < n - 1 && dates[at] < regimeFrom) at++;
  const historyFrom = historyAt < 0 ? null : dates[historyAt];
  const parts = [
    regimes ? (regimeFrom ? `the regime is known (from ${regimeFrom})` : 'the regime is known (never, in this data)') : null,
    historyFrom
      ? `${members} universe member${members === 1 ? '' : 's'} ${members === 1 ? 'has' : 'have'} ${lookback} sessions of history (from ${historyFrom})`
      : `the universe has ${lookback} sessions of history (never, in this data)`,
  ].filter(Boolean);
  return {
    date: dates[at],
    regimeFrom,
    historyFrom,
    members,
    lookback,
    reason: `${dates[at]} is the first session on which ${parts.join(' and ')}; --from overrides it`,
  };
}
