import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rebalancePeriodKey as engineKey } from '../../src/backtest/engine.js';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { isRebalanceSession, lastRebalanceSession, nextRebalanceSession, rebalancePeriodKey } from '../../src/calendar/rebalanceSchedule.js';

describe('rebalance calendar', () => {
  it('first sessions of each period (hand-checked): 2024 semiannual = Feb 1 and Aug 1; monthly skips holidays', () => {
    const y2024 = sessionsBetween('2024-01-01', '2024-12-31');
    expect(y2024.filter((d) => isRebalanceSession(d, 'semiannual'))).toEqual(['2024-02-01', '2024-08-01']);
    expect(y2024.filter((d) => isRebalanceSession(d, 'quarterly'))).toEqual(['2024-01-02', '2024-04-01', '2024-07-01', '2024-10-01']);
    // 2023-01-02 was the New Year's Day holiday observed: January's first session is the 3rd.
    expect(sessionsBetween('2023-01-01', '2023-03-31').filter((d) => isRebalanceSession(d, 'monthly'))).toEqual(['2023-01-03', '2023-02-01', '2023-03-01']);
  });

  it('next and last rebalance session bracket any date', () => {
    expect(nextRebalanceSession('2024-02-02', 'semiannual')).toBe('2024-08-01');
    expect(nextRebalanceSession('2024-02-01', 'semiannual')).toBe('2024-02-01');
    expect(lastRebalanceSession('2024-07-31', 'semiannual')).toBe('2024-02-01');
    expect(nextRebalanceSession('2024-06-15', 'monthly')).toBe('2024-07-01');
  });

  it('agrees with the backtest engine on the period key for every day (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 30 }), fc.constantFrom('monthly', 'quarterly', 'semiannual' as const), (offset, freq) => {
        const d = new Date(Date.UTC(2000, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
        expect(rebalancePeriodKey(d, freq)).toBe(engineKey(d, freq));
      }),
    );
  });
});
