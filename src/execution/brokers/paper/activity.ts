/**
 * @module Asset activity: whether a symbol counts as listed and tradable on the paper broker.
 * Measured at the clock's New York date: a symbol is active when its last bar on or before that
 * date is at most ACTIVE_WINDOW_DAYS older than the store's newest bar on or before that date.
 * Bars dated after the clock (a mistyped 2099 import, a store ahead of a simulated clock) are
 * ignored, so they can neither deactivate other symbols nor keep their own symbol alive.
 */
import { nyDateOf } from '../../../calendar/nyse.js';
import { fromDayNumber, toDayNumber } from '../../../core/dates.js';
import { canonicalSymbol } from '../../../data/providers/symbols.js';
import type { Asset } from '../broker.js';
import type { PaperContext } from './context.js';
import { prepared } from '../../../data/store/statements.js';

/** A symbol is active when its last bar is at most this many calendar days older than the store's newest bar (both as of the clock's date). */
export const ACTIVE_WINDOW_DAYS = 10;

/** The newest bar date of one symbol on or before day `asOf` (day numbers), if any. */
function lastDayOf(ctx: PaperContext, symbol: string, asOf: number): number | undefined {
  const bar = ctx.bars.lastBarOnOrBefore(symbol, fromDayNumber(asOf));
  return bar === undefined ? undefined : toDayNumber(bar.date);
}

/** The newest bar date in the whole store on or before day `asOf`. */
export function storeLastDay(ctx: PaperContext, asOf: number): number | undefined {
  const iso = fromDayNumber(asOf);
  const summary = prepared(ctx.db, 'SELECT MAX(last_date) AS d FROM symbols WHERE last_date <= ?').get(iso) as { d: string | null };
  let best = summary.d === null ? undefined : toDayNumber(summary.d);
  // Only symbols with bars after the clock need a look at their rows (normally none).
  const ahead = prepared(ctx.db, 'SELECT symbol FROM symbols WHERE last_date > ?').all(iso) as { symbol: string }[];
  for (const { symbol } of ahead) {
    const d = lastDayOf(ctx, symbol, asOf);
    if (d !== undefined && (best === undefined || d > best)) best = d;
  }
  return best;
}

/** The paper broker's view of a symbol; undefined when the store has no bars for it at all. */
export function assetOf(ctx: PaperContext, raw: string): Asset | undefined {
  let symbol: string;
  try {
    symbol = canonicalSymbol(raw);
  } catch {
    return undefined;
  }
  const known = prepared(ctx.db, 'SELECT bar_count FROM symbols WHERE symbol = ?').get(symbol) as { bar_count: number } | undefined;
  if (!known || known.bar_count === 0) return undefined;
  const asOf = toDayNumber(nyDateOf(ctx.clock.now()));
  const own = lastDayOf(ctx, symbol, asOf);
  const newest = storeLastDay(ctx, asOf);
  const active = own !== undefined && newest !== undefined && newest - own <= ACTIVE_WINDOW_DAYS;
  return { symbol, tradable: active, status: active ? 'active' : 'inactive', fractionable: ctx.allowFractional(), exchange: 'PAPER' };
}

/** Why an inactive symbol is inactive, for a rejection message. */
export function inactiveReason(symbol: string): string {
  return `${symbol} is not active (it has no bar within ${ACTIVE_WINDOW_DAYS} days of the store's newest data up to today)`;
}
