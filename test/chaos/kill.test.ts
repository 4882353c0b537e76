import { describe, expect, it } from 'vitest';
import { pool } from './harness.js';
import { planKills, runKill } from './killScenario.js';
import { failures } from './killSweep.js';
import { addCounts } from './summary.js';

/**
 * f. kill -9 at every audit write, store write and HTTP response of an uninterrupted run (the
 * points come from ATLAS_CHAOS_TRACE=1), on both brokers: for each N the command is killed at
 * point N and run again the same day until it completes; then 0 duplicate orders (by client order
 * id and by run/symbol/leg), 0 lost audit lines, `atlas log verify` passes, the account ends with
 * the uninterrupted run's positions, within the allocation, and no canary key is anywhere.
 */
const WIDTH = Number(process.env.ATLAS_CHAOS_WIDTH ?? 3);

describe.each(['paper', 'alpaca'] as const)('kill -9 at every chaos point (%s)', (kind) => {
  it('every point: the rerun finishes; 0 duplicates, 0 lost lines, log verify passes', async () => {
    const plan = await planKills(kind);
    expect(plan.points.length).toBeGreaterThan(20);
    for (const k of ['audit', 'store', ...(kind === 'alpaca' ? ['http'] : [])]) expect(plan.points.some((p) => p.kind === k)).toBe(true);
    const trials = await pool(WIDTH, plan.points.map((p) => () => runKill(plan, p.n)));
    const found = failures(trials, plan.baseline);
    addCounts({
      [kind === 'paper' ? 'killPointsPaper' : 'killPointsAlpaca']: trials.length,
      trials: trials.length,
      duplicates: trials.reduce((s, t) => s + t.duplicates.length, 0),
      lostLines: trials.reduce((s, t) => s + t.lost.length, 0),
      overAllocations: trials.filter((t) => t.overAllocated).length,
      scenarios: kind === 'paper' ? 1 : 0,
    });
    expect(found).toEqual([]);
    expect(trials.every((t) => t.killed && t.verifyOk)).toBe(true);
  });
});
