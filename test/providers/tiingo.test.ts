import { afterEach, describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { TiingoProvider } from '../../src/data/providers/tiingo.js';
import { describeErrorContract } from './support/contract.js';
import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from './support/stubServer.js';

const KEY = 'tiingo-secret-key-0123456789abcdef';

function tiingoRow(date: string, close: number, extra: Partial<Record<string, number>> = {}) {
  return {
    date: `${date}T00:00:00.000Z`,
    open: close - 1,
    high: close + 2,
    low: close - 2,
    close,
    volume: 1_000_000,
    adjOpen: (close - 1) / 2,
    adjHigh: (close + 2) / 2,
    adjLow: (close - 2) / 2,
    adjClose: close / 2,
    adjVolume: 2_000_000,
    divCash: 0,
    splitFactor: 1,
    ...extra,
  };
}

const PRICES = [
  tiingoRow('2020-01-02', 300),
  tiingoRow('2020-01-03', 297.43),
  tiingoRow('2020-02-07', 320.03, { divCash: 0.77 }),
  tiingoRow('2020-08-31', 129.04, { splitFactor: 4 }),
];

function ok(_req: RecordedRequest): StubReply {
  return { json: PRICES };
}

describe('TiingoProvider', () => {
  let server: StubServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('requests /tiingo/daily/{ticker}/prices with dates and the token header, and maps raw and adjusted fields', async () => {
    server = await startStubServer(ok);
    const p = new TiingoProvider({ apiKey: KEY, baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-12-31');

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/tiingo/daily/aapl/prices');
    expect(req.query.get('startDate')).toBe('2020-01-01');
    expect(req.query.get('endDate')).toBe('2020-12-31');
    expect(req.query.get('format')).toBe('json');
    expect(req.headers.authorization).toBe(`Token ${KEY}`);

    expect(s.symbol).toBe('AAPL');
    expect(s.source).toBe('tiingo');
    expect(s.bars.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-03', '2020-02-07', '2020-08-31']);
    expect(s.bars[0]).toEqual({ date: '2020-01-02', open: 299, high: 302, low: 298, close: 300, adjClose: 150, volume: 1_000_000 });
    expect(s.actions).toEqual([
      { date: '2020-02-07', splitFactor: 1, dividend: 0.77 },
      { date: '2020-08-31', splitFactor: 4, dividend: 0 },
    ]);
  });

  it('spells class shares the Tiingo way (BRK-B -> brk-b) and returns the canonical symbol', async () => {
    server = await startStubServer(ok);
    const p = new TiingoProvider({ apiKey: KEY, baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('brk.b', '2020-01-01', '2020-12-31');
    expect(server.requests[0].path).toBe('/tiingo/daily/brk-b/prices');
    expect(s.symbol).toBe('BRK-B');
  });

  it('returns an empty series, not an error, for a range without trading days', async () => {
    server = await startStubServer(() => ({ json: [] }));
    const p = new TiingoProvider({ apiKey: KEY, baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-04', '2020-01-05');
    expect(s.bars).toEqual([]);
    expect(s.actions).toEqual([]);
  });

  it('sorts unordered rows and drops rows outside the requested range', async () => {
    server = await startStubServer(() => ({ json: [PRICES[1], PRICES[0], tiingoRow('2019-12-31', 290)] }));
    const p = new TiingoProvider({ apiKey: KEY, baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31');
    expect(s.bars.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-03']);
  });

  it('without a key fails before any request with an error naming TIINGO_API_KEY', async () => {
    server = await startStubServer(ok);
    const p = new TiingoProvider({ baseUrl: server.url });
    const err = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect((err as AtlasError).code).toBe('MISSING_KEY');
    expect((err as AtlasError).message).toContain('TIINGO_API_KEY');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects an invalid date range before any request', async () => {
    const p = new TiingoProvider({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9' });
    await expect(p.fetchDailyBars('AAPL', '2020-02-01', '2020-01-01')).rejects.toMatchObject({ code: 'INVALID_RANGE' });
    await expect(p.fetchDailyBars('AAPL', '2020-13-01', '2020-14-01')).rejects.toMatchObject({ code: 'INVALID_RANGE' });
  });
});

describeErrorContract({
  provider: 'Tiingo',
  symbol: 'XYZ',
  from: '2020-01-01',
  to: '2020-12-31',
  make: (baseUrl, http) => new TiingoProvider({ apiKey: KEY, baseUrl, http }),
  ok,
  notFound: { status: 404, json: { detail: "Error: Ticker 'XYZ' not found" } },
  auth: (status) => ({
    status,
    json: { detail: status === 401 ? 'Invalid token.' : 'You do not have permission to access this resource.' },
  }),
  envNames: ['TIINGO_API_KEY'],
  secrets: [KEY],
  requestsPerFetch: 1,
});
