import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlasError, TransientError } from '../../src/core/errors.js';
import { OrderRejectedError, type OrderRequest } from '../../src/execution/brokers/broker.js';
import { AlpacaBroker, makeAlpacaKeys, parseRetryAfter, resolveAlpacaKeys } from '../../src/execution/brokers/alpaca/index.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import { brokerFor, cid, seededRandom } from './helpers.js';

const SECRET = 'SeCrEt-9f8e7d6c5b4a-never-print';
const KEY_ID = 'PKFAULTKEYID777';

let fake: FakeAlpaca;

beforeAll(async () => {
  fake = await startFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET });
});
afterAll(async () => {
  await fake.close();
});
/** The full-jitter waits a broker with seededRandom(42) sleeps for these exponential steps. */
function fullJitter(steps: number[]): number[] {
  const r = seededRandom(42);
  return steps.map((s) => Math.round(r() * s));
}

beforeEach(() => {
  fake.setNow(new Date('2026-11-24T15:00:00Z')); // a whole second: X-RateLimit-Reset waits are exact
  fake.state.account.cash = 100_000;
  fake.state.positions.clear();
  fake.state.orders.length = 0;
  fake.setFillPolicy({ kind: 'immediate' });
  fake.requests.length = 0;
  expect(fake.pendingFaults()).toEqual([]);
});

const market = (clientOrderId: string, qty = 1): OrderRequest => ({ symbol: 'AAPL', side: 'buy', qty, type: 'market', timeInForce: 'day', clientOrderId });

async function rejection(p: Promise<unknown>): Promise<AtlasError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AtlasError);
    return err as AtlasError;
  }
  throw new Error('expected a rejection');
}

describe('GET retries', () => {
  it('rides out a burst of 429s, waiting until X-RateLimit-Reset plus a 1 s buffer each time', async () => {
    fake.injectFault({ route: 'GET /v2/account', kind: 'rate_limit', times: 3, retryAfterSeconds: 2 });
    const { broker, time } = brokerFor(fake);
    expect((await broker.getAccount()).cash).toBe(100_000);
    expect(time.sleeps).toEqual([3_000, 3_000, 3_000]);
    expect(fake.requests.map((r) => r.outcome)).toEqual([429, 429, 429, 200]);
  });

  it('backs off exponentially on 500s, with full jitter', async () => {
    fake.injectFault({ route: 'GET /v2/positions', kind: 'server_error', times: 3 });
    const { broker, time } = brokerFor(fake);
    expect(await broker.getPositions()).toEqual([]);
    expect(time.sleeps).toEqual(fullJitter([250, 500, 1_000]));
  });

  it('gives up after maxRetries with a TransientError that says so', async () => {
    fake.injectFault({ route: 'GET /v2/clock', kind: 'server_error', status: 503, times: 3 });
    const { broker, time } = brokerFor(fake, { retry: { maxRetries: 2 } });
    const e = await rejection(broker.getClock());
    expect(e).toBeInstanceOf(TransientError);
    expect(e.code).toBe('ALPACA_SERVER_ERROR');
    expect(e.message).toMatch(/still failing after 3 attempts.*HTTP 503/);
    expect(time.sleeps).toEqual(fullJitter([250, 500]));
    expect(fake.count('GET /v2/clock')).toBe(3);
  });

  it('retries a request that hangs past the timeout', async () => {
    fake.injectFault({ route: 'GET /v2/account', kind: 'hang' });
    const { broker, events } = brokerFor(fake, { timeoutMs: 150 });
    expect((await broker.getAccount()).equity).toBe(100_000);
    expect(events.some((e) => e.kind === 'failure' && e.message === 'timeout')).toBe(true);
    expect(fake.requests.map((r) => r.outcome)).toEqual(['hang', 200]);
  });

  it('retries a dropped connection (ECONNRESET-like)', async () => {
    fake.injectFault({ route: 'GET /v2/assets/:symbol', kind: 'drop', times: 2 });
    const { broker } = brokerFor(fake);
    expect((await broker.getAsset('AAPL'))?.symbol).toBe('AAPL');
    expect(fake.requests.map((r) => r.outcome)).toEqual(['dropped', 'dropped', 200]);
  });

  it('does not retry a 4xx answer', async () => {
    const { broker } = brokerFor(fake);
    await rejection(broker.getOrder('3f1b2c9e-0000-4000-8000-000000000000'));
    expect(fake.requests).toHaveLength(1);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 00:00:10 GMT', Date.parse('2026-11-25T00:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('order submission never trades twice', () => {
  it('connection dropped AFTER the server accepted the order: looks it up and returns it; exactly one order', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'drop_after_accept' });
    const { broker, events } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder(market(id, 7));
    expect(o).toMatchObject({ clientOrderId: id, qty: 7, status: 'filled' });
    expect(fake.ordersByClientId(id)).toHaveLength(1);
    expect(fake.state.orders).toHaveLength(1);
    expect(fake.count('POST /v2/orders')).toBe(1);
    expect(events.map((e) => e.kind)).toContain('submit-lookup');
    expect((await broker.getPositions())[0].qty).toBe(7);
  });

  it('connection dropped BEFORE the server saw the order: lookup finds nothing, resubmits once', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'drop' });
    const { broker } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder(market(id));
    expect(o.clientOrderId).toBe(id);
    expect(fake.count('POST /v2/orders')).toBe(2);
    expect(fake.state.orders).toHaveLength(1);
    const posts = fake.requests.filter((r) => r.route === 'POST /v2/orders');
    expect(posts[0].body).toEqual(posts[1].body); // same client_order_id both times
  });

  it('a 500 after the order was accepted returns the accepted order without resubmitting', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'server_error', status: 502, afterAccept: true });
    const { broker } = brokerFor(fake);
    const id = cid();
    expect((await broker.submitOrder(market(id))).clientOrderId).toBe(id);
    expect(fake.count('POST /v2/orders')).toBe(1);
    expect(fake.state.orders).toHaveLength(1);
  });

  it('a submit that times out after acceptance is found by client_order_id', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'hang', afterAccept: true });
    const { broker } = brokerFor(fake, { timeoutMs: 150 });
    const id = cid();
    expect((await broker.submitOrder(market(id))).clientOrderId).toBe(id);
    expect(fake.state.orders).toHaveLength(1);
    expect(fake.count('POST /v2/orders')).toBe(1);
  });

  it('a 429 on submit checks (after X-RateLimit-Reset + 1 s), then resubmits without waiting again', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'rate_limit', retryAfterSeconds: 3 });
    const { broker, time } = brokerFor(fake);
    const id = cid();
    expect((await broker.submitOrder(market(id))).clientOrderId).toBe(id);
    expect(time.sleeps).toEqual([4_000]);
    expect(fake.state.orders).toHaveLength(1);
    expect(fake.requests.map((r) => `${r.route} ${String(r.outcome)}`)).toEqual([
      'POST /v2/orders 429',
      'GET /v2/orders:by_client_order_id 404',
      'POST /v2/orders 200',
    ]);
  });

  it('a stale lookup after a dropped accept still cannot double-trade: the resubmit hits the duplicate check', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'drop_after_accept' });
    fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', kind: 'not_found' });
    const { broker, events } = brokerFor(fake);
    const id = cid();
    const o = await broker.submitOrder(market(id, 3));
    expect(o.clientOrderId).toBe(id);
    expect(fake.count('POST /v2/orders')).toBe(2);
    expect(fake.state.orders).toHaveLength(1);
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['submit-lookup', 'submit-resubmit', 'submit-duplicate']));
    expect((await broker.getPositions())[0].qty).toBe(3);
  });

  it('bounded: after maxSubmitAttempts failures with no order found, it says the order was not placed', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'server_error', times: 3 });
    const { broker } = brokerFor(fake, { maxSubmitAttempts: 3 });
    const id = cid();
    const e = await rejection(broker.submitOrder(market(id)));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.code).toBe('ALPACA_SUBMIT_UNCONFIRMED');
    expect(e.message).toMatch(new RegExp(`did not confirm order ${id} after 3 attempts.*not placed`));
    expect(fake.count('POST /v2/orders')).toBe(3);
    expect(fake.count('GET /v2/orders:by_client_order_id')).toBe(3);
    expect(fake.state.orders).toHaveLength(0);
  });

  it('when even the lookup fails, it says the order may or may not exist', async () => {
    fake.injectFault({ route: 'POST /v2/orders', kind: 'drop_after_accept' });
    fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', kind: 'server_error', times: 5 });
    const { broker } = brokerFor(fake, { retry: { maxRetries: 4 } });
    const id = cid();
    const e = await rejection(broker.submitOrder(market(id)));
    expect(e.code).toBe('ALPACA_SUBMIT_UNKNOWN');
    expect(e.message).toMatch(/may or may not exist/);
    expect(fake.state.orders).toHaveLength(1); // it was created; the caller is told to check, not to resubmit blindly
    expect(fake.count('POST /v2/orders')).toBe(1);
    // and a later retry with the same clientOrderId returns that order instead of trading again
    expect((await broker.submitOrder(market(id))).clientOrderId).toBe(id);
    expect(fake.state.orders).toHaveLength(1);
  });

  it('a rejection is never retried', async () => {
    const { broker } = brokerFor(fake);
    await rejection(broker.submitOrder(market(cid(), 10_000)));
    expect(fake.count('POST /v2/orders')).toBe(1);
    expect(fake.count('GET /v2/orders:by_client_order_id')).toBe(0);
  });
});

describe('secrets never leak', () => {
  function assertClean(err: unknown, secret: string, keyId: string) {
    const texts = [String(err), err instanceof Error ? err.message : '', err instanceof Error ? (err.stack ?? '') : '', inspect(err, { depth: 10 }), JSON.stringify(err)];
    for (const t of texts) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain(keyId);
    }
  }

  it('in every error the client can raise', async () => {
    const { broker, events } = brokerFor(fake, { retry: { maxRetries: 1 }, timeoutMs: 150 });
    const errors: unknown[] = [];
    const capture = async (p: Promise<unknown>) => {
      try {
        await p;
        throw new Error('expected failure');
      } catch (err) {
        errors.push(err);
      }
    };
    // rejection (403), validation (422), not found (404), not cancelable (422)
    await capture(broker.submitOrder(market(cid(), 100_000)));
    await capture(broker.submitOrder({ ...market(cid()), symbol: 'DELIST' }));
    await capture(broker.getOrder('3f1b2c9e-0000-4000-8000-000000000000'));
    const filled = await broker.submitOrder(market(cid()));
    await capture(broker.cancelOrder(filled.id));
    // transient: 5xx exhausted, 429 exhausted, timeout, dropped connection
    fake.injectFault({ route: 'GET /v2/account', kind: 'server_error', times: 2 });
    await capture(broker.getAccount());
    fake.injectFault({ route: 'GET /v2/account', kind: 'rate_limit', times: 2 });
    await capture(broker.getAccount());
    fake.injectFault({ route: 'GET /v2/account', kind: 'hang', times: 2 });
    await capture(broker.getAccount());
    fake.injectFault({ route: 'GET /v2/account', kind: 'drop', times: 2 });
    await capture(broker.getAccount());
    // submit: unconfirmed and unknown
    fake.injectFault({ route: 'POST /v2/orders', kind: 'server_error', times: 3 });
    await capture(broker.submitOrder(market(cid())));
    fake.injectFault({ route: 'POST /v2/orders', kind: 'drop_after_accept' });
    fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', kind: 'server_error', times: 2 });
    await capture(broker.submitOrder(market(cid())));
    // auth: wrong secret and missing headers
    const wrong = new AlpacaBroker({ keys: makeAlpacaKeys(KEY_ID, `${SECRET}-x`), baseUrl: fake.url, allowLocal: true });
    await capture(wrong.getAccount());
    // connection refused (server gone)
    const gone = await startFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET });
    const url = gone.url;
    await gone.close();
    await capture(new AlpacaBroker({ keys: makeAlpacaKeys(KEY_ID, SECRET), baseUrl: url, allowLocal: true, retry: { maxRetries: 0 } }).getClock());
    // configuration
    await capture(Promise.resolve().then(() => new AlpacaBroker({ keys: makeAlpacaKeys(KEY_ID, SECRET), baseUrl: 'https://api.alpaca.markets' })));
    await capture(Promise.resolve().then(() => resolveAlpacaKeys({ ALPACA_LARGE_KEY: KEY_ID }, 'LARGE')));
    expect(errors).toHaveLength(14);
    for (const err of errors) assertClean(err, SECRET, KEY_ID);
    for (const e of events) expect(JSON.stringify(e)).not.toContain(SECRET);
    expect(errors.filter((e) => e instanceof OrderRejectedError)).toHaveLength(2);
    expect(fake.pendingFaults()).toEqual([]);
  });

  it('even when the server echoes the secret back, it is redacted', async () => {
    const echoFetch = async () =>
      new Response(JSON.stringify({ code: 40010001, message: `invalid key pair ${KEY_ID}/${SECRET}` }), { status: 422, headers: { 'Content-Type': 'application/json' } });
    const { broker } = brokerFor(fake, { fetch: echoFetch });
    const e = await rejection(broker.submitOrder(market(cid())));
    expect(e).toBeInstanceOf(OrderRejectedError);
    expect(e.message).toContain('[REDACTED]');
    expect((e as OrderRejectedError).reason).not.toContain(SECRET);
    assertClean(e, SECRET, KEY_ID);
  });
});
