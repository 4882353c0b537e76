/**
 * Gate 7 — regime compliance. The resulting gross exposure (positions + working orders at the
 * broker + the batch; symbols in ctx.cashLike, a cash-like remainder sleeve, count as cash and are
 * left out) must be <= allocation(regime) +
 * regimeTolerance (0.5 percentage points), exposure being gross (sum of |value|) over equity.
 *  - CRASH: every buy FAILs (only sells pass), except buys of cash-like sleeve symbols.
 *  - resulting exposure within target + tolerance: PASS.
 *  - above it with no buys: WARN (a sells-only batch never FAILs: it is how a book de-risks).
 *  - above it, with buys, but lower than before the batch: WARN (moving toward compliance).
 *  - above it and raising exposure: FAIL.
 */
import { allocationOf, currentState, le, limitsOf, money, pct, resultingState, workingNote } from './common.js';
import type { GateContext, GateOrder, GateResult, PerOrderResult, ResultingState } from './types.js';

/** The state's exposure without the symbols counted as cash. */
function withoutCashLike(state: ResultingState, cashLike: ReadonlySet<string>, equity: number): { exposure: number; exposurePct: number } {
  if (cashLike.size === 0) return state;
  let exposure = 0;
  for (const [sym, p] of state.positions) if (!cashLike.has(sym)) exposure += Math.abs(p.value);
  return { exposure, exposurePct: equity > 0 ? exposure / equity : Number.NaN };
}

export function gateRegimeCompliance(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'regime compliance';
  const { regimeTolerance } = limitsOf(ctx);
  const target = allocationOf(ctx)[ctx.regime];
  const cap = target + regimeTolerance;
  const cashLike = ctx.cashLike ?? new Set<string>();
  const rawBuys = orders.filter((o) => o.side === 'buy' && !cashLike.has(String(o.symbol)));
  const sleeveBuys = orders.filter((o) => o.side === 'buy' && cashLike.has(String(o.symbol)));

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
      reason: `regime CRASH: only sells pass; ${rawBuys.length} buy order(s): ${rawBuys.map((o) => String(o.symbol)).join(', ')}${sleeveBuys.length ? ` (cash-like sleeve buys allowed: ${sleeveBuys.map((o) => String(o.symbol)).join(', ')})` : ''}`,
      perOrder,
    };
  }
  if (!(Number.isFinite(ctx.equity) && ctx.equity > 0)) {
    if (rawBuys.length === 0) return { gate: 7, name, result: 'WARN', reason: `equity ${money(ctx.equity)} is not positive; sells-only batch allowed` };
    return { gate: 7, name, result: 'FAIL', reason: `equity ${money(ctx.equity)} is not positive: cannot measure exposure` };
  }

  const before = withoutCashLike(currentState(orders, ctx), cashLike, ctx.equity);
  const after = withoutCashLike(resultingState(orders, ctx), cashLike, ctx.equity);
  const sleeveNote = cashLike.size ? `; ${[...cashLike].join(', ')} counted as cash (remainder sleeve)` : '';
  const head = `regime ${ctx.regime}: resulting exposure ${pct(after.exposurePct)} (${money(after.exposure)}${workingNote(ctx)}${sleeveNote})`;
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
