/**
 * Gate 4 — total allocation. The resulting gross exposure (sum of |qty * price| over every
 * position after the working orders at the broker and the batch) must be <= maxGrossPct (100%) of equity. Exactly at the limit
 * passes. Above the limit FAILs when the batch raises gross exposure; when the book is already
 * above the limit and the batch lowers it, the gate WARNs instead of blocking the de-risking.
 */
import { currentState, le, limitsOf, money, pct, resultingState, workingNote } from './common.js';
import type { GateContext, GateOrder, GateResult } from './types.js';

export function gateTotalAllocation(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'total allocation';
  const { maxGrossPct } = limitsOf(ctx);
  if (!(Number.isFinite(ctx.equity) && ctx.equity > 0)) {
    return { gate: 4, name, result: 'FAIL', reason: `equity ${money(ctx.equity)} is not positive: cannot measure exposure` };
  }
  const cap = maxGrossPct * ctx.equity;
  const before = currentState(orders, ctx);
  const after = resultingState(orders, ctx);
  const head = `resulting gross exposure ${money(after.exposure)} = ${pct(after.exposurePct)} of equity ${money(ctx.equity)}${workingNote(ctx)}`;
  if (le(after.exposure, cap)) {
    return { gate: 4, name, result: 'PASS', reason: `${head} <= ${pct(maxGrossPct)} (${money(cap)})` };
  }
  if (le(after.exposure, before.exposure)) {
    return {
      gate: 4,
      name,
      result: 'WARN',
      reason: `${head} > ${pct(maxGrossPct)} (${money(cap)}), but the batch reduces it from ${pct(before.exposurePct)}`,
    };
  }
  return { gate: 4, name, result: 'FAIL', reason: `${head} > ${pct(maxGrossPct)} (${money(cap)}) by ${money(after.exposure - cap)}` };
}
