import { isMarketOpenAt, isTradingDay, nextSession, nyDateOf, sessionTimes } from '../../../calendar/nyse.js';
import { addDays } from '../../../core/dates.js';
import type { DailyBar } from '../../../data/bar.js';
import type { BarStore } from '../../../data/store/barStore.js';
import type { OrderSide, OrderType, OrderTimeInForce } from '../broker.js';

/**
 * Where a paper fill's price came from:
 * - 'open'       the raw open of the first session after an order placed while the market was closed
 *                (or, for a limit order, a session that opened through the limit);
 * - 'close'      the raw close of the session in which a market order was placed while the market was open;
 * - 'limit'      the limit price itself (the bar's low/high reached it during the session);
 * - 'last_close' fallback: the store has no bar for the session the order should have traded in
 *                (the data ends before it), so the latest raw close the store has is used.
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
 * The last New York date whose bar counts as known at `now`: today once today's session has opened
 * (or today is not a session), otherwise yesterday. A bar dated in the future of `now` (a store
 * with more data than a simulated clock) is never used before its session opens.
 */
export function knownUntil(now: Date): string {
  const today = nyDateOf(now);
  if (isTradingDay(today) && now.getTime() < sessionTimes(today).open.getTime()) return addDays(today, -1);
  return today;
}

/**
 * The session a market order placed while the market is closed trades in: the first session whose
 * open is after the submission instant (the same day when placed before 09:30 ET on a trading day,
 * otherwise the next session).
 */
export function firstSessionAfter(instant: Date): string {
  const d = nyDateOf(instant);
  if (isTradingDay(d) && instant.getTime() < sessionTimes(d).open.getTime()) return d;
  return nextSession(d);
}

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

function firstBarOnOrAfter(bars: BarStore, symbol: string, date: string, to?: string): DailyBar | undefined {
  const list = bars.getBars(symbol, date, to);
  return list[0];
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

function isDayOrder(tif: string): boolean {
  return tif !== 'gtc';
}

/**
 * Decides what happens to an open order at `now`, from the store's bars and the NYSE calendar.
 * Pure with respect to the order: the price an order gets does not depend on when it is polled,
 * except that the 'last_close' fallback applies only while the store has no bar for the session
 * the order should trade in.
 */
export function decideFill(bars: BarStore, order: PricingInput, now: Date): PricingDecision {
  const until = knownUntil(now);
  const submitDate = nyDateOf(order.submittedAt);
  // The first session whose prices the order may use.
  const first = order.submittedOpen ? submitDate : firstSessionAfter(order.submittedAt);

  if (order.type === 'market') {
    if (order.submittedOpen) {
      // Placed during a session: trades at that session's close when the store has it, else at the
      // latest earlier close.
      const bar = lastBarOnOrBefore(bars, order.symbol, submitDate < until ? submitDate : until);
      if (!bar) return { kind: 'reject', why: `the store has no price for ${order.symbol}` };
      return { kind: 'fill', basePrice: bar.close, basis: bar.date === submitDate ? 'close' : 'last_close', barDate: bar.date };
    }
    const known = first <= until ? firstBarOnOrAfter(bars, order.symbol, first, until) : undefined;
    if (known) return { kind: 'fill', basePrice: known.open, basis: 'open', barDate: known.date };
    if (firstBarOnOrAfter(bars, order.symbol, first)) return { kind: 'wait', why: `waiting for the ${first} open` };
    const last = lastBarOnOrBefore(bars, order.symbol, until);
    if (!last) return { kind: 'reject', why: `the store has no price for ${order.symbol}` };
    return { kind: 'fill', basePrice: last.close, basis: 'last_close', barDate: last.date };
  }

  // Limit order.
  const limit = order.limitPrice;
  if (limit === null || !(limit > 0)) return { kind: 'reject', why: 'limit order without a positive limit price' };
  const window = first <= until ? bars.getBars(order.symbol, first, until) : [];
  for (const bar of window) {
    const touch = limitTouch(bar, order.side, limit);
    if (touch) return { kind: 'fill', basePrice: touch.basePrice, basis: touch.basis, barDate: bar.date };
    if (isDayOrder(order.timeInForce) && bar.date >= first) {
      return { kind: 'expire', why: `limit ${limit} not reached on ${bar.date} (day order)` };
    }
  }
  if (window.length > 0) return { kind: 'wait', why: `limit ${limit} not reached yet` };
  if (firstBarOnOrAfter(bars, order.symbol, first)) return { kind: 'wait', why: `waiting for the ${first} session` };
  // The store ends before the order's session: use the latest close if it is marketable.
  const last = lastBarOnOrBefore(bars, order.symbol, until);
  if (!last) return { kind: 'reject', why: `the store has no price for ${order.symbol}` };
  const marketable = order.side === 'buy' ? last.close <= limit : last.close >= limit;
  if (marketable) return { kind: 'fill', basePrice: last.close, basis: 'last_close', barDate: last.date };
  if (isDayOrder(order.timeInForce) && isTradingDay(first) && now.getTime() >= sessionTimes(first).close.getTime()) {
    return { kind: 'expire', why: `limit ${limit} not reached by the ${first} close (day order)` };
  }
  return { kind: 'wait', why: `limit ${limit} not reached (latest close ${last.close})` };
}
