import { describe, expect, it } from 'vitest';
import { evaluateRegime } from '../../src/regime/evaluate.js';
import type { RegimeHistory } from '../../src/regime/types.js';

// A 4-day hand-made history: allocations 1.0, 0.0, 0.3, 0.7; SPY 100 -> 110 -> 99 -> 108.9.
function history(): RegimeHistory {
  return {
    dates: ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'],
    regime: ['TREND_BULL', 'CRASH', 'TREND_BEAR', 'TREND_NEUTRAL'],
    allocation: [1, 0, 0.3, 0.7],
  } as unknown as RegimeHistory;
}

describe('evaluateRegime', () => {
  it('applies the allocation known at the close of t to the return of t+1 (hand-computed)', () => {
    const spy = [100, 110, 99, 108.9];
    const e = evaluateRegime(history(), spy, '2020-01-01', '2020-12-31');
    // day1: exposure 1.0 (known 01-02) x +10% -> 1.10; day2: exposure 0 (CRASH at 01-03) x -10% -> 1.10;
    // day3: exposure 0.3 x +10% -> 1.10 * 1.03 = 1.133
    expect(e.strategyEquity).toEqual([1, 1.1, 1.1, expect.closeTo(1.133, 12)]);
    expect(e.buyAndHoldEquity.map((x) => +x.toFixed(12))).toEqual([1, 1.1, 0.99, 1.089]);
    expect(e.strategy.totalReturn).toBeCloseTo(0.133, 12);
    expect(e.buyAndHold.maxDrawdown.maxDrawdown).toBeCloseTo(-0.1, 12);
    expect(e.strategy.maxDrawdown.maxDrawdown).toBe(0);
    expect(e.averageExposure).toBeCloseTo((1 + 0 + 0.3) / 3, 12);
    expect(e.exposureChanges).toBe(2);
    expect(e.timeInRegime).toMatchObject({ TREND_BULL: 1, CRASH: 1, TREND_BEAR: 1, TREND_NEUTRAL: 1 });
  });

  it('depends only on the past: changing the last allocation does not change the curve', () => {
    const h = history();
    const spy = [100, 110, 99, 108.9];
    const a = evaluateRegime(h, spy, '2020-01-01', '2020-12-31');
    (h.allocation as (number | null)[])[3] = 0;
    const b = evaluateRegime(h, spy, '2020-01-01', '2020-12-31');
    expect(b.strategyEquity).toEqual(a.strategyEquity);
  });
});
