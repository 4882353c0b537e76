/**
 * @module BUY re-sizing after the SELL phase: the money actually available (plan.ts's buyBudget:
 * cash, buying power and the room gate 7 leaves next to what is still held) scales the planned
 * BUYs down (plan.ts's resizeBuys), never up, costed at the latest price; each change is a Resized or Skipped event. The
 * re-sized BUYs are then re-validated.
 */
import { fmt } from '../../core/format.js';
import { DEFAULT_GATE_LIMITS } from '../gates/types.js';
import type { RunContext } from './context.js';
import { gateBudgetOf } from './budget.js';
import { buyValuationPrice, revalidate } from './gatesStep.js';
import { resizeBuys } from './plan.js';
import type { RunOrderRecord } from './runStore.js';
import { refOf } from './submit.js';
import type { RebalanceResult } from './types.js';

/** Re-sizes the unsent BUYs; returns those to send, or the stopped result when a gate fails. */
export async function resizeUnsentBuys(ctx: RunContext, unsent: readonly RunOrderRecord[]): Promise<{ toSend: RunOrderRecord[] } | { stopped: RebalanceResult }> {
  const snap = await ctx.snapshot();
  const tolerance = ctx.run().params.gateLimits?.regimeTolerance ?? ctx.req.gateLimits?.regimeTolerance ?? DEFAULT_GATE_LIMITS.regimeTolerance;
  const money = gateBudgetOf(ctx, snap, unsent, tolerance);
  const budget = money.budget;
  // The cash is costed with the buy headroom; gate 7's room is a cap on value at the reference price.
  // Costed at the latest price (the planned one when there is none): a price that moved since the
  // plan (the open after a close-decided run) sizes the BUYs to the cash as the backtest does;
  // the re-validation values them at the same price (gatesStep.ts).
  const costAt = (o: RunOrderRecord) => buyValuationPrice(ctx, o);
  const planned = new Map(unsent.map((o) => [o.clientOrderId, o.refPrice]));
  const costed = resizeBuys(
    unsent.map((o) => ({ ...o, qty: o.plannedQty, refPrice: costAt(o) })),
    money.cash,
    ctx.minNotional,
    true,
    { buyPriceBuffer: ctx.buyPriceBuffer, valueCap: money.regimeRoom, cashLike: ctx.cashLikeOfRun() },
  );
  const sized = { ...costed, kept: costed.kept.map((k) => ({ ...k, refPrice: planned.get(k.clientOrderId) ?? k.refPrice })) };
  // Which limit bound, in the event's reason: the parity report quotes it per order.
  const value = costed.cost / (1 + ctx.buyPriceBuffer);
  const byRoom = money.regimeRoom / value < money.cash / costed.cost;
  const limit = byRoom ? `the room gate 7 leaves next to what is held (${money.regimeRoom.toFixed(2)}; cash ${money.cash.toFixed(2)})` : `the cash available after the SELL phase (${money.cash.toFixed(2)})`;
  for (const s of sized.skipped) {
    ctx.record({ ...refOf(s.order), qty: s.order.plannedQty, kind: 'Skipped', reason: `not sent: ${s.reason} after the SELL phase (budget ${budget.toFixed(2)})` });
  }
  for (const k of sized.kept) {
    const before = unsent.find((u) => u.clientOrderId === k.clientOrderId)!;
    if (k.qty === before.qty) continue;
    ctx.record({
      ...refOf(k),
      kind: 'Resized',
      plannedQty: k.plannedQty,
      budget,
      scale: sized.scale,
      reason: `re-sized from ${fmt.shares(k.plannedQty)} to ${limit}`,
    });
  }
  if (sized.scale < 1) {
    ctx.note(`buys re-sized to ${limit}: ${sized.cost.toFixed(2)} planned, x${sized.scale.toFixed(4)}`);
  }
  const toSend = ctx.orders('buy').filter((o) => o.state === 'planned');
  const view = { budget, cash: money.cash, regimeRoom: money.regimeRoom, cost: sized.cost, scale: sized.scale, skipped: sized.skipped.map((s) => s.order.symbol) };
  if (toSend.length === 0) {
    ctx.result.buyPhase = { ...view, validation: [] };
    return { toSend };
  }
  const v = await revalidate(ctx, toSend, snap);
  if ('stopped' in v) {
    ctx.result.buyPhase = { ...view, validation: v.gates };
    return { stopped: v.stopped };
  }
  ctx.result.buyPhase = { ...view, validation: v };
  return { toSend };
}
