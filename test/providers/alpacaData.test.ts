import { afterEach, describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { AlpacaDataProvider } from '../../src/data/providers/alpacaData.js';
import { describeErrorContract } from './support/contract.js';
import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from './support/stubServer.js';

const KEY_ID = 'PKTESTKEYID0123456789';
const SECRET = 'alpaca-secret-abcdefghijklmnopqrstuvwxyz';

interface Bar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}
const bar = (t: string, c: number): Bar => ({ t, o: c - 1, h: c + 1, l: c - 2, c, v: 1000, n: 10, vw: c });

// Winter bars are stamped 05:00Z (NY midnight, EST), summer ones 04:00Z (EDT).
const RAW: Bar[] = [bar('2020-01-02T05:00:00Z', 300), bar('2020-03-09T04:00:00Z', 266), bar('2020-07-01T04:00:00Z', 364)];
const ADJ: Bar[] = [bar('2020-01-02T05:00:00Z', 75), bar('2020-03-09T04:00:00Z', 66.5), bar('2020-07-01T04:00:00Z', 91)];

/** Serves RAW/ADJ in pages of 2 with next_page_token, like Alpaca. */
function ok(req: RecordedRequest): StubReply {
  const series = req.query.get('adjustment') === 'all' ? ADJ : RAW;
  const start = Number(req.query.get('page_token') ?? '0');
  const pageBars = series.slice(start, start + 2);
  const next = start + 2 < series.length ? String(start + 2) : null;
  return { json: { bars: pageBars, symbol: 'AAPL', next_page_token: next } };
}

describe('AlpacaDataProvider', () => {
  let server: StubServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('requests raw and adjusted bars with key headers, follows pages, and joins them by New York date', async () => {
    server = await startStubServer(ok);
    const p = new AlpacaDataProvider({ keyId: KEY_ID, secretKey: SECRET, dataBaseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-07-31');

    expect(server.requests).toHaveLength(4); // raw: 2 pages, all: 2 pages
    for (const req of server.requests) {
      expect(req.path).toBe('/v2/stocks/AAPL/bars');
      expect(req.headers['apca-api-key-id']).toBe(KEY_ID);
      expect(req.headers['apca-api-secret-key']).toBe(SECRET);
      expect(req.query.get('timeframe')).toBe('1Day');
      expect(req.query.get('limit')).toBe('10000');
      expect(req.query.get('feed')).toBe('iex');
      // whole New York days: from NY midnight (05:00Z in winter) to the end of `to` (EDT in July)
      expect(req.query.get('start')).toBe('2020-01-01T05:00:00Z');
      expect(req.query.get('end')).toBe('2020-08-01T03:59:59.999Z');
    }
    expect(server.requests.map((r) => [r.query.get('adjustment'), r.query.get('page_token')])).toEqual([
      ['raw', null],
      ['raw', '2'],
      ['all', null],
      ['all', '2'],
    ]);

    expect(s).toEqual({
      symbol: 'AAPL',
      source: 'alpaca',
      bars: [
        { date: '2020-01-02', open: 299, high: 301, low: 298, close: 300, adjClose: 75, volume: 1000 },
        { date: '2020-03-09', open: 265, high: 267, low: 264, close: 266, adjClose: 66.5, volume: 1000 },
        { date: '2020-07-01', open: 363, high: 365, low: 362, close: 364, adjClose: 91, volume: 1000 },
      ],
    });
  });

  it('asks for class shares with a dot (BRK-B -> BRK.B) and honours a configured feed', async () => {
    server = await startStubServer(() => ({ json: { bars: [bar('2020-01-02T05:00:00Z', 228)], symbol: 'BRK.B', next_page_token: null } }));
    const p = new AlpacaDataProvider({ keyId: KEY_ID, secretKey: SECRET, dataBaseUrl: server.url, feed: 'sip', http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('BRK-B', '2020-01-01', '2020-01-31');
    expect(decodeURIComponent(server.requests[0].path)).toBe('/v2/stocks/BRK.B/bars');
    expect(server.requests[0].query.get('feed')).toBe('sip');
    expect(s.symbol).toBe('BRK-B');
    expect(s.bars).toHaveLength(1);
  });

  it('returns an empty series for a range without bars (bars: null or [])', async () => {
    server = await startStubServer((req) => ({
      json: { bars: req.query.get('adjustment') === 'raw' ? null : [], symbol: 'AAPL', next_page_token: null },
    }));
    const p = new AlpacaDataProvider({ keyId: KEY_ID, secretKey: SECRET, dataBaseUrl: server.url, http: { minIntervalMs: 0 } });
    const s = await p.fetchDailyBars('AAPL', '2020-01-04', '2020-01-05');
    expect(s.bars).toEqual([]);
  });

  it('maps a 422 "invalid symbol" to UNKNOWN_SYMBOL and other 422s to a clear rejection', async () => {
    server = await startStubServer((req) =>
      req.path.includes('BAD')
        ? { status: 422, json: { code: 42210000, message: 'invalid symbol: BAD' } }
        : { status: 422, json: { code: 42210000, message: 'invalid start' } },
    );
    const p = new AlpacaDataProvider({ keyId: KEY_ID, secretKey: SECRET, dataBaseUrl: server.url, http: { minIntervalMs: 0 } });
    await expect(p.fetchDailyBars('BAD', '2020-01-01', '2020-01-31')).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    const err = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect((err as AtlasError).code).toBe('HTTP_ERROR');
    expect((err as AtlasError).message).toBe('Alpaca rejected the request (HTTP 422: invalid start).');
  });

  it('without keys fails before any request, naming the variables', async () => {
    const p = new AlpacaDataProvider({ keyEnvNames: ['ALPACA_LARGE_KEY', 'ALPACA_LARGE_SECRET'] });
    const err = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect((err as AtlasError).code).toBe('MISSING_KEY');
    expect((err as AtlasError).message).toContain('ALPACA_LARGE_KEY');
  });
});

describeErrorContract({
  provider: 'Alpaca',
  symbol: 'AAPL',
  from: '2020-01-01',
  to: '2020-07-31',
  make: (baseUrl, http) => new AlpacaDataProvider({ keyId: KEY_ID, secretKey: SECRET, dataBaseUrl: baseUrl, http }),
  ok: (req) => ({ json: { bars: req.query.get('adjustment') === 'all' ? ADJ : RAW, symbol: 'AAPL', next_page_token: null } }),
  notFound: { status: 404, json: { code: 40410000, message: 'symbol not found' } },
  auth: (status) => ({ status, json: { code: 40110000, message: 'request is not authorized' } }),
  envNames: ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'],
  secrets: [KEY_ID, SECRET],
  requestsPerFetch: 2,
});
