import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { accountRefusal, isCashAccount } from '../../src/execution/brokers/alpaca/index.js';
import type { OrderRequest } from '../../src/execution/brokers/broker.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import { brokerFor, cid } from './helpers.js';

/**
 * The order paths a real account hits in its first week: statuses Atlas does not list, a stale
 * 404 while polling, day orders sent after the close (queued, filled at the next open), one list
 * call with filters, latest trades from the data host, account flags, and servers that echo the
 * request headers into their errors.
 */

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await startFakeAlpaca({ echoHeadersInErrors: true });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setNow(new Date('2026-11-24T15:00:00Z')); // Tuesday 10:00 New York: open
  Object.assign(fake.state.account, { cash: 100_000, multiplier: 1, status: 'ACTIVE', tradingBlocked: false, accountBlocked: false, tradeSuspendedByUser: false, daytradeCount: 0 });
  fake.state.positions.clear();
  fake.state.orders.length = 0;
  fake.state.fillPolicies.clear();
  fake.state.openPrices.clear();
  fake.setFillPolicy({ kind: 'immediate' });
  fake.setPrice('AAPL', 190);
  fake.setPrice('MSFT', 410);
  fake.requests.length = 0;
});

const buy = (symbol: string, qty = 1, id = cid()): OrderRequest => ({ symbol, side: 'buy', qty, type: 'market', timeInForce: 'day', clientOrderId: id });

describe('order statuses Atlas does not list', () => {
  it('pending_review and a made-up status are working orders, never a payload error; the unknown word is logged once', async () => {
    fake.setFillPolicy({ kind: 'oddStatus', status: 'pending_review', polls: 3 }, 'AAPL');
    fake.setFillPolicy({ kind: 'oddStatus', status: 'quantum_hold', polls: 3 }, 'MSFT');
    const { broker, logs, events } = brokerFor(fake);
    const a = await broker.submitOrder(buy('AAPL'));
    const m = await broker.submitOrder(buy('MSFT'));
    expect(a.status).toBe('pending_review');
    expect(m).toMatchObject({ status: 'unknown', rawStatus: 'quantum_hold' });
    const open = await broker.listOpenOrders();
    expect(open.map((o) => o.status).sort()).toEqual(['pending_review', 'unknown']);
    await broker.getOrder(m.id);
    const done = await broker.waitForFill(m.id, { timeoutMs: 10_000, pollMs: 500 });
    expect(done.status).toBe('filled');
    expect(logs.filter((l) => l.includes("'quantum_hold'"))).toHaveLength(1);
    expect(logs.some((l) => l.includes('pending_review'))).toBe(false);
    expect(events.filter((e) => e.kind === 'unknown-status').map((e) => e.message)).toEqual(['quantum_hold']);
  });
});

describe('a 404 while polling', () => {
  it('is looked up by client order id, and the wait goes on', async () => {
    fake.setFillPolicy({ kind: 'afterPolls', polls: 3 });
    const { broker, events } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder(buy('AAPL', 2, id));
    fake.injectFault({ route: 'GET /v2/orders/:id', kind: 'not_found' });
    const done = await broker.waitForFill(o.id, { timeoutMs: 10_000, pollMs: 1_000 });
    expect(done).toMatchObject({ id: o.id, clientOrderId: id, status: 'filled', filledQty: 2 });
    expect(fake.requests.slice(1, 3).map((r) => `${r.route} ${String(r.outcome)}`)).toEqual(['GET /v2/orders/:id 404', 'GET /v2/orders:by_client_order_id 200']);
    expect(events.some((e) => e.kind === 'not-found-lookup')).toBe(true);
  });

  it('findOrder returns undefined, and getOrder throws ORDER_NOT_FOUND, only when neither lookup finds it', async () => {
    const { broker } = brokerFor(fake);
    expect(await broker.findOrder('3f1b2c9e-0000-4000-8000-000000000000', 'never-sent')).toBeUndefined();
    await expect(broker.getOrder('3f1b2c9e-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    const o = await broker.submitOrder(buy('AAPL'));
    fake.injectFault({ route: 'GET /v2/orders/:id', kind: 'not_found' });
    expect((await broker.findOrder(o.id, o.clientOrderId))?.id).toBe(o.id);
  });
});

describe('day orders outside market hours', () => {
  it('are accepted and queued while closed, then fill at the open price at the next open', async () => {
    fake.setNow(new Date('2026-11-24T22:00:00Z')); // Tuesday 17:00 New York: closed
    const { broker, time } = brokerFor(fake);
    const clock = await broker.getClock();
    expect(clock.isOpen).toBe(false);
    const o = await broker.submitOrder(buy('AAPL', 10));
    expect(o.status).toBe('accepted');
    expect(o.filledQty).toBe(0);
    await time.clock.sleep(60 * 60_000);
    expect((await broker.getOrder(o.id)).status).toBe('accepted'); // still closed: no fill at the old price
    fake.setOpenPrice('AAPL', 195.5);
    time.t = clock.nextOpen.getTime();
    const [after] = await broker.listOrders({ status: 'all' });
    expect(after).toMatchObject({ id: o.id, status: 'filled', filledQty: 10, filledAvgPrice: 195.5 });
    expect(after.filledAt?.toISOString()).toBe('2026-11-25T14:30:00.000Z');
    expect((await broker.getAccount()).cash).toBeCloseTo(100_000 - 1_955, 6);
  });

  it('a queued buy still reserves buying power', async () => {
    fake.setNow(new Date('2026-11-28T15:00:00Z')); // Saturday
    const { broker } = brokerFor(fake);
    await broker.submitOrder(buy('MSFT', 200)); // 82,000
    expect((await broker.getAccount()).buyingPower).toBe(18_000);
    await expect(broker.submitOrder(buy('MSFT', 50))).rejects.toMatchObject({ code: 'ORDER_REJECTED' });
  });
});

describe('listOrders', () => {
  it('sends status, after, limit, direction=asc and nested=false in one request', async () => {
    fake.setFillPolicy({ kind: 'never' });
    const { broker, time } = brokerFor(fake);
    const first = await broker.submitOrder(buy('AAPL'));
    await time.clock.sleep(1_000);
    const cut = time.clock.now();
    await time.clock.sleep(1_000);
    const second = await broker.submitOrder(buy('MSFT'));
    fake.requests.length = 0;
    const after = await broker.listOrders({ status: 'open', after: cut });
    expect(after.map((o) => o.id)).toEqual([second.id]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].query).toEqual({ status: 'open', after: cut.toISOString(), limit: '500', direction: 'asc', nested: 'false' });
    expect((await broker.listOrders({ status: 'open', limit: 1 })).map((o) => o.id)).toEqual([first.id]);
    await broker.cancelOrder(first.id);
    expect((await broker.listOrders({ status: 'closed' })).map((o) => o.id)).toEqual([first.id]);
    expect((await broker.listOrders({ status: 'all' })).map((o) => o.id).sort()).toEqual([first.id, second.id].sort());
  });
});

describe('latest trades (market data host)', () => {
  it('maps GET /v2/stocks/trades/latest?symbols= to canonical symbols; unknown symbols are absent', async () => {
    fake.setPrice('BRK-B', 452.25);
    const { broker } = brokerFor(fake);
    const m = await broker.getLatestTrades(['AAPL', 'BRK-B', 'NOPE']);
    expect([...m.keys()].sort()).toEqual(['AAPL', 'BRK-B']);
    expect(m.get('BRK-B')?.price).toBe(452.25);
    expect(m.get('AAPL')?.at.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    expect(fake.requests.at(-1)?.query).toEqual({ symbols: 'AAPL,BRK.B,NOPE' });
  });
});

describe('account flags', () => {
  it('maps status, blocks, suspension, multiplier, non-marginable buying power and day trades', async () => {
    Object.assign(fake.state.account, { multiplier: 2, daytradeCount: 3, patternDayTrader: false });
    const { broker } = brokerFor(fake);
    const a = await broker.getAccount();
    expect(a).toMatchObject({ status: 'ACTIVE', accountBlocked: false, tradeSuspendedByUser: false, tradingBlocked: false, multiplier: 2, buyingPower: 200_000, nonMarginableBuyingPower: 100_000, daytradeCount: 3 });
    expect(isCashAccount(a)).toBe(false);
    fake.state.account.multiplier = 1;
    const cash = await broker.getAccount();
    expect(isCashAccount(cash)).toBe(true);
    expect(cash.buyingPower).toBe(cash.nonMarginableBuyingPower);
  });

  it.each([
    ['accountBlocked', true, 'ALPACA_ACCOUNT_BLOCKED'],
    ['tradingBlocked', true, 'ALPACA_TRADING_BLOCKED'],
    ['tradeSuspendedByUser', true, 'ALPACA_TRADING_SUSPENDED'],
    ['status', 'ACCOUNT_UPDATED', 'ALPACA_ACCOUNT_INACTIVE'],
  ] as const)('connect() refuses an account with %s = %s (%s), and the fake refuses its orders', async (field, value, code) => {
    Object.assign(fake.state.account, { [field]: value });
    const { broker } = brokerFor(fake);
    const err = await broker.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect((err as AtlasError).code).toBe(code);
    expect(accountRefusal(await broker.getAccount())?.code).toBe(code);
    if (field !== 'status') await expect(broker.submitOrder(buy('AAPL'))).rejects.toMatchObject({ code: 'ORDER_REJECTED' });
  });

  it('connect() accepts an active, unblocked account', async () => {
    const { broker } = brokerFor(fake);
    await expect(broker.connect()).resolves.toBeUndefined();
  });
});

describe('a server that echoes request headers into its errors', () => {
  it('never gets the key or secret into an error', async () => {
    const { broker } = brokerFor(fake);
    const err = (await broker.submitOrder(buy('AAPL', 1_000_000)).catch((e: unknown) => e)) as Error;
    expect(fake.requests.at(-1)?.outcome).toBe(403);
    expect(err.message).toContain('request headers');
    expect(err.message).not.toContain(fake.secretKey);
    expect(err.message).not.toContain(fake.keyId);
    expect(JSON.stringify(err)).not.toContain(fake.secretKey);
  });
});
