/**
 * Gate 2 — buying power. The batch's buys must be covered by the spendable funds plus the
 * proceeds of the batch's sells:
 *
 *   buy cost  = sum over buys  of qty * (limitPrice for a limit order, refPrice for a market order)
 *   proceeds  = sum over sells of qty_closed * min(refPrice, limitPrice ?? refPrice)
 *   spendable = marginAllowed ? buyingPower : min(cash, buyingPower)
 *   PASS iff buy cost (+ short notional on margin) <= spendable + proceeds
 *
 * A limit buy is costed at its limit (what the broker reserves); a sell is credited at the lower
 * of reference and limit price (conservative). In a cash account (the default) a sell larger than
 * the held quantity would open a short, which FAILs; with margin the short notional also draws on
 * buying power.
 */
import { applicable, isPositiveFinite, le, money } from './common.js';
import type { GateContext, GateOrder, GateResult, PerOrderResult } from './types.js';

export interface BuyingPowerBreakdown {
  buyCost: number;
  sellProceeds: number;
  shortNotional: number;
  spendable: number;
}

export function buyingPowerBreakdown(orders: readonly GateOrder[], ctx: GateContext): BuyingPowerBreakdown {
  let buyCost = 0;
  let sellProceeds = 0;
  let shortNotional = 0;
  for (const o of applicable(orders)) {
    const limit = o.type === 'limit' && isPositiveFinite(o.limitPrice) ? o.limitPrice : undefined;
    if (o.side === 'buy') {
      buyCost += o.qty * (limit ?? o.refPrice);
    } else {
      const held = Math.max(0, ctx.positions.get(o.symbol)?.qty ?? 0);
      const closing = Math.min(o.qty, held);
      const price = Math.min(o.refPrice, limit ?? o.refPrice);
      sellProceeds += closing * price;
      shortNotional += (o.qty - closing) * o.refPrice;
    }
  }
  const spendable = ctx.marginAllowed ? ctx.buyingPower : Math.min(ctx.cash, ctx.buyingPower);
  return { buyCost, sellProceeds, shortNotional, spendable };
}

export function gateBuyingPower(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'buying power';
  const margin = ctx.marginAllowed === true;
  if (!Number.isFinite(ctx.buyingPower) || (!margin && !Number.isFinite(ctx.cash))) {
    return { gate: 2, name, result: 'FAIL', reason: `account funds unknown (cash ${ctx.cash}, buying power ${ctx.buyingPower})` };
  }
  const b = buyingPowerBreakdown(orders, ctx);
  const perOrder: PerOrderResult[] = [];
  if (!margin) {
    for (const o of applicable(orders)) {
      if (o.side !== 'sell') continue;
      const held = Math.max(0, ctx.positions.get(o.symbol)?.qty ?? 0);
      if (o.qty > held) {
        perOrder.push({
          symbol: o.symbol,
          result: 'FAIL',
          reason: `sell ${o.qty} ${o.symbol} exceeds the ${held} held: a short sale needs a margin account`,
        });
      }
    }
  }
  const required = b.buyCost + (margin ? b.shortNotional : 0);
  const available = b.spendable + b.sellProceeds;
  const source = margin
    ? `buying power ${money(ctx.buyingPower)}`
    : `cash account: min(cash ${money(ctx.cash)}, buying power ${money(ctx.buyingPower)}) = ${money(b.spendable)}`;
  const what = margin && b.shortNotional > 0 ? `buys ${money(b.buyCost)} + shorts ${money(b.shortNotional)} = ${money(required)}` : `buys ${money(b.buyCost)}`;
  const fits = le(required, available);
  const base = `${what} ${fits ? '<=' : '>'} available ${money(available)} (${source}; + sell proceeds ${money(b.sellProceeds)})`;
  if (perOrder.length > 0) {
    return { gate: 2, name, result: 'FAIL', reason: `${perOrder.map((p) => p.reason).join('; ')}; ${base}`, perOrder };
  }
  return { gate: 2, name, result: fits ? 'PASS' : 'FAIL', reason: fits ? base : `insufficient funds: ${base}, short by ${money(required - available)}` };
}
