import type { BarSeries } from '../bar.js';

/**
 * Every market-data source answers the same question. `from` and `to` are inclusive New York
 * session dates. A symbol the provider does not know throws AtlasError (code UNKNOWN_SYMBOL);
 * a bad key throws AtlasError naming the environment variable; a failure a retry may cure
 * throws TransientError.
 */
export interface MarketDataProvider {
  readonly name: ProviderName;
  fetchDailyBars(symbol: string, from: string, to: string): Promise<BarSeries>;
}

export type ProviderName = 'tiingo' | 'yahoo' | 'alpaca' | 'auto';
