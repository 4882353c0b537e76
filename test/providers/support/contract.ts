import { afterEach, describe, expect, it } from 'vitest';
import { AtlasError, TransientError } from '../../../src/core/errors.js';
import type { MarketDataProvider } from '../../../src/data/providers/provider.js';
import type { HttpTuning } from '../../../src/data/providers/http.js';
import { recordingSleep, startStubServer, type RecordedRequest, type StubHandler, type StubReply, type StubServer } from './stubServer.js';

export interface ContractSpec {
  provider: string; // display name in messages, e.g. 'Tiingo'
  symbol: string; // canonical symbol requested
  from: string;
  to: string;
  make(baseUrl: string, http: HttpTuning): MarketDataProvider;
  /** A valid success reply for any request of a fetch (all pages / adjustments). */
  ok(req: RecordedRequest): StubReply;
  /** The API's reply for an unknown symbol (404). */
  notFound: StubReply;
  /** The API's reply for a rejected key. */
  auth(status: 401 | 403): StubReply;
  /** Env variable names the auth error must mention (empty for keyless providers). */
  envNames: string[];
  /** Key values that must never appear in an error message. */
  secrets: string[];
  /** Number of requests one successful fetch makes (Alpaca: raw + adjusted = 2). */
  requestsPerFetch: number;
}

/**
 * The error-handling contract every HTTP provider must meet, run against a local stub server.
 * Retries use an injected sleep (instant) and random (fixed), so waits are exact.
 */
export function describeErrorContract(spec: ContractSpec): void {
  describe(`${spec.provider} error contract`, () => {
    let server: StubServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    async function run(handler: StubHandler, tuning: Partial<HttpTuning> = {}) {
      server = await startStubServer(handler);
      const rec = recordingSleep();
      const provider = spec.make(server.url, {
        sleep: rec.sleep,
        random: () => 0.5,
        minIntervalMs: 0,
        maxAttempts: 3,
        timeoutMs: 2_000,
        ...tuning,
      });
      let result: Awaited<ReturnType<MarketDataProvider['fetchDailyBars']>> | undefined;
      let error: unknown;
      try {
        result = await provider.fetchDailyBars(spec.symbol, spec.from, spec.to);
      } catch (err) {
        error = err;
      }
      return { result, error, waits: rec.waits, requests: server.requests };
    }

    it('maps an unknown symbol (404) to UNKNOWN_SYMBOL naming the symbol and provider, without retrying', async () => {
      const { error, requests } = await run(() => spec.notFound);
      expect(error).toBeInstanceOf(AtlasError);
      expect(error).not.toBeInstanceOf(TransientError);
      const e = error as AtlasError;
      expect(e.code).toBe('UNKNOWN_SYMBOL');
      expect(e.message).toContain(spec.symbol);
      expect(e.message).toContain(spec.provider);
      expect(requests).toHaveLength(1);
    });

    for (const status of [401, 403] as const) {
      it(`maps ${status} to one clear sentence naming the env variable, never the key`, async () => {
        const { error, requests } = await run(() => spec.auth(status));
        expect(error).toBeInstanceOf(AtlasError);
        expect(error).not.toBeInstanceOf(TransientError);
        const e = error as AtlasError;
        expect(e.message).toContain(String(status));
        for (const name of spec.envNames) expect(e.message).toContain(name);
        for (const secret of spec.secrets) expect(e.message).not.toContain(secret);
        expect(e.message.trim().endsWith('.')).toBe(true);
        expect(requests).toHaveLength(1);
      });
    }

    it('waits exactly Retry-After seconds after a 429, then succeeds', async () => {
      const { result, error, waits, requests } = await run((req, i) =>
        i === 0 ? { status: 429, json: { detail: 'slow down' }, headers: { 'Retry-After': '7' } } : spec.ok(req),
      );
      expect(error).toBeUndefined();
      expect(result?.bars.length).toBeGreaterThan(0);
      expect(waits).toEqual([7000]);
      expect(requests).toHaveLength(1 + spec.requestsPerFetch);
    });

    it('honours a Retry-After given as an HTTP-date', async () => {
      const now = Date.parse('2024-03-01T12:00:00Z');
      const { error, waits } = await run(
        (req, i) =>
          i === 0
            ? { status: 429, body: 'Too Many Requests', headers: { 'Retry-After': 'Fri, 01 Mar 2024 12:00:05 GMT' } }
            : spec.ok(req),
        { now: () => now },
      );
      expect(error).toBeUndefined();
      expect(waits).toEqual([5000]);
    });

    it('backs off after a 500 and then succeeds', async () => {
      const { result, error, waits } = await run((req, i) =>
        i === 0 ? { status: 500, body: 'Internal Server Error' } : spec.ok(req),
      );
      expect(error).toBeUndefined();
      expect(result?.bars.length).toBeGreaterThan(0);
      // first retry: step 500 ms, equal jitter with random 0.5 -> 250 + 125
      expect(waits).toEqual([375]);
    });

    it('gives a clear error with the last status after persistent 500s', async () => {
      const { error, waits, requests } = await run(() => ({ status: 503, body: 'Service Unavailable' }));
      expect(error).toBeInstanceOf(TransientError);
      const e = error as TransientError;
      expect(e.message).toContain(spec.provider);
      expect(e.message).toContain('3 attempts');
      expect(e.message).toContain('HTTP 503');
      expect(requests).toHaveLength(3);
      expect(waits).toEqual([375, 750]); // exponential: 500 -> 1000 ms steps
    });

    it('times out a server that never answers and retries', async () => {
      const { error, requests } = await run(() => 'hang', { timeoutMs: 50, maxAttempts: 2 });
      expect(error).toBeInstanceOf(TransientError);
      const e = error as TransientError;
      expect(e.code).toBe('TIMEOUT');
      expect(e.message).toContain('50 ms');
      expect(e.message).toContain('2 attempts');
      expect(requests).toHaveLength(2);
    });

    it('retries a dropped connection and then succeeds', async () => {
      const { result, error, requests } = await run((req, i) => (i === 0 ? 'drop' : spec.ok(req)));
      expect(error).toBeUndefined();
      expect(result?.bars.length).toBeGreaterThan(0);
      expect(requests).toHaveLength(1 + spec.requestsPerFetch);
    });

    it('reports persistently dropped connections clearly', async () => {
      const { error, requests } = await run(() => 'drop');
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toMatch(/connection to .* failed/);
      expect(requests).toHaveLength(3);
    });

    it('says the provider returned malformed data for invalid JSON, without retrying', async () => {
      const { error, requests } = await run(() => ({ status: 200, body: '{"oops": [1, 2', headers: { 'content-type': 'application/json' } }));
      expect(error).toBeInstanceOf(AtlasError);
      expect(error).not.toBeInstanceOf(TransientError);
      const e = error as AtlasError;
      expect(e.code).toBe('MALFORMED_RESPONSE');
      expect(e.message).toContain(`${spec.provider} returned malformed data`);
      expect(requests).toHaveLength(1);
    });

    it('says the provider returned malformed data for valid JSON of the wrong shape', async () => {
      const { error } = await run(() => ({ json: { unexpected: true } }));
      expect(error).toBeInstanceOf(AtlasError);
      expect((error as AtlasError).code).toBe('MALFORMED_RESPONSE');
    });
  });
}
