/**
 * @module The one rule for fitting buys to the money available and to gate 7's room, shared by
 * the order planner (execution/orderPlan.ts planOrders and capExposure), the backtest engine's
 * plan and fills and the live re-sizing after the SELL phase (execution/rebalance/plan.ts
 * buyBudget and resizeBuys): when the buys cost more than is available, or are worth more than
 * the room the regime's allocation + tolerance leaves next to what is held, every buy is scaled
 * by the same factor k < 1, with a 1e-12 safety margin so that floating-point sums never
 * overdraw; whole-share quantities are floored again. A quantity is never scaled up.
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

/** Dollar slack on gate 7's room: buys worth up to room + this fit (floating-point sums). */
export const REGIME_ROOM_SLACK = 1e-9;

/**
 * Gate 7's room: what buys may add to `exposure` (gross value of what is held and stays held,
 * a cash-like sleeve left out) before it passes `cap` x `equity`, cap being the regime's
 * allocation + tolerance. Never negative.
 */
export function regimeRoom(cap: number, equity: number, exposure: number): number {
  return Math.max(0, cap * equity - exposure);
}

/** The factor that fits buys worth `value` (at their reference prices, cash-like left out) into gate 7's `room`. */
export function regimeScaleFactor(value: number, room: number): number {
  return buyScaleFactor(value, room, REGIME_ROOM_SLACK);
}
