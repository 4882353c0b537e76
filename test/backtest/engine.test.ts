import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { panelFromBars, type Panel } from '../../src/data/panel.js';
import { alignRegimes, prepareFor, rebalancePeriodKey, runBacktest, type BacktestConfig, type RegimeSeries } from '../../src/backtest/engine.js';
import { syntheticPanel, syntheticRegimes, weekdays } from '../../src/backtest/synthetic.js';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { precomputeMomentum } from '../../src/selection/momentum52w.js';
import { AtlasError } from '../../src/core/errors.js';
import type { Regime } from '../../src/portfolio/allocation.js';

type B = { date: string; open: number; high: number; low: number; close: number; adjClose: number; volume: number };
const bar = (date: string, open: number, close: number, adj = close): B => ({ date, open, high: Math.max(open, close), low: Math.min(open, close), close, adjClose: adj, volume: 1000 });

/** A: opens/closes given; every bar is its own 1-bar high window with lookback 1. */
function onePanel(rows: [open: number, close: number][], dates = weekdays('2020-03-02', rows.length)): Panel {
  return panelFromBars([{ symbol: 'A', bars: rows.map(([o, c], i) => bar(dates[i], o, c)) }]);
}
const NO_COST: BacktestConfig = { lookback: 1, minDistance: 0.5, topN: 1, commissionBps: 0, slippageBps: 0 };

describe('engine: hand-checked fills and costs', () => {
  it('fill close without costs: equity tracks the adjusted close from day 0', () => {
    const p = onePanel([[10, 10], [10, 11], [11, 12.1], [12, 11]]);
    const r = runBacktest(p, null, { ...NO_COST, fill: 'close' });
    // 100,000 / 10 = 10,000 shares (x (1 - 1e-12) safety) -> 110,000, 121,000, 110,000
    [100_000, 110_000, 121_000, 110_000].forEach((v, i) => expect(r.equity[i]).toBeCloseTo(v, 4));
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ date: p.dates[0], side: 'buy', intent: 'OPEN', price: 10 });
    expect(r.exposure[1]).toBeCloseTo(1, 9);
  });

  it('fill close with 10 bps slippage and 10 bps commission', () => {
    const p = onePanel([[10, 10], [10, 10]]);
    const r = runBacktest(p, null, { ...NO_COST, fill: 'close', commissionBps: 10, slippageBps: 10 });
    // The plan reserves (1.001 x 1.001 - 1) = 20.01 bps: qty = 100,000 / (10 x 1.002001) = 9,980.03 shares
    // bought at 10.01 (+ 0.1% commission), worth 9,980.03 x 10 = 99,800.3 at the close.
    expect(r.equity[0]).toBeCloseTo(100_000 / 1.002001, 3);
    expect(r.trades[0].price).toBeCloseTo(10.01, 12);
    expect(r.trades[0].commission).toBeCloseTo(r.trades[0].notional * 0.001, 9);
    expect(r.trades[0].slippage).toBeCloseTo(r.trades[0].qty * 10 * 0.001, 9);
    expect(r.cash[0]).toBeGreaterThanOrEqual(0);
    expect(r.cash[0]).toBeLessThan(1e-6);
  });

  it('fill open: decided at close t, executed at the next open, re-sized down to the cash on hand', () => {
    // Close 10 on day 0 plans 10,000 shares; day 1 opens at 11: 110,000 > 100,000 cash, so the buy is
    // re-sized to 100,000 / 11 = 9,090.909 shares; equity at close 12 = 109,090.9.
    const up = runBacktest(onePanel([[10, 10], [11, 12], [12, 12]]), null, NO_COST);
    expect(up.equity[0]).toBe(100_000);
    expect(up.equity[1]).toBeCloseTo((100_000 / 11) * 12, 3);
    expect(up.trades[0]).toMatchObject({ side: 'buy', price: 11 });
    // Opening at 9 instead: the planned 10,000 shares cost 90,000, never more than planned; 10,000 cash stays.
    const down = runBacktest(onePanel([[10, 10], [9, 12], [12, 12]]), null, NO_COST);
    expect(down.trades[0].qty).toBeCloseTo(10_000, 6);
    expect(down.equity[1]).toBeCloseTo(10_000 * 12 + 10_000, 3);
    // A decision on the last day has no next open: nothing executes.
    expect(runBacktest(onePanel([[10, 10]]), null, NO_COST).trades).toHaveLength(0);
  });

  it('whole shares: buys rounded down, cash keeps the rest', () => {
    const r = runBacktest(onePanel([[30, 30], [30, 30]]), null, { ...NO_COST, fill: 'close', wholeShares: true });
    // floor(100,000 / 30) = 3,333 shares = 99,990; 10 cash left.
    expect(r.trades[0].qty).toBe(3333);
    expect(r.cash[0]).toBeCloseTo(10, 9);
  });

  it('values with adjusted prices: a dividend (adjusted history below raw) is total return', () => {
    // Raw close 10 then 10 (dividend 0.1 paid: adjusted day-0 close is 9.9), adjusted return 10/9.9 - 1.
    const dates = weekdays('2020-03-02', 2);
    const p = panelFromBars([{ symbol: 'A', bars: [bar(dates[0], 10, 10, 9.9), bar(dates[1], 10, 10, 10)] }]);
    const r = runBacktest(p, null, { ...NO_COST, fill: 'close' });
    expect(r.equity[1] / r.equity[0]).toBeCloseTo(10 / 9.9, 9);
  });

  it('keeps the last price through a missing bar and liquidates a symbol that never trades again', () => {
    const dates = weekdays('2020-03-02', 6);
    const p = panelFromBars([
      { symbol: 'A', bars: [bar(dates[0], 10, 10), bar(dates[2], 10, 12), bar(dates[3], 12, 11)] },
      { symbol: 'Z', bars: dates.map((d) => bar(d, 1, 1)) },
    ]);
    const r = runBacktest(p, null, { ...NO_COST, fill: 'close', universe: { symbols: ['A'], isMember: (s) => s === 'A' } });
    // 10,000 shares: day 1 (no bar) keeps 10 -> 100,000; day 2 -> 120,000; day 3 -> 110,000;
    // day 4 is past A's last bar: sold at its last price 11 -> 110,000 cash from then on.
    [100_000, 100_000, 120_000, 110_000, 110_000, 110_000].forEach((v, i) => expect(r.equity[i]).toBeCloseTo(v, 4));
    expect(r.trades[1]).toMatchObject({ date: dates[4], intent: 'LIQUIDATE', side: 'sell', price: 11 });
    expect(r.closedPositions).toHaveLength(1);
    expect(r.closedPositions[0].pnl).toBeCloseTo(10_000, 3);
    expect(r.exposure[5]).toBe(0);
  });
});

describe('engine: unfilled orders and intents', () => {
  it('an order for a symbol without a bar on the execution day is not filled and is listed', () => {
    const dates = weekdays('2020-03-02', 3);
    const p = panelFromBars([
      { symbol: 'A', bars: [bar(dates[0], 10, 10), bar(dates[2], 10, 10)] },
      { symbol: 'Z', bars: dates.map((d) => bar(d, 1, 1)) },
    ]);
    const r = runBacktest(p, null, { ...NO_COST, universe: { symbols: ['A'], isMember: () => true } });
    expect(r.unfilled).toEqual([{ date: dates[1], symbol: 'A', side: 'buy', qty: 10_000, reason: 'no bar' }]);
    expect([...r.equity]).toEqual([100_000, 100_000, 100_000]);
  });

  it('records OPEN, ADJUST and CLOSE trades over monthly rebalances', () => {
    const p = syntheticPanel({ symbols: 12, sessions: 400, seed: 5, drift: 0.001 });
    const r = runBacktest(p, null, { lookback: 40, rebalance: 'monthly', topN: 3, minDistance: 0.7 });
    const intents = new Set(r.trades.map((t) => t.intent));
    expect([...intents].sort()).toEqual(['ADJUST', 'CLOSE', 'OPEN']);
    for (const t of r.trades) {
      expect(t.notional).toBeCloseTo(t.qty * t.price, 6);
      expect(t.cost).toBeCloseTo(t.commission + t.slippage, 9);
    }
    for (const c of r.cash) expect(c).toBeGreaterThanOrEqual(0);
    expect(r.closedPositions.length).toBeGreaterThan(0);
  });
});

describe('engine: schedule and regimes', () => {
  it('rebalance period keys: first session on/after Feb 1 and Aug 1, quarters, months', () => {
    const k = (d: string) => rebalancePeriodKey(d, 'semiannual');
    expect(k('2020-01-31')).not.toBe(k('2020-02-03'));
    expect(k('2020-02-03')).toBe(k('2020-07-31'));
    expect(k('2020-07-31')).not.toBe(k('2020-08-03'));
    expect(k('2020-08-03')).toBe(k('2021-01-29'));
    expect(rebalancePeriodKey('2020-03-31', 'quarterly')).not.toBe(rebalancePeriodKey('2020-04-01', 'quarterly'));
    expect(rebalancePeriodKey('2020-04-01', 'quarterly')).toBe(rebalancePeriodKey('2020-06-30', 'quarterly'));
    expect(rebalancePeriodKey('2020-04-30', 'monthly')).not.toBe(rebalancePeriodKey('2020-05-01', 'monthly'));
  });

  it('rebalances on the first session of the run and each new period', () => {
    const p = syntheticPanel({ symbols: 3, sessions: 320, seed: 7, startDate: '2019-12-02' });
    const dates = (freq: 'semiannual' | 'quarterly') => runBacktest(p, null, { lookback: 5, rebalance: freq }).rebalances.map((x) => x.date);
    expect(dates('semiannual')).toEqual(['2019-12-02', '2020-02-03', '2020-08-03', '2021-02-01']);
    expect(dates('quarterly')).toEqual(['2019-12-02', '2020-01-01', '2020-04-01', '2020-07-01', '2020-10-01', '2021-01-01']);
  });

  it("regime 'daily' re-targets the chosen names when the allocation changes; 'rebalance' waits", () => {
    const dates = weekdays('2020-03-02', 5);
    const p = panelFromBars(['A', 'B'].map((symbol) => ({ symbol, bars: dates.map((d) => bar(d, 10, 10)) })));
    const regimes: RegimeSeries = { dates, regimes: ['TREND_BULL', 'TREND_BULL', 'TREND_BEAR', 'TREND_BEAR', 'CRASH'] };
    const cfg: BacktestConfig = { ...NO_COST, topN: 2, fill: 'close' };
    const daily = runBacktest(p, regimes, { ...cfg, regimeMode: 'daily' });
    expect([...daily.allocation]).toEqual([1, 1, 0.3, 0.3, 0]);
    expect(daily.exposure[2]).toBeCloseTo(0.3, 9);
    expect(daily.exposure[4]).toBe(0);
    expect(daily.rebalances.map((x) => [x.kind, x.regime, x.allocation])).toEqual([
      ['rebalance', 'TREND_BULL', 1],
      ['regime', 'TREND_BEAR', 0.3],
      ['regime', 'CRASH', 0],
    ]);
    expect(daily.regime).toEqual(['TREND_BULL', 'TREND_BULL', 'TREND_BEAR', 'TREND_BEAR', 'CRASH']);
    const atRebalance = runBacktest(p, regimes, { ...cfg, regimeMode: 'rebalance' });
    expect([...atRebalance.allocation]).toEqual([1, 1, 1, 1, 1]);
    const off = runBacktest(p, null, cfg);
    expect(off.regime).toEqual([null, null, null, null, null]);
  });

  it('a null regime means allocation 1.0 and is flagged', () => {
    const dates = weekdays('2020-03-02', 3);
    const p = onePanel([[10, 10], [10, 10], [10, 10]], dates);
    const r = runBacktest(p, { dates, regimes: [null, null, 'TREND_BEAR'] as (Regime | null)[] }, { ...NO_COST, regimeMode: 'daily', fill: 'close' });
    expect([...r.allocation]).toEqual([1, 1, 0.3]);
    expect(r.daysWithoutRegime).toBe(2);
    expect(r.warnings.join(' ')).toMatch(/2 days ran with no regime known/);
  });

  it('aligns regimes as of each session date', () => {
    expect(alignRegimes(['2020-01-01', '2020-01-02', '2020-01-05'], { dates: ['2020-01-02', '2020-01-04'], regimes: ['CRASH', 'TREND_BULL'] })).toEqual([null, 'CRASH', 'TREND_BULL']);
    expect(() => alignRegimes(['2020-01-01'], { dates: ['2020-01-02', '2020-01-01'], regimes: [null, null] })).toThrow(AtlasError);
  });

  it('rejects bad configurations with one-sentence AtlasErrors', () => {
    const p = onePanel([[10, 10]]);
    expect(() => runBacktest(p, null, { topN: 0 })).toThrow(/topN/);
    expect(() => runBacktest(p, null, { regimeMode: 'daily' })).toThrow(/needs a regime series/);
    expect(() => runBacktest(p, null, { from: '2030-01-01' })).toThrow(AtlasError);
  });
});

function truncate(panel: Panel, last: number): Panel {
  const n = panel.dates.length;
  const cut = (f: Float64Array) => {
    const out = new Float64Array((last + 1) * panel.symbols.length);
    for (let s = 0; s < panel.symbols.length; s++) out.set(f.subarray(s * n, s * n + last + 1), s * (last + 1));
    return out;
  };
  return {
    dates: panel.dates.slice(0, last + 1),
    dayNumbers: panel.dayNumbers.slice(0, last + 1),
    symbols: panel.symbols,
    open: cut(panel.open), high: cut(panel.high), low: cut(panel.low), close: cut(panel.close), adjClose: cut(panel.adjClose), volume: cut(panel.volume),
  };
}

describe('engine: determinism and no look-ahead', () => {
  it('is deterministic and reuses a precomputation without changing results', () => {
    const p = syntheticPanel({ symbols: 20, sessions: 400, seed: 3 });
    const rs = syntheticRegimes(p.dates, 4, 30);
    const cfg: BacktestConfig = { lookback: 60, rebalance: 'monthly', regimeMode: 'daily' };
    const a = runBacktest(p, rs, cfg);
    const b = runBacktest(p, rs, cfg);
    expect(b).toEqual(a);
    const withPre = runBacktest(p, rs, { ...cfg, precomputed: precomputeMomentum(p, 60) });
    expect(withPre).toEqual(a);
    // A precomputation for another lookback is not used (it would give other highs).
    expect(runBacktest(p, rs, { ...cfg, precomputed: precomputeMomentum(p, 20) })).toEqual(a);
    expect(a.trades.length).toBeGreaterThan(0);
  });

  it('a preparation ranked for a smaller topN is not reused by a run that picks more names', () => {
    const p = syntheticPanel({ symbols: 30, sessions: 400, seed: 5 });
    const cfg: BacktestConfig = { lookback: 60, rebalance: 'monthly', minDistance: 0.5 };
    const shallow = prepareFor(p, { ...cfg, topN: 2 });
    expect(shallow.depth).toBe(2);
    const fresh = runBacktest(p, null, { ...cfg, topN: 8 });
    expect(runBacktest(p, null, { ...cfg, topN: 8, prepared: shallow })).toEqual(fresh);
    expect(Math.max(...fresh.rebalances.map((r) => r.chosen.length))).toBeGreaterThan(2);
    expect(runBacktest(p, null, { ...cfg, topN: 2, prepared: shallow })).toEqual(runBacktest(p, null, { ...cfg, topN: 2 }));
  });

  it('a run on data truncated at a cut equals the full run up to the day before the cut', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1e6 }),
          cutFrac: fc.double({ min: 0.2, max: 0.95, noNaN: true }),
          fill: fc.constantFrom('open', 'close') as fc.Arbitrary<'open' | 'close'>,
          regimeMode: fc.constantFrom('off', 'rebalance', 'daily') as fc.Arbitrary<'off' | 'rebalance' | 'daily'>,
          rebalance: fc.constantFrom('monthly', 'quarterly') as fc.Arbitrary<'monthly' | 'quarterly'>,
          volumeFilter: fc.boolean(),
          wholeShares: fc.boolean(),
        }),
        (s) => {
          const p = syntheticPanel({ symbols: 6, sessions: 200, seed: s.seed, lateListingProb: 0.3, delistProb: 0.2, drift: 0.002 });
          const rs = syntheticRegimes(p.dates, s.seed, 10, 0.9);
          const cfg: BacktestConfig = { lookback: 20, volumeWindow: 5, topN: 3, minDistance: 0.8, ...s };
          const full = runBacktest(p, s.regimeMode === 'off' ? null : rs, cfg);
          const cut = Math.floor(s.cutFrac * (p.dates.length - 1));
          const part = runBacktest(truncate(p, cut), s.regimeMode === 'off' ? null : rs, cfg);
          // Day cut itself may differ only through the t+1 fill of a decision at the cut (nothing to
          // execute in the truncated run); every earlier day is identical bit for bit.
          expect([...part.equity.subarray(0, cut)]).toEqual([...full.equity.subarray(0, cut)]);
          if (s.fill === 'close') expect(part.equity[cut]).toBe(full.equity[cut]);
          const before = (t: { date: string }) => t.date < p.dates[cut];
          expect(part.trades.filter(before)).toEqual(full.trades.filter(before));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('metrics run on a result', () => {
    const p = syntheticPanel({ symbols: 30, sessions: 800, seed: 11 });
    const r = runBacktest(p, syntheticRegimes(p.dates, 12, 100), { lookback: 120, rebalance: 'quarterly', regimeMode: 'rebalance' });
    const m = computeMetrics(r);
    expect(m.orders).toBe(r.trades.length);
    expect(m.perRegime.reduce((a, x) => a + x.days, 0)).toBe(r.equity.length - 1);
    expect(Number.isFinite(m.sharpe)).toBe(true);
  });
});
