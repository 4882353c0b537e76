import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { backoffDelay } from '../../src/data/providers/http.js';
import { RateLimitGovernor, waitAfterRateLimitMs } from '../../src/data/providers/rateLimitHeaders.js';
import type { OrderRequest } from '../../src/execution/brokers/broker.js';
import { startFakeAlpaca, type FakeAlpaca } from '../support/fakeAlpaca.js';
import { brokerFor, cid, seededRandom } from './helpers.js';

/**
 * Rate limits against the fake's per-simulated-minute window (200 requests, X-RateLimit-* on
 * every answer, 429 beyond): the client paces itself from the headers, waits for the reset plus
 * 1 s after a 429, jitters its backoff fully, and polls many orders with one list call per cycle.
 */

const fakes: FakeAlpaca[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});
async function fake(opts: Parameters<typeof startFakeAlpaca>[0] = {}): Promise<FakeAlpaca> {
  const f = await startFakeAlpaca({ now: new Date('2026-11-24T15:00:00Z'), cash: 10_000_000, ...opts });
  fakes.push(f);
  return f;
}
const maxPerMinute = (f: FakeAlpaca) => Math.max(0, ...f.requestsPerMinute().values());
const outcomes = (f: FakeAlpaca, status: number) => f.requests.filter((r) => r.outcome === status).length;

describe('X-RateLimit headers', () => {
  it('the fake really refuses the 201st request of a minute (control: an unpaced client hits 429)', async () => {
    const f = await fake();
    const headers = { 'APCA-API-KEY-ID': f.keyId, 'APCA-API-SECRET-KEY': f.secretKey };
    let last: Response | undefined;
    for (let i = 0; i < 201; i++) {
      last = await fetch(`${f.url}/v2/clock`, { headers });
      await last.text();
    }
    expect(last?.status).toBe(429);
    expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last?.headers.get('x-ratelimit-limit')).toBe('200');
    expect(Number(last?.headers.get('x-ratelimit-reset'))).toBe(Date.parse('2026-11-24T15:01:00Z') / 1000);
  });

  it('slow the client down before a 429: 260 reads in a burst, no 429, at most 200 per simulated minute', async () => {
    const f = await fake();
    const { broker, time } = brokerFor(f);
    for (let i = 0; i < 260; i++) await broker.getClock();
    expect(outcomes(f, 429)).toBe(0);
    expect(f.requests).toHaveLength(260);
    expect(maxPerMinute(f)).toBeLessThanOrEqual(200);
    expect(f.requestsPerMinute().size).toBeGreaterThanOrEqual(2);
    expect(time.sleeps.length).toBeGreaterThan(0); // it waited: the headers, not luck, kept it under
  });

  it('after a 429 waits until X-RateLimit-Reset plus 1 s, not Retry-After', async () => {
    const f = await fake({ now: new Date('2026-11-24T15:00:10Z') });
    f.injectFault({ route: 'GET /v2/account', kind: 'rate_limit', retryAfterSeconds: 5 });
    const { broker, time } = brokerFor(f);
    await broker.getAccount();
    // Reset = 15:00:15; the client waits 5 s + the 1 s buffer.
    expect(time.sleeps).toEqual([6_000]);
    expect(f.requests.map((r) => r.outcome)).toEqual([429, 200]);
  });

  it('waitAfterRateLimitMs measures the reset against the server Date header (clock skew)', () => {
    const h = new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.parse('2026-11-24T15:01:00Z') / 1000), date: 'Tue, 24 Nov 2026 15:00:30 GMT' });
    // The client's clock is an hour behind the server's: the wait is still 30 s + 1 s.
    expect(waitAfterRateLimitMs(h, Date.parse('2026-11-24T14:00:30Z'), 1_000)).toBe(31_000);
    expect(waitAfterRateLimitMs(new Headers(), 0, 1_000)).toBeUndefined();
  });

  it('the governor spreads the last requests of a window evenly until the reset', async () => {
    const clock = new ManualClock('2026-11-24T15:00:00Z');
    const g = new RateLimitGovernor(clock, { lowWater: 10, bufferMs: 1_000 });
    g.observe(new Headers({ 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': String(Date.parse('2026-11-24T15:00:50Z') / 1000), date: 'Tue, 24 Nov 2026 15:00:00 GMT' }));
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) {
      await g.acquire();
      starts.push(clock.now().getTime() - Date.parse('2026-11-24T15:00:00Z'));
    }
    // 51 s (reset + buffer) for 10 requests: ~5.1 s apart, the last one before the reset.
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(5_000);
    expect(starts[9]).toBeLessThan(51_000);
    await g.acquire(); // the window is used up: the next waits for reset + buffer
    expect(clock.now().getTime()).toBe(Date.parse('2026-11-24T15:00:51Z'));
  });
});

describe('backoff', () => {
  it('full jitter: every wait is round(random x step), anywhere in [0, step]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const step = Math.min(8_000, 250 * 2 ** (retry - 1));
        const d = backoffDelay(retry, { baseDelayMs: 250, maxDelayMs: 8_000, jitter: 'full', random: () => r });
        return d === Math.round(r * step) && d >= 0 && d <= step;
      }),
    );
  });

  it('seeded: waits cover the whole range (equal jitter would never go below half the step)', () => {
    const random = seededRandom(7);
    const waits = Array.from({ length: 500 }, () => backoffDelay(3, { baseDelayMs: 250, jitter: 'full', random }));
    expect(Math.min(...waits)).toBeLessThan(100); // step 1000
    expect(Math.max(...waits)).toBeGreaterThan(900);
    const again = seededRandom(7);
    expect(Array.from({ length: 500 }, () => backoffDelay(3, { baseDelayMs: 250, jitter: 'full', random: again }))).toEqual(waits);
  });

  it('the Alpaca client retries a 503 with full-jitter waits from the injected random', async () => {
    const f = await fake();
    f.injectFault({ route: 'GET /v2/positions', kind: 'server_error', status: 503, times: 4 });
    const { broker, time } = brokerFor(f, { random: seededRandom(99) });
    await broker.getPositions();
    const r = seededRandom(99);
    expect(time.sleeps).toEqual([250, 500, 1_000, 2_000].map((s) => Math.round(r() * s)));
  });
});

describe('a 40-order run', () => {
  const buy = (symbol: string, clientOrderId: string): OrderRequest => ({ symbol, side: 'buy', qty: 1, type: 'market', timeInForce: 'day', clientOrderId });

  it('polled with one listOrders per cycle stays <= 200 requests per simulated minute and sees every fill', async () => {
    const f = await fake();
    f.setFillPolicy({ kind: 'afterPolls', polls: 90 }); // fills after 90 reads: a minute and a half of polling
    const { broker, time } = brokerFor(f);
    const start = time.clock.now();
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await broker.submitOrder(buy(i % 2 === 0 ? 'AAPL' : 'MSFT', cid('run40')))).id);
    let working = ids.size;
    let cycles = 0;
    while (working > 0) {
      const orders = await broker.listOrders({ status: 'all', after: new Date(start.getTime() - 1) });
      working = orders.filter((o) => ids.has(o.id) && o.status !== 'filled').length;
      cycles += 1;
      if (working > 0) await time.clock.sleep(1_000);
    }
    expect(cycles).toBe(90);
    expect(f.count('GET /v2/orders')).toBe(90);
    expect(f.count('GET /v2/orders/:id')).toBe(0);
    expect(outcomes(f, 429)).toBe(0);
    expect(maxPerMinute(f)).toBeLessThanOrEqual(200);
    expect(f.state.orders.filter((o) => o.status === 'filled')).toHaveLength(40);
  });

  it('control: one GET per working order per second would pass 200 per minute in the fake', async () => {
    const f = await fake({ rateLimitPerMinute: false });
    f.setFillPolicy({ kind: 'never' });
    const { broker, time } = brokerFor(f);
    const orders = [];
    for (let i = 0; i < 40; i++) orders.push(await broker.submitOrder(buy('AAPL', cid('run40c'))));
    for (let cycle = 0; cycle < 10; cycle++) {
      for (const o of orders) await broker.getOrder(o.id);
      await time.clock.sleep(1_000);
    }
    expect(maxPerMinute(f)).toBeGreaterThan(200);
  });
});
