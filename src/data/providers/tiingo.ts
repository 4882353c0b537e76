import { z } from 'zod';
import { AtlasError } from '../../core/errors.js';
import type { BarSeries, CorporateAction, DailyBar } from '../bar.js';
import type { MarketDataProvider } from './provider.js';
import { HttpClient, malformed, type HttpTuning } from './http.js';
import { canonicalSymbol, toTiingo } from './symbols.js';
import { assertRange, finishActions, finishBars } from './common.js';

export const TIINGO_DEFAULT_BASE_URL = 'https://api.tiingo.com';
export const TIINGO_KEY_ENV = 'TIINGO_API_KEY';
/** Tiingo's free tier allows bursts but a small gap keeps us polite. */
export const TIINGO_DEFAULT_MIN_INTERVAL_MS = 100;


export interface TiingoOptions {
  apiKey?: string;
  baseUrl?: string;
  keyEnvName?: string; // default TIINGO_API_KEY
  http?: HttpTuning;
}

const TiingoBar = z.object({
  date: z.string().min(10),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  adjClose: z.number(),
  divCash: z.number().nullish(),
  splitFactor: z.number().nullish(),
});
const TiingoPrices = z.array(TiingoBar);

export class TiingoProvider implements MarketDataProvider {
  readonly name = 'tiingo' as const;
  private readonly apiKey: string | undefined;
  private readonly baseUrl: string;
  private readonly keyEnvName: string;
  private readonly http: HttpClient;

  constructor(options: TiingoOptions = {}) {
    this.apiKey = options.apiKey?.trim() || undefined;
    this.baseUrl = (options.baseUrl ?? TIINGO_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.keyEnvName = options.keyEnvName ?? TIINGO_KEY_ENV;
    this.http = new HttpClient({
      minIntervalMs: TIINGO_DEFAULT_MIN_INTERVAL_MS,
      ...options.http,
      provider: 'Tiingo',
      keyEnvNames: [this.keyEnvName],
      secrets: [this.apiKey],
    });
  }

  /** True when a key was configured (the auto provider skips Tiingo otherwise). */
  get hasKey(): boolean {
    return this.apiKey !== undefined;
  }

  async fetchDailyBars(symbol: string, from: string, to: string): Promise<BarSeries> {
    const canonical = canonicalSymbol(symbol);
    assertRange(from, to);
    if (!this.apiKey) {
      throw new AtlasError(`Tiingo needs an API key; set ${this.keyEnvName} (free at tiingo.com) or choose the yahoo provider.`, {
        code: 'MISSING_KEY',
      });
    }
    const url = new URL(`${this.baseUrl}/tiingo/daily/${encodeURIComponent(toTiingo(canonical))}/prices`);
    url.searchParams.set('startDate', from);
    url.searchParams.set('endDate', to);
    url.searchParams.set('format', 'json');
    const json = await this.http.requestJson({
      url,
      symbol: canonical,
      headers: { Authorization: `Token ${this.apiKey}`, Accept: 'application/json' },
    });
    return parseTiingoPrices(json, canonical, from, to);
  }
}

/** Tiingo's prices array -> BarSeries. Exported for tests and for cached payloads. */
export function parseTiingoPrices(json: unknown, symbol: string, from: string, to: string): BarSeries {
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    // Some Tiingo errors arrive as 200 {"detail": "..."}.
    const detail = (json as Record<string, unknown>).detail;
    if (typeof detail === 'string' && /not found/i.test(detail)) {
      throw new AtlasError(`Tiingo does not know the symbol ${symbol}; check the ticker.`, { code: 'UNKNOWN_SYMBOL' });
    }
  }
  const parsed = TiingoPrices.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed('Tiingo', symbol, `unexpected shape at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`);
  }
  const bars: DailyBar[] = [];
  const actions: CorporateAction[] = [];
  for (const r of parsed.data) {
    const date = r.date.slice(0, 10);
    bars.push({ date, open: r.open, high: r.high, low: r.low, close: r.close, adjClose: r.adjClose, volume: r.volume });
    const splitFactor = r.splitFactor ?? 1;
    const dividend = r.divCash ?? 0;
    if (splitFactor !== 1 || dividend !== 0) actions.push({ date, splitFactor, dividend });
  }
  return { symbol, source: 'tiingo', bars: finishBars(bars, from, to), actions: finishActions(actions, from, to) };
}
