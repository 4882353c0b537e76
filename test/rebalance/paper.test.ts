import { describe, expect, it } from 'vitest';
import { createBroker } from '../../src/execution/brokers/factory.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { runRebalance, type RebalanceRequest } from '../../src/execution/rebalance/orchestrator.js';
import { formatExecutionReport } from '../../src/execution/rebalance/report.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { getUniverse } from '../../src/selection/universes.js';
import { runAtlas } from '../support/cli.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { useTempDirs } from '../support/tmp.js';
import { VirtualTime } from '../brokers/helpers.js';
import { auditProblems, events, seedDemoStore } from './helpers.js';

const tmp = useTempDirs();

function paperOrderCount(db: import('better-sqlite3').Database): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM paper_orders').get() as { n: number }).n;
}

describe('rebalance on the embedded paper broker', () => {
  it('a full rebalance fills every order; the same command again places no new order', async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const time = new VirtualTime();
      const now = () => new Date(time.now());
      const broker = createBroker({ kind: 'paper', account: 'LARGE', db, bars: store, env: {}, now, secrets: [] });
      const runs = new RunStore(db, now);
      const req: RebalanceRequest = { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'LARGE', brokerKind: 'paper', yes: true, fillTimeoutMs: 10_000, pollMs: 10, allowStale: true };
      const deps = { broker, runs, auditDir: dir, now, sleep: time.sleep, store };

      const first = await runRebalance(req, deps);
      expect(first.outcome, formatExecutionReport(first)).toBe('completed');
      expect(first.orders).toHaveLength(3);
      expect(first.orders.every((o) => o.state === 'filled' && o.filledQty === o.qty)).toBe(true);
      expect(runs.get(first.runId)).toMatchObject({ phase: 'done', status: 'completed' });
      const positions = await broker.getPositions();
      expect(positions.map((p) => p.symbol).sort()).toEqual([...first.signal!.selected].sort());
      expect(first.final!.exposurePct).toBeGreaterThan(0.65);
      expect(first.final!.exposurePct).toBeLessThanOrEqual(0.705);
      const ordersAfterFirst = paperOrderCount(db);
      expect(ordersAfterFirst).toBe(3);

      const second = await runRebalance(req, deps);
      expect(second.runId).toBe(first.runId);
      expect(second.outcome).toBe('already_completed');
      expect(paperOrderCount(db)).toBe(ordersAfterFirst);
      expect(formatExecutionReport(second)).toContain('no new orders placed');

      expect(auditProblems(dir, first.runId)).toEqual([]);
      expect(events(dir, first.runId, 'ORDER_SUBMITTED')).toHaveLength(3);
      expect(events(dir, first.runId, 'ORDER_FILLED')).toHaveLength(3);
      expect(events(dir, first.runId, 'RUN_START')).toHaveLength(2);
    } finally {
      db.close();
    }
  });

  it('a second run with other targets sells what is no longer wanted first, then buys', async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const time = new VirtualTime();
      const now = () => new Date(time.now());
      const broker = createBroker({ kind: 'paper', account: 'LARGE', db, bars: store, env: {}, now, secrets: [] });
      const runs = new RunStore(db, now);
      const deps = { broker, runs, auditDir: dir, now, sleep: time.sleep, store };
      const base = { universe: getUniverse('technology'), account: 'LARGE', brokerKind: 'paper', yes: true, fillTimeoutMs: 10_000, pollMs: 10, allowStale: true } as const;
      const a = await runRebalance({ ...base, topN: 3, regimeOverride: 'TREND_BULL' }, deps);
      expect(a.outcome).toBe('completed');
      // A different command (top 2, bear): a different run id; CLOSE the third name, shrink the rest.
      const b = await runRebalance({ ...base, topN: 2, regimeOverride: 'TREND_BEAR' }, deps);
      expect(b.runId).not.toBe(a.runId);
      expect(b.outcome, formatExecutionReport(b)).toBe('completed');
      const sells = b.orders.filter((o) => o.side === 'sell');
      expect(sells.length).toBeGreaterThan(0);
      const seqOfFirstBuy = Math.min(...b.orders.filter((o) => o.side === 'buy').map((o) => o.seq), Infinity);
      expect(Math.max(...sells.map((o) => o.seq))).toBeLessThan(seqOfFirstBuy);
      expect(b.final!.exposurePct).toBeLessThanOrEqual(0.3 + 0.005 + 1e-9);
      expect(auditProblems(dir, b.runId)).toEqual([]);
      // Every SELL was submitted before any BUY in the log.
      const subs = events(dir, b.runId, 'ORDER_SUBMITTED');
      const firstBuy = subs.findIndex((e) => e.side === 'buy');
      if (firstBuy >= 0) expect(subs.slice(firstBuy).every((e) => e.side === 'buy')).toBe(true);
    } finally {
      db.close();
    }
  });

  it('the CLI trades on paper with --yes, refuses without a terminal, and `atlas log --run` reads it back', { timeout: 60_000 }, async () => {
    const dir = tmp();
    seedDemoStore(dir).db.close();
    // 10:00 New York on the session after the demo's last bar: the market is open and the data current.
    const env = { ATLAS_CLOCK: '2025-01-02T15:00:00Z' };
    const run = (a: string[]) => atlasInProcess(a, { env });
    const args = ['--data-dir', dir, 'rebalance', '--universe', 'technology', '--top-n', '3', '--regime', 'TREND_NEUTRAL', '--fill-timeout', '5'];
    // The refusal runs the real binary, whose stdin is a pipe; the rest runs in-process.
    const refused = await runAtlas(args, { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Refusing to send 3 order\(s\) without confirmation.*--yes/);

    const ok = await run([...args, '--yes', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const r = JSON.parse(ok.stdout) as { runId: string; outcome: string; orders: { state: string }[] };
    expect(r.outcome).toBe('completed');
    expect(r.orders.every((o) => o.state === 'filled')).toBe(true);

    const again = await run([...args, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already completed');

    const log = await run(['--data-dir', dir, 'log', '--run', r.runId]);
    expect(log.code, log.stderr).toBe(0);
    for (const ev of ['RUN_START', 'SIGNAL', 'ORDER_PLANNED', 'VALIDATION', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'RUN_END']) expect(log.stdout).toContain(ev);
    const logJson = await run(['--data-dir', dir, 'log', '--run', r.runId, '--json']);
    const recs = JSON.parse(logJson.stdout) as { event: string; runId: string; timestamp: string }[];
    expect(recs.every((x) => x.runId === r.runId)).toBe(true);
    expect(recs[0].timestamp).toMatch(/-0[45]:00$/); // New York offset
    expect(auditProblems(dir, r.runId)).toEqual([]);

    const resume = await run(['--data-dir', dir, 'rebalance', '--resume', r.runId, '--yes']);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toContain('already completed');
    const bad = await run(['--data-dir', dir, 'rebalance', '--resume', '20200101-deadbeef']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('no rebalance run 20200101-deadbeef');
  });

  it('paper drills: a rejected symbol and a never-filling order are reported, nothing is traded twice', async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const time = new VirtualTime();
      const now = () => new Date(time.now());
      const probe = await runRebalance(
        { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'DRILL', brokerKind: 'paper', dryRun: true, allowStale: true },
        { broker: new PaperBroker({ db, bars: store, account: 'DRILL', now }), runs: new RunStore(db, now), auditDir: dir, now, sleep: time.sleep, store },
      );
      const [s1, s2] = probe.signal!.selected;
      const broker = new PaperBroker({ db, bars: store, account: 'DRILL', now, fillPolicy: { rejectSymbols: [s1], neverFill: [s2] } });
      const r = await runRebalance(
        { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'DRILL', brokerKind: 'paper', yes: true, fillTimeoutMs: 50, pollMs: 10, allowStale: true },
        { broker, runs: new RunStore(db, now), auditDir: dir, now, sleep: time.sleep, store },
      );
      expect(r.outcome).toBe('completed_with_issues');
      expect(r.orders.find((o) => o.symbol === s1)!.state).toBe('rejected');
      expect(r.orders.find((o) => o.symbol === s2)!.state).toBe('canceled');
      expect(r.summary).toMatchObject({ rejected: 1, canceled: 1, filled: 1 });
      expect(auditProblems(dir, r.runId)).toEqual([]);
      expect(events(dir, r.runId, 'ORDER_REJECTED')).toHaveLength(1);
      expect(events(dir, r.runId, 'ORDER_CANCELED')).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});
