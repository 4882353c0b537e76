/**
 * Gate 7's cap in the backtest: the BUYs never take the book above the regime's allocation +
 * tolerance, measured as live gate 7 measures it (the exposure after the batch over the equity
 * before it, at the fill prices). Without the cap the engine's own orders pass it (trim SELLs
 * round down, opening gaps), which is what made live and backtest orders differ.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runBacktest, type BacktestResult } from '../../src/backtest/engine.js';
import { syntheticPanel, syntheticRegimes } from '../../src/backtest/synthetic.js';
import type { Panel } from '../../src/data/panel.js';
import { capExposure, planOrders } from '../../src/execution/orderPlan.js';
import { REGIME_ROOM_SLACK, regimeRoom, regimeScaleFactor } from '../../src/portfolio/buyScaling.js';

/** Per day with BUYs: the exposure after the fills and cap x the equity before the BUYs, both at the open. */
function buyDays(bt: BacktestResult, panel: Panel, tolerance: number): { date: string; after: number; limit: number }[] {
  const n = panel.dates.length;
  const col = new Map(panel.symbols.map((s, i) => [s, i]));
  const openOf = (sym: string, date: string): number => {
    const k = col.get(sym)! * n + panel.dates.indexOf(date);
    return panel.open[k] * (panel.adjClose[k] / panel.close[k]);
  };
  const held = new Map<string, number>();
  const out: { date: string; after: number; limit: number }[] = [];
  bt.dates.forEach((date, i) => {
    const today = bt.trades.filter((t) => t.date === date);
    for (const t of today) if (t.side === 'sell') held.set(t.symbol, (held.get(t.symbol) ?? 0) - t.qty);
    const buys = today.filter((t) => t.side === 'buy');
    if (buys.length > 0) {
      let before = 0;
      for (const [s, q] of held) before += q * openOf(s, date);
      const cashBefore = bt.cash[i] + buys.reduce((a, t) => a + t.notional + t.commission, 0);
      for (const t of buys) held.set(t.symbol, (held.get(t.symbol) ?? 0) + t.qty);
      let after = 0;
      for (const [s, q] of held) after += q * openOf(s, date);
      out.push({ date, after, limit: (bt.allocation[i - 1] + tolerance) * (cashBefore + before) });
    }
  });
  return out;
}

describe("backtest BUYs keep to gate 7's cap (allocation + tolerance)", () => {
  it('at every fill, for random panels in regime modes; uncapped, the same runs pass it', () => {
    let overUncapped = 0;
    let buyDaysSeen = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          symbols: fc.integer({ min: 3, max: 8 }),
          topN: fc.integer({ min: 1, max: 5 }),
          mode: fc.constantFrom('daily', 'rebalance') as fc.Arbitrary<'daily' | 'rebalance'>,
          wholeShares: fc.boolean(),
          slippageBps: fc.constantFrom(0, 10),
          commissionBps: fc.constantFrom(0, 10),
          tolerance: fc.constantFrom(0, 0.005, 0.02),
        }),
        (s) => {
          const panel = syntheticPanel({ symbols: s.symbols, sessions: 160, seed: s.seed, drift: 0.002, startDate: '2018-11-01' });
          const regimes = syntheticRegimes(panel.dates, s.seed + 1, 0, 0.9);
          const cfg = { topN: s.topN, lookback: 10, minDistance: 0.8, rebalance: 'monthly' as const, regimeMode: s.mode, wholeShares: s.wholeShares, slippageBps: s.slippageBps, commissionBps: s.commissionBps, initialCash: 20_000, liveGates: false };
          const capped = runBacktest(panel, regimes, { ...cfg, regimeTolerance: s.tolerance });
          for (const d of buyDays(capped, panel, s.tolerance)) {
            buyDaysSeen++;
            expect(d.after, d.date).toBeLessThanOrEqual(d.limit + 1e-6);
          }
          const uncapped = runBacktest(panel, regimes, { ...cfg, regimeTolerance: 0.99 });
          overUncapped += buyDays(uncapped, panel, s.tolerance).filter((d) => d.after > d.limit + 1e-6).length;
        },
      ),
      { numRuns: 60, seed: 20_191_002 },
    );
    expect(buyDaysSeen).toBeGreaterThan(100);
    expect(overUncapped).toBeGreaterThan(0);
  });

  it('capExposure: a trim rounds down and leaves A above its target; the BUY is scaled so the book ends at 70.5% at most', () => {
    // 70% in two names at 35% of $10,000 (35 shares at 100): A held 36.6 is trimmed by floor(1.6) = 1
    // share and keeps 35.6; C (not targeted) is sold; B is bought to its full target, 35.
    const holdings = new Map([['A', 36.6], ['C', 0.9]]);
    const prices = new Map([['A', 100], ['B', 100], ['C', 10]]);
    const plan = planOrders({ holdings, prices, cash: 10_000 - 3660 - 9, targetWeights: new Map([['A', 0.35], ['B', 0.35]]), wholeShares: true, minNotional: 0 });
    expect(plan.orders.map((o) => [o.side, o.symbol, o.qty])).toEqual([['sell', 'A', 1], ['sell', 'C', 0.9], ['buy', 'B', 35]]);
    // After the sells A keeps 35.6 (3,560) and B buys 35 (3,500): 70.60% > 70.5%.
    const capped = capExposure(plan, holdings, prices, 0.705, 0, true);
    const room = regimeRoom(0.705, 10_000, 3560);
    expect(room).toBeCloseTo(3490, 9);
    expect(capped.orders.map((o) => [o.side, o.symbol, o.qty])).toEqual([['sell', 'A', 1], ['sell', 'C', 0.9], ['buy', 'B', 34]]);
    expect(capped.buyScale).toBeCloseTo(regimeScaleFactor(3500, room), 15);
    // Within the slack nothing changes; no room scales to nothing and says why.
    expect(capExposure(plan, holdings, prices, 0.706 + REGIME_ROOM_SLACK / 10_000, 0, true)).toBe(plan);
    const none = capExposure(plan, holdings, prices, 0.3, 0, true);
    expect(none.orders.filter((o) => o.side === 'buy')).toEqual([]);
    expect(none.skipped).toContainEqual({ symbol: 'B', reason: 'exposure cap', side: 'buy', qty: 35, notional: 3500 });
  });
});
