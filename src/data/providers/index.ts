import { AtlasError } from '../../core/errors.js';
import type { MarketDataProvider, ProviderName } from './provider.js';
import { TiingoProvider, TIINGO_KEY_ENV } from './tiingo.js';
import type { HttpTuning } from './http.js';
import { YahooProvider } from './yahoo.js';
import { AlpacaDataProvider, type AlpacaFeed } from './alpacaData.js';
import { AutoProvider } from './auto.js';
import type { Clock, Log, Sleep } from './http.js';

export type { MarketDataProvider, ProviderName } from './provider.js';
export { TiingoProvider } from './tiingo.js';
export { YahooProvider } from './yahoo.js';
export { AlpacaDataProvider } from './alpacaData.js';
export { AutoProvider } from './auto.js';
export { canonicalSymbol, toTiingo, toYahoo, toAlpaca, fromAlpaca, fromYahoo } from './symbols.js';
export { HttpClient, RateLimiter, withRetry } from './http.js';
export type { HttpClientOptions, HttpRequest, HttpResponse, HttpTuning, RetryPolicy } from './http.js';

export const PROVIDER_NAMES: readonly ProviderName[] = ['tiingo', 'yahoo', 'alpaca', 'auto'];

/** The environment variables the providers read. Pass `process.env` or a subset. */
export interface ProviderEnv {
  TIINGO_API_KEY?: string;
  APCA_API_KEY_ID?: string;
  APCA_API_SECRET_KEY?: string;
  /** Alternative Alpaca key pair; preferred over APCA_* when both of its halves are set. */
  ALPACA_LARGE_KEY?: string;
  ALPACA_LARGE_SECRET?: string;
  [name: string]: string | undefined;
}

export interface CreateProviderOptions {
  baseUrls?: { tiingo?: string; yahoo?: string; alpacaData?: string };
  log?: Log;
  sleep?: Sleep;
  now?: Clock;
  random?: () => number;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Minimum gap between requests to one provider; default per provider (Tiingo 100 ms, Yahoo 250 ms, Alpaca 300 ms). */
  minIntervalMs?: number;
  alpacaFeed?: AlpacaFeed;
  fetch?: typeof fetch;
}

export function isProviderName(s: string): s is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(s);
}

/** Picks the Alpaca key pair from the environment and the variable names to blame in errors. */
export function alpacaKeysFromEnv(env: ProviderEnv): { keyId?: string; secretKey?: string; keyEnvNames: string[] } {
  const large = env.ALPACA_LARGE_KEY?.trim();
  const largeSecret = env.ALPACA_LARGE_SECRET?.trim();
  if (large && largeSecret) {
    return { keyId: large, secretKey: largeSecret, keyEnvNames: ['ALPACA_LARGE_KEY', 'ALPACA_LARGE_SECRET'] };
  }
  return {
    keyId: env.APCA_API_KEY_ID?.trim() || undefined,
    secretKey: env.APCA_API_SECRET_KEY?.trim() || undefined,
    keyEnvNames: ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'],
  };
}

/**
 * Builds the provider a user asked for. Keys come from `env`; nothing is read from process.env
 * here. Missing keys are reported when data is first requested (so `auto` can fall back).
 */
export function createProvider(name: ProviderName, env: ProviderEnv = {}, options: CreateProviderOptions = {}): MarketDataProvider {
  const http: HttpTuning = {
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.minIntervalMs !== undefined ? { minIntervalMs: options.minIntervalMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const tiingo = (): TiingoProvider =>
    new TiingoProvider({ apiKey: env.TIINGO_API_KEY, baseUrl: options.baseUrls?.tiingo, http });
  const yahoo = (): YahooProvider => new YahooProvider({ baseUrl: options.baseUrls?.yahoo, http });
  switch (name) {
    case 'tiingo':
      return tiingo();
    case 'yahoo':
      return yahoo();
    case 'alpaca': {
      const keys = alpacaKeysFromEnv(env);
      return new AlpacaDataProvider({ ...keys, dataBaseUrl: options.baseUrls?.alpacaData, feed: options.alpacaFeed, http });
    }
    case 'auto': {
      const primary = tiingo();
      return new AutoProvider({
        primary,
        fallback: yahoo(),
        primaryUsable: primary.hasKey,
        primaryUnusableReason: `${TIINGO_KEY_ENV} is not set`,
        log: options.log,
      });
    }
    default: {
      const bad: string = name;
      throw new AtlasError(`Unknown data provider '${bad}'; choose one of ${PROVIDER_NAMES.join(', ')}.`, { code: 'UNKNOWN_PROVIDER' });
    }
  }
}
