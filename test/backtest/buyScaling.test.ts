import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BUY_SCALE_SAFETY, buyScaleFactor, scaleBuyQty } from '../../src/portfolio/buyScaling.js';

describe('buy scaling (planner, engine, live re-sizing)', () => {
  it('leaves buys that fit alone and scales the rest to what is available, never overdrawing', () => {
    expect(buyScaleFactor(100, 100)).toBe(1);
    expect(buyScaleFactor(100.5, 100, 1)).toBe(1);
    expect(buyScaleFactor(200, 100)).toBe(0.5 * BUY_SCALE_SAFETY);
    expect(buyScaleFactor(200, 0)).toBe(0);
    expect(buyScaleFactor(200, -5)).toBe(0);
    expect(scaleBuyQty(10, 0.55, true)).toBe(5);
    expect(scaleBuyQty(10, 0.55, false)).toBeCloseTo(5.5, 12);
    expect(scaleBuyQty(7, 1, true)).toBe(7);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.5, max: 500, noNaN: true })), { minLength: 1, maxLength: 8 }), fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1e6, noNaN: true })), fc.boolean(), (buys, cash, whole) => {
        let cost = 0;
        for (const [q, p] of buys) cost += q * p;
        const k = buyScaleFactor(cost, cash);
        let spent = 0;
        for (const [q, p] of buys) {
          const s = scaleBuyQty(q, k, whole);
          expect(s).toBeLessThanOrEqual(q);
          expect(s).toBeGreaterThanOrEqual(0);
          spent += s * p;
        }
        if (k < 1) expect(spent).toBeLessThanOrEqual(cash);
      }),
      { numRuns: 300 },
    );
  });
});
