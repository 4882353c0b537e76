import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { OrderRejectedError } from '../../src/execution/brokers/broker.js';
import { AlpacaAuthError, AlpacaBroker, makeAlpacaKeys } from '../../src/execution/brokers/alpaca/index.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import { brokerFor, cid } from './helpers.js';

let fake: FakeAlpaca;

beforeAll(async () => {
  fake = await startFakeAlpaca({ now: new Date('2026-11-24T15:00:00Z') }); // Tuesday 10:00 New York
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.state.account.cash = 100_000;
  fake.state.positions.clear();
  fake.state.orders.length = 0;
  fake.state.fillPolicies.clear();
  fake.setFillPolicy({ kind: 'immediate' });
  fake.setNow(new Date('2026-11-24T15:00:00Z'));
  fake.setPrice('AAPL', 190);
  fake.setPrice('BRK-B', 450);
  fake.requests.length = 0;
});

async function rejection(p: Promise<unknown>): Promise<AtlasError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AtlasError);
    return err as AtlasError;
  }
  throw new Error('expected a rejection');
}

describe('account, positions, assets, clock, calendar', () => {
  it('maps the account, converting decimal strings to numbers and recomputing equity from positions', async () => {
    const { broker } = brokerFor(fake);
    const a = await broker.getAccount();
    expect(a).toMatchObject({ cash: 100_000, buyingPower: 100_000, equity: 100_000, portfolioValue: 100_000, currency: 'USD', status: 'ACTIVE', tradingBlocked: false, patternDayTrader: false });
    expect(typeof a.id).toBe('string');
    fake.setPosition('AAPL', 10, 150);
    fake.setPrice('AAPL', 200);
    const b = await broker.getAccount();
    expect(b.equity).toBe(102_000);
    const raw = fake.requests.at(-1);
    expect(raw?.keyId).toBe(fake.keyId);
    expect(raw?.secretOk).toBe(true);
  });

  it('maps positions with canonical symbols (BRK.B -> BRK-B) and numbers', async () => {
    fake.setPosition('BRK-B', 4, 400);
    fake.setPosition('AAPL', 10, 150.5);
    fake.setPrice('BRK.B', 455.25);
    const { broker } = brokerFor(fake);
    const ps = await broker.getPositions();
    expect(ps).toEqual([
      { symbol: 'AAPL', qty: 10, avgEntryPrice: 150.5, marketValue: 1900, currentPrice: 190, side: 'long' },
      { symbol: 'BRK-B', qty: 4, avgEntryPrice: 400, marketValue: 1821, currentPrice: 455.25, side: 'long' },
    ]);
  });

  it('looks assets up by Alpaca symbol and maps them back; unknown is undefined', async () => {
    const { broker } = brokerFor(fake);
    expect(await broker.getAsset('BRK-B')).toEqual({ symbol: 'BRK-B', tradable: true, status: 'active', fractionable: true, exchange: 'NYSE' });
    expect(fake.requests.at(-1)?.path).toBe('/v2/assets/BRK.B');
    expect(await broker.getAsset('DELIST')).toMatchObject({ status: 'inactive', tradable: false });
    expect(await broker.getAsset('NOPE')).toBeUndefined();
  });

  it('parses the clock, whose timestamps carry nanoseconds and a New York offset', async () => {
    const { broker } = brokerFor(fake);
    const c = await broker.getClock();
    expect(c.isOpen).toBe(true);
    expect(c.timestamp.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    expect(c.nextClose.toISOString()).toBe('2026-11-24T21:00:00.000Z');
    expect(c.nextOpen.toISOString()).toBe('2026-11-25T14:30:00.000Z');
    fake.setNow(new Date('2026-11-28T15:00:00Z')); // Saturday
    const sat = await broker.getClock();
    expect(sat.isOpen).toBe(false);
    expect(sat.nextOpen.toISOString()).toBe('2026-11-30T14:30:00.000Z');
  });

  it('reads the calendar, skipping weekends and holidays, with sessions as instants', async () => {
    const { broker } = brokerFor(fake);
    const days = await broker.getCalendar('2026-11-25', '2026-11-30');
    expect(fake.requests.at(-1)?.query).toMatchObject({ start: '2026-11-25', end: '2026-11-30' });
    expect(days.map((d) => d.date)).toEqual(['2026-11-25', '2026-11-27', '2026-11-30']);
    expect(days[0].open.toISOString()).toBe('2026-11-25T14:30:00.000Z');
    expect(days[0].close.toISOString()).toBe('2026-11-25T21:00:00.000Z');
    const summer = await broker.getCalendar('2026-07-01', '2026-07-01');
    expect(summer[0].open.toISOString()).toBe('2026-07-01T13:30:00.000Z'); // EDT
  });

  it('connect() succeeds with good keys', async () => {
    const { broker } = brokerFor(fake);
    await expect(broker.connect()).resolves.toBeUndefined();
  });
});

describe('orders', () => {
  it('submits a market order with qty as a decimal string and client_order_id, and maps the answer', async () => {
    const { broker } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder({ symbol: 'BRK-B', side: 'buy', qty: 10, type: 'market', timeInForce: 'day', clientOrderId: id });
    const sent = fake.requests.find((r) => r.route === 'POST /v2/orders');
    expect(sent?.body).toEqual({ symbol: 'BRK.B', qty: '10', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: id });
    expect(o).toMatchObject({ clientOrderId: id, symbol: 'BRK-B', side: 'buy', qty: 10, filledQty: 10, filledAvgPrice: 450, type: 'market', limitPrice: null, status: 'filled', timeInForce: 'day' });
    expect(o.submittedAt).toBeInstanceOf(Date);
    expect(o.filledAt).toBeInstanceOf(Date);
    expect((await broker.getAccount()).cash).toBe(95_500);
    expect(await broker.getPositions()).toEqual([{ symbol: 'BRK-B', qty: 10, avgEntryPrice: 450, marketValue: 4500, currentPrice: 450, side: 'long' }]);
  });

  it('sends limit_price as a decimal string and keeps a non-marketable limit order open', async () => {
    const { broker } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 3, type: 'limit', limitPrice: 187.5, timeInForce: 'gtc', clientOrderId: id });
    expect(fake.requests.find((r) => r.route === 'POST /v2/orders')?.body).toMatchObject({ qty: '3', limit_price: '187.5', type: 'limit', time_in_force: 'gtc' });
    expect(o).toMatchObject({ status: 'new', limitPrice: 187.5, filledQty: 0, filledAvgPrice: null, filledAt: null });
    const open = await broker.listOpenOrders();
    expect(fake.requests.at(-1)?.query).toMatchObject({ status: 'open' });
    expect(open.map((x) => x.clientOrderId)).toEqual([id]);
    expect((await broker.getAccount()).buyingPower).toBeCloseTo(100_000 - 3 * 187.5, 6);
  });

  it('sends fractional quantities as exact decimal strings when allowed, and refuses them otherwise', async () => {
    const { broker } = brokerFor(fake, { allowFractional: true });
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 0.1 + 0.2, type: 'market', timeInForce: 'day', clientOrderId: cid() });
    expect(fake.requests.find((r) => r.route === 'POST /v2/orders')?.body).toMatchObject({ qty: '0.3' });
    expect(o.filledQty).toBeCloseTo(0.3, 9);
    const strict = brokerFor(fake).broker;
    const before = fake.requests.length;
    const e = await rejection(strict.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1.5, type: 'market', timeInForce: 'day', clientOrderId: cid() }));
    expect(e.code).toBe('INVALID_ORDER');
    expect(e.message).toMatch(/fractional quantity 1.5/);
    expect(fake.requests.length).toBe(before);
  });

  it('validates orders before sending: sub-penny limits, missing limit, bad qty, empty client id', async () => {
    const { broker } = brokerFor(fake);
    const base = { symbol: 'AAPL', side: 'buy' as const, qty: 1, timeInForce: 'day' as const, clientOrderId: cid() };
    expect((await rejection(broker.submitOrder({ ...base, type: 'limit', limitPrice: 10.123 }))).message).toMatch(/at most 2 decimals/);
    expect((await rejection(broker.submitOrder({ ...base, type: 'limit' }))).message).toMatch(/needs a positive limitPrice/);
    expect((await rejection(broker.submitOrder({ ...base, type: 'market', qty: 0 }))).message).toMatch(/positive number of shares/);
    expect((await rejection(broker.submitOrder({ ...base, type: 'market', clientOrderId: '' }))).message).toMatch(/clientOrderId/);
    expect(fake.count('POST /v2/orders')).toBe(0);
    expect(broker.buildOrderBody({ ...base, type: 'limit', limitPrice: 0.1234 }).limit_price).toBe('0.1234');
  });

  it('gets orders by id and by client id; unknown ids are ORDER_NOT_FOUND / undefined', async () => {
    const { broker } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 2, type: 'market', timeInForce: 'day', clientOrderId: id });
    expect((await broker.getOrder(o.id)).clientOrderId).toBe(id);
    expect((await broker.getOrderByClientId(id))?.id).toBe(o.id);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v2/orders:by_client_order_id', query: { client_order_id: id } });
    expect(await broker.getOrderByClientId('no-such-id')).toBeUndefined();
    expect((await rejection(broker.getOrder('3f1b2c9e-0000-4000-8000-000000000000'))).code).toBe('ORDER_NOT_FOUND');
  });

  it('cancels an open order; cancelling again or an unknown id says why', async () => {
    fake.setFillPolicy({ kind: 'never' });
    const { broker } = brokerFor(fake);
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 2, type: 'market', timeInForce: 'day', clientOrderId: cid() });
    await broker.cancelOrder(o.id);
    const after = await broker.getOrder(o.id);
    expect(after.status).toBe('canceled');
    expect(after.canceledAt).toBeInstanceOf(Date);
    expect(await broker.listOpenOrders()).toEqual([]);
    const again = await rejection(broker.cancelOrder(o.id));
    expect(again.code).toBe('ORDER_NOT_CANCELABLE');
    expect(again.message).toMatch(/no longer cancelable/);
    expect((await rejection(broker.cancelOrder('3f1b2c9e-0000-4000-8000-000000000000'))).code).toBe('ORDER_NOT_FOUND');
  });

  it('a duplicate client_order_id returns the existing order and never creates a second one', async () => {
    const { broker, events } = brokerFor(fake);
    const id = cid();
    const req = { symbol: 'AAPL', side: 'buy' as const, qty: 5, type: 'market' as const, timeInForce: 'day' as const, clientOrderId: id };
    const first = await broker.submitOrder(req);
    const second = await broker.submitOrder(req);
    expect(second.id).toBe(first.id);
    expect(fake.ordersByClientId(id)).toHaveLength(1);
    expect(fake.count('POST /v2/orders')).toBe(2);
    const dupAnswer = fake.requests.filter((r) => r.route === 'POST /v2/orders')[1];
    expect(dupAnswer.outcome).toBe(422);
    expect(events.some((e) => e.kind === 'submit-duplicate')).toBe(true);
    expect((await broker.getPositions())[0].qty).toBe(5);
  });
});

describe('rejections', () => {
  it('insufficient buying power is an OrderRejectedError with Alpaca\'s reason', async () => {
    const { broker } = brokerFor(fake);
    const id = cid();
    const e = await rejection(broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1000, type: 'market', timeInForce: 'day', clientOrderId: id }));
    expect(e).toBeInstanceOf(OrderRejectedError);
    const r = e as OrderRejectedError;
    expect(r.reason).toBe('insufficient buying power');
    expect(r.httpStatus).toBe(403);
    expect(r.brokerCode).toBe(40310000);
    expect(r.clientOrderId).toBe(id);
    expect(r.message).toBe(`Alpaca rejected order ${id} (buy 1000 AAPL): insufficient buying power (HTTP 403, code 40310000).`);
    expect(fake.state.orders).toHaveLength(0);
    expect(fake.count('POST /v2/orders')).toBe(1);
  });

  it('inactive and untradable assets, and selling what is not held, are rejected with clear reasons', async () => {
    const { broker } = brokerFor(fake);
    const req = { side: 'buy' as const, qty: 1, type: 'market' as const, timeInForce: 'day' as const };
    const inactive = (await rejection(broker.submitOrder({ ...req, symbol: 'DELIST', clientOrderId: cid() }))) as OrderRejectedError;
    expect(inactive.reason).toBe('asset DELIST is not active');
    expect(inactive.httpStatus).toBe(422);
    const halted = (await rejection(broker.submitOrder({ ...req, symbol: 'HALTD', clientOrderId: cid() }))) as OrderRejectedError;
    expect(halted.reason).toMatch(/not tradable/);
    const sell = (await rejection(broker.submitOrder({ ...req, side: 'sell', symbol: 'AAPL', clientOrderId: cid() }))) as OrderRejectedError;
    expect(sell.reason).toMatch(/insufficient qty available/);
    expect(sell.httpStatus).toBe(403);
  });

  it('an order the venue rejects later comes back with status rejected', async () => {
    fake.setFillPolicy({ kind: 'rejectAfterPolls', polls: 2 });
    const { broker } = brokerFor(fake);
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', clientOrderId: cid() });
    expect(o.status).toBe('new');
    const done = await broker.waitForFill(o.id, { timeoutMs: 10_000, pollMs: 100 });
    expect(done.status).toBe('rejected');
  });
});

describe('fills', () => {
  it('reports a partial fill, then the full fill', async () => {
    fake.setFillPolicy({ kind: 'partial', fraction: 0.4, fullAfterPolls: 3 }, 'AAPL');
    const { broker } = brokerFor(fake);
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 10, type: 'market', timeInForce: 'day', clientOrderId: cid() });
    expect(o).toMatchObject({ status: 'new', filledQty: 0 });
    const p1 = await broker.getOrder(o.id);
    expect(p1).toMatchObject({ status: 'partially_filled', filledQty: 4, filledAvgPrice: 190 });
    expect((await broker.getPositions())[0].qty).toBe(4);
    fake.setPrice('AAPL', 200);
    const p2 = await broker.getOrder(o.id);
    expect(p2.status).toBe('partially_filled');
    const p3 = await broker.getOrder(o.id);
    expect(p3).toMatchObject({ status: 'filled', filledQty: 10 });
    expect(p3.filledAvgPrice).toBeCloseTo((4 * 190 + 6 * 200) / 10, 9);
  });

  it('waitForFill polls until the order is filled', async () => {
    fake.setFillPolicy({ kind: 'afterPolls', polls: 3 });
    const { broker, time } = brokerFor(fake);
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', clientOrderId: cid() });
    const done = await broker.waitForFill(o.id, { timeoutMs: 60_000, pollMs: 500 });
    expect(done.status).toBe('filled');
    expect(fake.count('GET /v2/orders/:id')).toBe(3);
    expect(time.sleeps).toEqual([500, 500]);
  });

  it('waitForFill returns the still-open order at the timeout when it never fills', async () => {
    fake.setFillPolicy({ kind: 'never' });
    const { broker, time } = brokerFor(fake);
    const start = time.t;
    const o = await broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', clientOrderId: cid() });
    const last = await broker.waitForFill(o.id, { timeoutMs: 2_000, pollMs: 300 });
    expect(last.status).toBe('new');
    expect(last.id).toBe(o.id);
    expect(time.t - start).toBe(2_000);
    expect(fake.count('GET /v2/orders/:id')).toBe(8); // t = 0, 300, ..., 1800, 2000
  });
});

describe('authentication', () => {
  it('a wrong secret is an AlpacaAuthError that names the variables, not the values', async () => {
    const wrongSecret = 'wrong-secret-Kx91bb';
    const broker = new AlpacaBroker({
      keys: makeAlpacaKeys(fake.keyId, wrongSecret, { keyVar: 'ALPACA_SMALL_KEY', secretVar: 'ALPACA_SMALL_SECRET' }),
      baseUrl: fake.url,
      allowLocal: true,
    });
    const e = await rejection(broker.connect());
    expect(e).toBeInstanceOf(AlpacaAuthError);
    expect(e.code).toBe('ALPACA_AUTH');
    expect(e.message).toContain('HTTP 401');
    expect(e.message).toContain('request is not authorized');
    expect(e.message).toContain('ALPACA_SMALL_KEY and ALPACA_SMALL_SECRET');
    expect(e.message).not.toContain(wrongSecret);
    expect(e.message).not.toContain(fake.keyId);
    expect(fake.requests.filter((r) => r.outcome === 401)).toHaveLength(1); // not retried
  });

  it('a 401 on submit is an auth error, not an order rejection', async () => {
    const broker = new AlpacaBroker({ keys: { keyId: 'PKWRONGKEY', secretKey: 'nope-nope-nope' }, baseUrl: fake.url, allowLocal: true });
    const e = await rejection(broker.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', clientOrderId: cid() }));
    expect(e.code).toBe('ALPACA_AUTH');
    expect(e).not.toBeInstanceOf(OrderRejectedError);
  });
});
