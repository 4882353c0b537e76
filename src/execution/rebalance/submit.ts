/**
 * @module Sending one order: `Submitted` is recorded BEFORE submitOrder (a crash after it is
 * resolved on resume by a lookup by client order id), then the broker's answer goes through the
 * same pure `reconcile` as every later report (Accepted or Queued, and any fill it already has).
 */
import { fmt } from '../../core/format.js';
import { OrderRejectedError } from '../brokers/broker.js';
import { reconcile } from '../orders/reconcile.js';
import type { RunContext } from './context.js';
import type { RunOrderRecord } from './runStore.js';
import type { MarketSession } from './session.js';

export function refOf(o: RunOrderRecord): { clientOrderId: string; symbol: string; side: 'buy' | 'sell'; qty: number } {
  return { clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: o.qty };
}

export async function submitOne(ctx: RunContext, o: RunOrderRecord, session: MarketSession): Promise<void> {
  ctx.record({ ...refOf(o), kind: 'Submitted' });
  let placed;
  try {
    placed = await ctx.broker.submitOrder({ symbol: o.symbol, side: o.side, qty: o.qty, type: 'market', timeInForce: 'day', clientOrderId: o.clientOrderId });
  } catch (err) {
    if (err instanceof OrderRejectedError) {
      ctx.record({ ...refOf(o), kind: 'Rejected', brokerOrderId: null, brokerStatus: 'rejected', reason: err.reason });
      ctx.note(`${o.side} ${fmt.shares(o.qty)} ${o.symbol} rejected: ${err.reason}`);
      return;
    }
    throw err; // outcome unknown: the order stays 'submitting' and is reconciled on resume
  }
  const cur = ctx.runs.order(o.clientOrderId)!;
  for (const e of reconcile(cur, placed, { marketOpen: session.open, nextOpen: session.nextOpen, source: 'submit' })) ctx.record(e);
  await ctx.hook(ctx.deps.hooks?.afterSubmit && (() => ctx.deps.hooks!.afterSubmit!(ctx.runs.order(o.clientOrderId)!)));
}
