import { describe, expect, it } from 'vitest';
import { planKills, pointWhere, runKill } from '../chaos/killScenario.js';
import { failures } from '../chaos/killSweep.js';
import { faultRun } from '../chaos/scenarios.js';

/**
 * The smallest sample of the chaos suite (test/chaos/, `npm run chaos`, which CI runs in full),
 * through the real CLI: kill -9 at one point of a paper run, and the 404-on-a-poll regression.
 * Everything else the sample used to run is in `npm run chaos`, on both brokers:
 * the two-process race (race.test.ts), working orders left by another run (workingOrders.test.ts),
 * --force before the open then --resume (queued.test.ts), a trading_blocked account
 * (faults.test.ts), and kill -9 at every other point (kill.test.ts).
 */
const SLOW = { timeout: 300_000 };

describe('chaos sample', () => {
  it('kill -9 on paper right after an order is admitted: the rerun finishes, nothing doubled or lost', SLOW, async () => {
    const plan = await planKills('paper');
    const trial = await runKill(plan, pointWhere(plan, /paper order admitted/));
    expect(failures([trial], plan.baseline)).toEqual([]);
    expect(trial.killed).toBe(true);
  });

  it('a single 404 on a poll is survived (regression: it stopped the run)', SLOW, async () => {
    let armed = true;
    const r = await faultRun(
      (f) => f.setFillPolicy({ kind: 'afterPolls', polls: 3 }),
      (f, req) => {
        if (armed && req.route === 'POST /v2/orders') {
          armed = false;
          f.injectFault({ route: 'GET /v2/orders', kind: 'not_found' });
        }
      },
    );
    expect(r.faultsLeft).toBe(0);
    expect(r.byClientId).toBeGreaterThan(0);
    expect(r.run.code, r.run.stderr).toBe(0);
    expect(r.run.outcome).toBe('completed');
    expect(r.duplicates).toEqual([]);
  });
});
