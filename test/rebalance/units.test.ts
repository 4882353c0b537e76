import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/store/database.js';
import type { Account, Position } from '../../src/execution/brokers/broker.js';
import { sessionsMissingAfter, summarize } from '../../src/execution/rebalance/orchestrator.js';
import { buyBudget, buildGateContext, holdingsOf, marketStatus, planFromSnapshot, resizeBuys } from '../../src/execution/rebalance/plan.js';
import { assertRunId, clientOrderIdFor, computeRunId, isRunId, runIdOfClientOrderId } from '../../src/execution/rebalance/runId.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

const account = (over: Partial<Account> = {}): Account => ({
  id: 'a', cash: 10_000, buyingPower: 10_000, equity: 10_000, portfolioValue: 10_000, currency: 'USD', status: 'ACTIVE', tradingBlocked: false, accountBlocked: false, tradeSuspendedByUser: false, multiplier: 1, nonMarginableBuyingPower: 10_000, daytradeCount: 0, patternDayTrader: false, ...over,
});
const position = (symbol: string, qty: number, price: number): Position => ({ symbol, qty, avgEntryPrice: price, marketValue: qty * price, currentPrice: price, side: qty >= 0 ? 'long' : 'short' });

describe('run ids and client order ids', () => {
  const base = { tradeDate: '2026-11-24', account: 'LARGE', broker: 'paper', universe: 'technology', topN: 3 };

  it('same command, same day -> same id; any identity field changes it', () => {
    const id = computeRunId(base);
    expect(id).toMatch(/^20261124-[0-9a-f]{8}$/);
    expect(isRunId(id)).toBe(true);
    expect(computeRunId({ ...base })).toBe(id);
    expect(computeRunId({ ...base, account: 'large' })).toBe(id);
    for (const over of [{ tradeDate: '2026-11-25' }, { account: 'MID' }, { broker: 'alpaca' }, { universe: 'healthcare' }, { topN: 4 }, { regimeOverride: 'TREND_BEAR' }]) {
      expect(computeRunId({ ...base, ...over })).not.toBe(id);
    }
  });

  it('client order ids are atlas-<runId>-<symbol>-<leg>, unique per symbol and leg, at most 48 characters', () => {
    const id = computeRunId(base);
    expect(clientOrderIdFor(id, 'AAPL', 'buy')).toBe(`atlas-${id}-AAPL-buy`);
    expect(clientOrderIdFor(id, 'BRK-B', 'sell')).toBe(`atlas-${id}-BRK-B-sell`);
    expect(runIdOfClientOrderId(clientOrderIdFor(id, 'AAPL', 'buy'))).toBe(id);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Z0-9-]{0,29}$/), fc.stringMatching(/^[A-Z][A-Z0-9-]{0,29}$/), (a, b) => {
        const ca = clientOrderIdFor(id, a, 'buy');
        expect(ca.length).toBeLessThanOrEqual(48);
        expect(clientOrderIdFor(id, a, 'sell')).not.toBe(ca);
        if (a !== b) expect(clientOrderIdFor(id, b, 'buy')).not.toBe(ca);
      }),
    );
  });

  it('a malformed run id is one sentence', () => {
    expect(() => assertRunId('nope')).toThrow(/is not a run id; run ids look like/);
    expect(assertRunId(' 20261124-0123abcd ')).toBe('20261124-0123abcd');
  });
});

describe('planning pieces', () => {
  it('planFromSnapshot: CLOSE what is not targeted, OPEN the targets, whole shares rounded down', () => {
    const { plan, priceSources } = planFromSnapshot({
      snapshot: { account: account({ cash: 5_000, equity: 15_000 }), positions: [position('OLD', 100, 100)], openOrders: [] },
      targets: { AAA: 0.35, BBB: 0.35 },
      targetPrices: { AAA: 33, BBB: 70 },
      priceOf: () => undefined,
      minNotional: 50,
    });
    expect(plan.orders.map((o) => `${o.side} ${o.qty} ${o.symbol} ${o.intent}`)).toEqual(['sell 100 OLD CLOSE', 'buy 159 AAA OPEN', 'buy 75 BBB OPEN']);
    expect(priceSources.OLD).toBe('broker');
  });

  it('holdingsOf refuses short positions', () => {
    expect(() => holdingsOf([position('X', -5, 10)])).toThrow(/short position in X/);
  });

  it('resizeBuys never raises a quantity and never spends more than the budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ symbol: fc.constantFrom('A', 'B', 'C', 'D'), qty: fc.integer({ min: 1, max: 500 }), refPrice: fc.double({ min: 1, max: 900, noNaN: true }) }), { maxLength: 4 }),
        fc.double({ min: 0, max: 200_000, noNaN: true }),
        (buys, budget) => {
          const r = resizeBuys(buys, budget, 50);
          let cost = 0;
          for (const k of r.kept) {
            const orig = buys.find((b) => b.symbol === k.symbol && b.refPrice === k.refPrice)!;
            expect(k.qty).toBeLessThanOrEqual(orig.qty);
            expect(Number.isInteger(k.qty)).toBe(true);
            cost += k.qty * k.refPrice;
          }
          if (r.scale < 1) expect(cost).toBeLessThanOrEqual(budget + 1e-6);
          expect(r.kept.length + r.skipped.length).toBe(buys.length);
        },
      ),
    );
  });

  it('buyBudget = min(cash, buying power, room under the regime cap next to what is held)', () => {
    const positions = new Map([['X', { qty: 100, price: 100 }]]);
    expect(buyBudget(account({ cash: 50_000, buyingPower: 20_000, equity: 60_000 }), positions, 0.7, 0.005)).toMatchObject({ cash: 20_000, exposure: 10_000 });
    const b = buyBudget(account({ cash: 50_000, buyingPower: 50_000, equity: 60_000 }), positions, 0.3, 0.005);
    expect(b.regimeRoom).toBeCloseTo(0.305 * 60_000 - 10_000, 9);
    expect(b.budget).toBe(b.regimeRoom);
  });

  it('buyBudget never leaves more room than gate 4 (gross <= 100% of equity), whatever gate 7 tolerates', () => {
    // TREND_BULL: gate 7 allows 100.5% next to what is held, gate 4 only 100%; a sleeve counted as cash still counts for gate 4.
    const positions = new Map([['X', { qty: 500, price: 100 }], ['BIL', { qty: 100, price: 50 }]]);
    const b = buyBudget(account({ cash: 45_000, buyingPower: 45_000, equity: 100_000 }), positions, 1, 0.005, { cashLike: new Set(['BIL']) });
    expect(b.exposure).toBe(50_000);
    expect(b.regimeRoom).toBeCloseTo(100_000 - 55_000, 9);
    expect(buyBudget(account({ cash: 45_000, buyingPower: 45_000, equity: 100_000 }), positions, 1, 0.005, { cashLike: new Set(['BIL']), maxGrossPct: 1.2 }).regimeRoom).toBeCloseTo(100_500 - 50_000, 9);
  });

  it('the gate context leaves this run\'s own open orders out and reads the market from the calendar', () => {
    const ctx = buildGateContext({
      snapshot: {
        account: account(),
        positions: [position('X', 10, 50)],
        openOrders: [
          { clientOrderId: 'atlas-mine', symbol: 'X', side: 'sell' } as never,
          { clientOrderId: 'other', symbol: 'Y', side: 'buy' } as never,
        ],
      },
      assets: new Map([['X', { symbol: 'X', tradable: true, status: 'active', fractionable: true, exchange: 'NYSE' }], ['Z', undefined]]),
      lastPrices: new Map([['X', 51]]),
      prices: new Map(),
      regime: 'TREND_BULL',
      now: new Date('2026-11-28T15:00:00Z'),
      force: false,
      strict: true,
      ownClientOrderIds: new Set(['atlas-mine']),
    });
    expect(ctx.openOrders).toEqual([{ symbol: 'Y', side: 'buy' }]);
    expect(ctx.assets.get('X')).toEqual({ active: true, tradable: true, lastPrice: 51 });
    expect(ctx.assets.has('Z')).toBe(false);
    expect(ctx.marketOpen).toBe(false);
    expect(ctx.marketDetail).toMatch(/not a trading day.*next open 2026-11-30 09:30 ET/);
    expect(marketStatus(new Date('2026-11-24T15:00:00Z')).open).toBe(true);
  });

  it('stale data is counted in missing sessions', () => {
    expect(sessionsMissingAfter('2026-11-23', '2026-11-24')).toBe(0);
    expect(sessionsMissingAfter('2026-11-20', '2026-11-24')).toBe(1);
    expect(sessionsMissingAfter('2024-12-31', '2026-11-24')).toBeGreaterThan(400);
  });
});

describe('run store (migrations 3 and 6)', () => {
  it('persists a run and its orders, updates states, and refuses a second create', () => {
    const db = openDatabase(tmp());
    try {
      const runs = new RunStore(db, () => new Date('2026-11-24T15:00:00Z'));
      const params = { universe: 'technology', topN: 3, regimeOverride: null, minNotional: 50, force: false, strict: false };
      const newRun = { runId: '20261124-0123abcd', tradeDate: '2026-11-24', account: 'LARGE', broker: 'paper', params, signal: { regime: 'TREND_BULL' } };
      runs.create(newRun, [
        { clientOrderId: 'atlas-20261124-0123abcd-X-sell', seq: 1, leg: 'sell', symbol: 'X', side: 'sell', intent: 'CLOSE', plannedQty: 10, qty: 10, refPrice: 5 },
        { clientOrderId: 'atlas-20261124-0123abcd-Y-buy', seq: 2, leg: 'buy', symbol: 'Y', side: 'buy', intent: 'OPEN', plannedQty: 3, qty: 3, refPrice: 9 },
      ]);
      expect(runs.get('20261124-0123abcd')).toMatchObject({ phase: 'sells', status: 'open', params, signal: { regime: 'TREND_BULL' } });
      expect(() => runs.create(newRun, [])).toThrow(/already exists/);
      const ref = { clientOrderId: 'atlas-20261124-0123abcd-X-sell', symbol: 'X', side: 'sell', qty: 10 } as const;
      runs.apply({ ...ref, kind: 'Submitted' });
      runs.apply({ ...ref, kind: 'Accepted', brokerOrderId: 'b1', brokerStatus: 'new', filledQty: 0, filledAvgPrice: null, orderType: 'market', reconciled: false });
      runs.apply({ ...ref, kind: 'Filled', brokerOrderId: 'b1', brokerStatus: 'filled', filledQty: 10, filledAvgPrice: 5.1, filledAt: null, note: null });
      runs.setPhase('20261124-0123abcd', 'done', 'completed', { ok: true });
      const orders = runs.orders('20261124-0123abcd');
      expect(orders.map((o) => o.state)).toEqual(['filled', 'planned']);
      expect(summarize(orders)).toMatchObject({ planned: 2, submitted: 1, filled: 1, notSent: 1, soldNotional: 51 });
      expect(runs.get('20261124-0123abcd')).toMatchObject({ phase: 'done', status: 'completed', summary: { ok: true } });
      expect(() => runs.apply({ clientOrderId: 'nope', symbol: 'X', side: 'buy', qty: 1, kind: 'Submitted' })).toThrow(/No planned order/);
      expect(runs.events({ runId: '20261124-0123abcd' }).map((e) => e.event.kind)).toEqual(['Planned', 'Planned', 'Submitted', 'Accepted', 'Filled']);
    } finally {
      db.close();
    }
  });
});
