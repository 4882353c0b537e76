import { describe, expect, it } from 'vitest';
import { NEUTRAL_CAP } from './harness.js';
import { leftWorking } from './scenarios.js';
import { addCounts } from './summary.js';

/**
 * b. Run A (top 3) leaves its BUYs working (they never fill; --on-timeout leave); run B (top 5,
 * other parameters) plans around them: positions plus working orders stay within the allocation.
 */
describe.each(['paper', 'alpaca'] as const)('working orders left by another run (%s)', (kind) => {
  it('run B counts run A\'s working BUYs: final exposure <= 70.5%', async () => {
    const r = await leftWorking(kind);
    expect(r.first.code, r.first.stderr).toBe(0);
    expect(r.first.outcome).toBe('completed_with_issues');
    expect(r.afterFirst).toBeGreaterThan(0.65); // A's working BUYs alone are ~69%
    expect(r.second.code, r.second.stderr).toBe(0);
    expect(r.pct).toBeLessThanOrEqual(NEUTRAL_CAP + 1e-9);
    expect(r.working).toBeGreaterThanOrEqual(3);
    expect(r.duplicates).toEqual([]);
    addCounts({ trials: 1, overAllocations: r.pct > NEUTRAL_CAP + 1e-9 ? 1 : 0, duplicates: r.duplicates.length, scenarios: kind === 'paper' ? 1 : 0 });
  });
});
