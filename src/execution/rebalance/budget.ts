/**
 * @module The BUY budget of a run from a fresh broker snapshot: positions valued at the run's
 * prices (the store's last close where the run has none), then plan.ts's buyBudget.
 */
import { buildGateContext, buyBudget, type BrokerSnapshot, type BuyBudget } from './plan.js';
import type { RunContext } from './context.js';
import { buyValuationPrice } from './gatesStep.js';
import type { RunOrderRecord } from './runStore.js';

export function gateBudgetOf(ctx: RunContext, snap: BrokerSnapshot, buys: readonly RunOrderRecord[], tolerance: number): BuyBudget {
  const prices = ctx.signalPrices();
  // A symbol being bought is valued at the price its BUY is costed at (gatesStep.ts's
  // buyValuationPrice), here and in the re-validation, so the room and gates 4 and 7 agree.
  for (const o of buys) prices.set(o.symbol, o.side === 'buy' ? buyValuationPrice(ctx, o) : (prices.get(o.symbol) ?? o.refPrice));
  for (const p of snap.positions) {
    if (prices.has(p.symbol)) continue;
    const lp = ctx.lastPrice(p.symbol);
    if (lp !== undefined) prices.set(p.symbol, lp);
  }
  const gate = buildGateContext({
    snapshot: snap,
    assets: new Map(),
    lastPrices: new Map(),
    prices,
    regime: ctx.regimeOfRun(),
    now: ctx.now(),
    force: true,
    strict: false,
    countWorkingOrders: true,
    referencePrice: (s) => ctx.lastPrice(s),
    ownClientOrderIds: new Set(buys.map((b) => b.clientOrderId)),
  });
  const maxGrossPct = ctx.run().params.gateLimits?.maxGrossPct ?? ctx.req.gateLimits?.maxGrossPct;
  return buyBudget(snap.account, gate.positions, ctx.allocationOfRun(), tolerance, {
    workingOrders: gate.workingOrders ?? [],
    buyPriceBuffer: ctx.buyPriceBuffer,
    cashLike: ctx.cashLikeOfRun(),
    ...(maxGrossPct === undefined ? {} : { maxGrossPct }),
  });
}
