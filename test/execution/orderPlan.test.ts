import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOrders, type OrderPlan, type PlanInput } from '../../src/execution/orderPlan.js';
import { AtlasError } from '../../src/core/errors.js';

const m = (o: Record<string, number>) => new Map(Object.entries(o));

/** Applies a plan at refPrice with costs: returns the new cash and holdings. */
function apply(input: PlanInput, plan: OrderPlan): { cash: number; holdings: Map<string, number> } {
  const c = (input.costBps ?? 0) / 10_000;
  let cash = input.cash;
  const h = new Map(input.holdings);
  for (const o of plan.orders) {
    if (o.side === 'sell') {
      cash += o.notional * (1 - c);
      h.set(o.symbol, (h.get(o.symbol) ?? 0) - o.qty);
    } else {
      cash -= o.notional * (1 + c);
      h.set(o.symbol, (h.get(o.symbol) ?? 0) + o.qty);
    }
  }
  return { cash, holdings: h };
}

describe('planOrders examples', () => {
  it('opens, closes and adjusts with sells first and symbol order', () => {
    // equity = 1000 + 10*50 (A) + 5*100 (B) = 2000. Targets: B 50% -> 10 sh, C 25% -> 500/20 = 25 sh; A untargeted -> CLOSE.
    const plan = planOrders({
      holdings: m({ A: 10, B: 5 }),
      prices: m({ A: 50, B: 100, C: 20 }),
      cash: 1000,
      targetWeights: m({ B: 0.5, C: 0.25 }),
      wholeShares: true,
      minNotional: 0,
    });
    expect(plan.equity).toBe(2000);
    expect(plan.orders).toEqual([
      { symbol: 'A', side: 'sell', qty: 10, intent: 'CLOSE', refPrice: 50, notional: 500 },
      { symbol: 'B', side: 'buy', qty: 5, intent: 'ADJUST', refPrice: 100, notional: 500 },
      { symbol: 'C', side: 'buy', qty: 25, intent: 'OPEN', refPrice: 20, notional: 500 },
    ]);
    // 1000 + 500 - 500 - 500 = 500 left (the 25% not targeted).
    expect(plan.cashAfter).toBe(500);
    expect(plan.buyScale).toBe(1);
  });

  it('rounds whole-share trades towards zero: buys and partial sells floor', () => {
    // equity = 1000 + 10*30 = 1300; target A 50% = 650 / 30 = 21.67 -> 21 shares -> buy 11.
    let plan = planOrders({ holdings: m({ A: 10 }), prices: m({ A: 30 }), cash: 1000, targetWeights: m({ A: 0.5 }), wholeShares: true, minNotional: 0 });
    expect(plan.orders).toEqual([{ symbol: 'A', side: 'buy', qty: 11, intent: 'ADJUST', refPrice: 30, notional: 330 }]);
    // equity = 100 + 10*30 = 400; target 50% = 200 / 30 = 6.67 shares -> sell floor(3.33) = 3, keep 7.
    plan = planOrders({ holdings: m({ A: 10 }), prices: m({ A: 30 }), cash: 100, targetWeights: m({ A: 0.5 }), wholeShares: true, minNotional: 0 });
    expect(plan.orders).toEqual([{ symbol: 'A', side: 'sell', qty: 3, intent: 'ADJUST', refPrice: 30, notional: 90 }]);
    // 7 held against a target of 6.67: no share is sold (floor(0.33) = 0).
    plan = planOrders({ holdings: m({ A: 7 }), prices: m({ A: 30 }), cash: 190, targetWeights: m({ A: 0.5 }), wholeShares: true, minNotional: 0 });
    expect(plan.orders).toEqual([]);
  });

  it('fractional targets are exact', () => {
    const plan = planOrders({ holdings: new Map(), prices: m({ A: 40 }), cash: 1000, targetWeights: m({ A: 0.3 }), wholeShares: false, minNotional: 0 });
    expect(plan.orders[0].qty).toBeCloseTo(7.5, 12);
    expect(plan.cashAfter).toBeCloseTo(700, 9);
  });

  it('skips trades under minNotional and targets without a price', () => {
    // equity 1000; A target 10% = 100 -> buy 100 (< 150 skipped); B has no price.
    const plan = planOrders({ holdings: new Map(), prices: m({ A: 10 }), cash: 1000, targetWeights: m({ A: 0.1, B: 0.1 }), wholeShares: false, minNotional: 150 });
    expect(plan.orders).toEqual([]);
    expect(plan.skipped.map((s) => [s.symbol, s.reason])).toEqual([
      ['A', 'below minNotional'],
      ['B', 'no price'],
    ]);
  });

  it('scales buys down when costs make them exceed the cash', () => {
    // 100% target on 1000 cash with 100 bps: buys cost 1010 > 1000 -> scale k = 1000/1010 (x safety).
    const plan = planOrders({ holdings: new Map(), prices: m({ A: 10 }), cash: 1000, targetWeights: m({ A: 1 }), wholeShares: false, minNotional: 0, costBps: 100 });
    expect(plan.buyScale).toBeCloseTo(1000 / 1010, 10);
    expect(plan.orders[0].qty).toBeCloseTo(100 / 1.01, 8);
    expect(plan.cashAfter).toBeGreaterThanOrEqual(0);
    expect(plan.cashAfter).toBeLessThan(1e-6);
  });

  it('skips a dust CLOSE below minNotional and buys nothing without cash', () => {
    const dust = planOrders({ holdings: m({ A: 0.5 }), prices: m({ A: 10 }), cash: 0, targetWeights: new Map(), wholeShares: false, minNotional: 10 });
    expect(dust.orders).toEqual([]);
    expect(dust.skipped).toEqual([{ symbol: 'A', reason: 'below minNotional', side: 'sell', qty: 0.5, notional: 5 }]);
    // Negative cash (e.g. a broker debit) and nothing to sell: buys are scaled to zero.
    const broke = planOrders({ holdings: m({ A: 10 }), prices: m({ A: 10, B: 5 }), cash: -200, targetWeights: m({ A: 0.1, B: 0.5 }), wholeShares: false, minNotional: 0 });
    expect(broke.equity).toBe(-100);
    expect(broke.orders.filter((o) => o.side === 'buy')).toEqual([]);
  });

  it('rejects weights above 1 in total, shorts and unpriced holdings with AtlasError', () => {
    const base = { holdings: new Map<string, number>(), prices: m({ A: 1, B: 1 }), cash: 1, wholeShares: false, minNotional: 0 };
    expect(() => planOrders({ ...base, targetWeights: m({ A: 0.6, B: 0.6 }) })).toThrow(AtlasError);
    expect(() => planOrders({ ...base, holdings: m({ A: -1 }), targetWeights: new Map() })).toThrow(/short/);
    expect(() => planOrders({ ...base, holdings: m({ Z: 1 }), targetWeights: new Map() })).toThrow(/No usable price/);
  });
});

const SYMS = ['A', 'B', 'C', 'D', 'E', 'F'];
const scenario = fc
  .record({
    held: fc.array(fc.tuple(fc.constantFrom(...SYMS), fc.integer({ min: 1, max: 500 })), { maxLength: 5 }),
    targets: fc.array(fc.tuple(fc.constantFrom(...SYMS), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 6 }),
    prices: fc.array(fc.double({ min: 0.5, max: 2000, noNaN: true }), { minLength: SYMS.length, maxLength: SYMS.length }),
    cash: fc.double({ min: 0, max: 200_000, noNaN: true }),
    wholeShares: fc.boolean(),
    minNotional: fc.constantFrom(0, 1, 100, 1000),
    costBps: fc.constantFrom(0, 5, 20, 100),
    fractionalHoldings: fc.boolean(),
  })
  .map((s) => {
    const holdings = new Map<string, number>();
    for (const [sym, q] of s.held) holdings.set(sym, s.wholeShares || !s.fractionalHoldings ? q : q / 7);
    const t = new Map<string, number>();
    for (const [sym, w] of s.targets) t.set(sym, w);
    const total = [...t.values()].reduce((a, b) => a + b, 0);
    if (total > 1) for (const [k, v] of t) t.set(k, v / total / (1 + 1e-12));
    const prices = new Map(SYMS.map((sym, i) => [sym, s.prices[i]] as const));
    const input: PlanInput = { holdings, prices, cash: s.cash, targetWeights: t, wholeShares: s.wholeShares, minNotional: s.minNotional, costBps: s.costBps };
    return input;
  });

describe('planOrders properties', () => {
  it('never leaves negative cash after applying the plan at refPrice with costs', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planOrders(input);
        const after = apply(input, plan);
        expect(after.cash).toBeGreaterThanOrEqual(0);
        expect(Math.abs(after.cash - plan.cashAfter)).toBeLessThan(1e-6 * Math.max(1, plan.equity));
        for (const q of after.holdings.values()) expect(q).toBeGreaterThanOrEqual(-1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it('places every sell before every buy, each group by symbol, one order per symbol', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { orders } = planOrders(input);
        const firstBuy = orders.findIndex((o) => o.side === 'buy');
        if (firstBuy >= 0) expect(orders.slice(firstBuy).every((o) => o.side === 'buy')).toBe(true);
        const sells = orders.filter((o) => o.side === 'sell').map((o) => o.symbol);
        const buys = orders.filter((o) => o.side === 'buy').map((o) => o.symbol);
        expect(sells).toEqual([...sells].sort());
        expect(buys).toEqual([...buys].sort());
        expect(new Set(orders.map((o) => o.symbol)).size).toBe(orders.length);
      }),
      { numRuns: 300 },
    );
  });

  it('uses integer quantities with whole shares (integer holdings)', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        fc.pre(input.wholeShares);
        for (const o of planOrders(input).orders) expect(Number.isInteger(o.qty)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('moves every position toward its target quantity without overshooting', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planOrders(input);
        const after = apply(input, plan);
        // Broken rules as sentences, one expect when there are any (2,000 runs x 4 symbols of expects cost more than the plans).
        const broken: string[] = [];
        for (const sym of SYMS) {
          const target = ((input.targetWeights.get(sym) ?? 0) * plan.equity) / input.prices.get(sym)!;
          const before = input.holdings.get(sym) ?? 0;
          const now = after.holdings.get(sym) ?? 0;
          if (!(Math.abs(now - target) <= Math.abs(before - target) + 1e-9 * Math.max(1, target))) broken.push(`${sym}: moved away from target ${target} (${before} -> ${now})`);
          // No overshoot: a buy never ends above target, a partial sell never below it (a CLOSE ends at 0).
          if (now > before && !(now <= target + 1e-6)) broken.push(`${sym}: bought past target ${target} (${before} -> ${now})`);
          if (now < before && !(now >= Math.min(target, before) - 1e-6)) broken.push(`${sym}: sold past target ${target} (${before} -> ${now})`);
          if (input.wholeShares && (input.targetWeights.get(sym) ?? 0) > 0 && !(Math.abs(now - target) < Math.max(1, Math.abs(before - target)) + 1e-9)) broken.push(`${sym}: more than a share from target ${target} (${now})`);
        }
        if (broken.length > 0) expect(broken).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('places no order below minNotional and every order has positive quantity', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        for (const o of planOrders(input).orders) {
          expect(o.qty).toBeGreaterThan(0);
          expect(o.notional).toBeGreaterThanOrEqual(input.minNotional);
          expect(o.notional).toBeCloseTo(o.qty * o.refPrice, 6);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is pure: same input, same plan, input maps untouched', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const snapshot = JSON.stringify([[...input.holdings], [...input.prices], [...input.targetWeights], input.cash]);
        const a = planOrders(input);
        const b = planOrders(input);
        expect(a).toEqual(b);
        expect(JSON.stringify([[...input.holdings], [...input.prices], [...input.targetWeights], input.cash])).toBe(snapshot);
      }),
      { numRuns: 100 },
    );
  });
});

describe('planOrders floating-point dust', () => {
  it('skips a buy worth a denormal instead of overdrawing cash by it (found by fast-check)', () => {
    const input = {
      holdings: m({ A: 1 }),
      prices: m({ A: 3.500000000000001, C: 0.5, F: 0.5 }),
      cash: 0,
      targetWeights: m({ F: 5e-324, C: 1 }),
      wholeShares: false,
      minNotional: 0,
      costBps: 0,
    };
    const plan = planOrders(input);
    expect(plan.orders.map((o) => o.symbol)).toEqual(['A', 'C']);
    expect(apply(input, plan).cash).toBeGreaterThanOrEqual(0);
  });
});
