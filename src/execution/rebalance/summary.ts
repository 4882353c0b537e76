/**
 * @module Summaries of a run for the result and the report: order counts, the allocation view
 * of an account, and how stale the data is. Pure.
 */
import { sessionsBetween } from '../../calendar/nyse.js';
import type { RunOrderRecord } from './runStore.js';
import type { AllocationView, RebalanceOutcome, RunSummary } from './types.js';

export function summarize(orders: readonly RunOrderRecord[]): RunSummary {
  const s: RunSummary = { planned: orders.length, submitted: 0, filled: 0, partiallyFilled: 0, canceled: 0, rejected: 0, leftOpen: 0, queued: 0, skipped: 0, resized: 0, notSent: 0, abandoned: 0, boughtNotional: 0, soldNotional: 0 };
  for (const o of orders) {
    if (o.brokerOrderId !== null) s.submitted++;
    if (o.state === 'filled') s.filled++;
    if (o.state !== 'filled' && o.filledQty > 0) s.partiallyFilled++;
    if (o.state === 'canceled' || o.state === 'expired') s.canceled++;
    if (o.state === 'rejected') s.rejected++;
    if (o.state === 'left_open') s.leftOpen++;
    if (o.state === 'queued') s.queued++;
    if (o.state === 'skipped') s.skipped++;
    if (o.state === 'lost' || o.state === 'abandoned') s.abandoned++;
    if (o.state !== 'skipped' && o.qty < o.plannedQty) s.resized++;
    if (o.state === 'planned' || o.state === 'submitting') s.notSent++;
    const notional = o.filledQty * (o.filledAvgPrice ?? 0);
    if (o.side === 'buy') s.boughtNotional += notional;
    else s.soldNotional += notional;
  }
  return s;
}

/** 'completed' only when every order filled as planned. */
export function completionOf(s: RunSummary): RebalanceOutcome {
  const issues = s.rejected + s.canceled + s.leftOpen + s.skipped + s.resized + s.partiallyFilled + s.abandoned;
  return issues > 0 ? 'completed_with_issues' : 'completed';
}

export function allocationView(equity: number, positions: Map<string, { qty: number; value: number }>): AllocationView {
  let exposure = 0;
  const list: AllocationView['positions'] = [];
  for (const [symbol, p] of [...positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (p.qty === 0) continue;
    exposure += Math.abs(p.value);
    list.push({ symbol, qty: p.qty, value: p.value, weight: equity > 0 ? p.value / equity : Number.NaN });
  }
  return { equity, exposure, exposurePct: equity > 0 ? exposure / equity : Number.NaN, positions: list };
}

/** Completed sessions strictly between the data date and today (0 = the data is current). */
export function sessionsMissingAfter(dataDate: string, today: string): number {
  if (!(dataDate < today)) return 0;
  try {
    return sessionsBetween(dataDate, today).filter((d) => d > dataDate && d < today).length;
  } catch {
    return 0;
  }
}
