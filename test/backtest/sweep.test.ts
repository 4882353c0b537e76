import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fillPrices, runBacktest, runBacktestLean } from '../../src/backtest/engine.js';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { decisionDates } from '../../src/backtest/prepared.js';
import { gridPoints, prepareSweep, runSweep, runSweepWithReturns, sweepConfig, type SweepFixed } from '../../src/backtest/sweep.js';
import { closeSweepThreads } from '../../src/backtest/sweepPool.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import { DEFAULT_ALLOCATION } from '../../src/portfolio/allocation.js';
import { referenceBacktest } from './referenceSimulator.js';

const panel = syntheticPanel({ symbols: 14, sessions: 700, seed: 77, lateListingProb: 0.3, delistProb: 0.2, gapProb: 0.01, drift: 0.001, startDate: '2015-01-02' });
const regimes = syntheticRegimes(panel.dates, 78, 30, 0.9);
const points = gridPoints({ topN: [2, 4], minDistance: [0.8, 0.95], rebalance: ['quarterly', 'monthly'], regimeMode: ['off', 'daily'] });
const fixed: SweepFixed = { lookback: 60, from: panel.dates[100], wholeShares: true, minNotional: 50 };

/** The metrics of one configuration run alone, as `atlas backtest` would compute them. */
function alone(i: number) {
  const p = points[i];
  const r = runBacktest(panel, p.regimeMode === 'off' ? null : regimes, sweepConfig(p, fixed));
  // A sweep ranks on the curve, trades and closed positions (no per-regime split).
  return computeMetrics({ dates: r.dates, equity: r.equity, exposure: r.exposure, trades: r.trades, closedPositions: r.closedPositions });
}

describe('sweep: every configuration equals its run alone', () => {
  it('in this thread (workers: 0)', async () => {
    const results = await runSweep(panel, regimes, points, fixed, { workers: 0 });
    expect(results.map((r) => ({ topN: r.topN, minDistance: r.minDistance, rebalance: r.rebalance, regimeMode: r.regimeMode }))).toEqual(points);
    results.forEach((r, i) => expect(r.metrics).toEqual(alone(i)));
    expect(results.some((r) => r.metrics.orders > 0)).toBe(true);
  });

  it('on two worker threads, with daily returns that rebuild each equity curve', async () => {
    const { results, returns } = await runSweepWithReturns(panel, regimes, points, fixed, { workers: 2 });
    results.forEach((r, i) => expect(r.metrics).toEqual(alone(i)));
    const p = points[5];
    const eq = runBacktest(panel, p.regimeMode === 'off' ? null : regimes, sweepConfig(p, fixed)).equity;
    expect(returns[5].length).toBe(eq.length - 1);
    returns[5].forEach((x, k) => expect(x).toBe(eq[k + 1] / eq[k] - 1));
  }, 60_000);

  it('with a point-in-time universe', async () => {
    const mid = panel.dates[400];
    const isMember = (sym: string, date: string) => Number(sym.slice(1)) % 3 !== 0 || date >= mid;
    const results = await runSweep(panel, regimes, points, fixed, { workers: 0, isMember });
    results.forEach((r, i) => {
      const p = points[i];
      const one = runBacktest(panel, p.regimeMode === 'off' ? null : regimes, { ...sweepConfig(p, fixed), universe: { name: 'membership', symbols: panel.symbols, isMember } });
      expect(r.metrics).toEqual(computeMetrics({ dates: one.dates, equity: one.equity, exposure: one.exposure, trades: one.trades, closedPositions: one.closedPositions }));
    });
  });
});

describe('sweep worker threads kept between sweeps', () => {
  it('a failing configuration fails the sweep with its number; the threads are replaced and the next sweeps equal the runs alone', async () => {
    const byModel = { byModel: { 'sma10m': regimes } };
    const bad = points.map((p, i) => ({ ...p, regimeModel: i === 9 ? 'seed' : 'sma10m' }));
    await expect(runSweep(panel, byModel, bad, fixed, { workers: 2 })).rejects.toThrow(/Sweep configuration 10 failed: No regime series was computed for regime model "seed"/);
    // Twice on the same threads (the second from the pool), with fewer threads than before, then more.
    for (const workers of [2, 1, 3]) {
      const results = await runSweep(panel, regimes, points, fixed, { workers });
      results.forEach((r, i) => expect(r.metrics).toEqual(alone(i)));
    }
    await closeSweepThreads();
  }, 60_000);

  it('fill prices change no figure: a run with them equals the run without, trades included', () => {
    const fills = fillPrices(panel);
    for (const i of [0, 5, 10, 15]) {
      const cfg = sweepConfig(points[i], fixed);
      const series = points[i].regimeMode === 'off' ? null : regimes;
      const a = runBacktest(panel, series, cfg);
      const b = runBacktest(panel, series, { ...cfg, fillPrices: fills });
      expect(b.equity).toEqual(a.equity);
      expect(b.trades).toEqual(a.trades);
      expect(b.unfilled).toEqual(a.unfilled);
    }
    // Made once per panel.
    expect(fillPrices(panel)).toBe(fills);
  });
});

describe('sweep over regime models', () => {
  it('runs each point on its model\'s series (one series per model, shared), in this thread and on a worker', async () => {
    const other = syntheticRegimes(panel.dates, 99, 30, 0.8);
    const byModel = { byModel: { 'sma10m': regimes, 'jm-online': other } };
    const both = [...points.map((p) => ({ ...p, regimeModel: 'sma10m' })), ...points.map((p) => ({ ...p, regimeModel: 'jm-online' }))];
    const inThread = await runSweep(panel, byModel, both, fixed, { workers: 0 });
    const onWorker = await runSweep(panel, byModel, both, fixed, { workers: 1 });
    const first = await runSweep(panel, regimes, points, fixed, { workers: 0 });
    const second = await runSweep(panel, other, points, fixed, { workers: 0 });
    const expected = [...first, ...second].map((r) => r.metrics);
    expect(inThread.map((r) => r.metrics)).toEqual(expected);
    expect(onWorker.map((r) => r.metrics)).toEqual(expected);
    expect(inThread.map((r) => r.regimeModel)).toEqual(both.map((p) => p.regimeModel));
    // The models differ, so some regime-applying point differs between them.
    expect(second.some((r, i) => r.regimeMode !== 'off' && r.metrics.totalReturn !== first[i].metrics.totalReturn)).toBe(true);
    await expect(runSweep(panel, byModel, [{ ...points[1], regimeModel: 'seed' }], fixed, { workers: 0 })).rejects.toThrow(/No regime series was computed for regime model "seed"/);
  }, 60_000);
});

describe('array engine on a shared preparation vs the reference simulator', () => {
  it('agrees to 1e-9 on equity and on the order count, whatever the grid the preparation was made for', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1e6 }),
          topN: fc.integer({ min: 1, max: 5 }),
          minDistance: fc.constantFrom(0.6, 0.85, 0.95),
          floor: fc.constantFrom(0.5, 0.6),
          rebalance: fc.constantFrom('semiannual', 'quarterly', 'monthly') as fc.Arbitrary<'semiannual' | 'quarterly' | 'monthly'>,
          regimeMode: fc.constantFrom('off', 'rebalance', 'daily') as fc.Arbitrary<'off' | 'rebalance' | 'daily'>,
          fill: fc.constantFrom('open', 'close') as fc.Arbitrary<'open' | 'close'>,
          wholeShares: fc.boolean(),
          minNotional: fc.constantFrom(0, 500),
          fromFrac: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        (s) => {
          const p = syntheticPanel({ symbols: 7, sessions: 260, seed: s.seed, lateListingProb: 0.3, delistProb: 0.3, gapProb: 0.02, drift: 0.002, startDate: '2018-11-01' });
          const rs = syntheticRegimes(p.dates, s.seed + 1, 20, 0.9);
          const from = p.dates[Math.floor(s.fromFrac * (p.dates.length - 1))];
          const common = { topN: s.topN, minDistance: s.minDistance, rebalance: s.rebalance, regimeMode: s.regimeMode, fill: s.fill, wholeShares: s.wholeShares, minNotional: s.minNotional, lookback: 20, from };
          // A preparation made for a whole grid: every frequency and a lower distance floor.
          const grid = gridPoints({ topN: [1], minDistance: [s.floor], rebalance: ['semiannual', 'quarterly', 'monthly'], regimeMode: ['off'] });
          const prepared = prepareSweep(p, grid.map((point) => ({ point })), { lookback: 20, from }, null);
          const regime = s.regimeMode === 'off' ? null : rs;
          const lean = runBacktestLean(p, regime, { ...common, prepared, requirePrepared: true });
          const ref = referenceBacktest(p, regime, {
            ...common, to: p.dates[p.dates.length - 1], volumeFilter: false, volumeMultiplier: 1.25, volumeWindow: 20, initialCash: 100_000,
            allocation: DEFAULT_ALLOCATION, commissionBps: 10, slippageBps: 10, cashRate: 0,
          });
          expect(lean.equity.length).toBe(ref.equity.length);
          ref.equity.forEach((v, i) => {
            if (Math.abs(lean.equity[i] - v) > 1e-9 * Math.max(1, Math.abs(v))) throw new Error(`day ${i}: ${lean.equity[i]} vs ${v}`);
          });
          expect(lean.totals.orders).toBe(ref.tradeCount);
        },
      ),
      { numRuns: 80, seed: 424242 },
    );
  });
});

describe('rebalance-day offsets', () => {
  it('decide the offset-th session of each period after the first session of the run', () => {
    const dates = ['2020-01-30', '2020-01-31', '2020-02-03', '2020-02-04', '2020-02-05', '2020-03-02', '2020-03-03', '2020-04-01'];
    expect(decisionDates(dates, 0, 7, 'monthly', 0)).toEqual([0, 2, 5, 7]);
    expect(decisionDates(dates, 0, 7, 'monthly', 1)).toEqual([0, 3, 6]); // April has one session: no offset-1 day
    // Capped at the period's last session.
    expect(decisionDates(dates, 0, 7, 'monthly', 2)).toEqual([0, 4, 6]);
    expect(decisionDates(dates, 1, 4, 'quarterly', 0)).toEqual([1]);
  });

  it('offset 0 is the default schedule, and other offsets change the result', () => {
    const base = runBacktest(panel, null, { ...sweepConfig(points[2], fixed), liveGates: false });
    expect(runBacktest(panel, null, { ...sweepConfig(points[2], fixed, { offset: 0 }) })).toMatchObject({ equity: base.equity });
    const shifted = runBacktest(panel, null, sweepConfig(points[2], fixed, { offset: 5 }));
    expect(shifted.rebalances.slice(1).every((r) => !base.rebalances.some((b) => b.date === r.date))).toBe(true);
  });
});
