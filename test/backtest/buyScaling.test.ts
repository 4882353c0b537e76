import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BUY_SCALE_SAFETY, buyScaleFactor, scaleBuyQty } from '../../src/portfolio/buyScaling.js';
import { planOrders } from '../../src/execution/orderPlan.js';
import { resizeBuys } from '../../src/execution/rebalance/plan.js';

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

describe('one buy-scaling rule: the planner, the live re-sizing and the function agree', () => {
  it('planOrders with too little buy cash keeps exactly what resizeBuys and scaleBuyQty keep', () => {
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 900, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 5, maxLength: 5 }),
        fc.double({ min: 1_000, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.constantFrom(0, 1, 50),
        (px, rawWeights, cash, buyShare, whole, minNotional) => {
          const total = rawWeights.reduce((a, b) => a + b, 0) || 1;
          const prices = new Map(symbols.map((s, i) => [s, px[i]]));
          const targetWeights = new Map(symbols.map((s, i) => [s, (rawWeights[i] / total) * 0.99]));
          const base = { holdings: new Map<string, number>(), prices, cash, targetWeights, wholeShares: whole, minNotional };
          const unscaled = planOrders(base).orders.filter((o) => o.side === 'buy');
          const buyCash = cash * buyShare;
          const planned = planOrders({ ...base, buyCash });
          const live = resizeBuys(unscaled, buyCash, minNotional, whole);

          let cost = 0;
          for (const o of unscaled) cost += o.qty * o.refPrice;
          const k = buyScaleFactor(cost, buyCash);
          const byHand = unscaled.map((o) => ({ symbol: o.symbol, qty: scaleBuyQty(o.qty, k, whole) })).filter((o) => o.qty > 0 && o.qty * prices.get(o.symbol)! >= minNotional);

          const plannedBuys = planned.orders.filter((o) => o.side === 'buy').map((o) => ({ symbol: o.symbol, qty: o.qty }));
          expect(plannedBuys).toEqual(live.kept.map((o) => ({ symbol: o.symbol, qty: o.qty })));
          expect(plannedBuys).toEqual(byHand);
          expect(planned.buyScale).toBe(live.scale);
          expect(planned.skipped.filter((s) => s.reason === 'insufficient cash').map((s) => s.symbol)).toEqual(live.skipped.map((s) => s.order.symbol));
        },
      ),
      { numRuns: 300 },
    );
  });
});
