/**
 * @module The gates as a run step: re-validating orders about to be sent later (resumed SELLs,
 * re-sized BUYs) and stopping the run when a gate fails.
 */
import { DEFAULT_ALLOCATION } from '../../portfolio/allocation.js';
import { validateBatch } from '../gates/index.js';
import type { GateResult } from '../gates/types.js';
import type { RunContext } from './context.js';
import { buildGateContext, toGateOrders, type BrokerSnapshot } from './plan.js';
import type { RunOrderRecord } from './runStore.js';
import type { RebalanceResult } from './types.js';

/** Ends the run as stopped by the first failing gate. */
export function stopRun(ctx: RunContext, gates: readonly GateResult[], what: string): RebalanceResult {
  const failed = gates.find((g) => g.result === 'FAIL')!;
  ctx.result.outcome = 'stopped';
  ctx.result.stoppedBy = { gate: failed.gate, name: failed.name, reason: failed.reason };
  if (ctx.runs.get(ctx.runId)) ctx.runs.setStatus(ctx.runId, 'stopped', { stoppedBy: ctx.result.stoppedBy });
  ctx.settle();
  ctx.endRun({ outcome: 'stopped', what, gate: failed.gate, name: failed.name, reason: failed.reason }, 'STOPPED');
  return ctx.result;
}

/**
 * The prices a later step (resumed SELLs, re-sized BUYs) values the account at: each held position
 * at the broker's own price for it (the one its equity is computed from), so equity minus the
 * positions is the cash and the gross room gate 4 leaves is the cash, as in the backtest's fill;
 * the run's signal prices value the planning, not a later moment. A symbol being bought is valued
 * at the price its BUY is costed at (buyValuationPrice). A position the broker gives no price
 * for keeps the run's signal price.
 */
export function laterStepPrices(ctx: RunContext, snap: BrokerSnapshot, orders: readonly RunOrderRecord[]): Map<string, number> {
  const prices = ctx.signalPrices();
  for (const p of snap.positions) {
    const px = p.currentPrice > 0 ? p.currentPrice : p.qty !== 0 && p.marketValue > 0 ? p.marketValue / p.qty : undefined;
    if (px !== undefined && Number.isFinite(px)) prices.set(p.symbol, px);
  }
  for (const o of orders) {
    if (o.side === 'buy') prices.set(o.symbol, buyValuationPrice(ctx, o));
    else if (!prices.has(o.symbol)) prices.set(o.symbol, o.refPrice);
  }
  return prices;
}

/** The price a BUY sent on a later step is costed and valued at: the latest price, else the planned one. */
export function buyValuationPrice(ctx: RunContext, o: RunOrderRecord): number {
  const p = ctx.lastPrice(o.symbol);
  return p !== undefined && p > 0 ? p : o.refPrice;
}

/** Re-validates orders about to be sent on a later step; a failing gate stops the run. */
export async function revalidate(ctx: RunContext, orders: readonly RunOrderRecord[], snap: BrokerSnapshot): Promise<GateResult[] | { stopped: RebalanceResult; gates: GateResult[] }> {
  const run = ctx.run();
  const symbols = [...new Set(orders.map((o) => o.symbol))];
  const prices = laterStepPrices(ctx, snap, orders);
  const built = buildGateContext({
    snapshot: snap,
    assets: await ctx.assetsFor(symbols),
    lastPrices: ctx.lastPrices(symbols, prices),
    prices,
    regime: ctx.regimeOfRun(),
    // The plan's rules, also when another process resumes the run with different flags.
    allocation: run.params.allocation ?? ctx.req.allocationMatrix ?? DEFAULT_ALLOCATION,
    now: ctx.now(),
    force: run.params.force || ctx.req.force === true,
    strict: run.params.strict || ctx.req.strict === true,
    // Only this batch is "own": the run's other working orders (its SELLs) count like anyone's.
    ownClientOrderIds: new Set(orders.map((o) => o.clientOrderId)),
    countWorkingOrders: true,
    buyPriceBuffer: ctx.buyPriceBuffer,
    referencePrice: (s) => ctx.lastPrice(s),
    cashLike: ctx.cashLikeOfRun(),
  });
  const limits = run.params.gateLimits ?? ctx.req.gateLimits;
  const gateCtx = limits ? { ...built, limits: { ...built.limits, ...limits } } : built;
  // BUYs are valued at the latest price, as the re-sizing sized them (resize.ts).
  const v = validateBatch(toGateOrders(orders.map((o) => (o.side === 'buy' ? { ...o, refPrice: buyValuationPrice(ctx, o) } : o))), gateCtx);
  ctx.log.validations(v.gates);
  if (!v.passed) return { stopped: stopRun(ctx, v.gates, 'the re-validation'), gates: v.gates };
  return v.gates;
}
