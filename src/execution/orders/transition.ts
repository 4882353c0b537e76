/**
 * @module The (state, event) -> state table of a run's order (NautilusTrader's
 * `OrderStatus::transition`). Any pair not listed is an illegal move and throws an AtlasError
 * with code INVALID_ORDER_TRANSITION; nothing else changes an order's state.
 *
 * `Planned` is the creation event: it has no source state (see `initialState`).
 */
import { AtlasError } from '../../core/errors.js';
import type { OrderEvent, OrderEventKind } from './events.js';
import type { OrderState } from './states.js';

type Row = Partial<Record<OrderEventKind, OrderState>>;

/** Broker outcomes of an order that is at the broker (working, queued or partially filled). */
const AT_BROKER: Row = {
  PartiallyFilled: 'partially_filled',
  Filled: 'filled',
  Canceled: 'canceled',
  Expired: 'expired',
  LeftWorking: 'left_open',
  Lost: 'lost',
};

export const TRANSITIONS: Readonly<Record<OrderState, Readonly<Row>>> = {
  planned: { Resized: 'planned', Skipped: 'skipped', Submitted: 'submitting', Abandoned: 'abandoned' },
  submitting: { Accepted: 'working', Queued: 'queued', Rejected: 'rejected', NotReceived: 'planned', Abandoned: 'abandoned' },
  working: { ...AT_BROKER, Rejected: 'rejected' },
  queued: { ...AT_BROKER, Rejected: 'rejected' },
  // A venue cannot reject what it has partly filled: the rest is canceled instead.
  partially_filled: { ...AT_BROKER },
  // Left open, it may still fill; reconciliation records what happened to it later.
  left_open: { PartiallyFilled: 'left_open', Filled: 'filled', Canceled: 'canceled', Expired: 'expired', Rejected: 'rejected', Lost: 'lost' },
  filled: {},
  canceled: {},
  expired: {},
  rejected: {},
  skipped: {},
  lost: {},
  abandoned: {},
};

/** The state after `event`, or undefined when the move is illegal. */
export function nextState(state: OrderState, event: OrderEventKind): OrderState | undefined {
  return TRANSITIONS[state][event];
}

/** The state after `event`; throws INVALID_ORDER_TRANSITION for an illegal move. */
export function transition(state: OrderState, event: OrderEvent): OrderState {
  const next = nextState(state, event.kind);
  if (next === undefined) {
    throw new AtlasError(
      `Order ${event.clientOrderId} cannot take a ${event.kind} event in state ${state}; the run store and the broker disagree, so reconcile with \`atlas rebalance --resume\` or close the run with \`atlas rebalance --abandon\`.`,
      { code: 'INVALID_ORDER_TRANSITION' },
    );
  }
  return next;
}

/** The state a `Planned` event creates. */
export function initialState(event: OrderEvent): OrderState {
  if (event.kind !== 'Planned') {
    throw new AtlasError(`Order ${event.clientOrderId} must start with a Planned event, not ${event.kind}.`, { code: 'INVALID_ORDER_TRANSITION' });
  }
  return 'planned';
}
