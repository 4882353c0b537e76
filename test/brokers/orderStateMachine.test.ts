import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ORDER_STATUSES,
  TERMINAL_STATUSES,
  assertTransition,
  canTransition,
  isOpen,
  isTerminal,
  nextStatuses,
  type OrderStatus,
} from '../../src/execution/brokers/broker.js';

const status = fc.constantFrom(...ORDER_STATUSES);
const INITIAL: OrderStatus[] = ['pending_new', 'accepted', 'new'];

describe('order state machine', () => {
  it('marks exactly filled, canceled, expired, rejected and replaced as terminal', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['canceled', 'expired', 'filled', 'rejected', 'replaced']);
    for (const s of ORDER_STATUSES) expect(isOpen(s)).toBe(!isTerminal(s));
  });

  it('allows the everyday life cycles', () => {
    const paths: OrderStatus[][] = [
      ['pending_new', 'new', 'filled'],
      ['accepted', 'new', 'partially_filled', 'partially_filled', 'filled'],
      ['new', 'pending_cancel', 'canceled'],
      ['new', 'partially_filled', 'canceled'],
      ['accepted', 'rejected'],
      ['new', 'done_for_day', 'new', 'expired'],
      ['new', 'pending_replace', 'replaced'],
    ];
    for (const path of paths) {
      for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i]), `${path[i - 1]} -> ${path[i]}`).toBe(true);
    }
  });

  it('refuses moves out of a terminal status and meaningless ones', () => {
    expect(canTransition('filled', 'partially_filled')).toBe(false);
    expect(canTransition('canceled', 'new')).toBe(false);
    expect(canTransition('rejected', 'filled')).toBe(false);
    expect(canTransition('new', 'new')).toBe(false);
    expect(canTransition('new', 'pending_new')).toBe(false);
    expect(() => assertTransition('filled', 'canceled', 'order 42')).toThrow(/order 42 cannot move from status filled to canceled/);
  });

  it('property: terminal statuses have no successors', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        if (isTerminal(from)) expect(canTransition(from, to)).toBe(false);
        expect(nextStatuses(from).includes(to)).toBe(canTransition(from, to));
      }),
    );
  });

  it('property: random event sequences never leave a terminal state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INITIAL), fc.array(status, { maxLength: 60 }), (start, events) => {
        let current: OrderStatus = start;
        let terminalAt: OrderStatus | undefined;
        for (const ev of events) {
          if (canTransition(current, ev)) current = ev;
          if (terminalAt !== undefined) expect(current).toBe(terminalAt);
          if (isTerminal(current) && terminalAt === undefined) terminalAt = current;
        }
        if (terminalAt !== undefined) expect(current).toBe(terminalAt);
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: every open status can still reach a terminal one', () => {
    const reachesTerminal = (from: OrderStatus): boolean => {
      const seen = new Set<OrderStatus>([from]);
      const queue: OrderStatus[] = [from];
      while (queue.length > 0) {
        const s = queue.shift() as OrderStatus;
        if (isTerminal(s)) return true;
        for (const n of nextStatuses(s)) {
          if (seen.has(n)) continue;
          seen.add(n);
          queue.push(n);
        }
      }
      return false;
    };
    fc.assert(
      fc.property(status, (s) => {
        expect(reachesTerminal(s)).toBe(true);
      }),
    );
  });
});
