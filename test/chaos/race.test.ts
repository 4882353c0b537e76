import { describe, expect, it } from 'vitest';
import { NEUTRAL_CAP } from './harness.js';
import { race } from './scenarios.js';
import { addCounts } from './summary.js';

/**
 * a. Two order-placing processes on one account started at the same moment (top 3 and top 4
 * under TREND_NEUTRAL: two run ids, so only the account lease keeps the second out), 20 trials on
 * each broker: exactly one trades, the other is refused with LEASE_HELD (or finds its run done),
 * and the account ends within the allocation every time.
 */
const TRIALS = Number(process.env.ATLAS_CHAOS_TRIALS ?? 20);

describe.each(['paper', 'alpaca'] as const)('two processes on one account (%s)', (kind) => {
  it(`${TRIALS} trials: exactly one trades, the other is refused; exposure <= 70.5%`, async () => {
    const bad: string[] = [];
    let dups = 0;
    let over = 0;
    let lost = 0;
    let sequential = 0;
    for (let t = 1; t <= TRIALS; t++) {
      const r = await race(kind);
      const ok = r.results.filter((x) => x.code === 0 && x.outcome === 'completed').length;
      // Two processes started together can still run one after the other on a loaded machine (the
      // first finishes before the second takes the lease): then both trade, legitimately, the second
      // from the first's book. Such a trial is counted, not judged; it must still stay in bounds.
      if (r.traders.length === 2 && ok === 2 && r.refused === 0) {
        sequential++;
      } else if (r.traders.length !== 1 || ok !== 1 || r.refused + r.alreadyDone !== 1) {
        bad.push(`trial ${t}: ${r.traders.length} run(s) traded, ${ok} completed, ${r.refused} refused: ${r.results.map((x) => `exit ${x.code} ${x.outcome ?? ''} ${x.stderr.trim().split('\n').pop() ?? ''}`).join(' | ')}`);
      }
      if (r.pct > NEUTRAL_CAP + 1e-9) bad.push(`trial ${t}: exposure ${(r.pct * 100).toFixed(2)}%`);
      if (!r.verifyOk) bad.push(`trial ${t}: log verify failed`);
      dups += r.duplicates.length;
      over += r.pct > NEUTRAL_CAP + 1e-9 ? 1 : 0;
      lost += r.lost.length;
    }
    addCounts({ trials: TRIALS, duplicates: dups, overAllocations: over, lostLines: lost, scenarios: kind === 'paper' ? 1 : 0 });
    process.stdout.write(`chaos race (${kind}): ${TRIALS} trials, ${TRIALS - sequential} overlapped (one refused), ${sequential} ran one after the other\n`);
    expect(bad).toEqual([]);
    // Most trials must really race, or the lease was not exercised.
    expect(sequential).toBeLessThanOrEqual(Math.floor(TRIALS / 2));
    expect({ dups, lost }).toEqual({ dups: 0, lost: 0 });
  });
});
