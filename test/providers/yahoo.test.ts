import { afterEach, describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { YahooProvider } from '../../src/data/providers/yahoo.js';
import { describeErrorContract } from './support/contract.js';
import { startStubServer, type StubReply, type StubServer } from './support/stubServer.js';

const TS = {
  jan2: 1577975400, // 2020-01-02 09:30 EST
  jan3late: 1578099600, // 2020-01-03 20:00 EST = 2020-01-04 01:00 UTC
  mar9: 1583760600, // 2020-03-09 09:30 EDT, the first session after the DST switch
  jul1: 1593610200, // 2020-07-01 09:30 EDT
  jul3: 1593783000, // 2020-07-03, a holiday Yahoo pads with nulls
  feb7: 1581085800,
  aug31: 1598880600,
};

function meta(symbol: string) {
  return {
    currency: 'USD',
    symbol,
    exchangeName: 'NMS',
    fullExchangeName: 'NasdaqGS',
    instrumentType: 'EQUITY',
    firstTradeDate: 345479400,
    regularMarketTime: 1596225602,
    hasPrePostMarketData: true,
    gmtoffset: -14400,
    timezone: 'EDT',
    exchangeTimezoneName: 'America/New_York',
    regularMarketPrice: 425.04,
    chartPreviousClose: 293.65,
    priceHint: 2,
    currentTradingPeriod: {
      pre: { timezone: 'EDT', start: 1596182400, end: 1596202200, gmtoffset: -14400 },
      regular: { timezone: 'EDT', start: 1596202200, end: 1596225600, gmtoffset: -14400 },
      post: { timezone: 'EDT', start: 1596225600, end: 1596240000, gmtoffset: -14400 },
    },
    dataGranularity: '1d',
    range: '',
    validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
  };
}

function chartPayload(symbol = 'AAPL') {
  return {
    chart: {
      result: [
        {
          meta: meta(symbol),
          timestamp: [TS.jan2, TS.jan3late, TS.mar9, TS.jul1, TS.jul3],
          events: {
            dividends: { [String(TS.feb7)]: { amount: 0.77, date: TS.feb7 } },
            splits: { [String(TS.aug31)]: { date: TS.aug31, numerator: 4, denominator: 1, splitRatio: '4:1' } },
          },
          indicators: {
            quote: [
              {
                open: [296.24, 297.15, 263.75, 365.12, null],
                high: [300.6, 300.58, 278.09, 367.36, null],
                low: [295.19, 296.5, 263.0, 363.91, null],
                close: [300.35, 297.43, 266.17, 364.11, null],
                volume: [33870100, 36580700, 71686200, 27684300, null],
              },
            ],
            adjclose: [{ adjclose: [73.99, 73.26, 65.91, 90.76, null] }],
          },
        },
      ],
      error: null,
    },
  };
}

const EMPTY_CHART = {
  chart: { result: [{ meta: meta('AAPL'), indicators: { quote: [{}], adjclose: [{}] } }], error: null },
};

const NOT_FOUND: StubReply = {
  status: 404,
  json: { chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } },
};

describe('YahooProvider (real yahoo-finance2 chart() against a local server)', () => {
  let server: StubServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('calls /v8/finance/chart/{symbol} for the New York day range and maps quote + adjclose by New York date', async () => {
    server = await startStubServer(() => ({ json: chartPayload() }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-07-31');

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req.path).toBe('/v8/finance/chart/AAPL');
    expect(req.query.get('interval')).toBe('1d');
    expect(req.query.get('period1')).toBe('1577854800'); // 2020-01-01 00:00 New York
    expect(req.query.get('period2')).toBe('1596254400'); // 2020-08-01 00:00 New York (EDT)
    expect(req.query.get('events')).toBe('div|split');

    expect(s.symbol).toBe('AAPL');
    expect(s.source).toBe('yahoo');
    expect(s.bars).toEqual([
      { date: '2020-01-02', open: 296.24, high: 300.6, low: 295.19, close: 300.35, adjClose: 73.99, volume: 33870100 },
      // stamped 01:00 UTC on the 4th, but that is the evening of the 3rd in New York
      { date: '2020-01-03', open: 297.15, high: 300.58, low: 296.5, close: 297.43, adjClose: 73.26, volume: 36580700 },
      { date: '2020-03-09', open: 263.75, high: 278.09, low: 263.0, close: 266.17, adjClose: 65.91, volume: 71686200 },
      { date: '2020-07-01', open: 365.12, high: 367.36, low: 363.91, close: 364.11, adjClose: 90.76, volume: 27684300 },
      // 2020-07-03 had a null close and is skipped
    ]);
    expect(s.actions).toEqual([
      { date: '2020-02-07', splitFactor: 1, dividend: 0.77 },
    ]);
  });

  it('maps VIX to ^VIX on the wire and back to VIX', async () => {
    server = await startStubServer(() => ({ json: chartPayload('^VIX') }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('^vix', '2020-01-01', '2020-01-31');
    expect(decodeURIComponent(server.requests[0].path)).toBe('/v8/finance/chart/^VIX');
    expect(s.symbol).toBe('VIX');
    expect(s.bars.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-03']);
  });

  it('keeps class shares dashed (BRK-B)', async () => {
    server = await startStubServer(() => ({ json: chartPayload('BRK-B') }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    await p.fetchDailyBars('BRK.B', '2020-01-01', '2020-01-31');
    expect(server.requests[0].path).toBe('/v8/finance/chart/BRK-B');
  });

  it('includes split events as corporate actions within the range', async () => {
    server = await startStubServer(() => ({ json: chartPayload() }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-09-30');
    expect(s.actions).toEqual([
      { date: '2020-02-07', splitFactor: 1, dividend: 0.77 },
      { date: '2020-08-31', splitFactor: 4, dividend: 0 },
    ]);
  });

  it('returns an empty series for a range without trading days', async () => {
    server = await startStubServer(() => ({ json: EMPTY_CHART }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-04', '2020-01-05');
    expect(s.bars).toEqual([]);
    expect(s.actions).toBeUndefined();
  });

  it('maps a 200 carrying Yahoo "Not Found" error to UNKNOWN_SYMBOL', async () => {
    server = await startStubServer(() => ({ ...NOT_FOUND, status: 200 }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    await expect(p.fetchDailyBars('NOPE', '2020-01-01', '2020-01-31')).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
  });

  it('explains a 401/403 without asking for a key Yahoo does not use', async () => {
    server = await startStubServer(() => ({ status: 401, json: { finance: { result: null, error: { code: 'Unauthorized', description: 'Invalid Crumb' } } } }));
    const p = new YahooProvider({ baseUrl: server.url, http: { minIntervalMs: 0 } });
    const err = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect((err as AtlasError).code).toBe('PROVIDER_REFUSED');
    expect((err as AtlasError).message).toContain('Yahoo refused');
  });
});

describeErrorContract({
  provider: 'Yahoo',
  symbol: 'AAPL',
  from: '2020-01-01',
  to: '2020-07-31',
  make: (baseUrl, http) => new YahooProvider({ baseUrl, http }),
  ok: () => ({ json: chartPayload() }),
  notFound: NOT_FOUND,
  auth: (status) => ({ status, body: 'Unauthorized' }),
  envNames: [], // Yahoo has no key
  secrets: [],
  requestsPerFetch: 1,
});
