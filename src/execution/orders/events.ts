/**
 * @module The order life cycle as events (NautilusTrader's `OrderEventAny`): one type per thing
 * that can happen to one of a run's orders, gathered in one discriminated union. An order's local
 * state changes only by applying one of these through the transition table (transition.ts); the
 * audit line is rendered from the same object (toAudit.ts). Events are plain JSON-safe data
 * (times as ISO strings), so the run store keeps them verbatim in `run_order_events`.
 */
import type { OrderIntent } from '../orderPlan.js';

/** What every event says about its order (enough to render an audit line on its own). */
export interface OrderRef {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  /** The order's quantity to send (after any re-sizing). */
  qty: number;
}

/** A broker's report of the order at the moment of the event. */
export interface BrokerFacts {
  brokerOrderId: string;
  /** The broker's status word (for 'unknown', its own raw word). */
  brokerStatus: string;
  filledQty: number;
  filledAvgPrice: number | null;
}

/** Written with the plan, before anything is sent. */
export interface Planned extends OrderRef {
  kind: 'Planned';
  leg: 'sell' | 'buy';
  intent: OrderIntent;
  refPrice: number;
  notional: number;
}

/** A BUY re-sized down to the money available after the SELL phase (never up). */
export interface Resized extends OrderRef {
  kind: 'Resized';
  plannedQty: number;
  budget: number;
  scale: number;
  reason: string;
}

/** Never sent: re-sized to nothing, or dropped by a re-validation. */
export interface Skipped extends OrderRef {
  kind: 'Skipped';
  reason: string;
}

/** About to call submitOrder: the broker may or may not have it after this (reconcile by client id). */
export interface Submitted extends OrderRef {
  kind: 'Submitted';
}

/** A `Submitted` order the broker does not know: safe to send again with the same client id. */
export interface NotReceived extends OrderRef {
  kind: 'NotReceived';
  reason: string;
}

/** The broker acknowledged the order while the market is open: it is working. */
export interface Accepted extends OrderRef, BrokerFacts {
  kind: 'Accepted';
  orderType: string;
  /** Found by reconciliation (resume, lookup after a lost answer) rather than from the submit reply. */
  reconciled: boolean;
}

/** The broker acknowledged a day order while the market is closed: it waits for the next open. */
export interface Queued extends OrderRef, BrokerFacts {
  kind: 'Queued';
  orderType: string;
  reconciled: boolean;
  /** ISO time of the next open, when known. */
  nextOpen: string | null;
}

export interface PartiallyFilled extends OrderRef, BrokerFacts {
  kind: 'PartiallyFilled';
}

export interface Filled extends OrderRef, BrokerFacts {
  kind: 'Filled';
  /** ISO fill time, when the broker gives one. */
  filledAt: string | null;
  note: string | null;
}

export interface Canceled extends OrderRef, BrokerFacts {
  kind: 'Canceled';
  reason: string;
}

export interface Expired extends OrderRef, BrokerFacts {
  kind: 'Expired';
  reason: string;
}

/** Refused at submission (no broker id) or rejected by the venue after acceptance. */
export interface Rejected extends OrderRef {
  kind: 'Rejected';
  brokerOrderId: string | null;
  brokerStatus: string;
  reason: string;
}

/** Still working at the fill timeout and deliberately left open (--on-timeout leave, or a cancel not confirmed). */
export interface LeftWorking extends OrderRef, BrokerFacts {
  kind: 'LeftWorking';
  reason: string;
}

/** The broker no longer knows an order it had accepted (e.g. `atlas paper reset`): only --abandon closes it. */
export interface Lost extends OrderRef {
  kind: 'Lost';
  brokerOrderId: string | null;
  reason: string;
}

/** A never-sent (or never-received) order closed by `atlas rebalance --abandon`. */
export interface Abandoned extends OrderRef {
  kind: 'Abandoned';
  reason: string;
}

export type OrderEvent =
  | Planned
  | Resized
  | Skipped
  | Submitted
  | NotReceived
  | Accepted
  | Queued
  | PartiallyFilled
  | Filled
  | Canceled
  | Expired
  | Rejected
  | LeftWorking
  | Lost
  | Abandoned;

export type OrderEventKind = OrderEvent['kind'];

export const ORDER_EVENT_KINDS: readonly OrderEventKind[] = [
  'Planned',
  'Resized',
  'Skipped',
  'Submitted',
  'NotReceived',
  'Accepted',
  'Queued',
  'PartiallyFilled',
  'Filled',
  'Canceled',
  'Expired',
  'Rejected',
  'LeftWorking',
  'Lost',
  'Abandoned',
];

/** The broker facts an event carries, if any (what the run store copies into the order row). */
export function brokerFactsOf(e: OrderEvent): Partial<BrokerFacts> {
  switch (e.kind) {
    case 'Accepted':
    case 'Queued':
    case 'PartiallyFilled':
    case 'Filled':
    case 'Canceled':
    case 'Expired':
    case 'LeftWorking':
      return { brokerOrderId: e.brokerOrderId, brokerStatus: e.brokerStatus, filledQty: e.filledQty, filledAvgPrice: e.filledAvgPrice };
    case 'Rejected':
      return { ...(e.brokerOrderId !== null ? { brokerOrderId: e.brokerOrderId } : {}), brokerStatus: e.brokerStatus };
    default:
      return {};
  }
}

/** The reason an event records on its order (null = leave the order's reason as it is). */
export function reasonOf(e: OrderEvent): string | null {
  switch (e.kind) {
    case 'Resized':
    case 'Skipped':
    case 'NotReceived':
    case 'Canceled':
    case 'Expired':
    case 'Rejected':
    case 'LeftWorking':
    case 'Lost':
    case 'Abandoned':
      return e.reason;
    case 'Queued':
      return e.nextOpen ? `queued for the open at ${e.nextOpen}` : 'queued for the next open';
    case 'Filled':
      return e.note;
    default:
      return null;
  }
}
