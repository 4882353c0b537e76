/**
 * Gate 5 — market hours. The caller decides whether the regular session is open (NYSE calendar)
 * and passes `marketOpen` plus a human `marketDetail`. Closed -> FAIL, or WARN with `force`
 * (the broker queues day orders for the next open).
 */
import type { GateContext, GateOrder, GateResult } from './types.js';

export function gateMarketHours(_orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'market hours';
  const detail = ctx.marketDetail ? ` (${ctx.marketDetail})` : '';
  if (ctx.marketOpen) return { gate: 5, name, result: 'PASS', reason: `regular session open${detail}` };
  if (ctx.force) {
    return { gate: 5, name, result: 'WARN', reason: `outside regular session; orders will be queued for the open${detail}` };
  }
  return { gate: 5, name, result: 'FAIL', reason: `outside regular session${detail}; rerun during market hours or pass --force to queue for the open` };
}
