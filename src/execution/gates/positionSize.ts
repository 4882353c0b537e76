/**
 * Gate 3 — position size. For every symbol the batch trades, the resulting position value
 * |qty * refPrice| must be <= maxPositionPct (15%) of equity. Exactly at the limit passes.
 * A symbol in ctx.cashLike (a cash-like remainder
 * sleeve) is exempt. A breach the batch grows is a WARN by default and a FAIL with `strict`; a position that stays
 * above the limit but that the batch shrinks is a WARN (the batch moves toward compliance).
 */
import { applicable, currentState, le, limitsOf, money, pct, resultingState, workingNoteFor, worstOf } from './common.js';
import type { GateContext, GateOrder, GateResult, PerOrderResult } from './types.js';

export function gatePositionSize(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'position size';
  const { maxPositionPct } = limitsOf(ctx);
  if (!(Number.isFinite(ctx.equity) && ctx.equity > 0)) {
    return { gate: 3, name, result: 'FAIL', reason: `equity ${money(ctx.equity)} is not positive: cannot size positions` };
  }
  const cap = maxPositionPct * ctx.equity;
  const before = currentState(orders, ctx);
  const after = resultingState(orders, ctx);
  const symbols = [...new Set(applicable(orders).map((o) => o.symbol))];
  // The same for every symbol of the batch: written once.
  const ofEquity = ` of equity ${money(ctx.equity)}`;
  const limit = `${pct(maxPositionPct)} (${money(cap)})`;
  const perOrder: PerOrderResult[] = symbols.map((symbol) => {
    if (ctx.cashLike?.has(symbol)) return { symbol, result: 'PASS', reason: `${symbol} counts as cash (remainder sleeve): no position cap` };
    const res = Math.abs(after.positions.get(symbol)?.value ?? 0);
    const cur = Math.abs(before.positions.get(symbol)?.value ?? 0);
    const head = `${symbol} resulting ${money(res)}${workingNoteFor(ctx, symbol)} = ${pct(res / ctx.equity)}${ofEquity}`;
    if (le(res, cap)) return { symbol, result: 'PASS', reason: `${head} <= ${limit}` };
    if (le(res, cur)) return { symbol, result: 'WARN', reason: `${head} > ${limit}, but the batch reduces it from ${pct(cur / ctx.equity)}` };
    return { symbol, result: ctx.strict ? 'FAIL' : 'WARN', reason: `${head} > ${limit}${ctx.strict ? ' (strict)' : ''}` };
  });
  const result = worstOf(perOrder);
  const flagged = perOrder.filter((p) => p.result !== 'PASS');
  const reason =
    perOrder.length === 0
      ? `no positions traded; cap ${pct(maxPositionPct)} of equity ${money(ctx.equity)} = ${money(cap)}`
      : flagged.length === 0
        ? `all ${perOrder.length} traded position(s) <= ${pct(maxPositionPct)} of equity (${money(cap)}); largest ${largest(perOrder, after.positions, ctx.equity)}`
        : flagged.map((p) => p.reason).join('; ');
  return { gate: 3, name, result, reason, perOrder };
}

function largest(perOrder: PerOrderResult[], positions: Map<string, { value: number }>, equity: number): string {
  let best = '';
  let bestVal = -1;
  for (const p of perOrder) {
    const v = Math.abs(positions.get(p.symbol)?.value ?? 0);
    if (v > bestVal) {
      bestVal = v;
      best = p.symbol;
    }
  }
  return `${best} ${money(bestVal)} = ${pct(bestVal / equity)}`;
}
