import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { runRebalance, type RebalanceRequest } from '../../src/execution/rebalance/orchestrator.js';
import { formatExecutionReport } from '../../src/execution/rebalance/report.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { getUniverse } from '../../src/selection/universes.js';
import { auditProblems, OPEN_INSTANT, seedDemoStore } from '../rebalance/helpers.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('paper reset with an order left open by a rebalance', () => {
  it('cancels it, so the same command afterwards reconciles cleanly instead of losing the order', async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const clock = new ManualClock(OPEN_INSTANT);
      const now = () => clock.now();
      const req: RebalanceRequest = {
        universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'LARGE', brokerKind: 'paper',
        yes: true, fillTimeoutMs: 50, pollMs: 10, onTimeout: 'leave', allowStale: true,
      };
      const deps = (broker: PaperBroker) => ({ broker, runs: new RunStore(db, now), auditDir: dir, now, sleep: (ms: number) => clock.sleep(ms), store });
      const neverFills = new PaperBroker({ db, bars: store, account: 'LARGE', clock, fillPolicy: { neverFill: true } });
      const first = await runRebalance(req, deps(neverFills));
      expect(first.orders.length).toBeGreaterThan(0);
      expect(first.orders.every((o) => o.state === 'left_open'), formatExecutionReport(first)).toBe(true);
      expect(await neverFills.listOpenOrders()).toHaveLength(first.orders.length);

      const broker = new PaperBroker({ db, bars: store, account: 'LARGE', clock });
      const canceled = broker.reset(100_000);
      expect(canceled.map((o) => o.clientOrderId).sort()).toEqual(first.orders.map((o) => o.clientOrderId).sort());

      const again = await runRebalance(req, deps(broker));
      expect(again.runId).toBe(first.runId);
      expect(again.outcome, formatExecutionReport(again)).not.toBe('interrupted');
      expect(again.orders.every((o) => o.state === 'canceled'), formatExecutionReport(again)).toBe(true);
      expect(JSON.stringify(again)).not.toContain('RUN_ORDER_LOST');
      expect(auditProblems(dir, first.runId)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
