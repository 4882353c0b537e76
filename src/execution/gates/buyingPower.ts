/**
 * Gate 2 — buying power. The batch's buys must be covered by the spendable funds plus the
 * proceeds of the batch's sells:
 *
 *   buy cost  = sum over buys  of qty * (limitPrice for a limit order, refPrice * (1 + buffer) for a market order)
 *   proceeds  = sum over sells of qty_closed * min(refPrice, limitPrice ?? refPrice)
 *   working   = what the buys already working at the broker reserve (same costing)
 *   spendable = marginAllowed ? buyingPower : min(cash - working, buyingPower)
 *   PASS iff buy cost (+ short notional on margin) <= spendable + proceeds
 *
 * A limit buy is costed at its limit (what the broker reserves); a market buy at its reference
 * price plus `buyPriceBuffer` headroom (a broker reserves buying power above the last price); a
 * sell is credited at the lower of reference and limit price (conservative). Working sells are
 * never credited: they may not fill before the buys. In a cash account (the default) a sell
 * larger than the held quantity not already promised to working sells would open a short, which
 * FAILs; with margin the short notional also draws on buying power. On margin the broker's
 * buying power is trusted to already reserve for its own working orders. A working buy with no
 * usable price (nothing to value it with) FAILs: the cash it takes is unknown.
 */
import { applicable, isPositiveFinite, le, limitsOf, money, pct, unpricedWorkingOrders, workingTotals } from './common.js';
import type { GateContext, GateOrder, GateResult, PerOrderResult } from './types.js';

export interface BuyingPowerBreakdown {
  buyCost: number;
  sellProceeds: number;
  shortNotional: number;
  spendable: number;
  /** Cash the buys working at the broker already take (0 without working orders). */
  workingBuyCost: number;
  /** The headroom applied to market buys (0.03 = 3%). */
  buyPriceBuffer: number;
}

/** What a batch order costs in gate 2: its limit, or refPrice plus the headroom for a market buy. */
export function buyCostOf(o: Pick<GateOrder, 'qty' | 'type' | 'limitPrice' | 'refPrice'>, buyPriceBuffer: number): number {
  const limit = o.type === 'limit' && isPositiveFinite(o.limitPrice) ? o.limitPrice : undefined;
  return o.qty * (limit ?? o.refPrice * (1 + buyPriceBuffer));
}

export function buyingPowerBreakdown(orders: readonly GateOrder[], ctx: GateContext): BuyingPowerBreakdown {
  const { buyPriceBuffer } = limitsOf(ctx);
  const working = workingTotals(ctx, buyPriceBuffer);
  let buyCost = 0;
  let sellProceeds = 0;
  let shortNotional = 0;
  for (const o of applicable(orders)) {
    if (o.side === 'buy') {
      buyCost += buyCostOf(o, buyPriceBuffer);
    } else {
      const closing = Math.min(o.qty, sellableOf(o.symbol, ctx, working.sellQty));
      const limit = o.type === 'limit' && isPositiveFinite(o.limitPrice) ? o.limitPrice : undefined;
      const price = Math.min(o.refPrice, limit ?? o.refPrice);
      sellProceeds += closing * price;
      shortNotional += (o.qty - closing) * o.refPrice;
    }
  }
  const spendable = ctx.marginAllowed ? ctx.buyingPower : Math.min(ctx.cash - working.buyCost, ctx.buyingPower);
  return { buyCost, sellProceeds, shortNotional, spendable, workingBuyCost: working.buyCost, buyPriceBuffer };
}

/** Held shares not already promised to working sells. */
function sellableOf(symbol: string, ctx: GateContext, workingSells: ReadonlyMap<string, number>): number {
  const held = Math.max(0, ctx.positions.get(symbol)?.qty ?? 0);
  return Math.max(0, held - (workingSells.get(symbol) ?? 0));
}

export function gateBuyingPower(orders: readonly GateOrder[], ctx: GateContext): GateResult {
  const name = 'buying power';
  const margin = ctx.marginAllowed === true;
  if (!Number.isFinite(ctx.buyingPower) || (!margin && !Number.isFinite(ctx.cash))) {
    return { gate: 2, name, result: 'FAIL', reason: `account funds unknown (cash ${ctx.cash}, buying power ${ctx.buyingPower})` };
  }
  const unpriced = unpricedWorkingOrders(ctx).filter((w) => w.side === 'buy');
  if (unpriced.length > 0) {
    const list = unpriced.map((w) => `${w.qty} ${w.symbol} (${w.clientOrderId})`).join(', ');
    return { gate: 2, name, result: 'FAIL', reason: `working buy order(s) with no price to value them: ${list}; the cash they take is unknown (sync their data or cancel them)` };
  }
  const b = buyingPowerBreakdown(orders, ctx);
  const working = workingTotals(ctx, b.buyPriceBuffer);
  const perOrder: PerOrderResult[] = [];
  if (!margin) {
    for (const o of applicable(orders)) {
      if (o.side !== 'sell') continue;
      const held = Math.max(0, ctx.positions.get(o.symbol)?.qty ?? 0);
      const promised = working.sellQty.get(o.symbol) ?? 0;
      const sellable = Math.max(0, held - promised);
      if (o.qty > sellable) {
        const why = promised > 0 ? `the ${sellable} held and not already in working sell orders (${held} held, ${promised} in working sells)` : `the ${held} held`;
        perOrder.push({
          symbol: o.symbol,
          result: 'FAIL',
          reason: `sell ${o.qty} ${o.symbol} exceeds ${why}: a short sale needs a margin account`,
        });
      }
    }
  }
  const required = b.buyCost + (margin ? b.shortNotional : 0);
  const available = b.spendable + b.sellProceeds;
  const cashPart = b.workingBuyCost > 0 ? `cash ${money(ctx.cash)} - working buys ${money(b.workingBuyCost)}` : `cash ${money(ctx.cash)}`;
  const source = margin
    ? `buying power ${money(ctx.buyingPower)}${working.count > 0 ? ', which the broker reserves for its working orders' : ''}`
    : `cash account: min(${cashPart}, buying power ${money(ctx.buyingPower)}) = ${money(b.spendable)}`;
  const headroom = b.buyPriceBuffer > 0 ? ` (market buys at reference price + ${pct(b.buyPriceBuffer)})` : '';
  const what =
    margin && b.shortNotional > 0
      ? `buys ${money(b.buyCost)}${headroom} + shorts ${money(b.shortNotional)} = ${money(required)}`
      : `buys ${money(b.buyCost)}${headroom}`;
  const fits = le(required, available);
  const base = `${what} ${fits ? '<=' : '>'} available ${money(available)} (${source}; + sell proceeds ${money(b.sellProceeds)})`;
  if (perOrder.length > 0) {
    return { gate: 2, name, result: 'FAIL', reason: `${perOrder.map((p) => p.reason).join('; ')}; ${base}`, perOrder };
  }
  return { gate: 2, name, result: fits ? 'PASS' : 'FAIL', reason: fits ? base : `insufficient funds: ${base}, short by ${money(required - available)}` };
}
