import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../src/execution/brokers/broker.js';
import { reconcile, type LocalOrder } from '../../src/execution/orders/reconcile.js';
import { ORDER_STATES, FINAL_ORDER_STATES, type OrderState } from '../../src/execution/orders/states.js';
import { transition } from '../../src/execution/orders/transition.js';

/**
 * Every (local state x broker status incl. 'unknown', plus "the broker does not know it") pair,
 * open and closed market. Each answer is checked against the outcome the status means, and the
 * events must be a legal path through the transition table from the local state.
 */
const STATUSES: (OrderStatus | 'absent')[] = [...ORDER_STATUSES, 'unknown', 'absent'];

function local(state: OrderState, filledQty = 0): LocalOrder {
  return { clientOrderId: 'atlas-r-X-buy', symbol: 'X', side: 'buy', qty: 10, state, filledQty: state === 'partially_filled' ? 4 : filledQty, brokerOrderId: ['planned', 'submitting'].includes(state) ? null : 'b1' };
}

function broker(status: OrderStatus, filledQty: number): Order {
  return {
    id: 'b1', clientOrderId: 'atlas-r-X-buy', symbol: 'X', side: 'buy', qty: 10, filledQty, filledAvgPrice: filledQty > 0 ? 5 : null, type: 'market', limitPrice: null,
    timeInForce: 'day', status, submittedAt: new Date('2026-11-24T15:00:00Z'), filledAt: status === 'filled' ? new Date('2026-11-24T15:01:00Z') : null,
    ...(status === 'unknown' ? { rawStatus: 'pending_moon' } : {}),
  };
}

const FINAL_BROKER: Record<string, OrderState> = { filled: 'filled', canceled: 'canceled', replaced: 'canceled', expired: 'expired', rejected: 'rejected' };

describe('reconcile: every local state x broker status', () => {
  const cases = ORDER_STATES.flatMap((s) => STATUSES.flatMap((b) => [true, false].map((open) => [s, b, open] as const)));

  it.each(cases)('%s vs %s (market open: %s)', (state, status, open) => {
    const o = local(state);
    const filled = status === 'filled' ? 10 : status === 'partially_filled' ? 6 : 0;
    const events = reconcile(o, status === 'absent' ? undefined : broker(status, filled), { marketOpen: open, nextOpen: new Date('2026-11-25T14:30:00Z'), source: 'poll' });
    // The events are a legal path from the local state.
    let s: OrderState = state;
    for (const e of events) s = transition(s, e);

    if (FINAL_ORDER_STATES.has(state)) {
      expect(events).toEqual([]);
      return;
    }
    if (status === 'absent') {
      const want = state === 'planned' ? 'planned' : state === 'submitting' ? 'planned' : 'lost';
      expect(s).toBe(want);
      expect(events.length).toBe(state === 'planned' ? 0 : 1);
      return;
    }
    const final = FINAL_BROKER[status];
    if (final) {
      // rejected after a partial fill ends canceled (a venue cannot reject what it partly filled)
      expect(s).toBe(final === 'rejected' && state === 'partially_filled' ? 'canceled' : final);
      return;
    }
    // Working at the broker (unknown statuses included).
    if (state === 'planned' || state === 'submitting') {
      expect(events[events.length - (filled > 0 ? 2 : 1)].kind).toBe(open ? 'Accepted' : 'Queued');
      expect(s).toBe(filled > 0 ? 'partially_filled' : open ? 'working' : 'queued');
    } else if (state === 'partially_filled') {
      expect(s).toBe('partially_filled');
      expect(events.map((e) => e.kind)).toEqual(filled > 4 ? ['PartiallyFilled'] : []);
    } else if (state === 'left_open') {
      expect(s).toBe('left_open');
    } else {
      expect(s).toBe(filled > 0 ? 'partially_filled' : state);
      expect(events.length).toBe(filled > 0 ? 1 : 0);
    }
  });

  it('in sync is no event; a fill report carries its facts; a partial then cancel is two events', () => {
    expect(reconcile(local('working'), broker('new', 0), { marketOpen: true, source: 'poll' })).toEqual([]);
    const [f] = reconcile(local('working'), broker('filled', 10), { marketOpen: true, source: 'poll' });
    expect(f).toMatchObject({ kind: 'Filled', filledQty: 10, filledAvgPrice: 5, brokerOrderId: 'b1', filledAt: '2026-11-24T15:01:00.000Z' });
    const ev = reconcile(local('working'), broker('canceled', 3), { marketOpen: true, source: 'cancel', reason: 'canceled at the timeout' });
    expect(ev.map((e) => e.kind)).toEqual(['PartiallyFilled', 'Canceled']);
    expect(ev[1]).toMatchObject({ reason: 'canceled at the timeout', filledQty: 3 });
    const resumed = reconcile(local('submitting'), broker('new', 0), { marketOpen: true, source: 'resume' });
    expect(resumed).toMatchObject([{ kind: 'Accepted', reconciled: true }]);
    const unknown = reconcile(local('submitting'), broker('unknown', 0), { marketOpen: true, source: 'submit' });
    expect(unknown).toMatchObject([{ kind: 'Accepted', brokerStatus: 'pending_moon', reconciled: false }]);
  });
});
