// yahoo-finance2 (with its cookie jar and HTTP client) loads on the first request, not with every
// command that merely can sync: it is a third of the CLI's start-up.
import type YahooFinance from 'yahoo-finance2';
import { z } from 'zod';
import { AtlasError } from '../../core/errors.js';
import { addDays } from '../../core/dates.js';
import type { BarSeries, CorporateAction, DailyBar } from '../bar.js';
import type { MarketDataProvider } from './provider.js';
import {
  DEFAULT_TIMEOUT_MS,
  RateLimiter,
  errorForNetworkFailure,
  errorForStatus,
  extractErrorDetail,
  malformed,
  parseRetryAfter,
  realSleep,
  withRetry,
} from './http.js';
import { canonicalSymbol, toYahoo } from './symbols.js';
import { assertRange, finishActions, finishBars, nyDateFromMillis, nyStartOfDayMillis } from './common.js';
import type { HttpTuning } from './http.js';

/** Yahoo has no published limit; a gap between requests avoids its throttling. */
export const YAHOO_DEFAULT_MIN_INTERVAL_MS = 250;

export interface YahooOptions {
  /**
   * Send requests to this origin (and optional path prefix) instead of Yahoo's, keeping path and
   * query: e.g. 'http://127.0.0.1:8080' for a local stub. Default: Yahoo itself.
   */
  baseUrl?: string;
  http?: HttpTuning;
}

type YahooClient = InstanceType<typeof YahooFinance>;

const quiet = (): void => {};
const QUIET_LOGGER = { info: quiet, warn: quiet, error: quiet, debug: quiet, dir: quiet };

const nullableNums = z.array(z.number().nullable());
const ChartResult = z.object({
  timestamp: z.array(z.number()).optional(),
  indicators: z.object({
    quote: z
      .array(
        z.object({
          open: nullableNums.optional(),
          high: nullableNums.optional(),
          low: nullableNums.optional(),
          close: nullableNums.optional(),
          volume: nullableNums.optional(),
        }),
      )
      .optional(),
    adjclose: z.array(z.object({ adjclose: nullableNums.optional() })).optional(),
  }),
  events: z
    .object({
      dividends: z.record(z.string(), z.object({ amount: z.number() })).optional(),
      splits: z.record(z.string(), z.object({ numerator: z.number(), denominator: z.number() })).optional(),
    })
    .optional(),
});

/**
 * Yahoo Finance through yahoo-finance2's chart() (v8/finance/chart), no key needed. The library
 * is given our own fetch: it applies the timeout, the rate limit, the origin override and the
 * status mapping, so every failure reaches the caller as the same AtlasError / TransientError
 * the other providers throw, and the library never prints to the console.
 */
export class YahooProvider implements MarketDataProvider {
  readonly name = 'yahoo' as const;
  private yf: Promise<YahooClient> | undefined;
  private readonly baseUrl: string | undefined;
  private readonly http: HttpTuning;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: YahooOptions = {}) {
    this.baseUrl = options.baseUrl?.replace(/\/+$/, '');
    this.http = options.http ?? {};
    this.timeoutMs = this.http.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = this.http.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.limiter =
      this.http.rateLimiter ??
      new RateLimiter(this.http.minIntervalMs ?? YAHOO_DEFAULT_MIN_INTERVAL_MS, this.http.now ?? Date.now, this.http.sleep ?? realSleep);
  }

  private client(): Promise<YahooClient> {
    this.yf ??= import('yahoo-finance2').then((m) => {
      // The CLI bundle loads packages with require() (scripts/bundleCli.mjs): the package's CommonJS
      // build then arrives as the default export, its class one level down.
      const YahooFinance = (m.default as unknown as { default?: typeof m.default }).default ?? m.default;
      return new YahooFinance({
        logger: QUIET_LOGGER,
        versionCheck: false,
        suppressNotices: ['yahooSurvey', 'ripHistorical'],
        validation: { logErrors: false, logOptionsErrors: false },
      });
    });
    return this.yf;
  }

  async fetchDailyBars(symbol: string, from: string, to: string): Promise<BarSeries> {
    const canonical = canonicalSymbol(symbol);
    assertRange(from, to);
    const yahooSymbol = toYahoo(canonical);
    const period1 = new Date(nyStartOfDayMillis(from));
    const period2 = new Date(nyStartOfDayMillis(addDays(to, 1)));
    const result = await withRetry(
      `Yahoo request for ${canonical}`,
      async () => {
        try {
          const yf = await this.client();
          return await yf.chart(
            yahooSymbol,
            { period1, period2, interval: '1d', events: 'div|split', includePrePost: false, return: 'object' },
            { validateResult: false, fetch: this.fetchFor(canonical) },
          );
        } catch (err) {
          if (err instanceof AtlasError) throw err;
          // The library's own errors: Yahoo's {"chart":{"error":...}} on a 200, or a shape it could not read.
          const msg = err instanceof Error ? err.message : String(err);
          if (err instanceof TypeError) throw malformed('Yahoo', canonical, 'unexpected chart shape', err);
          throw new AtlasError(`Yahoo rejected the request for ${canonical}: ${msg.replace(/[.\s]+$/, '').slice(0, 200)}.`, {
            code: 'HTTP_ERROR',
            cause: err,
          });
        }
      },
      this.http,
    );
    return parseYahooChart(result, canonical, from, to);
  }

  /** The fetch handed to yahoo-finance2 for one call. */
  private fetchFor(symbol: string): typeof fetch {
    return async (input, init) => {
      const original = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const url = this.baseUrl ? new URL(`${this.baseUrl}${original.pathname}${original.search}`) : original;
      await this.limiter.acquire();
      let res: Response;
      let text: string;
      try {
        res = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        text = await res.text();
      } catch (err) {
        throw errorForNetworkFailure('Yahoo', err, this.timeoutMs);
      }
      if (res.status === 401 || res.status === 403) {
        throw new AtlasError(
          `Yahoo refused the request for ${symbol} (HTTP ${res.status}); Yahoo needs no key, so this is usually temporary blocking: try again later or use the tiingo provider.`,
          { code: 'PROVIDER_REFUSED' },
        );
      }
      if (res.status < 200 || res.status >= 300) {
        throw errorForStatus({
          provider: 'Yahoo',
          status: res.status,
          statusText: res.statusText,
          symbol,
          detail: extractErrorDetail(text),
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), (this.http.now ?? Date.now)()),
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw malformed('Yahoo', symbol, 'the response was not valid JSON', err);
      }
      checkChartEnvelope(json, symbol);
      return new Response(text, { status: res.status, headers: { 'content-type': 'application/json' } });
    };
  }
}

/** A chart() result (return: 'object') -> BarSeries. Exported for tests. */
export function parseYahooChart(json: unknown, symbol: string, from: string, to: string): BarSeries {
  const parsed = ChartResult.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed('Yahoo', symbol, `unexpected shape at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`);
  }
  const r = parsed.data;
  const ts = r.timestamp ?? [];
  const q = r.indicators.quote?.[0] ?? {};
  const adj = r.indicators.adjclose?.[0]?.adjclose;
  const bars: DailyBar[] = [];
  for (let i = 0; i < ts.length; i++) {
    const close = q.close?.[i];
    if (close === null || close === undefined) continue; // Yahoo pads holidays and halts with nulls
    const open = q.open?.[i] ?? close;
    const high = q.high?.[i] ?? Math.max(open, close);
    const low = q.low?.[i] ?? Math.min(open, close);
    bars.push({
      date: nyDateFromMillis(ts[i] * 1000),
      open,
      high,
      low,
      close,
      adjClose: adj?.[i] ?? close,
      volume: q.volume?.[i] ?? 0,
    });
  }
  const byDate = new Map<string, CorporateAction>();
  const action = (date: string): CorporateAction => {
    let a = byDate.get(date);
    if (!a) byDate.set(date, (a = { date, splitFactor: 1, dividend: 0 }));
    return a;
  };
  for (const [t, d] of Object.entries(r.events?.dividends ?? {})) action(nyDateFromMillis(Number(t) * 1000)).dividend = d.amount;
  for (const [t, s] of Object.entries(r.events?.splits ?? {})) {
    if (s.denominator !== 0) action(nyDateFromMillis(Number(t) * 1000)).splitFactor = s.numerator / s.denominator;
  }
  const actions = finishActions([...byDate.values()], from, to);
  return { symbol, source: 'yahoo', bars: finishBars(bars, from, to), ...(actions.length ? { actions } : {}) };
}

/** {"chart":{"result":[...],"error":null}} or throws: Yahoo's own error, or malformed data. */
function checkChartEnvelope(json: unknown, symbol: string): void {
  const chart = json && typeof json === 'object' ? (json as Record<string, unknown>).chart : undefined;
  if (!chart || typeof chart !== 'object') throw malformed('Yahoo', symbol, 'no chart object in the response');
  const { result, error } = chart as Record<string, unknown>;
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    const code = typeof e.code === 'string' ? e.code : '';
    const description = typeof e.description === 'string' ? e.description.replace(/[.\s]+$/, '').slice(0, 200) : 'no description';
    if (/not found/i.test(code)) {
      throw new AtlasError(`Yahoo does not know the symbol ${symbol} (${description}); check the ticker.`, { code: 'UNKNOWN_SYMBOL' });
    }
    throw new AtlasError(`Yahoo rejected the request for ${symbol}: ${code || 'error'}: ${description}.`, { code: 'HTTP_ERROR' });
  }
  if (!Array.isArray(result) || result.length === 0 || !result[0] || typeof result[0] !== 'object') {
    throw malformed('Yahoo', symbol, 'the chart result is missing');
  }
  const first = result[0] as Record<string, unknown>;
  const indicators = first.indicators as Record<string, unknown> | undefined;
  if (!indicators || typeof indicators !== 'object' || !Array.isArray(indicators.quote)) {
    throw malformed('Yahoo', symbol, 'the chart has no price indicators');
  }
}
