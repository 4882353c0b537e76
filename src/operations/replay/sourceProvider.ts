/**
 * @module The replay's market-data provider: another store's history, served one session at a
 * time. syncSymbols asks for bars up to the last completed session of the simulated clock, so
 * a session's bars "arrive" after its close, exactly as a real provider's would. Sessions listed
 * in `failOn` answer with a transient failure (the stale-data drill).
 */
import { TransientError } from '../../core/errors.js';
import type { BarSeries } from '../../data/bar.js';
import type { MarketDataProvider, ProviderName } from '../../data/providers/provider.js';
import type { BarStore } from '../../data/store/barStore.js';

export class StoreProvider implements MarketDataProvider {
  readonly name = 'replay' as ProviderName;

  constructor(
    private readonly source: BarStore,
    private readonly failOn: ReadonlySet<string> = new Set(),
  ) {}

  fetchDailyBars(symbol: string, from: string, to: string): Promise<BarSeries> {
    if (this.failOn.has(to)) return Promise.reject(new TransientError(`replay drill: the provider failed for the ${to} session`));
    const bars = this.source.getBars(symbol, from, to);
    const actions = this.source.getActions(symbol).filter((a) => a.date >= from && a.date <= to);
    return Promise.resolve({ symbol, source: 'replay', bars, actions } as BarSeries);
  }
}
