import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHART_RUNTIME } from '../../src/backtest/report/chartRuntime.js';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/data/store/database.js';
import { verifyExecutionLog } from '../../src/execution/audit/verify.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { createDispatcher, parseAlertsConfig, type AlertEvent } from '../../src/operations/alerts/index.js';
import { DecisionStore } from '../../src/operations/daemon/decisions.js';
import { runReplay, type ReplayResult } from '../../src/operations/replay/replay.js';
import { SnapshotStore } from '../../src/operations/snapshots/snapshotStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { startFakeSmtp, startFakeTelegram, startFakeWebhook, type FakeSmtp, type FakeTelegram, type FakeWebhook } from '../support/fakeAlertServers.js';
import { REAL_DATA_SKIP_MESSAGE, realDataDir } from '../support/realData.js';
import { demoSource, PARITY_SETTINGS, parityLine, parityOf, realSource, writeReplayStrategy } from './replayHelpers.js';

const root = mkdtempSync(join(tmpdir(), 'atlas-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('replay on the demo market (daily regime mode, whole shares), with alerts to real local channels', () => {
  let source: string;
  let strategy: string;
  let result: ReplayResult;
  let seconds: number;
  let emitted: AlertEvent[];
  let hook: FakeWebhook;
  let broken: FakeWebhook;
  let tg: FakeTelegram;
  let smtp: FakeSmtp;
  let status: ReturnType<ReturnType<typeof createDispatcher>['status']>;

  beforeAll(async () => {
    source = demoSource(join(root, 'source'));
    strategy = writeReplayStrategy(root);
    [hook, broken, tg, smtp] = await Promise.all([startFakeWebhook(), startFakeWebhook(), startFakeTelegram(), startFakeSmtp()]);
    broken.status = 500;
    const events = ['regime_change', 'rebalance_queued', 'fills', 'stale_data'];
    const env = { HOOK: hook.url, BROKEN: broken.url, TG: tg.token, SU: smtp.user, SP: smtp.password };
    const config = parseAlertsConfig({
      channels: [
        { type: 'webhook', name: 'hook', format: 'json', urlEnv: 'HOOK', events, maxPerMinute: 600 },
        { type: 'webhook', name: 'broken', format: 'json', urlEnv: 'BROKEN', events, maxPerMinute: 600 },
        { type: 'telegram', name: 'tg', tokenEnv: 'TG', chatId: 7, apiBase: tg.apiBase, events, maxPerMinute: 600 },
        { type: 'email', name: 'mail', host: '127.0.0.1', port: smtp.port, userEnv: 'SU', passwordEnv: 'SP', from: 'atlas@localhost', to: ['me@localhost'], events, maxPerMinute: 600 },
      ],
    }, 'ops.json');
    // Its own (real) clock: retry back-offs must not move the replay's simulated time.
    const dispatcher = createDispatcher(config, env, { clock: systemClock, secrets: () => [tg.token, smtp.password], maxAttempts: 2, baseDelayMs: 5 });
    emitted = [];
    const t0 = performance.now();
    // Started mid-month: the account holds cash until the scheduled rebalance of 2008-01-02.
    result = await runReplay({ sourceDir: source, replayDir: join(root, 'replay'), strategyFile: strategy, from: '2007-12-14', to: '2008-02-29', alert: (e) => {
      emitted.push(e);
      dispatcher.emit(e);
    } });
    seconds = (performance.now() - t0) / 1000;
    await dispatcher.flush();
    status = dispatcher.status();
  }, 600_000);

  afterAll(async () => {
    await Promise.all([hook, broken, tg, smtp].map((s) => s?.close()));
  });

  it('runs every job, snapshots every session once and fills every order', () => {
    console.log(`replay 2007-12-14..2008-02-29 took ${seconds.toFixed(1)} s`);
    expect(result.stopped).toBe(false);
    const [acct] = result.accounts;
    expect(acct.snapshots).toBe(sessionsBetween('2007-12-14', '2008-02-29').length);
    expect(acct.orders).toBeGreaterThan(0);
    expect(acct.filled).toBe(acct.orders);
    expect(verifyExecutionLog(join(root, 'replay')).ok).toBe(true);
  });

  it('places the same orders as the backtest (symbol, side, day, quantity within one share) and ends within 0.1% of its equity', () => {
    const r = parityOf(join(root, 'replay'), strategy);
    console.log(parityLine('demo 2007-12-14..2008-02-29', r, seconds));
    // Compared from the account's first rebalance, not from its first (all-cash) session.
    expect(r.from).toBe('2008-01-02');
    expect(r.ordersTotal).toBeGreaterThan(10);
    expect(r.orders.filter((o) => o.verdict !== 'same' && o.verdict !== 'within one share')).toEqual([]);
    expect(Math.abs(r.finalEquityGap!)).toBeLessThan(0.001);
    expect(r.correlation!).toBeGreaterThan(0.999);
    // A run's SELLs (queued after the close) and its BUYs (sent after the open) fill at that open,
    // as the backtest's fill 'open' does: the shortfall vs the open is the slippage, for every fill.
    expect(r.fills.length).toBeGreaterThan(0);
    for (const f of r.fills) expect(f.vsOpenBps).toBeCloseTo(5, 6);
    expect(r.divergentDays.every((d) => d.reasons.length > 0)).toBe(true);
  });

  it('atlas parity --report (through the parser) writes one self-contained page drawn by the shared chart module', async () => {
    const file = join(root, 'parity.html');
    const r = await atlasInProcess(['--data-dir', join(root, 'replay'), 'parity', '--report', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { ordersMatched: number; ordersTotal: number; from: string; notes: string[] };
    expect(json.ordersMatched).toBe(json.ordersTotal);
    expect(json.from).toBe('2008-01-02');
    expect(json.notes).toContain('the account started on 2007-12-14 and first rebalanced on 2008-01-02 (a deployed account invests at its first scheduled rebalance, a backtest on its first session): the comparison starts on 2008-01-02');
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('data-atlas-chart="parity-spec"');
    expect(html).toContain(CHART_RUNTIME);
    expect(html).toContain('Account equity / backtest equity - 1');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain("every order of the account is the backtest's, share for share");
  });

  it('delivers the regime changes, queued rebalances and fills to the webhook, Telegram and SMTP; a channel answering 500 delays nothing', () => {
    const kinds = emitted.filter((e) => ['regime_change', 'rebalance_queued', 'fills'].includes(e.kind));
    expect(kinds.some((e) => e.kind === 'regime_change')).toBe(true);
    expect(kinds.some((e) => e.kind === 'rebalance_queued')).toBe(true);
    expect(hook.received).toHaveLength(kinds.length);
    expect(tg.messages).toHaveLength(kinds.length);
    expect(smtp.messages).toHaveLength(kinds.length);
    expect(tg.messages.some((m) => /Regime changed: \w+ -> \w+/.test(m.text))).toBe(true);
    expect(smtp.messages.some((m) => /REPLAY: rebalance queued/.test(m.subject))).toBe(true);
    for (const m of [...tg.messages.map((x) => x.text), ...smtp.messages.map((x) => x.raw)]) expect(m).not.toContain(smtp.password);
    expect(status.find((s) => s.name === 'broken')!.failed).toBe(kinds.length);
    // Every queued rebalance was finished after the next open, whatever the broken channel did.
    const db = openDatabase(join(root, 'replay'));
    try {
      const runs = new RunStore(db).list(1000);
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((r) => r.status === 'completed')).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('stale data', () => {
  it('a sync that fails on the rebalance session trades nothing that session, alerts, and catches up the next', async () => {
    const source = demoSource(join(root, 'source'));
    const strategy = writeReplayStrategy(root);
    const alerts: AlertEvent[] = [];
    const dir = join(root, 'stale');
    await runReplay({ sourceDir: source, replayDir: dir, strategyFile: strategy, from: '2008-01-28', to: '2008-02-06', failSyncOn: ['2008-02-01'], alert: (e) => alerts.push(e) });
    expect(alerts.filter((a) => a.kind === 'data_failure').map((a) => a.title)).toEqual(['Data sync failed for 2008-02-01']);
    expect(alerts.filter((a) => a.kind === 'stale_data').map((a) => a.title)).toEqual(['No trading on 2008-02-01: the data is not current']);
    expect(alerts.filter((a) => a.kind === 'catch_up').map((a) => a.title)).toEqual(['REPLAY: missed rebalance runs now']);
    const db = openDatabase(dir);
    try {
      // The rebalance was decided once, after the next close with current data (and no run traded on the stale day).
      expect(new DecisionStore(db).list('REPLAY').map((d) => [d.session, d.kind])).toEqual([['2008-02-04', 'scan']]);
      expect(new RunStore(db).list(100).map((r) => r.tradeDate)).not.toContain('2008-02-01');
    } finally {
      db.close();
    }
  }, 300_000);
});

describe('catch-up with the real steps', () => {
  it('a daemon stopped over a scheduled rebalance and started two sessions later runs it once, with a note and an alert', async () => {
    const source = demoSource(join(root, 'source'));
    const strategy = writeReplayStrategy(root);
    const alerts: AlertEvent[] = [];
    const notes: string[] = [];
    const dir = join(root, 'catch-up');
    // Down from before the close of 2007-06-01 (the monthly rebalance) until the after-close job of
    // 2007-06-05 (16:30 New York = 20:30Z), two sessions later.
    const down = { from: new Date('2007-06-01T19:00:00Z'), until: new Date('2007-06-05T20:30:00Z') };
    const result = await runReplay({ sourceDir: source, replayDir: dir, strategyFile: strategy, from: '2007-05-21', to: '2007-06-08', down, alert: (e) => alerts.push(e), note: (t) => notes.push(t) });
    expect(result.stopped).toBe(false);
    expect(alerts.filter((a) => a.kind === 'catch_up').map((a) => a.title)).toEqual(['Catching up 5 missed jobs', 'REPLAY: missed rebalance runs now']);
    expect(notes.filter((n) => /the rebalance scheduled for 2007-06-01 was missed; it runs now, once/.test(n))).toHaveLength(1);
    const db = openDatabase(dir);
    try {
      // Decided once, after the close the daemon came back on; its run traded once, at the next open.
      expect(new DecisionStore(db).list('REPLAY').filter((d) => d.kind === 'scan').map((d) => d.session)).toEqual(['2007-06-05']);
      const runs = new RunStore(db).list(100).filter((r) => r.tradeDate <= '2007-06-05');
      expect(runs.map((r) => [r.tradeDate, r.status])).toEqual([['2007-06-05', 'completed']]);
      const orders = runs.flatMap((r) => new RunStore(db).orders(r.runId));
      expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
      expect(orders.every((o) => o.state === 'filled')).toBe(true);
      // Every session has exactly one snapshot, the missed ones included.
      const snaps = new SnapshotStore(db).between('paper', 'REPLAY', '2007-05-21', '2007-06-08');
      expect(snaps.map((s) => s.session)).toEqual(sessionsBetween('2007-05-21', '2007-06-08'));
    } finally {
      db.close();
    }
    expect(verifyExecutionLog(dir).ok).toBe(true);
  }, 300_000);
});

describe.skipIf(!realDataDir())('replay parity on real data (ATLAS_REAL_DATA), two months; two years run in npm run chaos', () => {
  it('2020-02-03 .. 2020-03-31 (the crash): the same orders as the backtest, final equity within 0.1%', async () => {
    const source = realSource(join(root, 'real-source'));
    const dir = mkdtempSync(join(root, 'real-'));
    const strategy = writeReplayStrategy(dir, PARITY_SETTINGS);
    const t0 = performance.now();
    const result = await runReplay({ sourceDir: source, replayDir: join(dir, 'replay'), strategyFile: strategy, from: '2020-02-03', to: '2020-03-31' });
    const seconds = (performance.now() - t0) / 1000;
    expect(result.accounts[0].filled).toBe(result.accounts[0].orders);
    const r = parityOf(join(dir, 'replay'), strategy);
    console.log(parityLine('real 2020-02-03..2020-03-31', r, seconds));
    expect(r.ordersTotal).toBeGreaterThan(5);
    expect(r.orders.filter((o) => o.verdict !== 'same' && o.verdict !== 'within one share')).toEqual([]);
    expect(Math.abs(r.finalEquityGap!)).toBeLessThan(0.001);
  }, 300_000);
});
if (!realDataDir()) describe('replay parity on real data', () => it.skip(REAL_DATA_SKIP_MESSAGE, () => {}));
