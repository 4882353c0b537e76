import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gateBuyingPower, gatePositionSize, gateRegimeCompliance, gateTotalAllocation, resultingState, validateBatch, type GateWorkingOrder } from '../../src/execution/gates/index.js';
import { buy, ctxOf, positions, sell } from './fixtures.js';

const working = (symbol: string, side: 'buy' | 'sell', qty: number, price = 100, over: Partial<GateWorkingOrder> = {}): GateWorkingOrder => ({
  symbol, side, qty, price, clientOrderId: `other-${symbol}-${side}`, ...over,
});

describe('gates count working orders (the resulting state)', () => {
  it('gate 7: a working BUY of another run counts; the reason says so', () => {
    const ctx = ctxOf({ regime: 'TREND_NEUTRAL' }); // 100 AAA @ $100 = 10% of $100k
    expect(gateRegimeCompliance([buy('CCC', 50)], ctx).result).toBe('PASS');
    const r = gateRegimeCompliance([buy('CCC', 50)], { ...ctx, workingOrders: [working('BBB', 'buy', 600)] });
    expect(r.result).toBe('FAIL');
    expect(r.reason).toBe(
      'regime TREND_NEUTRAL: resulting exposure 75.00% ($75,000.00, incl. 1 working order(s) at the broker (buys $60,000.00, sells $0.00)) > target 70.00% + tolerance 0.50% = 70.50% and the batch raises exposure from 70.00%',
    );
    // a working SELL lowers the resulting exposure
    expect(gateRegimeCompliance([buy('CCC', 50)], { ...ctx, workingOrders: [working('BBB', 'buy', 600), working('AAA', 'sell', 100)] }).result).toBe('PASS');
  });

  it('gate 4: working orders count toward gross exposure', () => {
    const ctx = ctxOf({ workingOrders: [working('BBB', 'buy', 850)] });
    const r = gateTotalAllocation([buy('CCC', 51)], ctx);
    expect(r.result).toBe('FAIL');
    expect(r.reason).toMatch(/resulting gross exposure \$100,100.00 = 100.10% of equity \$100,000.00, incl. 1 working order/);
    expect(gateTotalAllocation([buy('CCC', 50)], ctx).result).toBe('PASS');
  });

  it('gate 3: a working buy of the same symbol counts; exactly 15% passes, one share more fails (strict)', () => {
    const ctx = ctxOf({ strict: true, workingOrders: [working('AAA', 'buy', 40)] });
    expect(gatePositionSize([buy('AAA', 10)], ctx).result).toBe('PASS');
    const r = gatePositionSize([buy('AAA', 11)], ctx);
    expect(r.result).toBe('FAIL');
    expect(r.reason).toMatch(/^AAA resulting \$15,100.00 \(incl. working buy 40\) = 15.10%/);
  });

  it('gate 2: working buys take cash (at their limit, or price + headroom); working sells are not credited', () => {
    const ctx = ctxOf({ workingOrders: [working('BBB', 'buy', 400)] }); // cash $50k
    expect(gateBuyingPower([buy('CCC', 100)], ctx).result).toBe('PASS');
    const r = gateBuyingPower([buy('CCC', 101)], ctx);
    expect(r.result).toBe('FAIL');
    expect(r.reason).toMatch(/cash account: min\(cash \$50,000.00 - working buys \$40,000.00, buying power \$50,000.00\) = \$10,000.00/);
    // a limit buy reserves its limit, not the headroom
    const lim = ctxOf({ limits: { buyPriceBuffer: 0.03 }, workingOrders: [working('BBB', 'buy', 400, 90, { type: 'limit' })] });
    expect(gateBuyingPower([buy('CCC', 100)], lim).reason).toMatch(/working buys \$36,000.00/);
    // a working sell of 300 DDD does not fund anything
    expect(gateBuyingPower([buy('CCC', 101)], { ...ctx, workingOrders: [working('BBB', 'buy', 400), working('AAA', 'sell', 100)] }).result).toBe('FAIL');
  });

  it('gate 2: a sell may not take shares already promised to a working sell', () => {
    const ctx = ctxOf({ workingOrders: [working('AAA', 'sell', 60)] });
    expect(gateBuyingPower([sell('AAA', 40)], ctx).result).toBe('PASS');
    const r = gateBuyingPower([sell('AAA', 41)], ctx);
    expect(r.result).toBe('FAIL');
    expect(r.reason).toMatch(/^sell 41 AAA exceeds the 40 held and not already in working sell orders \(100 held, 60 in working sells\)/);
  });

  it('gate 2: a working buy that cannot be valued FAILs', () => {
    const r = gateBuyingPower([buy('CCC', 1)], ctxOf({ workingOrders: [working('ZZZ', 'buy', 5, Number.NaN)] }));
    expect(r.result).toBe('FAIL');
    expect(r.reason).toMatch(/working buy order\(s\) with no price to value them: 5 ZZZ \(other-ZZZ-buy\)/);
  });
});

describe('buy-price headroom in gate 2', () => {
  it('a market buy costs refPrice x (1 + buffer): exactly at the cash passes, a cent less cash fails', () => {
    const at = ctxOf({ cash: 10_300, buyingPower: 10_300, limits: { buyPriceBuffer: 0.03 } });
    const pass = gateBuyingPower([buy('CCC', 100)], at);
    expect(pass.result).toBe('PASS');
    expect(pass.reason).toBe(
      'buys $10,300.00 (market buys at reference price + 3.00%) <= available $10,300.00 (cash account: min(cash $10,300.00, buying power $10,300.00) = $10,300.00; + sell proceeds $0.00)',
    );
    expect(gateBuyingPower([buy('CCC', 100)], { ...at, cash: 10_299.99 }).result).toBe('FAIL');
    // limit buys are costed at the limit: no headroom
    expect(gateBuyingPower([buy('CCC', 100, { type: 'limit', limitPrice: 103 })], { ...at, cash: 10_300 }).result).toBe('PASS');
    // the default (no limits) has no headroom: the backtest's gates are unchanged
    expect(gateBuyingPower([buy('CCC', 100)], ctxOf({ cash: 10_000, buyingPower: 10_000 })).result).toBe('PASS');
  });
});

const SYMS = ['AAA', 'BBB', 'CCC', 'DDD'] as const;
const orderArb = fc.record({ symbol: fc.constantFrom(...SYMS), side: fc.constantFrom('buy' as const, 'sell' as const), qty: fc.integer({ min: 1, max: 300 }) });

describe('working-order properties', () => {
  it('a working order moves the resulting state exactly as the same order in the batch would', () => {
    fc.assert(
      fc.property(
        fc.array(orderArb, { maxLength: 5 }),
        fc.array(orderArb, { maxLength: 5 }),
        fc.dictionary(fc.constantFrom(...SYMS), fc.integer({ min: 0, max: 500 })),
        (batch, workingOrders, held) => {
          const price = 100;
          const book = positions(Object.fromEntries(Object.entries(held).map(([s, q]) => [s, [q, price]])));
          const asOrders = [...batch, ...workingOrders].map((o) => (o.side === 'buy' ? buy(o.symbol, o.qty) : sell(o.symbol, o.qty)));
          const a = resultingState(
            batch.map((o) => (o.side === 'buy' ? buy(o.symbol, o.qty) : sell(o.symbol, o.qty))),
            ctxOf({ positions: book, workingOrders: workingOrders.map((w, i) => working(w.symbol, w.side, w.qty, price, { clientOrderId: `w${i}` })) }),
          );
          const b = resultingState(asOrders, ctxOf({ positions: book }));
          expect(a.exposure).toBeCloseTo(b.exposure, 6);
          for (const s of SYMS) expect(a.positions.get(s)?.qty ?? 0).toBe(b.positions.get(s)?.qty ?? 0);
        },
      ),
    );
  });

  it('long-only book: adding a working buy never turns a FAIL of gates 2, 4 or 7 into a PASS', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 4 }), orderArb, fc.integer({ min: 0, max: 100_000 }), (batch, extra, cash) => {
        // sells within the 100 AAA held (a short's gross exposure shrinks when a buy covers it)
        fc.pre(batch.every((o) => o.side === 'buy' || o.symbol === 'AAA'));
        fc.pre(batch.filter((o) => o.side === 'sell').reduce((a, o) => a + o.qty, 0) <= 100);
        const orders = batch.map((o) => (o.side === 'buy' ? buy(o.symbol, o.qty) : sell(o.symbol, o.qty)));
        const ctx = ctxOf({ cash, buyingPower: cash, regime: 'TREND_NEUTRAL' });
        const more = { ...ctx, workingOrders: [working(extra.symbol, 'buy', extra.qty)] };
        const before = validateBatch(orders, ctx).gates;
        const after = validateBatch(orders, more).gates;
        for (const g of [1, 3, 6]) if (before[g].result === 'FAIL') expect(after[g].result, `gate ${g + 1}`).toBe('FAIL');
      }),
    );
  });
});
