import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import {
  AlpacaBroker,
  ALPACA_PAPER_URL,
  makeAlpacaKeys,
  resolveAlpacaBaseUrl,
  resolveAlpacaKeys,
} from '../../src/execution/brokers/alpaca/index.js';

const SECRET = 'sk-SUPER-SECRET-do-not-print';
const KEY = 'PKKEYIDVALUE123';

function thrown(fn: () => unknown): AtlasError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AtlasError);
    return err as AtlasError;
  }
  throw new Error('expected a throw');
}

describe('resolveAlpacaKeys', () => {
  it('reads the per-account pair', () => {
    const k = resolveAlpacaKeys({ ALPACA_MID_KEY: KEY, ALPACA_MID_SECRET: SECRET, APCA_API_KEY_ID: 'other', APCA_API_SECRET_KEY: 'other' }, 'MID');
    expect(k.keyId).toBe(KEY);
    expect(k.secretKey).toBe(SECRET);
    expect(k.source).toEqual({ keyVar: 'ALPACA_MID_KEY', secretVar: 'ALPACA_MID_SECRET' });
  });

  it('falls back to APCA_API_KEY_ID / APCA_API_SECRET_KEY', () => {
    const k = resolveAlpacaKeys({ APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET }, 'SMALL');
    expect(k.keyId).toBe(KEY);
    expect(k.source.secretVar).toBe('APCA_API_SECRET_KEY');
  });

  it('names every variable when nothing is set', () => {
    const e = thrown(() => resolveAlpacaKeys({}, 'LARGE'));
    expect(e.code).toBe('ALPACA_KEYS_MISSING');
    for (const v of ['ALPACA_LARGE_KEY', 'ALPACA_LARGE_SECRET', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY']) expect(e.message).toContain(v);
  });

  it('names the missing half of a per-account pair and never mixes schemes', () => {
    const e = thrown(() => resolveAlpacaKeys({ ALPACA_LARGE_KEY: KEY, APCA_API_SECRET_KEY: SECRET }, 'LARGE'));
    expect(e.message).toContain('ALPACA_LARGE_SECRET');
    expect(e.message).not.toContain(KEY);
    expect(e.message).not.toContain(SECRET);
    const e2 = thrown(() => resolveAlpacaKeys({ ALPACA_SMALL_SECRET: SECRET }, 'SMALL'));
    expect(e2.message).toContain('ALPACA_SMALL_KEY is not set');
    expect(e2.message).not.toContain(SECRET);
  });

  it('treats empty values as missing and names the missing fallback variable', () => {
    const e = thrown(() => resolveAlpacaKeys({ ALPACA_MID_KEY: '  ', APCA_API_KEY_ID: KEY }, 'MID'));
    expect(e.message).toContain('APCA_API_SECRET_KEY is not set');
    expect(e.message).not.toContain(KEY);
  });

  it('rejects an unknown account name', () => {
    expect(thrown(() => resolveAlpacaKeys({}, 'HUGE' as 'LARGE')).code).toBe('ALPACA_ACCOUNT_UNKNOWN');
  });

  it('cannot be printed: JSON, inspect and template strings show no key material', () => {
    const k = resolveAlpacaKeys({ ALPACA_LARGE_KEY: KEY, ALPACA_LARGE_SECRET: SECRET }, 'LARGE');
    for (const text of [JSON.stringify(k), inspect(k, { depth: 5 }), `${String(k)}`, JSON.stringify({ wrapper: k })]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(KEY);
    }
  });

  it('a broker holding the keys cannot be printed either', () => {
    const b = new AlpacaBroker({ keys: makeAlpacaKeys(KEY, SECRET) });
    const text = inspect(b, { depth: 10, showHidden: false });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
    expect(JSON.stringify(b)).not.toContain(SECRET);
  });
});

describe('paper only', () => {
  it('defaults to the paper endpoint', () => {
    expect(resolveAlpacaBaseUrl(undefined)).toBe(ALPACA_PAPER_URL);
    expect(resolveAlpacaBaseUrl('https://paper-api.alpaca.markets/')).toBe(ALPACA_PAPER_URL);
    expect(new AlpacaBroker({ keys: { keyId: KEY, secretKey: SECRET } }).baseUrl).toBe(ALPACA_PAPER_URL);
  });

  it('refuses the live endpoint, clearly, even with allowLocal', () => {
    for (const url of ['https://api.alpaca.markets', 'https://api.alpaca.markets/', 'https://API.alpaca.markets/v2', 'http://api.alpaca.markets:443']) {
      const e = thrown(() => resolveAlpacaBaseUrl(url, { allowLocal: true }));
      expect(e.code).toBe('LIVE_TRADING_REFUSED');
      expect(e.message).toMatch(/Refusing to trade live/);
      expect(e.message).toContain(ALPACA_PAPER_URL);
    }
    const e = thrown(() => new AlpacaBroker({ keys: { keyId: KEY, secretKey: SECRET }, baseUrl: 'https://api.alpaca.markets' }));
    expect(e.code).toBe('LIVE_TRADING_REFUSED');
    expect(e.message).not.toContain(SECRET);
  });

  it('accepts a loopback endpoint only when marked local', () => {
    expect(resolveAlpacaBaseUrl('http://127.0.0.1:4567', { allowLocal: true })).toBe('http://127.0.0.1:4567');
    expect(resolveAlpacaBaseUrl('http://localhost:4567', { allowLocal: true })).toBe('http://localhost:4567');
    expect(thrown(() => resolveAlpacaBaseUrl('http://127.0.0.1:4567')).code).toBe('ALPACA_ENDPOINT_REFUSED');
  });

  it('refuses other hosts, plain http to paper, paths and garbage', () => {
    for (const url of ['https://broker-api.alpaca.markets', 'https://example.com', 'http://paper-api.alpaca.markets', 'https://paper-api.alpaca.markets/v2', 'not a url', 'http://10.0.0.5:80']) {
      expect(thrown(() => resolveAlpacaBaseUrl(url, { allowLocal: true })).code).toBe('ALPACA_ENDPOINT_REFUSED');
    }
  });
});
