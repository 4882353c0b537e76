/**
 * Gate 6 — symbol validity. Each order's asset must be known, active and tradable, and its last
 * price must be >= minPrice ($5, no penny stocks). Unknown assets FAIL. A sell of a position
 * that has fallen below minPrice only WARNs: the gate must never trap us in a position. With no
 * last price the order's refPrice is checked instead, and the gate WARNs.
 */
import { isPositiveFinite, limitsOf, money, worstOf } from './common.js';
import type { GateContext, GateOrder, GateResult, PerOrderResult } from './types.js';

/** `floor` is money(minPrice), written once per batch. */
function checkOne(o: GateOrder, ctx: GateContext, minPrice: number, floor: string): PerOrderResult {
  const symbol = String(o.symbol);
  const asset = ctx.assets.get(symbol);
  if (!asset) return { symbol, result: 'FAIL', reason: `${symbol}: unknown asset (not in the broker's asset list)` };
  const flags: string[] = [];
  if (!asset.active) flags.push('not active');
  if (!asset.tradable) flags.push('not tradable');
  if (flags.length > 0) return { symbol, result: 'FAIL', reason: `${symbol}: asset is ${flags.join(' and ')}` };

  const hasLast = isPositiveFinite(asset.lastPrice);
  const price = hasLast ? (asset.lastPrice as number) : o.refPrice;
  const label = hasLast ? 'last price' : 'no last price; reference price';
  if (!isPositiveFinite(price)) return { symbol, result: 'FAIL', reason: `${symbol}: no usable price (last ${String(asset.lastPrice)}, ref ${String(o.refPrice)})` };
  if (price < minPrice) {
    if (o.side === 'sell') {
      return { symbol, result: 'WARN', reason: `${symbol}: ${label} ${money(price)} < ${floor}; sell allowed to exit the position` };
    }
    return { symbol, result: 'FAIL', reason: `${symbol}: ${label} ${money(price)} < ${floor} (penny stock)` };
  }
  return {
    symbol,
    result: hasLast ? 'PASS' : 'WARN',
    reason: `${symbol}: active, tradable, ${label} ${money(price)} >= ${floor}`,
  };
}

export function gateSymbolValidity(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'symbol validity';
  const { minPrice } = limitsOf(ctx);
  const floor = money(minPrice);
  const perOrder = orders.map((o) => checkOne(o, ctx, minPrice, floor));
  const result = worstOf(perOrder);
  const flagged = perOrder.filter((p) => p.result !== 'PASS');
  const reason =
    orders.length === 0
      ? 'empty batch: no symbols to check'
      : flagged.length === 0
        ? `${orders.length} symbol(s) active, tradable, last price >= ${floor}`
        : flagged.map((p) => p.reason).join('; ');
  return { gate: 6, name, result, reason, perOrder };
}
