/** The dashboard's pieces without a browser: host check, token file, change feed, report numbers. */
import { mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attribution } from '../../src/backtest/report/attribution.js';
import { periodReturns } from '../../src/backtest/report/periodReturns.js';
import { runBacktest } from '../../src/backtest/engine.js';
import { syntheticPanel } from '../../src/backtest/synthetic.js';
import { ChangeFeed, type ChangeKind } from '../../src/dashboard/changes.js';
import { checkHost, isLoopbackHost } from '../../src/dashboard/host.js';
import { loadOrCreateToken, tokenMatches } from '../../src/dashboard/token.js';
import type { ChangeSignature } from '../../src/dashboard/readModel.js';
import { validationBatches } from '../../src/dashboard/pages/runs.js';
import { DashboardData } from '../../src/dashboard/readModel.js';
import type { ExecutionLogRecord } from '../../src/execution/audit/executionLog.js';
import { atlasInProcess } from '../support/cliInProcess.js';

describe('dashboard host', () => {
  it('allows loopback, refuses any other host without --allow-remote, warns with it', () => {
    for (const h of ['127.0.0.1', '127.8.0.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.5', '::', 'example.com']) {
      expect(() => checkHost(h, false), h).toThrow(/--allow-remote/);
      expect(checkHost(h, true)).toMatch(/^warning: /);
    }
    expect(checkHost('127.0.0.1', false)).toBeNull();
  });

  it('`atlas dashboard --host 0.0.0.0` refuses to start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-dash-'));
    try {
      const r = await atlasInProcess(['--data-dir', dir, 'dashboard', '--host', '0.0.0.0', '--port', '0']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/--host 0\.0\.0\.0 would expose the dashboard.*--allow-remote/);
      expect(r.stdout).not.toMatch(/login\?token=/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dashboard token', () => {
  it('is created once with mode 0600, reused after, narrowed back when widened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-dash-'));
    try {
      const a = loadOrCreateToken(dir);
      expect(a.created).toBe(true);
      expect(a.token.length).toBeGreaterThanOrEqual(43);
      expect(statSync(a.path).mode & 0o777).toBe(0o600);
      chmodSync(a.path, 0o644);
      const b = loadOrCreateToken(dir);
      expect(b).toMatchObject({ created: false, token: a.token });
      expect(statSync(a.path).mode & 0o777).toBe(0o600);
      expect(tokenMatches(a.token, a.token)).toBe(true);
      expect(tokenMatches(a.token, `${a.token}x`)).toBe(false);
      expect(tokenMatches(a.token, undefined)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('change feed', () => {
  it('tells listeners which kind of thing changed, and nothing when nothing did', () => {
    let sig: ChangeSignature = { dataVersion: 1, snapshots: '1:a', runEvents: '0:', alerts: '0' };
    const feed = new ChangeFeed(() => sig, 60_000);
    const seen: ChangeKind[][] = [];
    const stop = feed.subscribe((k) => seen.push(k));
    expect(feed.tick()).toEqual([]);
    sig = { ...sig, dataVersion: 2, snapshots: '2:b' };
    expect(feed.tick()).toEqual(['snapshot']);
    sig = { ...sig, dataVersion: 3, runEvents: '5:x', alerts: '120' };
    expect(feed.tick()).toEqual(['run', 'alert']);
    sig = { ...sig, dataVersion: 4 };
    expect(feed.tick()).toEqual(['store']);
    expect(seen).toEqual([['snapshot'], ['run', 'alert'], ['store']]);
    stop();
  });
});

describe('run page', () => {
  it("splits the gate verdicts into the plan's validation and each re-check before sending", () => {
    const v = (gate: number, symbol?: string) => ({ event: 'VALIDATION', gate, symbol }) as ExecutionLogRecord;
    const rows = [v(1), v(2), v(3), v(3, 'AAPL'), v(4), v(5), v(6), v(7), v(1), v(2), v(3), v(3, 'IBM'), v(7), v(1), v(7)];
    const batches = validationBatches(rows);
    expect(batches.map((b) => b.length)).toEqual([8, 5, 2]);
    expect(batches.flat()).toEqual(rows);
    expect(validationBatches([])).toEqual([]);
  });
});

describe('dashboard read model', () => {
  it("reads an account's series, the account list and the change signature from the covering index, not the snapshot JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-dash-'));
    const data = new DashboardData(dir);
    try {
      const plan = (sql: string, ...args: unknown[]) => (data.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan('SELECT session, equity, exposure, regime FROM account_snapshots WHERE broker = ? AND account = ? ORDER BY session', 'paper', 'MID')).toMatch(/USING COVERING INDEX account_snapshots_series/);
      expect(plan('SELECT DISTINCT broker, account FROM account_snapshots ORDER BY broker, account')).toMatch(/COVERING INDEX account_snapshots_series/);
      expect(plan('SELECT COUNT(*) AS n, MAX(taken_at) AS t FROM account_snapshots')).toMatch(/COVERING INDEX account_snapshots_series/);
    } finally {
      data.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report numbers', () => {
  it('monthly returns compound to the yearly ones, and yearly ones to the total', () => {
    const dates = ['2020-12-30', '2020-12-31', '2021-01-04', '2021-01-29', '2021-02-01', '2021-12-31', '2022-01-03'];
    const equity = [100, 110, 99, 121, 133.1, 150, 120];
    const years = periodReturns(dates, equity, 4);
    expect(years.map((y) => y.period)).toEqual(['2020', '2021', '2022']);
    expect(years[0].value).toBeCloseTo(0.1, 12);
    expect(years[1].value).toBeCloseTo(150 / 110 - 1, 12);
    expect(years[2].value).toBeCloseTo(120 / 150 - 1, 12);
    const months = periodReturns(dates, equity, 7).filter((m) => m.period.startsWith('2021'));
    expect(months.reduce((a, m) => a * (1 + m.value), 1) - 1).toBeCloseTo(years[1].value, 12);
    expect(years.reduce((a, y) => a * (1 + y.value), 1) * 100).toBeCloseTo(120, 9);
  });

  it('per-position attribution adds up to the final equity less the initial cash (no cash interest)', () => {
    const panel = syntheticPanel({ symbols: 30, sessions: 700, seed: 7 });
    const r = runBacktest(panel, null, { topN: 5, lookback: 60, rebalance: 'monthly', minDistance: 0.5 });
    expect(r.trades.length).toBeGreaterThan(10);
    const rows = attribution(r);
    const total = rows.reduce((a, x) => a + x.pnl, 0);
    expect(total).toBeCloseTo(r.equity[r.equity.length - 1] - r.config.initialCash, 4);
  });
});
