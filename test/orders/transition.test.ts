import { describe, expect, it } from 'vitest';
import { ORDER_EVENT_KINDS, type OrderEvent, type OrderEventKind } from '../../src/execution/orders/events.js';
import { ORDER_STATES, FINAL_ORDER_STATES, type OrderState } from '../../src/execution/orders/states.js';
import { initialState, nextState, transition } from '../../src/execution/orders/transition.js';

/** The expected table, written out independently of the implementation: every legal pair. */
const LEGAL: Record<OrderState, Partial<Record<OrderEventKind, OrderState>>> = {
  planned: { Resized: 'planned', Skipped: 'skipped', Submitted: 'submitting', Abandoned: 'abandoned' },
  submitting: { Accepted: 'working', Queued: 'queued', Rejected: 'rejected', NotReceived: 'planned', Abandoned: 'abandoned' },
  working: { PartiallyFilled: 'partially_filled', Filled: 'filled', Canceled: 'canceled', Expired: 'expired', Rejected: 'rejected', LeftWorking: 'left_open', Lost: 'lost' },
  queued: { PartiallyFilled: 'partially_filled', Filled: 'filled', Canceled: 'canceled', Expired: 'expired', Rejected: 'rejected', LeftWorking: 'left_open', Lost: 'lost' },
  partially_filled: { PartiallyFilled: 'partially_filled', Filled: 'filled', Canceled: 'canceled', Expired: 'expired', LeftWorking: 'left_open', Lost: 'lost' },
  left_open: { PartiallyFilled: 'left_open', Filled: 'filled', Canceled: 'canceled', Expired: 'expired', Rejected: 'rejected', Lost: 'lost' },
  filled: {},
  canceled: {},
  expired: {},
  rejected: {},
  skipped: {},
  lost: {},
  abandoned: {},
};

function ev(kind: OrderEventKind): OrderEvent {
  return { kind, clientOrderId: 'atlas-x', symbol: 'X', side: 'buy', qty: 1 } as OrderEvent;
}

describe('the order transition table', () => {
  const pairs = ORDER_STATES.flatMap((s) => ORDER_EVENT_KINDS.map((k) => [s, k] as const));

  it(`covers all ${ORDER_STATES.length} x ${ORDER_EVENT_KINDS.length} pairs`, () => {
    expect(pairs).toHaveLength(13 * 15);
  });

  it.each(pairs)('%s + %s', (state, kind) => {
    const want = LEGAL[state][kind];
    expect(nextState(state, kind)).toBe(want);
    if (want === undefined) {
      expect(() => transition(state, ev(kind))).toThrow(expect.objectContaining({ code: 'INVALID_ORDER_TRANSITION' }) as Error);
    } else {
      expect(transition(state, ev(kind))).toBe(want);
    }
  });

  it('nothing leaves a final state; Planned only creates', () => {
    for (const s of FINAL_ORDER_STATES) for (const k of ORDER_EVENT_KINDS) expect(nextState(s, k)).toBeUndefined();
    for (const s of ORDER_STATES) expect(nextState(s, 'Planned')).toBeUndefined();
    expect(initialState(ev('Planned'))).toBe('planned');
    expect(() => initialState(ev('Filled'))).toThrow(/must start with a Planned event/);
  });
});
