import { z } from 'zod';
import { DateTime } from 'luxon';
import { AtlasError } from '../../core/errors.js';
import type { BarSeries, DailyBar } from '../bar.js';
import type { MarketDataProvider } from './provider.js';
import { HttpClient, errorForStatus, extractErrorDetail, malformed } from './http.js';
import { canonicalSymbol, toAlpaca } from './symbols.js';
import { assertRange, finishBars, NEW_YORK, nyDateFromIso } from './common.js';
import type { HttpTuning } from './http.js';

export const ALPACA_DATA_DEFAULT_BASE_URL = 'https://data.alpaca.markets';
export const ALPACA_DEFAULT_KEY_ENV_NAMES = ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'] as const;
/** Alpaca's free plan allows 200 requests a minute. */
export const ALPACA_DEFAULT_MIN_INTERVAL_MS = 300;
const PAGE_LIMIT = 10_000;
const MAX_PAGES = 1_000;

export type AlpacaFeed = 'iex' | 'sip' | 'delayed_sip' | 'otc' | 'boats';

export interface AlpacaDataOptions {
  keyId?: string;
  secretKey?: string;
  /** Environment variables the keys came from, named in errors (default APCA_API_KEY_ID / APCA_API_SECRET_KEY). */
  keyEnvNames?: readonly string[];
  dataBaseUrl?: string;
  feed?: AlpacaFeed; // default iex (the free feed)
  http?: HttpTuning;
}

const AlpacaBar = z.object({
  t: z.string(),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  n: z.number().optional(),
  vw: z.number().optional(),
});
const AlpacaBarsPage = z.object({
  bars: z.array(AlpacaBar).nullable(),
  symbol: z.string().optional(),
  next_page_token: z.string().nullish(),
});
type AlpacaBarT = z.infer<typeof AlpacaBar>;

export class AlpacaDataProvider implements MarketDataProvider {
  readonly name = 'alpaca' as const;
  private readonly keyId: string | undefined;
  private readonly secretKey: string | undefined;
  private readonly keyEnvNames: readonly string[];
  private readonly baseUrl: string;
  private readonly feed: AlpacaFeed;
  private readonly http: HttpClient;

  constructor(options: AlpacaDataOptions = {}) {
    this.keyId = options.keyId?.trim() || undefined;
    this.secretKey = options.secretKey?.trim() || undefined;
    this.keyEnvNames = options.keyEnvNames ?? ALPACA_DEFAULT_KEY_ENV_NAMES;
    this.baseUrl = (options.dataBaseUrl ?? ALPACA_DATA_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.feed = options.feed ?? 'iex';
    this.http = new HttpClient({
      minIntervalMs: ALPACA_DEFAULT_MIN_INTERVAL_MS,
      ...options.http,
      provider: 'Alpaca',
      keyEnvNames: this.keyEnvNames,
      secrets: [this.keyId, this.secretKey],
    });
  }

  async fetchDailyBars(symbol: string, from: string, to: string): Promise<BarSeries> {
    const canonical = canonicalSymbol(symbol);
    assertRange(from, to);
    if (!this.keyId || !this.secretKey) {
      throw new AtlasError(`Alpaca market data needs an API key id and secret; set ${this.keyEnvNames.join(' and ')}.`, {
        code: 'MISSING_KEY',
      });
    }
    const raw = await this.fetchAll(canonical, from, to, 'raw');
    const adjusted = await this.fetchAll(canonical, from, to, 'all');
    const adjByDate = new Map<string, number>();
    for (const b of adjusted) {
      const d = nyDateFromIso(b.t);
      if (d) adjByDate.set(d, b.c);
    }
    const bars: DailyBar[] = [];
    for (const b of raw) {
      const date = nyDateFromIso(b.t);
      if (!date) throw malformed('Alpaca', canonical, `bad bar timestamp ${JSON.stringify(b.t).slice(0, 40)}`);
      // A date missing from the adjusted series (should not happen) falls back to the raw close.
      const adjClose = adjByDate.get(date) ?? b.c;
      bars.push({ date, open: b.o, high: b.h, low: b.l, close: b.c, adjClose, volume: b.v });
    }
    return { symbol: canonical, source: 'alpaca', bars: finishBars(bars, from, to) };
  }

  private async fetchAll(symbol: string, from: string, to: string, adjustment: 'raw' | 'all'): Promise<AlpacaBarT[]> {
    // Daily bars are stamped at New York midnight; ask for the whole New York days from..to.
    const start = DateTime.fromISO(from, { zone: NEW_YORK }).startOf('day').toUTC().toISO({ suppressMilliseconds: true });
    const end = DateTime.fromISO(to, { zone: NEW_YORK }).endOf('day').toUTC().toISO({ suppressMilliseconds: true });
    const out: AlpacaBarT[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const url = new URL(`${this.baseUrl}/v2/stocks/${encodeURIComponent(toAlpaca(symbol))}/bars`);
      url.searchParams.set('timeframe', '1Day');
      url.searchParams.set('start', start ?? `${from}T00:00:00Z`);
      url.searchParams.set('end', end ?? `${to}T23:59:59Z`);
      url.searchParams.set('adjustment', adjustment);
      url.searchParams.set('limit', String(PAGE_LIMIT));
      url.searchParams.set('feed', this.feed);
      if (pageToken) url.searchParams.set('page_token', pageToken);
      const res = await this.http.request({
        url,
        symbol,
        passStatuses: [400, 422],
        headers: {
          'APCA-API-KEY-ID': this.keyId ?? '',
          'APCA-API-SECRET-KEY': this.secretKey ?? '',
          Accept: 'application/json',
        },
      });
      if (res.status === 400 || res.status === 422) {
        // Alpaca may echo the request, headers and all, in a 400/422 body: scrub before quoting it.
        const detail = this.http.redact(extractErrorDetail(res.text) ?? '');
        if (/invalid symbol|symbol not found|unknown symbol/i.test(detail)) {
          throw new AtlasError(`Alpaca does not know the symbol ${symbol} (HTTP ${res.status}); check the ticker.`, {
            code: 'UNKNOWN_SYMBOL',
          });
        }
        throw errorForStatus({ provider: 'Alpaca', status: res.status, detail });
      }
      const json = this.http.parseJson(res.text, symbol);
      const parsed = AlpacaBarsPage.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw malformed('Alpaca', symbol, `unexpected shape at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`);
      }
      out.push(...(parsed.data.bars ?? []));
      const next = parsed.data.next_page_token;
      if (!next) return out;
      if (next === pageToken) throw malformed('Alpaca', symbol, 'the next page token repeated');
      pageToken = next;
    }
    throw malformed('Alpaca', symbol, `more than ${MAX_PAGES} pages of bars`);
  }
}
