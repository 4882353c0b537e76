import { describe, expect, it } from 'vitest';
import {
  annualTurnover,
  annualVolatility,
  cagr,
  calmarRatio,
  computeMetrics,
  dailyReturns,
  maxDrawdown,
  perRegimeReturns,
  sharpeRatio,
  sortinoRatio,
  totalReturn,
} from '../../src/backtest/metrics.js';

// Equity 100, 110, 99, 108.9, 118.8 on five dates.
// Returns: 110/100-1 = 0.10; 99/110-1 = -0.10; 108.9/99-1 = 0.10; 118.8/108.9-1 = 0.0909090...
const E = [100, 110, 99, 108.9, 118.8];
const D = ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'];
const R = [0.1, -0.1, 0.1, 118.8 / 108.9 - 1];

describe('metrics against hand-computed values', () => {
  it('daily returns and total return', () => {
    const r = dailyReturns(E);
    R.forEach((x, i) => expect(r[i]).toBeCloseTo(x, 12));
    // 118.8 / 100 - 1 = 0.188
    expect(totalReturn(E)).toBeCloseTo(0.188, 12);
  });

  it('CAGR over calendar days / 365.25', () => {
    // 2020-01-01 -> 2021-01-01 is 366 days = 1.002053 years; 121 / 100 growth.
    // CAGR = 1.21^(365.25/366) - 1 = exp(ln(1.21) * 0.997951) - 1 = 0.209532...
    expect(cagr([100, 121], '2020-01-01', '2021-01-01')).toBeCloseTo(Math.pow(1.21, 365.25 / 366) - 1, 12);
    expect(cagr([100, 121], '2020-01-01', '2021-01-01')).toBeCloseTo(0.20953, 4);
    // Zero calendar days: no annualisation possible.
    expect(cagr([100, 121], '2020-01-01', '2020-01-01')).toBeNaN();
    // 2020-01-01 -> 2022-01-01 = 731 days = 2.00137 years: 1.21^(1/2.00137) - 1 = 0.099924.
    expect(cagr([100, 121], '2020-01-01', '2022-01-01')).toBeCloseTo(0.099924, 5);
  });

  it('volatility: sample std x sqrt(252)', () => {
    // r = [0.1, -0.1, 0.1, 0.090909]; mean = 0.190909/4 = 0.0477273
    // deviations: 0.0522727, -0.1477273, 0.0522727, 0.0431818
    // squares: 0.00273244, 0.02182335, 0.00273244, 0.00186467 -> sum 0.0291529; / 3 = 0.00971763
    // std = sqrt(0.00971763) = 0.0985781; x sqrt(252) = 0.0985781 x 15.874508 = 1.56488
    expect(annualVolatility(R)).toBeCloseTo(1.56488, 4);
  });

  it('Sharpe with rf = 0 and rf = 5%', () => {
    // 0.0477273 / 0.0985781 = 0.484157; x 15.874508 = 7.68576
    expect(sharpeRatio(R)).toBeCloseTo(7.68576, 4);
    // rf daily = 0.05/252 = 0.000198413; excess mean 0.0475289, std unchanged: 0.482144 x 15.874508 = 7.65381
    expect(sharpeRatio(R, 0.05)).toBeCloseTo(7.65381, 4);
    expect(sharpeRatio([0.01, 0.01, 0.01])).toBeNaN();
  });

  it('Sortino: downside deviation over all days, target rf', () => {
    // only -0.1 is below 0: DD = sqrt(0.01 / 4) = 0.05; mean 0.0477273 / 0.05 x 15.874508 = 15.15294
    expect(sortinoRatio(R)).toBeCloseTo(15.15294, 4);
    expect(sortinoRatio([0.01, 0.02])).toBeNaN();
  });

  it('max drawdown with peak, trough and recovery dates', () => {
    // peak 110 (01-02), trough 99 (01-03): 99/110 - 1 = -0.1; recovered when 118.8 >= 110 on 01-07
    // (108.9 on 01-06 is below 110).
    expect(maxDrawdown(E, D)).toEqual({ maxDrawdown: 99 / 110 - 1, peakDate: '2020-01-02', troughDate: '2020-01-03', recoveryDate: '2020-01-07' });
    expect(maxDrawdown([100, 90, 80, 85], D).recoveryDate).toBeNull();
    // 80/100 - 1 = -0.2
    expect(maxDrawdown([100, 90, 80, 85], D).maxDrawdown).toBeCloseTo(-0.2, 12);
    expect(maxDrawdown([1, 2, 3], D)).toEqual({ maxDrawdown: 0, peakDate: null, troughDate: null, recoveryDate: null });
  });

  it('Calmar, turnover, per-regime returns', () => {
    // 0.2 / |-0.1| = 2
    expect(calmarRatio(0.2, -0.1)).toBeCloseTo(2, 12);
    expect(calmarRatio(0.2, 0)).toBeNaN();
    // traded 500,000 over mean equity 100,000 across 2020-01-01..2021-01-01 (1.002053 years): 5 / 1.002053 = 4.98976
    expect(annualTurnover(500_000, [100_000, 100_000], '2020-01-01', '2021-01-01')).toBeCloseTo(5 / (366 / 365.25), 10);
    // day i's return is attributed to regime[i-1]:
    // BULL: r1 = 0.1 (regime[0]), r2 = -0.1 (regime[1]) -> 1.1 x 0.9 - 1 = -0.01, 2 days
    // CRASH: r3 = 0.1 (regime[2]) -> 0.1; NONE: r4 = 0.090909 (regime[3] = null)
    const stats = perRegimeReturns(E, ['TREND_BULL', 'TREND_BULL', 'CRASH', null, 'CRASH']);
    expect(stats.map((s) => [s.regime, s.days])).toEqual([['TREND_BULL', 2], ['CRASH', 1], ['NONE', 1]]);
    expect(stats[0].compoundedReturn).toBeCloseTo(-0.01, 12);
    expect(stats[1].compoundedReturn).toBeCloseTo(0.1, 12);
    expect(stats[2].compoundedReturn).toBeCloseTo(118.8 / 108.9 - 1, 12);
  });

  it('computeMetrics ties it together: exposure, orders, win rate', () => {
    const m = computeMetrics({
      dates: D,
      equity: E,
      exposure: [0, 0.5, 1, 1, 0.5], // mean 3 / 5 = 0.6
      trades: [{ notional: 100 }, { notional: 50 }],
      closedPositions: [{ pnl: 5 }, { pnl: -1 }, { pnl: 0 }], // 1 win of 3
    });
    expect(m.exposure).toBeCloseTo(0.6, 12);
    expect(m.orders).toBe(2);
    expect(m.winRate).toBeCloseTo(1 / 3, 12);
    expect(m.maxDrawdown).toBeCloseTo(-0.1, 12);
    expect(m.totalReturn).toBeCloseTo(0.188, 12);
    // 150 traded / mean equity 107.34 / (6 days / 365.25)
    expect(m.turnover).toBeCloseTo(150 / (E.reduce((a, b) => a + b) / 5) / (6 / 365.25), 8);
    expect(m.perRegime).toEqual([]);
  });
});
