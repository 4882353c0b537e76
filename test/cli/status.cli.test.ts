/**
 * `atlas status --json` shows every field issue 9 lists, on the demo market (after a queued paper
 * rebalance, so there is a run, working orders and P&L) and on ../shared/data (ATLAS_REAL_DATA);
 * and read-only commands never create a paper account.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDemoStore } from '../backtest/demoStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { REAL_DATA_SKIP_MESSAGE, realDataDir } from '../support/realData.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

async function withClock<T>(iso: string, fn: () => Promise<T>): Promise<T> {
  process.env.ATLAS_CLOCK = iso;
  try {
    return await fn();
  } finally {
    delete process.env.ATLAS_CLOCK;
  }
}

/** Every field of the status, present and of the right kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked field by field below
function expectEveryField(s: Record<string, any>, hash: string): void {
  expect(s.strategy.hash).toBe(hash);
  expect(typeof s.strategy.path === 'string' || s.strategy.path === null).toBe(true);
  expect(s.regime.reason).toEqual(expect.any(String));
  expect(s.regime.reason.length).toBeGreaterThan(10);
  expect(s.schedule.nextRebalance).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(s.schedule.nextRebalance > s.lastCompletedSession).toBe(true);
  expect(s).toHaveProperty('dailyMode');
  expect(s.drift.positions).toEqual(expect.any(Array));
  expect(s.drift.exposureDrift).toEqual(expect.any(Number));
  expect(s.drift.targetSource).toEqual(expect.any(String));
  expect(s.dataFreshness.symbols.length).toBeGreaterThan(2);
  for (const f of s.dataFreshness.symbols) expect(f).toHaveProperty('lastBar');
  expect(s.dataFreshness.symbols.map((f: { symbol: string }) => f.symbol)).toEqual(expect.arrayContaining(['SPY', 'VIX']));
  expect(s).toHaveProperty('lastRun');
  expect(s.workingOrders).toEqual(expect.any(Array));
  expect(['snapshots', 'broker']).toContain(s.pnl.source);
  expect(s.pnl).toHaveProperty('sinceLastRebalance');
  expect(s.pnl).toHaveProperty('sinceInception');
  expect(typeof s.daemon.alive).toBe('boolean');
  expect(s.daemon.nextJob.id).toMatch(/^after_(close|open):/);
}

describe('atlas status on the demo market', () => {
  it('after a queued rebalance: strategy hash, regime, schedule, daily-mode check, drift, freshness, run, orders, P&L, daemon', async () => {
    const dir = tmp();
    const data = join(dir, 'store');
    writeDemoStore(data);
    const file = join(dir, 'daily.json');
    writeFileSync(file, JSON.stringify({ scanner: { topN: 3 }, regime: { mode: 'daily' }, accounts: [{ name: 'MID', broker: 'paper' }] }));
    const clock = '2010-12-31T22:00:00Z';
    const before = await withClock(clock, () => atlasInProcess(['--data-dir', data, 'status', '--strategy', file, '--json']));
    expect(before.code, before.stderr).toBe(0);
    const s0 = JSON.parse(before.stdout);
    expect(s0.account).toMatchObject({ name: 'MID', exists: false });
    expect(s0.account.error).toMatch(/no paper account MID .*`atlas paper reset --account MID/);

    const rb = await withClock(clock, () => atlasInProcess(['--data-dir', data, 'rebalance', '--strategy', file, '--account', 'MID', '--force', '--yes', '--json']));
    expect(rb.code, rb.stderr).toBe(0);
    const run = JSON.parse(rb.stdout);
    expect(run.outcome).toBe('queued');

    const r = await withClock(clock, () => atlasInProcess(['--data-dir', data, 'status', '--strategy', file, '--json']));
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    const hash = JSON.parse((await atlasInProcess(['--data-dir', data, 'scan', '--strategy', file, '--json'])).stdout).strategy.hash;
    expectEveryField(s, hash);
    expect(s.simulated).toBe(true);
    expect(s.lastCompletedSession).toBe('2010-12-31');
    expect(s.schedule.nextRebalance).toBe('2011-02-01');
    expect(s.lastRun).toMatchObject({ runId: run.runId, strategyHash: hash });
    expect(s.workingOrders.length).toBe(run.plan.orders.length);
    expect(s.dailyMode).toMatchObject({ allocationAtLastTrade: run.signal.allocation, allocationNow: run.signal.allocation, changed: false });
    expect(s.drift.targetSource).toContain(run.runId);
    // Nothing has filled: every target is missed by its full weight.
    expect(s.drift.exposure).toBe(0);
    expect(s.drift.exposureDrift).toBeCloseTo(-s.drift.targetExposure, 6);
    expect(s.pnl).toMatchObject({ source: 'broker', sinceInception: 0, sinceLastRebalance: 0 });
    expect(s.daemon.alive).toBe(false);
    expect(s.dataFreshness.stale).toBe(0);
    // Names the demo lists later (CRWD in 2019, ...) have no bars yet: reported, not counted as stale.
    expect(s.dataFreshness.missing).toContain('CRWD');
    for (const f of s.dataFreshness.symbols) if (f.lastBar !== null) expect(f).toMatchObject({ lastBar: '2010-12-31', sessionsBehind: 0, fresh: true });

    const text = await withClock(clock, () => atlasInProcess(['--data-dir', data, 'status', '--strategy', file]));
    expect(text.code, text.stderr).toBe(0);
    for (const label of ['Strategy', 'Regime', 'Schedule', 'Daily', 'Drift', 'Data', 'Last run', 'Orders', 'P&L', 'Daemon']) expect(text.stdout).toMatch(new RegExp(`^${label}`, 'm'));
    expect(text.stdout).toContain(hash.slice(0, 12));
  }, 120_000);
});

describe('read-only commands never create an account', () => {
  it('positions, account, orders and paper drills refuse an unknown paper account in one sentence', async () => {
    const data = join(tmp(), 'store');
    writeDemoStore(data);
    for (const args of [['positions'], ['account'], ['orders'], ['paper', 'drills']]) {
      const r = await atlasInProcess(['--data-dir', data, ...args, '--account', 'NOSUCH']);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^atlas: There is no paper account NOSUCH in this data directory; create it with `atlas paper reset --account NOSUCH --cash 100000 --yes`/);
    }
    // Still not there: looking did not create it.
    const again = await atlasInProcess(['--data-dir', data, 'account', '--account', 'NOSUCH']);
    expect(again.code).toBe(1);
    const created = await atlasInProcess(['--data-dir', data, 'paper', 'reset', '--account', 'NOSUCH', '--cash', '5000', '--yes']);
    expect(created.code, created.stderr).toBe(0);
    const seen = await atlasInProcess(['--data-dir', data, 'account', '--account', 'NOSUCH', '--json']);
    expect(seen.code, seen.stderr).toBe(0);
    expect(JSON.parse(seen.stdout).cash).toBe(5000);
  }, 60_000);
});

describe.skipIf(!realDataDir())('atlas status on ../shared/data', () => {
  it('shows every field on real history', async () => {
    const data = join(tmp(), 'store');
    const real = realDataDir()!;
    const imp = await atlasInProcess(['--data-dir', data, 'data', 'import', real, join(real, 'stocks')]);
    expect(imp.code, imp.stderr).toBe(0);
    const r = await withClock('2025-06-02T22:00:00Z', () => atlasInProcess(['--data-dir', data, 'status', '--json']));
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    const hash = JSON.parse((await atlasInProcess(['--data-dir', data, 'scan', '--json'])).stdout).strategy.hash;
    expectEveryField(s, hash);
    expect(s.simulated).toBe(false);
    expect(s.regime.label).toMatch(/^TREND_|^CRASH$/);
    expect(s.lastRun).toBeNull();
    expect(s.account.exists).toBe(false);
  }, 180_000);
});

if (!realDataDir()) console.info(REAL_DATA_SKIP_MESSAGE);
