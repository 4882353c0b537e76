/**
 * Gate 1 — structure. Every order is well formed (symbol, side, qty, type/limit price, time in
 * force, reference price), does not duplicate an open order for the same symbol and side, and
 * is the only order of the batch for its symbol and side.
 */
import { isPositiveFinite, worstOf } from './common.js';
import { TIME_IN_FORCE, type GateContext, type GateOrder, type GateResult, type PerOrderResult } from './types.js';

/** US equity tickers (AAPL, BRK.B, BF-B) and Alpaca-style pairs (BTC/USD): upper case, <= 10+5 chars. */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9]{0,9}(?:[./-][A-Z0-9]{1,5})?$/;

export function isValidSymbol(symbol: unknown): symbol is string {
  return typeof symbol === 'string' && SYMBOL_PATTERN.test(symbol);
}

function problemsOf(o: GateOrder, ctx: GateContext): string[] {
  const problems: string[] = [];
  const sym: unknown = o.symbol;
  if (typeof sym !== 'string' || sym.trim() === '') problems.push('symbol is empty');
  else if (!isValidSymbol(sym)) problems.push(`symbol '${sym}' is not a valid upper-case ticker`);

  const side: unknown = o.side;
  if (side !== 'buy' && side !== 'sell') problems.push(`side '${String(side)}' is not buy or sell`);

  const qty: unknown = o.qty;
  if (!isPositiveFinite(qty)) problems.push(`qty ${String(qty)} is not a positive number`);
  else if (!Number.isInteger(qty)) {
    if (!ctx.allowFractional) problems.push(`qty ${qty} is not a whole number of shares (fractional shares not enabled)`);
    else if (o.timeInForce !== 'day') problems.push(`fractional qty ${qty} requires time in force 'day', got '${String(o.timeInForce)}'`);
  }

  const type: unknown = o.type;
  if (type === 'limit') {
    if (!isPositiveFinite(o.limitPrice)) problems.push(`limit order needs a positive limitPrice, got ${String(o.limitPrice)}`);
  } else if (type === 'market') {
    if (o.limitPrice !== undefined) problems.push(`market order must not carry a limitPrice (${String(o.limitPrice)})`);
  } else {
    problems.push(`type '${String(type)}' is not market or limit`);
  }

  if (!(TIME_IN_FORCE as readonly unknown[]).includes(o.timeInForce)) {
    problems.push(`time in force '${String(o.timeInForce)}' is not one of ${TIME_IN_FORCE.join('/')}`);
  }
  if (!isPositiveFinite(o.refPrice)) problems.push(`refPrice ${String(o.refPrice)} is not a positive price`);
  return problems;
}

export function gateStructure(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const open = new Set(ctx.openOrders.map((o) => `${o.symbol}|${o.side}`));
  const seen = new Map<string, number>();
  for (const o of orders) {
    const key = `${o.symbol}|${o.side}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const perOrder: PerOrderResult[] = orders.map((o) => {
    const problems = problemsOf(o, ctx);
    const key = `${o.symbol}|${o.side}`;
    if (open.has(key)) problems.push(`an open ${o.side} order for ${o.symbol} already exists`);
    const n = seen.get(key) ?? 0;
    if (n > 1) problems.push(`${n} ${o.side} orders for ${o.symbol} in one batch`);
    const symbol = typeof o.symbol === 'string' ? o.symbol : String(o.symbol);
    return problems.length === 0
      ? { symbol, result: 'PASS', reason: `${o.side} ${o.qty} ${o.symbol} ${o.type} ${o.timeInForce} is well formed` }
      : { symbol, result: 'FAIL', reason: problems.join('; ') };
  });
  const result = worstOf(perOrder);
  const failed = perOrder.filter((p) => p.result === 'FAIL').length;
  const reason =
    orders.length === 0
      ? 'empty batch: 0 orders'
      : failed === 0
        ? `${orders.length} order(s) well formed, no duplicates`
        : `${failed} of ${orders.length} order(s) malformed or duplicated: ` +
          perOrder
            .filter((p) => p.result === 'FAIL')
            .map((p) => `${p.symbol || '(empty)'}: ${p.reason}`)
            .join(' | ');
  return { gate: 1, name: 'structure', result, reason, perOrder };
}
