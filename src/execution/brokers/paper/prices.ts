/**
 * @module Prices the account sees: the latest close known at the clock's instant (valuation and
 * cash reservation: a bar counts from its session's open, the documented simulation shortcut)
 * and the latest trade (a bar's close counts only once its session has closed).
 */
import { isMarketOpenAt, nyDateOf } from '../../../calendar/nyse.js';
import { canonicalSymbol } from '../../../data/providers/symbols.js';
import type { LatestTrade } from '../broker.js';
import type { PaperContext } from './context.js';
import { closedUntil, closeInstantOf, knownUntil } from './known.js';
import { applySlippage, lastBarOnOrBefore } from './pricing.js';
import { openOrders } from './orderBook.js';

/** Latest raw close of a bar whose session has opened at the clock's instant. */
export function lastKnownClose(ctx: PaperContext, symbol: string): number | undefined {
  return lastBarOnOrBefore(ctx.bars, symbol, knownUntil(ctx.clock.now()))?.close;
}

/**
 * The price of the moment, for valuation and for costing a market order placed now: the latest
 * known close, or, when the account fills in-session orders at the session's open
 * (sessionOrderFill 'open') and the session's bar is in the store, that open (what such an
 * order pays), so valuation, admission and fills agree on one price during the session.
 */
export function marketOrderPrice(ctx: PaperContext, symbol: string): number | undefined {
  const now = ctx.clock.now();
  if (ctx.sessionOrderFill === 'open' && isMarketOpenAt(now)) {
    const today = ctx.bars.getBars(symbol, nyDateOf(now), nyDateOf(now))[0];
    if (today) return today.open;
  }
  return lastKnownClose(ctx, symbol);
}

/** For each symbol the store knows: the raw close of its latest bar whose session has closed, and that close's instant. */
export function latestTrades(ctx: PaperContext, symbols: readonly string[]): Map<string, LatestTrade> {
  const until = closedUntil(ctx.clock.now());
  const out = new Map<string, LatestTrade>();
  for (const raw of symbols) {
    let symbol: string;
    try {
      symbol = canonicalSymbol(raw);
    } catch {
      continue;
    }
    const bar = ctx.bars.lastBarOnOrBefore(symbol, until);
    if (bar) out.set(symbol, { price: bar.close, at: closeInstantOf(bar.date) });
  }
  return out;
}

/** Estimated cash the working buy orders will need (limit price, or latest close, plus slippage). */
export function reservedCash(ctx: PaperContext): number {
  let total = 0;
  for (const o of openOrders(ctx)) {
    if (o.side !== 'buy') continue;
    const ref = o.limit_price ?? marketOrderPrice(ctx, o.symbol) ?? 0;
    total += (o.qty - o.filled_qty) * applySlippage(ref, 'buy', ctx.slippageBps, o.limit_price);
  }
  return total;
}
