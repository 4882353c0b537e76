/**
 * @module The market a replay trades in: the source store's history of the strategy's symbols,
 * in the backtest's price space. The backtest runs on split- and dividend-adjusted prices
 * (adjClose, and open/high/low x adjClose / close), so its whole shares are adjusted shares and its
 * equity is total return; the paper broker books no dividends or splits. Replayed on raw prices,
 * every dividend would be a loss and every split a crash the backtest never sees, and whole-share
 * rounding would round different shares. On this copy a replayed share is a backtest share:
 * orders compare share for share, and equity differs only by what the parity report explains.
 * Built once per replay directory (temp directory + rename), so a killed replay rebuilds or reuses it.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { DailyBar } from '../../data/bar.js';
import { BarStore } from '../../data/store/barStore.js';
import { openDatabase } from '../../data/store/database.js';

export const MARKET_DIR = 'market';

/** A bar restated in adjusted prices (adjClose / close applied to every price; volume as traded). */
export function adjustedBar(b: DailyBar): DailyBar {
  const f = b.close > 0 && b.adjClose > 0 ? b.adjClose / b.close : 1;
  if (f === 1) return b;
  return { date: b.date, open: b.open * f, high: b.high * f, low: b.low * f, close: b.adjClose, adjClose: b.adjClose, volume: b.volume };
}

/**
 * The replay's market store (replayDir/market): built from `source` up to `to` on the first call,
 * reused after. Corporate actions are dropped: adjusted prices already hold them.
 */
export function ensureAdjustedMarket(source: BarStore, replayDir: string, symbols: readonly string[], to: string, clock: Clock): string {
  const dir = join(replayDir, MARKET_DIR);
  if (existsSync(join(dir, 'atlas.sqlite'))) return dir;
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const db = openDatabase(tmp);
  try {
    const target = new BarStore(db, () => clock.now());
    for (const s of symbols) {
      if (!source.hasSymbol(s)) continue;
      const bars = source.getBars(s, undefined, to);
      if (bars.length > 0) target.replaceBars(s, source.symbolInfo(s)?.source ?? 'replay', bars.map(adjustedBar));
    }
  } finally {
    db.close();
  }
  renameSync(tmp, dir);
  return dir;
}
