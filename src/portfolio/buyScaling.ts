/**
 * @module The one rule for fitting buys to the money available, shared by the order planner
 * (execution/orderPlan.ts planOrders), the backtest engine's fills and the live re-sizing after
 * the SELL phase (execution/rebalance/plan.ts resizeBuys): when the buys cost more than is
 * available, every buy is scaled by the same factor k < 1, with a 1e-12 safety margin so that
 * floating-point sums never overdraw; whole-share quantities are floored again. A quantity is
 * never scaled up.
 */

/** k carries this margin: (available / cost) x SAFETY never spends more than `available`. */
export const BUY_SCALE_SAFETY = 1 - 1e-12;

/**
 * The factor every buy is multiplied by: 1 when `cost` fits in `available` (+ `tolerance`),
 * otherwise (available / cost) x BUY_SCALE_SAFETY, or 0 when nothing is available.
 */
export function buyScaleFactor(cost: number, available: number, tolerance = 0): number {
  if (cost <= available + tolerance) return 1;
  return available > 0 ? (available / cost) * BUY_SCALE_SAFETY : 0;
}

/** A planned buy quantity after scaling by k (floored with whole shares; never above `qty`). */
export function scaleBuyQty(qty: number, k: number, wholeShares: boolean): number {
  if (k >= 1) return qty;
  const raw = qty * k;
  return Math.min(qty, wholeShares ? Math.floor(raw) : raw);
}
