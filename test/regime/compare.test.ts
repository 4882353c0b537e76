import { describe, expect, it } from 'vitest';
import { compareRegimeModels, scaledReturns } from '../../src/regime/compare.js';
import { blockBootstrapInterval, quantileSorted } from '../../src/analytics/bootstrap.js';
import { sharpeRatio } from '../../src/analytics/metrics.js';
import { computeModelHistory } from '../../src/regime/models/registry.js';
import type { RegimeHistory } from '../../src/regime/types.js';
import { syntheticMarket } from './synthetic.js';

const market = syntheticMarket(2600, 11, 2200, 25);
const hs = (['seed', 'sma200'] as const).map((m) => computeModelHistory(m, market));

describe('regime compare', () => {
  it('exposure decided at the close applies to the next return; 5 bps per unit of exposure change', () => {
    const h = { dates: ['d0', 'd1', 'd2', 'd3'], allocation: [1, 0, 0, 0.5] } as unknown as RegimeHistory;
    const px = [100, 110, 99, 99];
    const r = scaledReturns(h, px, 0, 3, 5);
    expect(Array.from(r.exposure)).toEqual([1, 0, 0]);
    expect(r.strat[0]).toBeCloseTo(0.1, 12); // exposure 1 from d0's decision
    expect(r.strat[1]).toBeCloseTo(-0.0005, 12); // d1 decided 0: no market, 5 bps x 1
    expect(r.strat[2]).toBe(0);
    expect(Array.from(r.bh)).toEqual([0.10000000000000009, -0.09999999999999998, 0]);
    expect(r.changes).toBe(1);
  });

  it('days before a regime are held at 100% and counted', () => {
    const h = { dates: ['d0', 'd1', 'd2'], allocation: [null, 0, 0] } as unknown as RegimeHistory;
    const r = scaledReturns(h, [100, 90, 80], 0, 2, 5);
    expect(r.unclassified).toBe(1);
    expect(r.strat[0]).toBeCloseTo(-0.1, 12);
  });

  it('in-sample and hold-out are split at --holdout-from; the hold-out counts the models compared', () => {
    const from = market.dates[1300];
    const ho = market.dates[2000];
    const to = market.dates[2599];
    const c = compareRegimeModels(hs, market.spyClose, { from, to, holdoutFrom: ho, bootstrap: { samples: 200, blockLength: 21, seed: 1 } });
    expect(c.modelsComparedOnHoldout).toBe(2);
    for (const m of c.models) {
      expect(m.inSample!.from).toBe(from);
      expect(m.inSample!.to).toBe(market.dates[1999]);
      expect(m.holdout!.from).toBe(ho);
      expect(m.holdout!.to).toBe(to);
      const labels = Object.values(m.holdout!.daysPerLabel).reduce((a, b) => a + b, 0);
      expect(labels).toBe(600);
      const [lo, hi] = m.holdout!.sharpeDiffCI90;
      expect(lo).toBeLessThanOrEqual(hi);
      // the Sharpe figures are the analytics functions on the scaled returns
      const i0 = market.dates.indexOf(ho);
      const s = scaledReturns(hs.find((h) => h.model === m.model)!, market.spyClose, i0, 2599, 5);
      expect(m.holdout!.strategy.sharpe).toBeCloseTo(sharpeRatio(s.strat), 12);
      expect(m.holdout!.sharpeDiff).toBeCloseTo(sharpeRatio(s.strat) - sharpeRatio(s.bh), 12);
    }
    const again = compareRegimeModels(hs, market.spyClose, { from, to, holdoutFrom: ho, bootstrap: { samples: 200, blockLength: 21, seed: 1 } });
    expect(again.models[0].holdout!.sharpeDiffCI90).toEqual(c.models[0].holdout!.sharpeDiffCI90);
    expect(compareRegimeModels(hs, market.spyClose, { from, to }).modelsComparedOnHoldout).toBe(0);
  });
});

describe('block bootstrap', () => {
  it('quantiles interpolate; a constant statistic gives a zero-width interval; seeded', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    const a = Float64Array.from({ length: 300 }, (_, i) => Math.sin(i));
    expect(blockBootstrapInterval(a, a, () => 7)).toEqual([7, 7]);
    const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
    const i1 = blockBootstrapInterval(a, a, (x) => mean(x), 0.9, { samples: 300, blockLength: 10, seed: 3 });
    expect(blockBootstrapInterval(a, a, (x) => mean(x), 0.9, { samples: 300, blockLength: 10, seed: 3 })).toEqual(i1);
    expect(i1[0]).toBeLessThan(mean(a));
    expect(i1[1]).toBeGreaterThan(mean(a));
  });
});
