/**
 * @module Reconciliation as a pure function (NautilusTrader's `reconcile_order_report`): given
 * what the run store believes about an order and what the broker reports (or undefined when the
 * broker does not know the client order id), return the events that close the gap, in order.
 * An empty list means the two agree. No I/O, so every (local state x broker status) pair is a
 * table test (test/orders/reconcile.test.ts).
 *
 * Broker statuses Atlas does not list arrive as 'unknown' (with `rawStatus`): they are treated as
 * working; the caller notes them once.
 */
import { fmt } from '../../core/format.js';
import type { Order, OrderStatus } from '../brokers/broker.js';
import type { BrokerFacts, OrderEvent, OrderRef } from './events.js';
import { isFinalState, type OrderState } from './states.js';

/** What reconciliation needs of a local order. */
export interface LocalOrder extends OrderRef {
  state: OrderState;
  filledQty: number;
  brokerOrderId: string | null;
}

export type ReconcileSource = 'submit' | 'poll' | 'stream' | 'resume' | 'cancel' | 'abandon';

export interface ReconcileContext {
  /** Whether the market is in session now: an acknowledgement while closed is `Queued`. */
  marketOpen: boolean;
  nextOpen?: Date | null;
  /** Where the broker's report came from; anything but 'submit' marks an acknowledgement as reconciled. */
  source: ReconcileSource;
  /** Reason recorded on a Canceled / Expired event (e.g. the fill timeout), instead of the broker's. */
  reason?: string;
}

const EPS = 1e-9;

type Outcome = 'filled' | 'canceled' | 'expired' | 'rejected' | 'working';

/** What a broker status means for a local order ('replaced' is the end of this order id). */
export function outcomeOf(status: OrderStatus): Outcome {
  switch (status) {
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'replaced':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      return 'working';
  }
}

/** The broker's own word for the status (the raw word when Atlas does not know it). */
export function statusWord(b: Pick<Order, 'status' | 'rawStatus'>): string {
  return b.status === 'unknown' ? (b.rawStatus ?? 'unknown') : b.status;
}

function ofWhat(b: Order): string {
  return b.filledQty > 0 ? ` after ${fmt.shares(b.filledQty)} of ${fmt.shares(b.qty)} filled` : '';
}

export function reconcile(local: LocalOrder, broker: Order | undefined, ctx: ReconcileContext): OrderEvent[] {
  if (isFinalState(local.state)) return [];
  const ref: OrderRef = { clientOrderId: local.clientOrderId, symbol: local.symbol, side: local.side, qty: local.qty };
  if (broker === undefined) {
    switch (local.state) {
      case 'planned':
        return [];
      case 'submitting':
        return [{ ...ref, kind: 'NotReceived', reason: 'not found at the broker; will be sent again with the same client order id' }];
      default:
        return [
          {
            ...ref,
            kind: 'Lost',
            brokerOrderId: local.brokerOrderId,
            reason: 'the broker no longer knows this order (was the account reset?)',
          },
        ];
    }
  }
  const b = broker;
  const facts: BrokerFacts = { brokerOrderId: b.id, brokerStatus: statusWord(b), filledQty: b.filledQty, filledAvgPrice: b.filledAvgPrice };
  const outcome = outcomeOf(b.status);
  const reconciled = ctx.source !== 'submit';
  const events: OrderEvent[] = [];
  let state = local.state;

  if (state === 'planned') {
    events.push({ ...ref, kind: 'Submitted' });
    state = 'submitting';
  }
  if (state === 'submitting') {
    if (outcome === 'rejected' && b.filledQty <= EPS) {
      events.push({ ...ref, kind: 'Rejected', brokerOrderId: b.id, brokerStatus: facts.brokerStatus, reason: b.rejectReason ?? 'rejected by the broker' });
      return events;
    }
    const ack = { ...ref, ...facts, filledQty: 0, filledAvgPrice: null, orderType: b.type, reconciled };
    if (ctx.marketOpen) events.push({ ...ack, kind: 'Accepted' });
    else events.push({ ...ack, kind: 'Queued', nextOpen: ctx.nextOpen ? ctx.nextOpen.toISOString() : null });
    state = ctx.marketOpen ? 'working' : 'queued';
  }
  const before = local.state === 'planned' || local.state === 'submitting' ? 0 : local.filledQty;
  const partialFirst = b.filledQty > before + EPS;

  switch (outcome) {
    case 'filled':
      events.push({ ...ref, ...facts, kind: 'Filled', filledAt: b.filledAt ? b.filledAt.toISOString() : null, note: ctx.source === 'resume' || ctx.source === 'abandon' ? `reconciled on ${ctx.source}` : null });
      break;
    case 'canceled':
    case 'expired':
    case 'rejected': {
      if (partialFirst) events.push({ ...ref, ...facts, kind: 'PartiallyFilled' });
      if (outcome === 'rejected' && b.filledQty <= EPS && state !== 'partially_filled') {
        events.push({ ...ref, kind: 'Rejected', brokerOrderId: b.id, brokerStatus: facts.brokerStatus, reason: b.rejectReason ?? 'rejected by the broker after acceptance' });
        break;
      }
      const reason =
        ctx.reason ??
        (outcome === 'rejected' ? `rejected by the broker${ofWhat(b)}: ${b.rejectReason ?? 'no reason given'}` : `order ${facts.brokerStatus} by the broker${ofWhat(b)}`);
      events.push({ ...ref, ...facts, kind: outcome === 'expired' ? 'Expired' : 'Canceled', reason });
      break;
    }
    case 'working':
      if (partialFirst) events.push({ ...ref, ...facts, kind: 'PartiallyFilled' });
      break;
  }
  return events;
}
