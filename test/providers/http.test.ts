import { afterEach, describe, expect, it } from 'vitest';
import { AtlasError, TransientError } from '../../src/core/errors.js';
import {
  HttpClient,
  RateLimiter,
  backoffDelay,
  errorForStatus,
  parseRetryAfter,
  redact,
  withRetry,
} from '../../src/data/providers/http.js';
import { recordingSleep, startStubServer, type StubServer } from './support/stubServer.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-03-01T12:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Fri, 01 Mar 2024 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Fri, 01 Mar 2024 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or invalid values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with equal jitter and is capped', () => {
    expect(backoffDelay(1, { random: () => 0 })).toBe(250);
    expect(backoffDelay(1, { random: () => 0.999999 })).toBe(500);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(1500); // step 2000
    expect(backoffDelay(20, { random: () => 1, maxDelayMs: 10_000 })).toBe(10_000);
  });
});

describe('RateLimiter', () => {
  it('spaces consecutive requests by the minimum interval using the injected clock', async () => {
    let t = 1000;
    const waits: number[] = [];
    const limiter = new RateLimiter(
      200,
      () => t,
      (ms) => {
        waits.push(ms);
        t += ms;
        return Promise.resolve();
      },
    );
    await limiter.acquire(); // first: immediate
    await limiter.acquire(); // 200 ms later
    t += 50;
    await limiter.acquire(); // 150 ms more
    t += 1000;
    await limiter.acquire(); // long idle: immediate
    expect(waits).toEqual([200, 150]);
  });

  it('queues concurrent callers into distinct slots', async () => {
    const waits: number[] = [];
    const limiter = new RateLimiter(
      100,
      () => 0,
      (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    );
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(waits).toEqual([100, 200]);
  });
});

describe('withRetry', () => {
  it('does not retry non-transient errors', async () => {
    let calls = 0;
    await expect(
      withRetry('x', () => {
        calls++;
        return Promise.reject(new AtlasError('bad'));
      }),
    ).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });

  it('caps an absurd Retry-After', async () => {
    const rec = recordingSleep();
    let calls = 0;
    const out = await withRetry(
      'x',
      () => {
        calls++;
        return calls === 1 ? Promise.reject(new TransientError('429', { retryAfterMs: 86_400_000 })) : Promise.resolve('ok');
      },
      { sleep: rec.sleep, maxRetryAfterMs: 60_000 },
    );
    expect(out).toBe('ok');
    expect(rec.waits).toEqual([60_000]);
  });
});

describe('errorForStatus', () => {
  it('names every env variable on 401/403', () => {
    const e = errorForStatus({ provider: 'Alpaca', status: 403, keyEnvNames: ['ALPACA_LARGE_KEY', 'APCA_API_KEY_ID'] });
    expect(e.message).toBe('Alpaca rejected the API key (HTTP 403); set a valid key in ALPACA_LARGE_KEY or APCA_API_KEY_ID.');
    expect(e.code).toBe('AUTH_FAILED');
  });
  it('gives UNKNOWN_SYMBOL for a 404 about a symbol and NOT_FOUND otherwise', () => {
    expect(errorForStatus({ provider: 'Tiingo', status: 404, symbol: 'XYZ' }).code).toBe('UNKNOWN_SYMBOL');
    expect(errorForStatus({ provider: 'Alpaca', status: 404 }).code).toBe('NOT_FOUND');
  });
  it('marks 429 and 5xx transient and other 4xx not', () => {
    expect(errorForStatus({ provider: 'P', status: 429 })).toBeInstanceOf(TransientError);
    expect(errorForStatus({ provider: 'P', status: 502 })).toBeInstanceOf(TransientError);
    const e = errorForStatus({ provider: 'P', status: 422, detail: 'qty must be > 0' });
    expect(e).not.toBeInstanceOf(TransientError);
    expect(e.message).toBe('P rejected the request (HTTP 422: qty must be > 0).');
  });
});

describe('redact', () => {
  it('replaces secrets wherever they appear', () => {
    expect(redact('key=abcd1234 and abcd1234', ['abcd1234', undefined])).toBe('key=[REDACTED] and [REDACTED]');
  });
});

describe('HttpClient', () => {
  let server: StubServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends method, headers and body, and returns status and text', async () => {
    server = await startStubServer((req) => ({ status: 201, json: { got: JSON.parse(req.body) as unknown } }));
    const client = new HttpClient({ provider: 'Alpaca' });
    const res = await client.requestJson({
      url: `${server.url}/v2/orders`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': 'id' },
      body: JSON.stringify({ qty: 1 }),
    });
    expect(res).toEqual({ got: { qty: 1 } });
    expect(server.requests[0].method).toBe('POST');
    expect(server.requests[0].headers['apca-api-key-id']).toBe('id');
  });

  it('does not repeat a POST after a 5xx (it may have taken effect) but does after a 429', async () => {
    server = await startStubServer((_req, i) =>
      i === 0 ? { status: 429, body: '', headers: { 'retry-after': '1' } } : { status: 500, body: 'boom' },
    );
    const rec = recordingSleep();
    const client = new HttpClient({ provider: 'Alpaca', sleep: rec.sleep, random: () => 0.5 });
    const err = await client.request({ url: `${server.url}/v2/orders`, method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect(err).not.toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('was not repeated');
    expect(server.requests).toHaveLength(2);
    expect(rec.waits).toEqual([1000]);
  });

  it('hands passStatuses back to the caller', async () => {
    server = await startStubServer(() => ({ status: 422, json: { message: 'insufficient buying power' } }));
    const client = new HttpClient({ provider: 'Alpaca' });
    const res = await client.request({ url: server.url, method: 'POST', passStatuses: [422] });
    expect(res.status).toBe(422);
    expect(res.text).toContain('insufficient');
  });

  it('keeps secrets out of error messages and retry logs', async () => {
    const secret = 'SUPERSECRET-123456';
    server = await startStubServer(() => ({ status: 500, json: { detail: `bad token ${secret}` } }));
    const logs: string[] = [];
    const rec = recordingSleep();
    const client = new HttpClient({ provider: 'Tiingo', secrets: [secret], sleep: rec.sleep, maxAttempts: 2, log: (m) => logs.push(m) });
    const err = await client.request({ url: server.url, symbol: 'AAPL' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).not.toContain(secret);
    expect((err as Error).message).toContain('[REDACTED]');
    expect(logs).toHaveLength(1);
    expect(logs[0]).not.toContain(secret);
  });

  it('applies the rate limiter between requests', async () => {
    server = await startStubServer(() => ({ json: [] }));
    let t = 0;
    const rec = recordingSleep();
    const client = new HttpClient({ provider: 'Tiingo', minIntervalMs: 500, now: () => t, sleep: rec.sleep });
    await client.request({ url: server.url });
    t = 100;
    await client.request({ url: server.url });
    expect(rec.waits).toEqual([400]);
  });
});
