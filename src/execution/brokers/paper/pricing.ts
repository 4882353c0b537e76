/**
 * @module Fill prices: what an open paper order gets at an instant, decided from the store's daily
 * bars and the NYSE calendar alone (no I/O besides reading bars), so the rules are testable as
 * a table.
 */
import { isMarketOpenAt } from '../../../calendar/nyse.js';
import { addDays } from '../../../core/dates.js';
import type { DailyBar } from '../../../data/bar.js';
import type { BarStore } from '../../../data/store/barStore.js';
import type { OrderSide, OrderType, OrderTimeInForce } from '../broker.js';
import { knownUntil, orderSession } from './known.js';

export { closedUntil, closeInstantOf, firstSessionAfter, knownUntil, orderSession } from './known.js';

/**
 * Where a paper fill's price came from:
 * - 'open'       the raw open of the first session after an order placed while the market was closed
 *                (or, for a limit order, a session that opened through the limit);
 * - 'close'      the raw close of the session in which a market order was placed while the market was open;
 * - 'limit'      the limit price itself (the bar's low/high reached it during the session);
 * - 'last_close' an order placed during a session when the store has no bar for that session yet
 *                (real time: today's bar arrives after the close): the latest raw close known
 *                when it was placed, the nearest thing to the price at that moment.
 * An order placed while the market is closed never gets 'last_close': it waits for its session.
 */
export type FillBasis = 'open' | 'close' | 'limit' | 'last_close';

export type PricingDecision =
  | { kind: 'fill'; basePrice: number; basis: FillBasis; barDate: string }
  | { kind: 'wait'; why: string }
  | { kind: 'expire'; why: string }
  | { kind: 'reject'; why: string };

export interface PricingInput {
  symbol: string;
  side: OrderSide;
  type: OrderType | string;
  limitPrice: number | null;
  timeInForce: OrderTimeInForce | string;
  submittedAt: Date;
  /** Whether the NYSE was in a regular session at submittedAt. */
  submittedOpen: boolean;
}

/**
 * What a market order placed while the session is open fills at (its session's bar):
 * - 'close' (default) the session's close, the simplification for an order placed at any time of day;
 * - 'open'  the session's open: an order sent in the minutes after the open, as a queued run's
 *           BUYs are, priced like the backtest's fill 'open' (the replay sets it from the strategy's
 *           fill model, so both sides fill a run's SELLs and BUYs at the same open).
 */
export type SessionOrderFill = 'close' | 'open';

export function marketOpenAt(instant: Date): boolean {
  return isMarketOpenAt(instant);
}

/** The latest bar dated on or before `date`, if any. */
export function lastBarOnOrBefore(bars: BarStore, symbol: string, date: string): DailyBar | undefined {
  const recent = bars.getBars(symbol, addDays(date, -45), date);
  if (recent.length > 0) return recent[recent.length - 1];
  const all = bars.getBars(symbol, undefined, date);
  return all.length > 0 ? all[all.length - 1] : undefined;
}

/** Did the bar trade through the limit, and at what base price (before slippage)? */
export function limitTouch(bar: DailyBar, side: OrderSide, limit: number): { basePrice: number; basis: FillBasis } | undefined {
  if (side === 'buy') {
    if (bar.open <= limit) return { basePrice: bar.open, basis: 'open' };
    if (bar.low <= limit) return { basePrice: limit, basis: 'limit' };
    return undefined;
  }
  if (bar.open >= limit) return { basePrice: bar.open, basis: 'open' };
  if (bar.high >= limit) return { basePrice: limit, basis: 'limit' };
  return undefined;
}

/** Price after slippage against the trader; a limit order never fills through its limit. */
export function applySlippage(basePrice: number, side: OrderSide, slippageBps: number, limitPrice: number | null): number {
  const f = slippageBps / 10_000;
  let p = side === 'buy' ? basePrice * (1 + f) : basePrice * (1 - f);
  if (limitPrice !== null) p = side === 'buy' ? Math.min(p, limitPrice) : Math.max(p, limitPrice);
  return p;
}

/** day, opg and cls orders last one session; gtc orders last until filled or canceled. */
export function isDayOrder(tif: string): boolean {
  return tif !== 'gtc';
}

/**
 * Decides what happens to an open order at `now`, from the store's bars and the NYSE calendar.
 *
 * The order's session S is the one it was placed in, or the next one when placed while closed.
 * Only bars from S up to the last opened date (`knownUntil(now)`) are used, so a price that
 * existed before an order placed while closed is never used, and neither is a bar the clock has
 * not reached. A day order lives in S only: once S's bar is known it fills or expires; when the
 * store shows a later bar but none for S (the symbol did not trade), it expires. Until S's bar is
 * in the store the order waits: the bar, not the wall clock, says what happened in S.
 */
export function decideFill(bars: BarStore, order: PricingInput, now: Date, sessionOrderFill: SessionOrderFill = 'close'): PricingDecision {
  const until = knownUntil(now);
  const session = orderSession(order.submittedAt, order.submittedOpen);
  if (session > until) return { kind: 'wait', why: `queued for the ${session} open` };
  const day = isDayOrder(String(order.timeInForce));
  const window = bars.getBars(order.symbol, session, until);
  const first = window[0];
  if (first !== undefined && first.date !== session && day) {
    return { kind: 'expire', why: `${order.symbol} did not trade in the ${session} session (day order)` };
  }

  if (order.type === 'market') {
    if (first !== undefined) {
      // The simplification for an order placed during a session: it trades at that session's close.
      if (order.submittedOpen && first.date === session) {
        return sessionOrderFill === 'open' ? { kind: 'fill', basePrice: first.open, basis: 'open', barDate: first.date } : { kind: 'fill', basePrice: first.close, basis: 'close', barDate: first.date };
      }
      return { kind: 'fill', basePrice: first.open, basis: 'open', barDate: first.date };
    }
    if (!order.submittedOpen) return { kind: 'wait', why: `waiting for the ${session} bar of ${order.symbol}` };
    const last = lastBarOnOrBefore(bars, order.symbol, session);
    if (!last) return { kind: 'reject', why: `the store has no price for ${order.symbol}` };
    return { kind: 'fill', basePrice: last.close, basis: 'last_close', barDate: last.date };
  }

  const limit = order.limitPrice;
  if (limit === null || !(limit > 0)) return { kind: 'reject', why: 'limit order without a positive limit price' };
  for (const bar of day ? window.slice(0, 1) : window) {
    const touch = limitTouch(bar, order.side, limit);
    if (touch) return { kind: 'fill', basePrice: touch.basePrice, basis: touch.basis, barDate: bar.date };
  }
  if (first !== undefined) {
    return day ? { kind: 'expire', why: `limit ${limit} not reached on ${first.date} (day order)` } : { kind: 'wait', why: `limit ${limit} not reached yet` };
  }
  if (!order.submittedOpen) return { kind: 'wait', why: `waiting for the ${session} bar of ${order.symbol}` };
  // Placed during a session whose bar the store lacks: marketable at the latest close fills now.
  const last = lastBarOnOrBefore(bars, order.symbol, session);
  if (!last) return { kind: 'reject', why: `the store has no price for ${order.symbol}` };
  const marketable = order.side === 'buy' ? last.close <= limit : last.close >= limit;
  if (marketable) return { kind: 'fill', basePrice: last.close, basis: 'last_close', barDate: last.date };
  return { kind: 'wait', why: `limit ${limit} not reached (latest close ${last.close})` };
}
