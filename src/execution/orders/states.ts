/**
 * @module The local states of a run's order (what Atlas believes; the broker's own status is
 * kept beside it as `brokerStatus`).
 *
 *  planned          not sent yet (safe to send with its client order id)
 *  submitting       submitOrder is being called: the broker may or may not have it (reconcile)
 *  working          accepted by the broker while the market is open, nothing filled yet
 *  queued           accepted while the market is closed: waits for the next open
 *  partially_filled working with some shares filled
 *  left_open        still working at the fill timeout and left open on purpose
 *  filled / canceled / expired / rejected   final at the broker (canceled/expired may carry a partial fill)
 *  skipped          never sent (re-sized to nothing)
 *  lost             the broker no longer knows an accepted order (closed by --abandon)
 *  abandoned        never sent, closed by --abandon
 */
export const ORDER_STATES = [
  'planned',
  'submitting',
  'working',
  'queued',
  'partially_filled',
  'left_open',
  'filled',
  'canceled',
  'expired',
  'rejected',
  'skipped',
  'lost',
  'abandoned',
] as const;

export type OrderState = (typeof ORDER_STATES)[number];

/** No event moves an order out of these. */
export const FINAL_ORDER_STATES: ReadonlySet<OrderState> = new Set<OrderState>(['filled', 'canceled', 'expired', 'rejected', 'skipped', 'lost', 'abandoned']);

/** At the broker and able to trade (what a phase waits for). */
export const LIVE_ORDER_STATES: ReadonlySet<OrderState> = new Set<OrderState>(['working', 'queued', 'partially_filled']);

export function isFinalState(s: OrderState): boolean {
  return FINAL_ORDER_STATES.has(s);
}

export function isLiveState(s: OrderState): boolean {
  return LIVE_ORDER_STATES.has(s);
}
