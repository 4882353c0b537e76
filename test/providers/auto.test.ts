import { afterEach, describe, expect, it } from 'vitest';
import { AtlasError, TransientError } from '../../src/core/errors.js';
import type { BarSeries } from '../../src/data/bar.js';
import type { MarketDataProvider, ProviderName } from '../../src/data/providers/provider.js';
import { AutoProvider } from '../../src/data/providers/auto.js';
import { AlpacaDataProvider, TiingoProvider, YahooProvider, createProvider } from '../../src/data/providers/index.js';
import { recordingSleep, startStubServer, type StubServer } from './support/stubServer.js';

class FakeProvider implements MarketDataProvider {
  calls: string[] = [];
  constructor(
    readonly name: ProviderName,
    private readonly behave: (symbol: string) => BarSeries | Error,
  ) {}
  fetchDailyBars(symbol: string): Promise<BarSeries> {
    this.calls.push(symbol);
    const out = this.behave(symbol);
    return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
  }
}

const series = (symbol: string, source: string): BarSeries => ({
  symbol,
  source,
  bars: [{ date: '2020-01-02', open: 1, high: 1, low: 1, close: 1, adjClose: 1, volume: 1 }],
});
const unknown = (p: string, s: string) => new AtlasError(`${p} does not know the symbol ${s}.`, { code: 'UNKNOWN_SYMBOL' });

describe('AutoProvider', () => {
  it('uses Tiingo when it answers, without touching Yahoo or logging', async () => {
    const logs: string[] = [];
    const tiingo = new FakeProvider('tiingo', (s) => series(s, 'tiingo'));
    const yahoo = new FakeProvider('yahoo', (s) => series(s, 'yahoo'));
    const auto = new AutoProvider({ primary: tiingo, fallback: yahoo, log: (m) => logs.push(m) });
    const out = await auto.fetchDailyBars('aapl', '2020-01-01', '2020-01-31');
    expect(out.source).toBe('tiingo');
    expect(tiingo.calls).toEqual(['AAPL']);
    expect(yahoo.calls).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('falls back to Yahoo when Tiingo fails and logs the reason once per symbol', async () => {
    const logs: string[] = [];
    const tiingo = new FakeProvider('tiingo', () => new TransientError('Tiingo answered HTTP 503'));
    const yahoo = new FakeProvider('yahoo', (s) => series(s, 'yahoo'));
    const auto = new AutoProvider({ primary: tiingo, fallback: yahoo, log: (m) => logs.push(m) });
    expect((await auto.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31')).source).toBe('yahoo');
    await auto.fetchDailyBars('AAPL', '2020-02-01', '2020-02-28');
    await auto.fetchDailyBars('MSFT', '2020-01-01', '2020-01-31');
    expect(logs).toHaveLength(2);
    expect(logs[0]).toContain('Tiingo failed for AAPL');
    expect(logs[0]).toContain('HTTP 503');
    expect(logs[0]).toContain('Yahoo');
    expect(logs[1]).toContain('MSFT');
  });

  it('goes straight to Yahoo without a Tiingo key, saying why once', async () => {
    const logs: string[] = [];
    const tiingo = new FakeProvider('tiingo', (s) => series(s, 'tiingo'));
    const yahoo = new FakeProvider('yahoo', (s) => series(s, 'yahoo'));
    const auto = new AutoProvider({
      primary: tiingo,
      fallback: yahoo,
      primaryUsable: false,
      primaryUnusableReason: 'TIINGO_API_KEY is not set',
      log: (m) => logs.push(m),
    });
    await auto.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31');
    await auto.fetchDailyBars('MSFT', '2020-01-01', '2020-01-31');
    expect(tiingo.calls).toEqual([]);
    expect(yahoo.calls).toEqual(['AAPL', 'MSFT']);
    expect(logs).toEqual(['Tiingo skipped (TIINGO_API_KEY is not set); using Yahoo for market data.']);
  });

  it('uses Yahoo for a symbol only Yahoo knows', async () => {
    const tiingo = new FakeProvider('tiingo', (s) => unknown('Tiingo', s));
    const yahoo = new FakeProvider('yahoo', (s) => series(s, 'yahoo'));
    const auto = new AutoProvider({ primary: tiingo, fallback: yahoo });
    expect((await auto.fetchDailyBars('VIX', '2020-01-01', '2020-01-31')).source).toBe('yahoo');
  });

  it('says UNKNOWN_SYMBOL when neither source knows the symbol', async () => {
    const auto = new AutoProvider({
      primary: new FakeProvider('tiingo', (s) => unknown('Tiingo', s)),
      fallback: new FakeProvider('yahoo', (s) => unknown('Yahoo', s)),
    });
    const err = await auto.fetchDailyBars('XYZQ', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect((err as AtlasError).code).toBe('UNKNOWN_SYMBOL');
    expect((err as AtlasError).message).toBe('Neither Tiingo nor Yahoo knows the symbol XYZQ; check the ticker.');
  });

  it('reports both failures, and stays transient when both were transient', async () => {
    const auto = new AutoProvider({
      primary: new FakeProvider('tiingo', () => new TransientError('Tiingo did not answer within 15000 ms.', { code: 'TIMEOUT' })),
      fallback: new FakeProvider('yahoo', () => new TransientError('the connection to Yahoo failed (ECONNRESET)', { code: 'NETWORK' })),
    });
    const err = await auto.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe(
      'Both data sources failed for AAPL: Tiingo: Tiingo did not answer within 15000 ms; Yahoo: the connection to Yahoo failed (ECONNRESET).',
    );
  });

  it('prefers the actionable error when one source says unknown and the other failed', async () => {
    const auth = new AtlasError('Tiingo rejected the API key (HTTP 401); set a valid key in TIINGO_API_KEY.', { code: 'AUTH_FAILED' });
    const auto = new AutoProvider({
      primary: new FakeProvider('tiingo', () => auth),
      fallback: new FakeProvider('yahoo', (s) => unknown('Yahoo', s)),
    });
    await expect(auto.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31')).rejects.toBe(auth);
  });

  it('does not fall back on bad input', async () => {
    const yahoo = new FakeProvider('yahoo', (s) => series(s, 'yahoo'));
    const auto = new AutoProvider({
      primary: new TiingoProvider({ apiKey: 'k' }),
      fallback: yahoo,
    });
    await expect(auto.fetchDailyBars('AAPL', '2020-02-01', '2020-01-01')).rejects.toMatchObject({ code: 'INVALID_RANGE' });
    await expect(auto.fetchDailyBars('AA PL', '2020-01-01', '2020-02-01')).rejects.toMatchObject({ code: 'INVALID_SYMBOL' });
    expect(yahoo.calls).toEqual([]);
  });
});

describe('createProvider', () => {
  const servers: StubServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('builds each provider by name', () => {
    expect(createProvider('tiingo', { TIINGO_API_KEY: 'k' })).toBeInstanceOf(TiingoProvider);
    expect(createProvider('yahoo', {})).toBeInstanceOf(YahooProvider);
    expect(createProvider('alpaca', { APCA_API_KEY_ID: 'a', APCA_API_SECRET_KEY: 'b' })).toBeInstanceOf(AlpacaDataProvider);
    expect(createProvider('auto', {}).name).toBe('auto');
  });

  it('rejects an unknown provider name', () => {
    expect(() => createProvider('bloomberg' as ProviderName, {})).toThrow(/Unknown data provider 'bloomberg'/);
  });

  it('auto: Tiingo down -> Yahoo over HTTP, with the key never logged', async () => {
    const KEY = 'tiingo-key-never-log-me';
    const tiingo = await startStubServer(() => ({ status: 500, json: { detail: 'Internal error' } }));
    const yahoo = await startStubServer(() => ({
      json: {
        chart: {
          result: [
            {
              meta: { symbol: 'AAPL' },
              timestamp: [1577975400],
              indicators: { quote: [{ open: [1], high: [2], low: [0.5], close: [1.5], volume: [10] }], adjclose: [{ adjclose: [1.4] }] },
            },
          ],
          error: null,
        },
      },
    }));
    servers.push(tiingo, yahoo);
    const logs: string[] = [];
    const rec = recordingSleep();
    const p = createProvider(
      'auto',
      { TIINGO_API_KEY: KEY },
      { baseUrls: { tiingo: tiingo.url, yahoo: yahoo.url }, log: (m) => logs.push(m), sleep: rec.sleep, maxAttempts: 2, minIntervalMs: 0 },
    );
    const s = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31');
    expect(s.source).toBe('yahoo');
    expect(s.bars).toEqual([{ date: '2020-01-02', open: 1, high: 2, low: 0.5, close: 1.5, adjClose: 1.4, volume: 10 }]);
    expect(tiingo.requests).toHaveLength(2);
    expect(tiingo.requests[0].headers.authorization).toBe(`Token ${KEY}`);
    expect(logs.some((m) => m.includes('falling back to Yahoo'))).toBe(true);
    for (const m of logs) expect(m).not.toContain(KEY);
  });

  it('alpaca: prefers the ALPACA_LARGE_* pair and names it in errors', async () => {
    const server = await startStubServer(() => ({ status: 401, json: { message: 'unauthorized' } }));
    servers.push(server);
    const p = createProvider(
      'alpaca',
      { ALPACA_LARGE_KEY: 'large-id-1234', ALPACA_LARGE_SECRET: 'large-secret-5678', APCA_API_KEY_ID: 'x', APCA_API_SECRET_KEY: 'y' },
      { baseUrls: { alpacaData: server.url }, minIntervalMs: 0 },
    );
    const err = await p.fetchDailyBars('AAPL', '2020-01-01', '2020-01-31').catch((e: unknown) => e);
    expect(server.requests[0].headers['apca-api-key-id']).toBe('large-id-1234');
    expect((err as Error).message).toContain('ALPACA_LARGE_KEY');
    expect((err as Error).message).not.toContain('large-secret-5678');
  });
});
