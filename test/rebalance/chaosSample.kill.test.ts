import { describe, expect, it } from 'vitest';
import { planKills, pointWhere, runKill, type KillPlan } from '../chaos/killScenario.js';
import { failures } from '../chaos/killSweep.js';

/**
 * The kill -9 part of the chaos sample (chaosSample.test.ts has the rest): the real CLI killed at
 * two points of a paper run and one of an Alpaca run (the order at the broker, not yet recorded
 * as sent), then rerun and checked. `npm run chaos` kills at every point.
 */
const SLOW = { timeout: 300_000 };

describe('chaos sample: kill -9 at a few points', () => {
  const sample = async (plan: KillPlan, patterns: RegExp[]) => {
    const ns = patterns.map((p) => pointWhere(plan, p));
    const trials = [];
    for (const n of ns) trials.push(await runKill(plan, n));
    expect(failures(trials, plan.baseline)).toEqual([]);
    expect(trials.every((t) => t.killed)).toBe(true);
  };

  it('paper: after an order is admitted, after a fill', SLOW, async () => {
    await sample(await planKills('paper'), [/paper order admitted/, /paper fills booked/]);
  });

  it('alpaca: after the order POST answer', SLOW, async () => {
    await sample(await planKills('alpaca'), [/http POST \/v2\/orders/]);
  });
});
