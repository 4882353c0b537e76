import { describe, expect, it } from 'vitest';
import { defaultBacktestStart } from '../../src/backtest/defaultStart.js';
import { weekdays } from '../../src/backtest/synthetic.js';
import { panelFromBars } from '../../src/data/panel.js';
import type { Regime } from '../../src/portfolio/allocation.js';

const dates = weekdays('2000-01-03', 400);
const series = (symbol: string, first: number) => ({
  symbol,
  bars: dates.slice(first).map((date) => ({ date, open: 10, high: 10, low: 10, close: 10, adjClose: 10, volume: 1 })),
});

describe('default backtest start', () => {
  // SPY-like A starts on day 0; B and C start on day 100 (the stocks start later than the index).
  const panel = panelFromBars([series('A', 0), series('B', 100), series('C', 100)]);
  const regimes = { dates, regimes: dates.map((_, i): Regime | null => (i < 150 ? null : 'TREND_BULL')) };

  it('is the first session with a known regime and enough members with a full history', () => {
    const s = defaultBacktestStart(panel, regimes, { lookback: 50, topN: 3 });
    // Three members are ready on day 149 (B and C: 50 bars from day 100); the regime from day 150.
    expect(s).toMatchObject({ date: dates[150], regimeFrom: dates[150], historyFrom: dates[149], members: 3 });
    expect(s.reason).toBe(`${dates[150]} is the first session on which the regime is known (from ${dates[150]}) and 3 universe members have 50 sessions of history (from ${dates[149]}); --from overrides it`);
  });

  it('history decides when the regime is known earlier, and topN caps the members needed', () => {
    const early = { dates, regimes: dates.map((): Regime => 'TREND_BULL') };
    expect(defaultBacktestStart(panel, early, { lookback: 50, topN: 3 }).date).toBe(dates[149]);
    expect(defaultBacktestStart(panel, early, { lookback: 50, topN: 1 }).date).toBe(dates[49]);
    expect(defaultBacktestStart(panel, null, { lookback: 50, topN: 10 })).toMatchObject({ date: dates[149], regimeFrom: null, members: 3 });
  });

  it('only universe members count, on the dates they are members', () => {
    const universe = { symbols: ['A', 'B'], isMember: (s: string, d: string) => s === 'A' || d >= dates[300] };
    expect(defaultBacktestStart(panel, null, { lookback: 50, topN: 2, universe }).date).toBe(dates[300]);
  });
});
