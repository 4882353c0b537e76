import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REGIMES } from '../../src/portfolio/allocation.js';
import {
  gateBuyingPower,
  gatePositionSize,
  gateRegimeCompliance,
  gateTotalAllocation,
  validateBatch,
  type GateContext,
  type GateOrder,
  type GatePosition,
} from '../../src/execution/gates/index.js';
import { asset, SYMBOLS } from './fixtures.js';

const cents = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((c) => c / 100);

/** A consistent market snapshot: one price per symbol, shared by positions and order refPrices. */
const scenario = fc
  .record({
    prices: fc.tuple(...SYMBOLS.map(() => cents(1, 500))),
    held: fc.tuple(...SYMBOLS.map(() => fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })))),
    buys: fc.tuple(
      ...SYMBOLS.map(() =>
        fc.option(fc.record({ qty: fc.integer({ min: 1, max: 2000 }), limit: fc.option(fc.integer({ min: 90, max: 110 }), { nil: undefined }) }), {
          nil: undefined,
        }),
      ),
    ),
    sellFrac: fc.tuple(...SYMBOLS.map(() => fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }))),
    drop: fc.tuple(...SYMBOLS.map(() => fc.boolean())),
    equity: cents(1_000, 1_000_000),
    cash: cents(0, 1_000_000),
    buyingPower: cents(0, 2_000_000),
    marginAllowed: fc.boolean(),
    strict: fc.boolean(),
    regime: fc.constantFrom(...REGIMES),
  })
  .map((s) => {
    const positions = new Map<string, GatePosition>();
    const orders: GateOrder[] = [];
    const keptOrders: GateOrder[] = [];
    SYMBOLS.forEach((sym, i) => {
      const price = s.prices[i];
      if (s.held[i] > 0) positions.set(sym, { qty: s.held[i], price });
      const f = s.sellFrac[i];
      if (f !== undefined && s.held[i] > 0) {
        const qty = Math.max(1, Math.floor(f * s.held[i]));
        const o: GateOrder = { symbol: sym, side: 'sell', qty, type: 'market', timeInForce: 'day', refPrice: price };
        orders.push(o);
        keptOrders.push(o);
      }
      const b = s.buys[i];
      if (b !== undefined) {
        const o: GateOrder =
          b.limit === undefined
            ? { symbol: sym, side: 'buy', qty: b.qty, type: 'market', timeInForce: 'day', refPrice: price }
            : { symbol: sym, side: 'buy', qty: b.qty, type: 'limit', limitPrice: Math.round(price * b.limit) / 100, timeInForce: 'day', refPrice: price };
        orders.push(o);
        if (!s.drop[i]) keptOrders.push(o);
      }
    });
    const ctx: GateContext = {
      equity: s.equity,
      cash: s.cash,
      buyingPower: s.buyingPower,
      marginAllowed: s.marginAllowed,
      positions,
      openOrders: [],
      assets: new Map(SYMBOLS.map((sym, i) => [sym, asset(s.prices[i])])),
      regime: s.regime,
      marketOpen: true,
      marketDetail: 'open',
      force: false,
      strict: s.strict,
    };
    return { ctx, orders, keptOrders };
  });

describe('gate properties', () => {
  it('removing buys never turns a PASS of gates 2, 3, 4 or 7 into anything else', () => {
    const seen = new Map<string, Set<string>>();
    fc.assert(
      fc.property(scenario, ({ ctx, orders, keptOrders }) => {
        for (const gate of [gateBuyingPower, gatePositionSize, gateTotalAllocation, gateRegimeCompliance]) {
          const full = gate(orders, ctx);
          const fewer = gate(keptOrders, ctx);
          if (!seen.has(full.name)) seen.set(full.name, new Set());
          seen.get(full.name)?.add(`${full.result}->${fewer.result}`);
          if (full.result === 'PASS') expect(fewer.result, `${full.name}: ${fewer.reason}`).toBe('PASS');
          // and in particular never a FAIL
          if (full.result !== 'FAIL') expect(fewer.result).not.toBe('FAIL');
        }
      }),
      { numRuns: 400 },
    );
    // the property is not vacuous: every gate saw PASS batches and FAIL/WARN batches
    for (const [name, outcomes] of seen) {
      expect([...outcomes].some((o) => o.startsWith('PASS')), name).toBe(true);
      expect([...outcomes].some((o) => !o.startsWith('PASS')), name).toBe(true);
    }
    expect(seen.size).toBe(4);
  });

  it('in CRASH a sells-only batch never fails gate 7, whatever the book and prices', () => {
    const book = fc.array(fc.tuple(fc.constantFrom(...SYMBOLS), fc.integer({ min: -1000, max: 5000 }), cents(0.01, 1000)), { maxLength: 5 });
    const sells = fc.array(fc.tuple(fc.constantFrom(...SYMBOLS), fc.integer({ min: 1, max: 6000 }), cents(0.01, 1000)), { maxLength: 5 });
    fc.assert(
      fc.property(book, sells, cents(-1000, 1_000_000), (b, s, equity) => {
        const ctx: GateContext = {
          equity,
          cash: 0,
          buyingPower: 0,
          positions: new Map(b.map(([sym, qty, price]) => [sym, { qty, price }])),
          openOrders: [],
          assets: new Map(),
          regime: 'CRASH',
          marketOpen: true,
          marketDetail: '',
          force: false,
          strict: true,
        };
        const orders: GateOrder[] = s.map(([sym, qty, refPrice]) => ({ symbol: sym, side: 'sell', qty, type: 'market', timeInForce: 'day', refPrice }));
        expect(gateRegimeCompliance(orders, ctx).result).not.toBe('FAIL');
        // ... and any buy makes it fail
        const withBuy: GateOrder[] = [...orders, { symbol: 'ZZZ', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', refPrice: 10 }];
        expect(gateRegimeCompliance(withBuy, ctx).result).toBe('FAIL');
      }),
      { numRuns: 300 },
    );
  });

  it('a sells-only batch within the holdings always passes gate 2', () => {
    fc.assert(
      fc.property(scenario, ({ ctx, orders }) => {
        const sells = orders.filter((o) => o.side === 'sell');
        expect(gateBuyingPower(sells, ctx).result).toBe('PASS');
      }),
    );
  });

  it('gate 3 boundary: floor(15% equity / price) shares pass, one more does not', () => {
    fc.assert(
      fc.property(cents(1_000, 5_000_000), cents(1, 2_000), (equity, price) => {
        const qty = Math.floor((0.15 * equity) / price + 1e-9);
        fc.pre(qty >= 1 && (qty + 1) * price > 0.15 * equity * (1 + 1e-8));
        const ctx: GateContext = {
          equity,
          cash: equity,
          buyingPower: equity,
          positions: new Map(),
          openOrders: [],
          assets: new Map([['BBB', asset(price)]]),
          regime: 'TREND_BULL',
          marketOpen: true,
          marketDetail: '',
          force: false,
          strict: true,
        };
        const o = (q: number): GateOrder => ({ symbol: 'BBB', side: 'buy', qty: q, type: 'market', timeInForce: 'day', refPrice: price });
        expect(gatePositionSize([o(qty)], ctx).result).toBe('PASS');
        expect(gatePositionSize([o(qty + 1)], ctx).result).toBe('FAIL');
      }),
    );
  });

  it('validateBatch never throws on junk input and reports seven gates; passed <=> no FAIL', () => {
    const junk = fc.record({
      symbol: fc.oneof(fc.constantFrom(...SYMBOLS), fc.string()),
      side: fc.oneof(fc.constantFrom('buy', 'sell'), fc.string()),
      qty: fc.oneof(fc.integer({ min: -5, max: 500 }), fc.double()),
      type: fc.oneof(fc.constantFrom('market', 'limit'), fc.string()),
      limitPrice: fc.option(fc.double(), { nil: undefined }),
      timeInForce: fc.oneof(fc.constantFrom('day', 'gtc'), fc.string()),
      refPrice: fc.oneof(cents(0.01, 1000), fc.double()),
    }) as fc.Arbitrary<unknown> as fc.Arbitrary<GateOrder>;
    fc.assert(
      fc.property(scenario, fc.array(junk, { maxLength: 6 }), fc.boolean(), ({ ctx }, orders, open) => {
        const v = validateBatch(orders, { ...ctx, marketOpen: open });
        expect(v.gates.map((g) => g.gate)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(v.passed).toBe(v.gates.every((g) => g.result !== 'FAIL'));
        for (const g of v.gates) expect(typeof g.reason).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
