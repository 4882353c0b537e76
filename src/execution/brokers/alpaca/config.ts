import { AtlasError } from '../../../core/errors.js';

/** Alpaca's paper trading endpoint: the only remote endpoint Atlas will ever send orders to. */
export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
/** Alpaca's live trading endpoint: refused, always. */
export const ALPACA_LIVE_HOST = 'api.alpaca.markets';
const PAPER_HOST = 'paper-api.alpaca.markets';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export type AlpacaAccountName = 'LARGE' | 'MID' | 'SMALL';
export const ALPACA_ACCOUNT_NAMES: readonly AlpacaAccountName[] = ['LARGE', 'MID', 'SMALL'];

/**
 * A key pair. `keyId` and `secretKey` are non-enumerable, so JSON.stringify, util.inspect and
 * console.log of the object (or of anything holding it) never print them; `source` names the
 * environment variables they came from, for error messages.
 */
export interface AlpacaKeys {
  readonly keyId: string;
  readonly secretKey: string;
  readonly source: { readonly keyVar: string; readonly secretVar: string };
}

/** Wraps a key pair so that printing it cannot leak it (see AlpacaKeys). */
export function makeAlpacaKeys(keyId: string, secretKey: string, source = { keyVar: 'keyId', secretVar: 'secretKey' }): AlpacaKeys {
  const keys = { source: { keyVar: source.keyVar, secretVar: source.secretVar } } as AlpacaKeys;
  Object.defineProperty(keys, 'keyId', { value: keyId, enumerable: false });
  Object.defineProperty(keys, 'secretKey', { value: secretKey, enumerable: false });
  return Object.freeze(keys);
}

function present(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Reads the key pair for one of the three paper accounts: ALPACA_<ACCOUNT>_KEY and
 * ALPACA_<ACCOUNT>_SECRET, or, when neither of those is set, Alpaca's own APCA_API_KEY_ID and
 * APCA_API_SECRET_KEY. A pair is never mixed across the two naming schemes. Missing or empty
 * variables raise an AtlasError (code ALPACA_KEYS_MISSING) that names them, never their values.
 */
export function resolveAlpacaKeys(env: Readonly<Record<string, string | undefined>>, account: AlpacaAccountName): AlpacaKeys {
  const name = String(account).toUpperCase();
  if (!(ALPACA_ACCOUNT_NAMES as readonly string[]).includes(name)) {
    throw new AtlasError(`Unknown Alpaca account '${String(account).slice(0, 20)}'; use LARGE, MID or SMALL.`, { code: 'ALPACA_ACCOUNT_UNKNOWN' });
  }
  const keyVar = `ALPACA_${name}_KEY`;
  const secretVar = `ALPACA_${name}_SECRET`;
  const key = present(env, keyVar);
  const secret = present(env, secretVar);
  if (key !== undefined || secret !== undefined) {
    if (key === undefined || secret === undefined) {
      const missing = key === undefined ? keyVar : secretVar;
      throw new AtlasError(`Alpaca paper keys for account ${name} are incomplete: ${missing} is not set (it must be set together with ${key === undefined ? secretVar : keyVar}).`, {
        code: 'ALPACA_KEYS_MISSING',
      });
    }
    return makeAlpacaKeys(key, secret, { keyVar, secretVar });
  }
  const gKey = present(env, 'APCA_API_KEY_ID');
  const gSecret = present(env, 'APCA_API_SECRET_KEY');
  if (gKey !== undefined && gSecret !== undefined) {
    return makeAlpacaKeys(gKey, gSecret, { keyVar: 'APCA_API_KEY_ID', secretVar: 'APCA_API_SECRET_KEY' });
  }
  if (gKey !== undefined || gSecret !== undefined) {
    const missing = gKey === undefined ? 'APCA_API_KEY_ID' : 'APCA_API_SECRET_KEY';
    throw new AtlasError(`Alpaca paper keys for account ${name} are incomplete: ${missing} is not set; set ${keyVar} and ${secretVar}, or both APCA_API_KEY_ID and APCA_API_SECRET_KEY.`, {
      code: 'ALPACA_KEYS_MISSING',
    });
  }
  throw new AtlasError(`Alpaca paper keys for account ${name} are missing: set ${keyVar} and ${secretVar} (or APCA_API_KEY_ID and APCA_API_SECRET_KEY).`, {
    code: 'ALPACA_KEYS_MISSING',
  });
}

/**
 * Validates the trading endpoint and returns its origin (no trailing slash). Paper only:
 * - undefined -> https://paper-api.alpaca.markets;
 * - https://paper-api.alpaca.markets -> accepted;
 * - Alpaca's live host (api.alpaca.markets) -> AtlasError LIVE_TRADING_REFUSED, whatever else is set;
 * - http(s)://127.0.0.1|localhost|[::1]:PORT -> accepted only with allowLocal (tests, local fakes);
 * - anything else -> AtlasError ALPACA_ENDPOINT_REFUSED.
 */
export function resolveAlpacaBaseUrl(baseUrl: string | undefined, opts: { allowLocal?: boolean } = {}): string {
  const raw = (baseUrl ?? ALPACA_PAPER_URL).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AtlasError(`Alpaca base URL '${raw.slice(0, 80)}' is not a valid URL; leave it unset to use ${ALPACA_PAPER_URL}.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
  }
  const host = url.hostname.toLowerCase();
  if (host === ALPACA_LIVE_HOST || host === `${ALPACA_LIVE_HOST}.`) {
    throw new AtlasError(`Refusing to trade live: ${url.origin} is Alpaca's live trading endpoint and Atlas trades paper accounts only; use ${ALPACA_PAPER_URL}.`, {
      code: 'LIVE_TRADING_REFUSED',
    });
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new AtlasError(`Alpaca base URL must be a bare origin such as ${ALPACA_PAPER_URL}, without a path, query or credentials.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
  }
  if (host === PAPER_HOST) {
    if (url.protocol !== 'https:') {
      throw new AtlasError(`Alpaca paper endpoint must use https; use ${ALPACA_PAPER_URL}.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
    }
    return url.origin;
  }
  if (LOOPBACK_HOSTS.has(host)) {
    if (!opts.allowLocal) {
      throw new AtlasError(`Alpaca base URL ${url.origin} is a local endpoint; it is accepted only for tests with allowLocal: true.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AtlasError(`Alpaca base URL ${url.origin} must use http or https.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
    }
    return url.origin;
  }
  throw new AtlasError(`Refusing Alpaca endpoint ${url.origin}: Atlas trades only through Alpaca paper (${ALPACA_PAPER_URL}) or a local test server.`, {
    code: 'ALPACA_ENDPOINT_REFUSED',
  });
}

/** Alpaca's market data host (latest trades for the price-agreement check). */
export const ALPACA_DATA_URL = 'https://data.alpaca.markets';

/**
 * Validates the market data endpoint: https://data.alpaca.markets (default) or, with allowLocal,
 * a loopback test server. It only reads prices, but it receives the same keys, so no other host.
 */
export function resolveAlpacaDataUrl(dataUrl: string | undefined, opts: { allowLocal?: boolean } = {}): string {
  const raw = (dataUrl ?? ALPACA_DATA_URL).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AtlasError(`Alpaca data URL '${raw.slice(0, 80)}' is not a valid URL; leave it unset to use ${ALPACA_DATA_URL}.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
  }
  const host = url.hostname.toLowerCase();
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new AtlasError(`Alpaca data URL must be a bare origin such as ${ALPACA_DATA_URL}, without a path, query or credentials.`, { code: 'ALPACA_ENDPOINT_REFUSED' });
  }
  if (host === 'data.alpaca.markets' && url.protocol === 'https:') return url.origin;
  if (LOOPBACK_HOSTS.has(host) && opts.allowLocal && (url.protocol === 'http:' || url.protocol === 'https:')) return url.origin;
  throw new AtlasError(`Refusing Alpaca data endpoint ${url.origin}: use ${ALPACA_DATA_URL} (or a local test server with allowLocal: true).`, { code: 'ALPACA_ENDPOINT_REFUSED' });
}

/** The trade_updates websocket of a trading endpoint: https://host -> wss://host/stream. */
export function alpacaStreamUrl(tradingBaseUrl: string): string {
  const u = new URL(tradingBaseUrl);
  u.protocol = u.protocol === 'http:' ? 'ws:' : 'wss:';
  u.pathname = '/stream';
  return u.toString();
}
