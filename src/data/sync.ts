import { isTradingDay, nyDateOf, previousSession, sessionOnOrBefore, sessionTimes, sessionsBetween } from '../calendar/nyse.js';
import { addDays } from '../core/dates.js';
import { describeError } from '../core/errors.js';
import type { BarSeries, DailyBar } from './bar.js';
import type { MarketDataProvider } from './providers/provider.js';
import type { BarStore } from './store/barStore.js';

export type SyncStatus = 'fetched' | 'up-to-date' | 'redownloaded' | 'failed';

export interface SyncResult {
  symbol: string;
  status: SyncStatus;
  newBars: number;
  from?: string;
  to?: string;
  note?: string;
  error?: string;
}

export interface SyncOptions {
  symbols: readonly string[];
  from: string;
  /** Inclusive; default: the last completed NYSE session. */
  to?: string;
  now?: () => Date;
  onProgress?: (done: number, total: number, symbol: string, result?: SyncResult) => void;
}

/** The last session whose close has passed at `now` (New York): what a daily-bar provider can have. */
export function lastCompletedSession(now: Date): string {
  const today = nyDateOf(now);
  if (isTradingDay(today) && now.getTime() >= sessionTimes(today).close.getTime()) return today;
  return isTradingDay(today) ? previousSession(today) : sessionOnOrBefore(today);
}

/** Relative change of the adjustment factor between two snapshots of the same day's bar. */
function adjustmentChanged(stored: DailyBar, fresh: DailyBar): boolean {
  const a = stored.adjClose / stored.close;
  const b = fresh.adjClose / fresh.close;
  return Math.abs(a / b - 1) > 1e-6;
}

/**
 * Brings each symbol up to date. Only the missing tail is fetched: a rerun right after a sync
 * asks the provider nothing. The first fetched bar overlaps the last stored one; if its
 * adjustment factor moved, or the provider reports a split or dividend in the new bars, the
 * adjusted history changed basis and the whole symbol is downloaded again (never a silent mix).
 * Each symbol is written in one transaction; a failing symbol is reported and the rest go on.
 */
export async function syncSymbols(store: BarStore, provider: MarketDataProvider, opts: SyncOptions): Promise<SyncResult[]> {
  const now = opts.now ?? (() => new Date());
  const to = opts.to ?? lastCompletedSession(now());
  const results: SyncResult[] = [];
  let done = 0;
  for (const symbol of opts.symbols) {
    opts.onProgress?.(done, opts.symbols.length, symbol);
    let result: SyncResult;
    try {
      result = await syncOne(store, provider, symbol, opts.from, to);
    } catch (err) {
      result = { symbol, status: 'failed', newBars: 0, error: describeError(err) };
    }
    results.push(result);
    done++;
    opts.onProgress?.(done, opts.symbols.length, symbol, result);
  }
  return results;
}

async function syncOne(store: BarStore, provider: MarketDataProvider, symbol: string, from: string, to: string): Promise<SyncResult> {
  const info = store.symbolInfo(symbol);
  const full = async (note?: string): Promise<SyncResult> => {
    const series = await provider.fetchDailyBars(symbol, from, to);
    const bars = series.bars.filter((b) => b.date >= from && b.date <= to);
    store.replaceBars(symbol, series.source, bars, series.actions ?? []);
    store.markSynced(symbol, provider.name);
    return { symbol, status: note ? 'redownloaded' : 'fetched', newBars: bars.length, from: bars[0]?.date, to: bars.at(-1)?.date, note };
  };
  if (!info || !info.firstDate || !info.lastDate) return full();
  // Stored history starts after the requested start: backfill by downloading the whole range.
  if (info.firstDate > from && sessionsBetween(from, addDays(info.firstDate, -1)).length > 0) {
    return full(`stored history began ${info.firstDate}; downloaded again from ${from}`);
  }
  if (info.lastDate >= to || sessionsBetween(addDays(info.lastDate, 1), to).length === 0) {
    return { symbol, status: 'up-to-date', newBars: 0, from: info.lastDate, to: info.lastDate };
  }
  const lastDate = info.lastDate;
  const last = store.getBars(symbol, lastDate, lastDate)[0];
  const series: BarSeries = await provider.fetchDailyBars(symbol, lastDate, to);
  const overlap = series.bars.find((b) => b.date === lastDate);
  const fresh = series.bars.filter((b) => b.date > lastDate && b.date <= to);
  const action = (series.actions ?? []).find((a) => a.date > lastDate && (a.splitFactor !== 1 || a.dividend !== 0));
  if (action) return full(`${action.splitFactor !== 1 ? `split ${action.splitFactor}:1` : `dividend ${action.dividend}`} on ${action.date}: adjusted history re-downloaded`);
  if (overlap && last && adjustmentChanged(last, overlap)) return full('adjustment factor changed: adjusted history re-downloaded');
  store.upsertBars(symbol, series.source, fresh, series.actions ?? []);
  store.markSynced(symbol, provider.name);
  return { symbol, status: 'fetched', newBars: fresh.length, from: fresh[0]?.date, to: fresh.at(-1)?.date };
}
