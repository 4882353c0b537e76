import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCsvFiles } from '../../src/data/importCsv.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { createBroker } from '../../src/execution/brokers/factory.js';
import { runRebalance, type RebalanceResult } from '../../src/execution/rebalance/orchestrator.js';
import { formatPlanReport } from '../../src/execution/rebalance/report.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { DEFAULT_ALLOCATION } from '../../src/portfolio/allocation.js';
import { BUILTIN_UNIVERSES, getUniverse } from '../../src/selection/universes.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { REAL_DATA_SKIP_MESSAGE, realDataDir } from '../support/realData.js';
import { useTempDirs } from '../support/tmp.js';
import { auditProblems, events, OPEN_INSTANT, seedDemoStore } from './helpers.js';

const tmp = useTempDirs();

function assertReference(r: RebalanceResult): void {
  expect(r.outcome).toBe('dry_run');
  expect(r.signal?.regime).toBe('TREND_NEUTRAL');
  expect(r.signal?.regimeSource).toBe('override');
  expect(r.signal?.allocation).toBe(0.7);
  expect(r.signal?.selected).toHaveLength(3);
  const orders = r.plan!.orders;
  expect(orders).toHaveLength(3);
  for (const o of orders) {
    expect(o.side).toBe('buy');
    expect(o.intent).toBe('OPEN');
    expect(Number.isInteger(o.qty)).toBe(true);
    expect(o.clientOrderId).toBe(`atlas-${r.runId}-${o.symbol}-buy`);
    expect(o.clientOrderId.length).toBeLessThanOrEqual(48);
  }
  expect(new Set(orders.map((o) => o.symbol))).toEqual(new Set(r.signal!.selected));
  expect(r.validation).toHaveLength(7);
  for (const g of r.validation!) expect(['PASS', 'WARN']).toContain(g.result);
  expect(r.resulting!.exposurePct).toBeLessThanOrEqual(0.7 + 1e-9);
  expect(r.resulting!.exposurePct).toBeGreaterThan(0.6);
}

describe('rebalance --dry-run (reference)', () => {
  it('demo store, technology top 3, TREND_NEUTRAL override: 3 OPEN orders, 70%, no gate fails, nothing sent', async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const now = () => OPEN_INSTANT;
      const broker = createBroker({ kind: 'paper', account: 'LARGE', db, bars: store, env: {}, now, secrets: [] });
      const runs = new RunStore(db, now);
      const r = await runRebalance(
        { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'LARGE', brokerKind: 'paper', dryRun: true, force: true, allowStale: true },
        { broker, runs, auditDir: dir, now, sleep: async () => {}, store },
      );
      assertReference(r);
      // The scanner table covers the universe; the report names the override and the gates.
      expect(r.signal!.scan.length).toBe(BUILTIN_UNIVERSES.technology.length);
      const text = formatPlanReport(r);
      expect(text).toContain('TREND_NEUTRAL (OVERRIDE');
      expect(text).toContain('[7] regime compliance');
      expect(text).toContain('Resulting allocation');
      // Nothing persisted, nothing sent; the audit trail is complete.
      expect(runs.get(r.runId)).toBeUndefined();
      expect(await broker.listOpenOrders()).toHaveLength(0);
      expect(auditProblems(dir, r.runId)).toEqual([]);
      expect(events(dir, r.runId, 'ORDER_PLANNED')).toHaveLength(3);
      expect(events(dir, r.runId, 'VALIDATION').filter((e) => e.symbol === undefined).map((e) => e.gate)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const signal = events(dir, r.runId, 'SIGNAL')[0];
      expect(signal.detail).toContain('"override":true');
      expect(events(dir, r.runId, 'RUN_END')[0].status).toBe('DRY_RUN');
    } finally {
      db.close();
    }
  });

  it('without an override the model decides and the allocation follows DEFAULT_ALLOCATION', async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const now = () => OPEN_INSTANT;
      const broker = createBroker({ kind: 'paper', account: 'LARGE', db, bars: store, env: {}, now, secrets: [] });
      const r = await runRebalance(
        { universe: getUniverse('technology'), topN: 3, account: 'LARGE', brokerKind: 'paper', dryRun: true, force: true, allowStale: true },
        { broker, runs: new RunStore(db, now), auditDir: dir, now, sleep: async () => {}, store },
      );
      expect(r.signal!.regimeSource).toBe('model');
      expect(r.signal!.regime).toBe(r.signal!.modelRegime);
      expect(r.signal!.allocation).toBe(DEFAULT_ALLOCATION[r.signal!.regime]);
      expect(r.resulting!.exposurePct).toBeLessThanOrEqual(r.signal!.allocation + 1e-9);
    } finally {
      db.close();
    }
  });

  it('the CLI prints the same reference plan and exits 0 (JSON and table)', { timeout: 60_000 }, async () => {
    const dir = tmp();
    seedDemoStore(dir).db.close();
    const args = ['--data-dir', dir, 'rebalance', '--universe', 'technology', '--top-n', '3', '--regime', 'TREND_NEUTRAL', '--dry-run', '--force', '--allow-stale'];
    const j = await atlasInProcess([...args, '--json']);
    expect(j.code, j.stderr).toBe(0);
    assertReference(JSON.parse(j.stdout) as RebalanceResult);
    const t = await atlasInProcess(args);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('DRY RUN');
    expect(t.stdout).toMatch(/rank[\s│]+symbol[\s│]+close[\s│]+52w high[\s│]+distance[\s│]+filters/);
    expect(t.stdout).toContain('Gates:');
    expect(t.stdout).toContain('Dry run: nothing was sent');
    // --strict turns the 23% positions (> 15%) into a gate 3 FAIL: exit 1, one sentence.
    const strict = await atlasInProcess([...args, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^atlas: Run \d{8}-[0-9a-f]{8} stopped before sending any order: gate 3 \(position size\) failed: .*\(strict\)/m);
    const log = await atlasInProcess(['--data-dir', dir, 'log', '--json']);
    expect(log.code, log.stderr).toBe(0);
    const recs = JSON.parse(log.stdout) as { event: string }[];
    expect(recs.some((r) => r.event === 'RUN_END')).toBe(true);
  });

  it('a FAIL stops the run with the gate and its reason in one sentence (closed market without --force)', { timeout: 60_000 }, async () => {
    const dir = tmp();
    const { db, store } = seedDemoStore(dir);
    try {
      const saturday = () => new Date('2026-11-28T15:00:00Z');
      const broker = createBroker({ kind: 'paper', account: 'LARGE', db, bars: store, env: {}, now: saturday, secrets: [] });
      const r = await runRebalance(
        { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'LARGE', brokerKind: 'paper', yes: true, allowStale: true },
        { broker, runs: new RunStore(db, saturday), auditDir: dir, now: saturday, sleep: async () => {}, store },
      );
      expect(r.outcome).toBe('stopped');
      expect(r.stoppedBy).toMatchObject({ gate: 5, name: 'market hours' });
      expect(await broker.listOpenOrders()).toHaveLength(0);
      expect(events(dir, r.runId, 'ORDER_SUBMITTED')).toHaveLength(0);
      expect(auditProblems(dir, r.runId)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('on real data (ATLAS_REAL_DATA): technology top 3 with TREND_NEUTRAL gives 3 OPEN orders within 70%', async (ctx) => {
    const data = realDataDir();
    if (!data) {
      console.log(REAL_DATA_SKIP_MESSAGE);
      ctx.skip();
      return;
    }
    const dir = tmp();
    const db = openDatabase(dir);
    try {
      const store = new BarStore(db);
      const files = [join(data, 'SPY.csv'), join(data, 'VIX.csv'), ...BUILTIN_UNIVERSES.technology.map((s) => join(data, 'stocks', `${s}.csv`))];
      const report = importCsvFiles(store, files.filter((f) => existsSync(f)));
      expect(report.failed).toEqual([]);
      const now = () => OPEN_INSTANT;
      const broker = createBroker({ kind: 'paper', account: 'LARGE', db, bars: store, env: {}, now, secrets: [] });
      const r = await runRebalance(
        { universe: getUniverse('technology'), topN: 3, regimeOverride: 'TREND_NEUTRAL', account: 'LARGE', brokerKind: 'paper', dryRun: true, force: true, allowStale: true },
        { broker, runs: new RunStore(db, now), auditDir: dir, now, sleep: async () => {}, store },
      );
      assertReference(r);
    } finally {
      db.close();
    }
  }, 120_000);
});
