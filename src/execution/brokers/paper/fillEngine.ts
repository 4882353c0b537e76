/**
 * @module The fill engine: one poll of the account's working orders at the clock's instant. Each
 * order gets at most one event per poll (fill, partial fill, open, expiry, rejection), decided by
 * pricing.ts and booked in the ledger, the fill record and the order book in one IMMEDIATE
 * transaction, so two processes sharing the store never fill an order twice.
 */
import { chaosPoint } from '../../../core/chaos.js';
import type { Order } from '../broker.js';
import { EPS, isWhole, type PaperContext } from './context.js';
import { accountRow, addToPosition, positionRow, reducePosition, setCash } from './ledger.js';
import { insertFill } from './fills.js';
import { openOrders, recordFill, toOrder, transition, type OrderRow } from './orderBook.js';
import { applySlippage, decideFill } from './pricing.js';
import { orderSession } from './known.js';
import { sessionTimes } from '../../../calendar/nyse.js';

/** Processes every working order of the account; returns the orders that changed. */
export function poll(ctx: PaperContext): Order[] {
  const changed: Order[] = [];
  ctx.db.transaction(() => {
    for (const row of openOrders(ctx)) {
      const after = step(ctx, row);
      if (after) changed.push(toOrder(after));
    }
  }).immediate();
  // Only a poll that changed something wrote: a point per poll would depend on timing.
  if (changed.length > 0) chaosPoint('store', 'paper fills booked');
  return changed;
}

/** An accepted order that cannot trade: 'rejected' if nothing filled yet, else 'canceled' (partially_filled -> rejected is illegal). */
function giveUp(ctx: PaperContext, row: OrderRow, why: string): OrderRow {
  if (row.status === 'partially_filled') return transition(ctx, row, 'canceled', { reject_reason: why, canceled_at: ctx.clock.now().toISOString() });
  return transition(ctx, row, 'rejected', { reject_reason: why });
}

/** Quantity of this poll's fill: all that is left, or the partial-fill drill's first slice. */
function fillQtyOf(row: OrderRow): number {
  const remaining = row.qty - row.filled_qty;
  const drill = row.drill ?? '';
  if (drill.startsWith('partial:') && row.filled_qty <= EPS) {
    const f = Number(drill.slice('partial:'.length));
    const part = isWhole(row.qty) ? Math.floor(row.qty * f) : Math.round(row.qty * f * 1e6) / 1e6;
    if (part > 0 && part < remaining - EPS) return part;
  }
  return remaining;
}

/** One poll's worth of work on one working order; returns the updated row when something changed. */
function step(ctx: PaperContext, row: OrderRow): OrderRow | undefined {
  const drill = row.drill ?? '';
  if (drill === 'never_fill') return undefined;
  if (drill.startsWith('reject:')) return transition(ctx, row, 'rejected', { reject_reason: drill.slice('reject:'.length) });
  const now = ctx.clock.now();
  const submittedAt = new Date(row.submitted_at);
  const submittedOpen = row.submitted_open === 1;
  const decision = decideFill(ctx.bars, {
    symbol: row.symbol, side: row.side, type: row.type, limitPrice: row.limit_price, timeInForce: row.time_in_force, submittedAt, submittedOpen,
  }, now, ctx.sessionOrderFill);
  if (decision.kind === 'wait') {
    // A queued order goes live at its session's open (Alpaca: accepted -> new), then waits for the bar.
    if (row.status === 'accepted' && now.getTime() >= sessionTimes(orderSession(submittedAt, submittedOpen)).open.getTime()) return transition(ctx, row, 'new');
    return undefined;
  }
  if (decision.kind === 'expire') return transition(ctx, row, 'expired', { reject_reason: decision.why });
  if (decision.kind === 'reject') return giveUp(ctx, row, decision.why);

  const qty = fillQtyOf(row);
  const price = applySlippage(decision.basePrice, row.side, ctx.slippageBps, row.limit_price);
  let cash = accountRow(ctx).cash;
  if (row.side === 'buy') {
    const cost = qty * price;
    if (cost > cash + EPS) return giveUp(ctx, row, `insufficient cash at fill: ${qty} ${row.symbol} at ${price.toFixed(4)} costs ${cost.toFixed(2)}, cash is ${cash.toFixed(2)}`);
    // Within the tolerance a fill may cost a hair more than the cash: never go below zero.
    cash = Math.max(0, cash - cost);
    addToPosition(ctx, row.symbol, qty, price);
  } else {
    const held = positionRow(ctx, row.symbol)?.qty ?? 0;
    if (qty > held + EPS) return giveUp(ctx, row, `insufficient quantity at fill: holds ${held} ${row.symbol}, order sells ${qty}`);
    cash += qty * price;
    reducePosition(ctx, row.symbol, qty);
  }
  setCash(ctx, cash);
  insertFill(ctx, { orderId: row.id, symbol: row.symbol, side: row.side, qty, price, basePrice: decision.basePrice, basis: decision.basis, barDate: decision.barDate, filledAt: now });
  return recordFill(ctx, row, qty, price, now, EPS);
}
