import { describe, expect, it } from 'vitest';
import { compareStrategies } from '../../src/backtest/compare.js';
import { perRegimeReturns } from '../../src/backtest/metrics.js';
import { syntheticPanel } from '../../src/backtest/synthetic.js';
import type { RegimeSeries } from '../../src/backtest/engine.js';
import { REGIMES, type Regime } from '../../src/portfolio/allocation.js';

/** Per-regime returns follow the regime each strategy APPLIED (docs/metrics.md), NONE for the baseline. */
describe('per-regime attribution uses the applied regime', () => {
  const panel = syntheticPanel({ symbols: 12, sessions: 800, seed: 11, drift: 0.0008 });
  // The model's regime changes every 15 sessions: far more often than a quarterly rebalance applies it.
  const regimes: RegimeSeries = {
    dates: panel.dates,
    regimes: panel.dates.map((_, i): Regime | null => (i < 30 ? null : REGIMES[Math.floor(i / 15) % REGIMES.length])),
  };
  const cmp = compareStrategies(panel, regimes, null, ['off', 'rebalance', 'daily'], { topN: 5, minDistance: 0.5, rebalance: 'quarterly' });
  const run = (name: string) => cmp.runs.find((r) => r.name === name)!;

  it('the baseline never used a regime: every day is NONE', () => {
    const base = run('baseline');
    expect(base.metrics.perRegime).toEqual([{ regime: 'NONE', days: base.result.dates.length - 1, compoundedReturn: expect.any(Number) }]);
    expect(base.metrics.perRegime[0].compoundedReturn).toBeCloseTo(base.metrics.totalReturn, 10);
  });

  it('regime-rebalance is split by the regime of its last rebalance, held until the next', () => {
    const r = run('regime-rebalance');
    expect(r.metrics.perRegime).toEqual(perRegimeReturns(r.result.equity, r.result.regime));
    // The applied regime only changes on rebalance dates.
    const rebalanceDates = new Set(r.result.rebalances.map((b) => b.date));
    for (let i = 1; i < r.result.dates.length; i++) {
      if (r.result.regime[i] !== r.result.regime[i - 1]) expect(rebalanceDates.has(r.result.dates[i])).toBe(true);
    }
    // ...which is not the model's daily regime.
    const model = r.result.dates.map((d) => regimes.regimes[regimes.dates.indexOf(d)]);
    expect(r.metrics.perRegime).not.toEqual(perRegimeReturns(r.result.equity, model));
  });

  it('regime-daily is split by the daily regime it applied', () => {
    const r = run('regime-daily');
    expect(r.metrics.perRegime).toEqual(perRegimeReturns(r.result.equity, r.result.regime));
    const model = r.result.dates.map((d) => regimes.regimes[regimes.dates.indexOf(d)]);
    // With every regime a different allocation, the daily run applies the model's regime every day.
    expect(r.result.regime.slice(30)).toEqual(model.slice(30));
  });
});
