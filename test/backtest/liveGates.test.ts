import { describe, expect, it } from 'vitest';
import { runBacktest, type RegimeSeries } from '../../src/backtest/engine.js';
import { syntheticPanel, weekdays } from '../../src/backtest/synthetic.js';
import { liveGateFailures } from '../../src/backtest/compare.js';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { rawPricesOf } from '../../src/backtest/rawPrices.js';
import { renderReport } from '../../src/backtest/report/html.js';
import { panelFromBars } from '../../src/data/panel.js';

/** The backtest evaluates the live gates on each rebalance batch (reported, not enforced). */
describe('live gates in the backtest', () => {
  const panel = syntheticPanel({ symbols: 12, sessions: 700, seed: 5, drift: 0.001 });

  it('reports seven verdicts per rebalance; three names of 33% each warn on position size', () => {
    const r = runBacktest(panel, null, { topN: 3, minDistance: 0.5, rebalance: 'quarterly' });
    const traded = r.rebalances.filter((b) => b.chosen.length === 3);
    expect(traded.length).toBeGreaterThan(0);
    for (const b of r.rebalances) expect(b.gates).toHaveLength(7);
    // 1/3 of equity per name > the 15% position limit: gate 3 warns, nothing fails.
    expect(traded[0].gates![2]).toBe('WARN');
    for (const b of r.rebalances) expect(b.gates).not.toContain('FAIL');
  });

  it('ten names of 10% pass every gate, and the verdicts do not change the equity', () => {
    const a = runBacktest(panel, null, { topN: 10, minDistance: 0.5, rebalance: 'quarterly' });
    const first = a.rebalances.find((b) => b.chosen.length === 10)!;
    expect(first.gates).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    const b = runBacktest(panel, null, { topN: 10, minDistance: 0.5, rebalance: 'quarterly' });
    expect(Array.from(b.equity)).toEqual(Array.from(a.equity));
  });

  it('whole shares are checked as whole shares (gate 1 passes)', () => {
    const r = runBacktest(panel, null, { topN: 5, minDistance: 0.5, wholeShares: true, rebalance: 'quarterly' });
    for (const b of r.rebalances) expect(b.gates![0]).toBe('PASS');
  });
});


describe('live gates see the real regime, raw prices, and keep their reasons', () => {
  const panel = syntheticPanel({ symbols: 12, sessions: 700, seed: 5, drift: 0.001 });

  it('gate 7 checks the regime of the rebalance date, not a hard-coded TREND_BULL', () => {
    const regimes: RegimeSeries = { dates: panel.dates, regimes: panel.dates.map(() => 'TREND_BEAR' as const) };
    const r = runBacktest(panel, regimes, { topN: 10, minDistance: 0.5, rebalance: 'quarterly', regimeMode: 'rebalance' });
    for (const b of r.rebalances) {
      expect(b.gateReasons).toHaveLength(7);
      expect(b.gateReasons![6]).toMatch(/^regime TREND_BEAR: .*target 30\.00%/);
    }
  });

  it('a baseline buying in CRASH fails gate 7 with the reason a live run would give', () => {
    const regimes: RegimeSeries = { dates: panel.dates, regimes: panel.dates.map(() => 'CRASH' as const) };
    const r = runBacktest(panel, regimes, { topN: 10, minDistance: 0.5, rebalance: 'quarterly', regimeMode: 'off' });
    const buying = r.rebalances.find((b) => b.chosen.length > 0)!;
    expect(buying.gates![6]).toBe('FAIL');
    expect(buying.gateReasons![6]).toMatch(/regime CRASH: only sells pass/);
    // The baseline still applied no regime: its equity is the same as without a series.
    expect(Array.from(r.equity)).toEqual(Array.from(runBacktest(panel, null, { topN: 10, minDistance: 0.5, rebalance: 'quarterly' }).equity));
    const cmp = { name: 'baseline' as const, mode: 'off' as const, result: r, metrics: computeMetrics({ dates: r.dates, equity: r.equity }) };
    const lines = liveGateFailures(cmp);
    expect(lines.length).toBe(r.rebalances.filter((b) => b.gates!.includes('FAIL')).length);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d gate 7 \(regime compliance\) FAIL: regime CRASH: only sells pass/);
    const html = renderReport({ runs: [cmp], benchmark: null }, { title: 't', universe: { name: 'u', description: 'd', missing: [] }, settings: {} });
    expect(html).toContain('<span class="fail" title="regime CRASH: only sells pass');
    expect(html).toMatch(/G7 FAIL<\/span> <span class="why">regime CRASH: only sells pass/);
  });

  it('the $5 floor is checked on raw closes rebuilt from the split history', () => {
    // One stock trading at $40-$60 raw that split 20:1 near the end; its stored closes are split-adjusted ($2-$3).
    const dates = weekdays('2020-01-01', 300);
    const splitDate = dates[280];
    const bars = dates.map((date, i) => {
      const px = 2 + i / 300;
      return { date, open: px, high: px, low: px, close: px, adjClose: px, volume: 1e6 };
    });
    const p = panelFromBars([{ symbol: 'A', bars }]);
    const config = { topN: 1, minDistance: 0.5, lookback: 20, rebalance: 'monthly' as const };
    const before = runBacktest(p, null, config);
    expect(before.rebalances[1].gates![5]).toBe('FAIL');
    expect(before.rebalances[1].gateReasons![5]).toMatch(/A: last price \$2\.\d\d < \$5\.00 \(penny stock\)/);

    const closes = Array.from(p.close);
    const raw = rawPricesOf(p, () => ({ source: 'yahoo', actions: [{ date: splitDate, splitFactor: 20, dividend: 0 }] }));
    // Undoing a split works on a copy: the panel keeps its closes.
    expect(raw.close).not.toBe(p.close);
    expect(Array.from(p.close)).toEqual(closes);
    const after = runBacktest(p, null, { ...config, rawPrices: raw });
    expect(after.rebalances[1].gates![5]).toBe('PASS');
    expect(after.rebalances[1].gateReasons![5]).toMatch(/last price >= \$5\.00/);
    expect(Array.from(after.equity)).toEqual(Array.from(before.equity));

    // A raw series already shows the split as a 20x drop: nothing is undone.
    const rawBars = bars.map((b, i) => (i < 280 ? { ...b, open: b.open * 20, high: b.high * 20, low: b.low * 20, close: b.close * 20 } : b));
    const rp = panelFromBars([{ symbol: 'A', bars: rawBars }]);
    const same = rawPricesOf(rp, () => ({ source: 'tiingo', actions: [{ date: splitDate, splitFactor: 20, dividend: 0 }] }));
    expect(Array.from(same.close)).toEqual(Array.from(rp.close));

    // A CSV with no split history: the floor cannot be checked, which is a WARN that says so.
    const csv = rawPricesOf(p, () => ({ source: 'csv', actions: [] }));
    expect([...csv.basisUnknown]).toEqual(['A']);
    expect(csv.close).toBe(p.close); // nothing to undo: no copy
    const unknown = runBacktest(p, null, { ...config, rawPrices: csv });
    expect(unknown.rebalances[1].gates![5]).toBe('WARN');
    expect(unknown.rebalances[1].gateReasons![5]).toMatch(/may be split-adjusted \(no split history in the store\), so the \$5 floor cannot be checked/);
  });
});
