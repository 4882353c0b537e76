/**
 * @module The BUY budget of a run from a fresh broker snapshot: positions valued at the broker's
 * prices (gatesStep.ts laterStepPrices; the store's last close where neither has one), then
 * plan.ts's buyBudget.
 */
import { buildGateContext, buyBudget, type BrokerSnapshot, type BuyBudget } from './plan.js';
import type { RunContext } from './context.js';
import { laterStepPrices } from './gatesStep.js';
import type { RunOrderRecord } from './runStore.js';

export function gateBudgetOf(ctx: RunContext, snap: BrokerSnapshot, buys: readonly RunOrderRecord[], tolerance: number): BuyBudget {
  // Held positions at the broker's price (the one its equity uses), a symbol being bought at the
  // price its BUY is costed at: here and in the re-validation (gatesStep.ts laterStepPrices), so
  // the room and gates 4 and 7 agree, and the gross room is the cash, as in the backtest.
  const prices = laterStepPrices(ctx, snap, buys);
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
