import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflatedSharpe, deflatedSharpeOfBest, expectedMaxSharpe, moments, probabilisticSharpe } from '../../src/analytics/deflatedSharpe.js';
import { normalCdf, normalInv } from '../../src/analytics/normal.js';
import { combinations, probabilityOfBacktestOverfitting, probabilityOfBacktestOverfittingDirect } from '../../src/analytics/pbo.js';
import { mulberry32 } from '../../src/core/random.js';

describe('the standard normal', () => {
  it('matches published values', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalInv(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalInv(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalInv(1e-10)).toBeCloseTo(-6.361340902404056, 9);
  });

  it('Φ⁻¹ inverts Φ (property)', () => {
    fc.assert(fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => Math.abs(normalCdf(normalInv(p)) - p) < 1e-13 * Math.max(1, 1 / p)));
  });
});

describe('the deflated Sharpe ratio (Bailey & López de Prado 2014)', () => {
  it("reproduces the paper's numerical example: E[max SR] 0.1132 and DSR 0.9004", () => {
    // Annualised SR 2.5 over 5 years of daily data (T = 1250), skew -3, kurtosis 10,
    // N = 100 trials whose annualised Sharpe ratios have variance 1/2.
    const sr = 2.5 / Math.sqrt(250);
    const expected = expectedMaxSharpe(100, 0.5 / 250);
    expect(expected).toBeCloseTo(0.1132, 4);
    const d = deflatedSharpe({ sharpe: sr, trials: 100, varianceOfTrialSharpes: 0.5 / 250, observations: 1250, skew: -3, kurtosis: 10 });
    expect(d.dsr).toBeCloseTo(0.9004, 3);
  });

  it('PSR of a benchmark equal to the estimate is one half; more trials mean a higher bar', () => {
    expect(probabilisticSharpe(0.1, 0.1, 500, 0, 3)).toBe(0.5);
    expect(expectedMaxSharpe(1000, 0.001)).toBeGreaterThan(expectedMaxSharpe(10, 0.001));
    expect(expectedMaxSharpe(1, 0.001)).toBe(0);
  });

  it('moments: a hand-computed sample', () => {
    const m = moments([1, 2, 3, 4, 10]);
    // mean 4; deviations -3,-2,-1,0,6; m2 = 50/5 = 10; m3 = (-27-8-1+216)/5 = 36; m4 = (81+16+1+1296)/5 = 278.8
    expect(m.mean).toBe(4);
    expect(m.std).toBeCloseTo(Math.sqrt(50 / 4), 12);
    expect(m.skew).toBeCloseTo(36 / 10 ** 1.5, 12);
    expect(m.kurtosis).toBeCloseTo(278.8 / 100, 12);
  });

  it('picks the best trial and deflates it', () => {
    const a = Float64Array.from({ length: 300 }, (_, i) => 0.001 + 0.01 * Math.sin(i));
    const b = Float64Array.from({ length: 300 }, (_, i) => 0.0002 + 0.01 * Math.cos(i * 1.3));
    const r = deflatedSharpeOfBest([b, a]);
    expect(r.best).toBe(1);
    expect(r.trials).toBe(2);
    expect(r.dsr).toBeGreaterThan(0);
    expect(r.dsr).toBeLessThan(1);
  });
});

describe('probability of backtest overfitting (CSCV)', () => {
  it('enumerates C(S, S/2) splits', () => {
    expect(combinations(4, 2)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(combinations(16, 8)).toHaveLength(12_870);
  });

  it('hand example: each configuration wins one half and loses the other: the in-sample winner is always last (PBO 1)', () => {
    // Block 0 = rows 0..3, block 1 = rows 4..7. A earns in block 0, B in block 1.
    const A = Float64Array.from([0.02, 0.01, 0.02, 0.01, -0.01, -0.02, -0.01, -0.02]);
    const B = Float64Array.from([-0.01, -0.02, -0.01, -0.02, 0.02, 0.01, 0.02, 0.01]);
    const r = probabilityOfBacktestOverfitting([A, B], 2);
    expect(r.splits).toBe(2);
    // rank 1 of 2 -> ω = 1/3, λ = ln(1/2)
    for (const l of r.logits) expect(l).toBeCloseTo(Math.log(0.5), 12);
    expect(r.pbo).toBe(1);
    expect(r.probabilityOfLoss).toBe(1);
  });

  it('hand example: one configuration dominates every block: never overfit (PBO 0)', () => {
    const base = [0.01, -0.005, 0.02, 0.0, 0.015, -0.01, 0.005, 0.01];
    const good = Float64Array.from(base.map((x) => x + 0.01));
    const bad = Float64Array.from(base);
    const r = probabilityOfBacktestOverfitting([bad, good], 2);
    for (const l of r.logits) expect(l).toBeCloseTo(Math.log(2), 12);
    expect(r.pbo).toBe(0);
  });

  it('the per-block-sum computation equals the row-by-row definition on random returns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.constantFrom(2, 4, 6, 8),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.boolean(),
        (configs, blocks, extraRows, seed, withFlat) => {
          const rand = mulberry32(seed);
          const t = blocks * 3 + extraRows;
          const returns = Array.from({ length: configs }, (_, c) =>
            // Different means and scales, and (sometimes) a configuration that never trades.
            withFlat && c === 0 ? new Float64Array(t) : Float64Array.from({ length: t }, () => (rand() - 0.5 + c * 0.05) * 0.02 * (1 + c)),
          );
          const fast = probabilityOfBacktestOverfitting(returns, blocks);
          const direct = probabilityOfBacktestOverfittingDirect(returns, blocks);
          expect(fast.splits).toBe(direct.splits);
          expect(fast.pbo).toBe(direct.pbo);
          expect(fast.probabilityOfLoss).toBe(direct.probabilityOfLoss);
          fast.logits.forEach((l, i) => expect(l).toBeCloseTo(direct.logits[i], 9));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses shapes it cannot split', () => {
    expect(() => probabilityOfBacktestOverfitting([new Float64Array(8)], 2)).toThrow(/two configurations/);
    expect(() => probabilityOfBacktestOverfitting([new Float64Array(8), new Float64Array(8)], 3)).toThrow(/even number/);
    expect(() => probabilityOfBacktestOverfitting([new Float64Array(8), new Float64Array(8)], 16)).toThrow(/at least 32 periods/);
  });
});
