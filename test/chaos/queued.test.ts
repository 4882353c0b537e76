import { describe, expect, it } from 'vitest';
import { NEUTRAL_CAP } from './harness.js';
import { queuedThenResume } from './scenarios.js';
import { addCounts } from './summary.js';

/**
 * c. --force before the open: the run ends `queued` (exit 0) with every order accepted at the
 * broker; after the simulated open `--resume RUN_ID` completes it; nothing is canceled, no order
 * is placed twice, every order fills.
 */
describe.each(['paper', 'alpaca'] as const)('--force outside the session, then --resume after the open (%s)', (kind) => {
  it('queued, then completed; nothing canceled; no order twice', async () => {
    const r = await queuedThenResume(kind);
    expect(r.first.code, r.first.stderr).toBe(0);
    expect(r.first.outcome).toBe('queued');
    expect(r.statusesAfterFirst.length).toBeGreaterThan(0);
    expect(new Set(r.statusesAfterFirst)).toEqual(new Set(['accepted']));
    expect(r.resumed.code, r.resumed.stderr).toBe(0);
    expect(r.resumed.outcome).toBe('completed');
    expect(r.canceled).toBe(0);
    expect(r.duplicates).toEqual([]);
    expect(r.allFilled).toBe(true);
    expect(r.lost).toEqual([]);
    expect(r.verifyOk).toBe(true);
    expect(r.pct).toBeLessThanOrEqual(NEUTRAL_CAP + 1e-9);
    addCounts({ trials: 1, duplicates: r.duplicates.length, lostLines: r.lost.length, overAllocations: r.pct > NEUTRAL_CAP + 1e-9 ? 1 : 0, scenarios: kind === 'paper' ? 1 : 0 });
  });
});
