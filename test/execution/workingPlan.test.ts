import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account, Order, Position } from '../../src/execution/brokers/broker.js';
import { validateBatch } from '../../src/execution/gates/index.js';
import { planOrders } from '../../src/execution/orderPlan.js';
import {
  buildGateContext,
  buyBudget,
  formatWorkingOrders,
  listWorkingOrders,
  planFromSnapshot,
  resizeBuys,
  toGateOrders,
  workingOrdersFrom,
  type BrokerSnapshot,
} from '../../src/execution/rebalance/plan.js';

const NOW = new Date('2026-11-24T15:00:00Z'); // a Tuesday, market open

const account = (cash: number, equity: number, over: Partial<Account> = {}): Account => ({
  id: 'a', cash, buyingPower: cash, equity, portfolioValue: equity, currency: 'USD', status: 'ACTIVE', tradingBlocked: false, accountBlocked: false,
  tradeSuspendedByUser: false, multiplier: 1, nonMarginableBuyingPower: cash, daytradeCount: 0, patternDayTrader: false, ...over,
});
const position = (symbol: string, qty: number, price: number): Position => ({ symbol, qty, avgEntryPrice: price, marketValue: qty * price, currentPrice: price, side: 'long' });
const order = (clientOrderId: string, symbol: string, side: 'buy' | 'sell', qty: number, over: Partial<Order> = {}): Order => ({
  id: `id-${clientOrderId}`, clientOrderId, symbol, side, qty, filledQty: 0, filledAvgPrice: null, type: 'market', limitPrice: null, timeInForce: 'day',
  status: 'new', submittedAt: NOW, filledAt: null, ...over,
});

describe('working orders from the broker', () => {
  it('counts remaining qty, values at the limit or the reference price, leaves out the batch\'s own and finished orders', () => {
    const w = workingOrdersFrom(
      [
        order('x1', 'AAPL', 'buy', 100, { filledQty: 60, status: 'partially_filled' }),
        order('x2', 'MSFT', 'sell', 10, { type: 'limit', limitPrice: 420 }),
        order('own', 'NVDA', 'buy', 5),
        order('done', 'NVDA', 'buy', 5, { status: 'filled', filledQty: 5 }),
        order('notional', 'NVDA', 'buy', 0),
      ],
      (s) => ({ AAPL: 190, MSFT: 400 })[s],
      new Set(['own']),
    );
    expect(w).toEqual([
      { symbol: 'AAPL', side: 'buy', qty: 40, price: 190, type: 'market', clientOrderId: 'x1' },
      { symbol: 'MSFT', side: 'sell', qty: 10, price: 420, type: 'limit', clientOrderId: 'x2' },
    ]);
    expect(listWorkingOrders(w)).toEqual([
      { symbol: 'AAPL', side: 'buy', qty: 40, price: 190, value: 7600, clientOrderId: 'x1' },
      { symbol: 'MSFT', side: 'sell', qty: 10, price: 420, value: 4200, clientOrderId: 'x2' },
    ]);
    expect(formatWorkingOrders(w)).toEqual([
      'working orders counted: 2 (buys $7,600.00, sells $4,200.00)',
      '  buy 40 AAPL @ $190.00 = $7,600.00 (x1)',
      '  sell 10 MSFT @ $420.00 = $4,200.00 (x2)',
    ]);
    expect(formatWorkingOrders([])).toEqual(['working orders counted: none']);
  });

  it('a working market order with no price is refused in planning, and FAILs gate 2 through the gate context', () => {
    const snap: BrokerSnapshot = { account: account(10_000, 10_000), positions: [], openOrders: [order('x', 'ZZZ', 'buy', 5)] };
    expect(() => workingOrdersFrom(snap.openOrders, () => undefined)).toThrow(/working buy order x for 5 ZZZ has no limit price/);
    const ctx = buildGateContext({ snapshot: snap, assets: new Map(), lastPrices: new Map(), prices: new Map(), regime: 'TREND_BULL', now: NOW, force: false, strict: false, countWorkingOrders: true });
    expect(validateBatch([], ctx).gates[1].result).toBe('FAIL');
  });

  it('buildGateContext counts working orders only when asked, with the live headroom when given', () => {
    const snap: BrokerSnapshot = { account: account(10_000, 10_000), positions: [], openOrders: [order('x', 'AAPL', 'buy', 10, { filledQty: 4 })] };
    const base = { snapshot: snap, assets: new Map(), lastPrices: new Map(), prices: new Map([['AAPL', 100]]), regime: 'TREND_BULL' as const, now: NOW, force: false, strict: false };
    expect(buildGateContext(base).workingOrders).toEqual([]);
    const ctx = buildGateContext({ ...base, countWorkingOrders: true, buyPriceBuffer: 0.03 });
    expect(ctx.workingOrders).toEqual([{ symbol: 'AAPL', side: 'buy', qty: 6, price: 100, type: 'market', clientOrderId: 'x' }]);
    expect(ctx.limits?.buyPriceBuffer).toBe(0.03);
    expect(buildGateContext({ ...base, countWorkingOrders: true, ownClientOrderIds: new Set(['x']) }).workingOrders).toEqual([]);
  });
});

describe('planning around working orders', () => {
  const targets3 = { AAA: 0.7 / 3, BBB: 0.7 / 3, CCC: 0.7 / 3 };
  const prices = { AAA: 100, BBB: 100, CCC: 100, DDD: 100 };
  const planOf = (snapshot: BrokerSnapshot, targets: Record<string, number>, exposureCap?: number) =>
    planFromSnapshot({ snapshot, targets, targetPrices: Object.fromEntries(Object.keys(targets).map((s) => [s, prices[s as keyof typeof prices]])), priceOf: (s) => prices[s as keyof typeof prices], minNotional: 1, exposureCap });

  it('a working BUY of 10 means the plan buys 10 fewer, and its cost (with headroom) is off the cash', () => {
    const a = planOf({ account: account(100_000, 100_000), positions: [], openOrders: [] }, targets3);
    expect(a.plan.orders.map((o) => `${o.side} ${o.qty} ${o.symbol}`)).toEqual(['buy 233 AAA', 'buy 233 BBB', 'buy 233 CCC']);
    const b = planOf({ account: account(100_000, 100_000), positions: [], openOrders: [order('w', 'AAA', 'buy', 10)] }, targets3);
    expect(b.plan.orders.map((o) => `${o.side} ${o.qty} ${o.symbol}`)).toEqual(['buy 223 AAA', 'buy 233 BBB', 'buy 233 CCC']);
    expect(b.buyCash).toBeCloseTo(100_000 - 10 * 100 * 1.03, 9);
    expect(b.plan.equity).toBeCloseTo(100_000, 9);
  });

  it('run A leaves its BUYs working; run B (same targets) plans nothing; run B (top 4) cannot sell what is not held and stays under the cap', () => {
    const a = planOf({ account: account(100_000, 100_000), positions: [], openOrders: [] }, targets3);
    const left = a.plan.orders.map((o) => order(`A-${o.symbol}`, o.symbol, o.side, o.qty));
    const snap: BrokerSnapshot = { account: account(100_000, 100_000), positions: [], openOrders: left };
    expect(planOf(snap, targets3).plan.orders).toEqual([]);

    const top4 = { AAA: 0.175, BBB: 0.175, CCC: 0.175, DDD: 0.175 };
    const uncapped = planOf(snap, top4);
    expect(uncapped.plan.skipped.filter((s) => s.reason === 'working order').map((s) => s.symbol)).toEqual(['AAA', 'BBB', 'CCC']);
    expect(uncapped.plan.orders.map((o) => `${o.side} ${o.qty} ${o.symbol}`)).toEqual(['buy 175 DDD']);
    // gate 7 sees 69.9% working + 17.5% = 87.4% and FAILs it
    const ctx = buildGateContext({ snapshot: snap, assets: new Map(), lastPrices: new Map(), prices: uncapped.prices, regime: 'TREND_NEUTRAL', now: NOW, force: false, strict: false, countWorkingOrders: true, buyPriceBuffer: 0.03 });
    expect(validateBatch(toGateOrders(uncapped.plan.orders), ctx).gates[6].result).toBe('FAIL');
    // with the exposure cap the plan only buys the room left: 70.5% - 69.9% = $600
    const capped = planOf(snap, top4, 0.705);
    expect(capped.plan.orders.map((o) => `${o.side} ${o.qty} ${o.symbol}`)).toEqual(['buy 5 DDD']);
    expect(validateBatch(toGateOrders(capped.plan.orders), ctx).gates[6].result).toBe('PASS');
  });

  it('planOrders: sellable caps a sell, buyCash and the headroom bound the buys (boundary)', () => {
    const p = planOrders({ holdings: new Map([['X', 100]]), prices: new Map([['X', 10], ['Y', 100]]), cash: 0, targetWeights: new Map([['Y', 0.5]]), wholeShares: true, minNotional: 1, sellable: new Map([['X', 30]]) });
    expect(p.orders.map((o) => `${o.side} ${o.qty} ${o.symbol} ${o.intent}`)).toEqual(['sell 30 X CLOSE', 'buy 2 Y OPEN']);
    const q = planOrders({ holdings: new Map(), prices: new Map([['Y', 100]]), cash: 10_300, targetWeights: new Map([['Y', 1]]), wholeShares: true, minNotional: 1, buyPriceBuffer: 0.03 });
    expect(q.orders.map((o) => o.qty)).toEqual([99]); // 103 x 100 x 1.03 = 10,609 > 10,300: scaled (100 is exactly the cash, the safety margin floors it)
    expect(q.buyScale).toBeLessThan(1);
    const fit = planOrders({ holdings: new Map(), prices: new Map([['Y', 100]]), cash: 10_300, targetWeights: new Map([['Y', 100 / 103]]), wholeShares: true, minNotional: 1, buyPriceBuffer: 0.03 });
    expect(fit.orders.map((o) => o.qty)).toEqual([100]);
    expect(fit.buyScale).toBe(1);
    const none = planOrders({ holdings: new Map(), prices: new Map([['Y', 100]]), cash: 10_000, buyCash: -5, targetWeights: new Map([['Y', 1]]), wholeShares: true, minNotional: 1 });
    expect(none.orders).toEqual([]);
    expect(none.skipped[0].reason).toBe('insufficient cash');
  });

  it('resizeBuys: the headroom at the boundary and the value cap', () => {
    const buys = [{ symbol: 'Y', qty: 100, refPrice: 100 }];
    expect(resizeBuys(buys, 10_300, 1, true, { buyPriceBuffer: 0.03 }).kept[0].qty).toBe(100);
    expect(resizeBuys(buys, 10_299, 1, true, { buyPriceBuffer: 0.03 }).kept[0].qty).toBe(99);
    expect(resizeBuys(buys, 1e9, 1, true, { buyPriceBuffer: 0.03, valueCap: 5_000 }).kept[0].qty).toBe(49);
    expect(resizeBuys(buys, 10_000, 1).kept[0].qty).toBe(100); // default: no headroom
  });

  it('buyBudget counts working orders: their exposure and the cash working buys take', () => {
    const b = buyBudget(account(50_000, 60_000), new Map([['X', { qty: 100, price: 100 }]]), 0.7, 0.005, {
      workingOrders: [{ symbol: 'Y', side: 'buy', qty: 100, price: 100, clientOrderId: 'w' }, { symbol: 'X', side: 'sell', qty: 50, price: 100, clientOrderId: 'v' }],
      buyPriceBuffer: 0.03,
    });
    expect(b.cash).toBeCloseTo(50_000 - 10_300, 9);
    expect(b.exposure).toBeCloseTo(5_000 + 10_000, 9);
    expect(b.regimeRoom).toBeCloseTo(0.705 * 60_000 - 15_000, 9);
  });
});

// ---- properties over random books: plan A, leave its orders working (some partly filled), plan B ----

const SYMS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
const scenario = fc.record({
  price: fc.array(fc.integer({ min: 500, max: 50_000 }).map((c) => c / 100), { minLength: 5, maxLength: 5 }),
  held: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 5, maxLength: 5 }),
  cash: fc.integer({ min: 0, max: 150_000 }),
  targetMask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  targetMask2: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  alloc: fc.constantFrom(1, 0.7, 0.3),
  fill: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function world(s: Scenario) {
  const price = new Map(SYMS.map((sym, i) => [sym, s.price[i]]));
  const weights = (mask: boolean[]) => {
    const chosen = SYMS.filter((_, i) => mask[i]);
    return Object.fromEntries(chosen.map((sym) => [sym, s.alloc / chosen.length]));
  };
  const positions = SYMS.map((sym, i) => position(sym, s.held[i], price.get(sym)!)).filter((p) => p.qty > 0);
  const equity = s.cash + positions.reduce((a, p) => a + p.qty * p.currentPrice, 0);
  const plan = (snapshot: BrokerSnapshot, targets: Record<string, number>, exposureCap?: number) =>
    planFromSnapshot({ snapshot, targets, targetPrices: Object.fromEntries(Object.keys(targets).map((k) => [k, price.get(k)!])), priceOf: (k) => price.get(k), minNotional: 1, exposureCap });
  return { price, weights, positions, equity, plan };
}

/** Plan A's orders left working, each filled by a fraction at the reference price. */
function leaveWorking(s: Scenario, w: ReturnType<typeof world>, orders: { symbol: string; side: 'buy' | 'sell'; qty: number }[]): BrokerSnapshot {
  const qty = new Map(w.positions.map((p) => [p.symbol, p.qty]));
  let cash = s.cash;
  const open: Order[] = [];
  for (const o of orders) {
    const i = SYMS.indexOf(o.symbol);
    const filled = Math.floor(o.qty * s.fill[i]);
    const p = w.price.get(o.symbol)!;
    qty.set(o.symbol, (qty.get(o.symbol) ?? 0) + (o.side === 'buy' ? filled : -filled));
    cash += o.side === 'buy' ? -filled * p : filled * p;
    if (filled < o.qty) open.push(order(`A-${o.symbol}-${o.side}`, o.symbol, o.side, o.qty, { filledQty: filled, status: filled > 0 ? 'partially_filled' : 'new' }));
  }
  const positions = [...qty].filter(([, q]) => q > 0).map(([sym, q]) => position(sym, q, w.price.get(sym)!));
  return { account: account(cash, w.equity), positions, openOrders: open };
}

describe('working-order accounting (properties)', () => {
  it('planning twice with the first plan\'s orders left working (partly filled) adds no new exposure', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const w = world(s);
        const targets = w.weights(s.targetMask);
        const a = w.plan({ account: account(s.cash, w.equity), positions: w.positions, openOrders: [] }, targets);
        fc.pre(a.plan.buyScale === 1);
        const b = w.plan(leaveWorking(s, w, a.plan.orders), targets);
        expect(b.plan.orders.filter((o) => o.side === 'buy')).toEqual([]);
        expect(b.plan.orders).toEqual([]);
        expect(b.plan.equity).toBeCloseTo(w.equity, 6);
      }),
      { numRuns: 200 },
    );
  });

  it('with the exposure cap, holdings + working orders + plan B stay within allocation + tolerance, and gates 2 and 7 agree with the plan', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const w = world(s);
        const a = w.plan({ account: account(s.cash, w.equity), positions: w.positions, openOrders: [] }, w.weights(s.targetMask));
        // run A left only its BUYs working (its sells filled), run B targets other names
        const sells = a.plan.orders.filter((o) => o.side === 'sell');
        const afterSells: Scenario = { ...s, fill: s.fill.map((f, i) => (sells.some((o) => o.symbol === SYMS[i]) ? 1 : f)) };
        const snap = leaveWorking(afterSells, w, a.plan.orders);
        const b = w.plan(snap, w.weights(s.targetMask2), s.alloc + 0.005);
        const ctx = buildGateContext({
          snapshot: snap, assets: new Map(), lastPrices: new Map(), prices: b.prices, regime: 'TREND_BULL', allocation: { TREND_BULL: s.alloc, TREND_NEUTRAL: s.alloc, TREND_BEAR: s.alloc, CRASH: s.alloc },
          now: NOW, force: false, strict: false, countWorkingOrders: true, buyPriceBuffer: 0.03,
        });
        const v = validateBatch(toGateOrders(b.plan.orders), ctx);
        expect(v.gates[1].result, v.gates[1].reason).toBe('PASS');
        const before = validateBatch([], ctx).resulting.exposure;
        const hasBuys = b.plan.orders.some((o) => o.side === 'buy');
        if (hasBuys) {
          expect(v.resulting.exposure).toBeLessThanOrEqual((s.alloc + 0.005) * w.equity + 1e-6);
          expect(v.gates[6].result, v.gates[6].reason).toBe('PASS');
        } else {
          expect(v.resulting.exposure).toBeLessThanOrEqual(before + 1e-6);
        }
      }),
      { numRuns: 200 },
    );
  });
});
