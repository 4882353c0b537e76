/**
 * Gate 7 — regime compliance. The resulting gross exposure (positions + working orders at the
 * broker + the batch) must be <= allocation(regime) +
 * regimeTolerance (0.5 percentage points), exposure being gross (sum of |value|) over equity.
 *  - CRASH: every buy FAILs (only sells pass).
 *  - resulting exposure within target + tolerance: PASS.
 *  - above it with no buys: WARN (a sells-only batch never FAILs: it is how a book de-risks).
 *  - above it, with buys, but lower than before the batch: WARN (moving toward compliance).
 *  - above it and raising exposure: FAIL.
 */
import { allocationOf, currentState, le, limitsOf, money, pct, resultingState, workingNote } from './common.js';
import type { GateContext, GateOrder, GateResult, PerOrderResult } from './types.js';

export function gateRegimeCompliance(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'regime compliance';
  const { regimeTolerance } = limitsOf(ctx);
  const target = allocationOf(ctx)[ctx.regime];
  const cap = target + regimeTolerance;
  const rawBuys = orders.filter((o) => o.side === 'buy');

  if (ctx.regime === 'CRASH' && rawBuys.length > 0) {
    const perOrder: PerOrderResult[] = rawBuys.map((o) => ({
      symbol: String(o.symbol),
      result: 'FAIL',
      reason: `buy ${String(o.qty)} ${String(o.symbol)} not allowed in CRASH (only sells pass)`,
    }));
    return {
      gate: 7,
      name,
      result: 'FAIL',
      reason: `regime CRASH: only sells pass; ${rawBuys.length} buy order(s): ${rawBuys.map((o) => String(o.symbol)).join(', ')}`,
      perOrder,
    };
  }
  if (!(Number.isFinite(ctx.equity) && ctx.equity > 0)) {
    if (rawBuys.length === 0) return { gate: 7, name, result: 'WARN', reason: `equity ${money(ctx.equity)} is not positive; sells-only batch allowed` };
    return { gate: 7, name, result: 'FAIL', reason: `equity ${money(ctx.equity)} is not positive: cannot measure exposure` };
  }

  const before = currentState(orders, ctx);
  const after = resultingState(orders, ctx);
  const head = `regime ${ctx.regime}: resulting exposure ${pct(after.exposurePct)} (${money(after.exposure)}${workingNote(ctx)})`;
  const limitText = `target ${pct(target)} + tolerance ${pct(regimeTolerance)} = ${pct(cap)}`;
  if (le(after.exposurePct, cap)) return { gate: 7, name, result: 'PASS', reason: `${head} <= ${limitText}` };
  if (rawBuys.length === 0) {
    const how = le(after.exposure, before.exposure)
      ? `the sells reduce exposure from ${pct(before.exposurePct)}`
      : `the sells raise gross exposure from ${pct(before.exposurePct)} (short sales)`;
    return { gate: 7, name, result: 'WARN', reason: `${head} > ${limitText}; sells-only batch allowed: ${how}` };
  }
  if (le(after.exposure, before.exposure)) {
    return { gate: 7, name, result: 'WARN', reason: `${head} > ${limitText}, but the batch reduces exposure from ${pct(before.exposurePct)}` };
  }
  return { gate: 7, name, result: 'FAIL', reason: `${head} > ${limitText} and the batch raises exposure from ${pct(before.exposurePct)}` };
}
