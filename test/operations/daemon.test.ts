import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/data/store/database.js';
import { Daemon, type DaemonSteps, type RebalanceReason } from '../../src/operations/daemon/daemon.js';
import { JobLedger } from '../../src/operations/daemon/jobLedger.js';
import type { AlertEvent } from '../../src/operations/alerts/types.js';
import { DEFAULT_SCHEDULE, type DeployedAccount } from '../../src/operations/schedule/jobs.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const LARGE: DeployedAccount = { account: 'LARGE', broker: 'paper', rebalance: 'monthly', regimeMode: 'rebalance', strategyName: 's' };

interface Calls {
  rebalances: { account: string; session: string; reason: RebalanceReason }[];
  snapshots: string[];
  syncs: string[];
}

function rig(opts: { staleOn?: string[]; accounts?: DeployedAccount[]; db?: ReturnType<typeof openDatabase> } = {}) {
  const db = opts.db ?? openDatabase(tmp());
  const ledger = new JobLedger(db);
  const clock = new ManualClock('2024-02-26T12:00:00Z');
  const calls: Calls = { rebalances: [], snapshots: [], syncs: [] };
  const alerts: AlertEvent[] = [];
  const written = new Set<string>();
  const steps: DaemonSteps = {
    syncData: (s) => {
      calls.syncs.push(s);
      return Promise.resolve({ ok: !(opts.staleOn ?? []).includes(s), detail: 'provider answered 500' });
    },
    checkData: (s) => Promise.resolve({ ok: !(opts.staleOn ?? []).includes(s), detail: `last bar is the session before ${s}` }),
    regime: () => Promise.resolve({ regime: 'TREND_BULL', previous: 'TREND_BULL', reason: 'SPY above trend' }),
    snapshot: (a, s) => {
      const key = `${a.account}:${s}`;
      calls.snapshots.push(key);
      if (written.has(key)) return Promise.resolve('exists' as const);
      written.add(key);
      return Promise.resolve('written' as const);
    },
    rebalance: (a, session, reason) => {
      calls.rebalances.push({ account: a.account, session, reason });
      return Promise.resolve({ outcome: 'queued', runId: `run-${session}`, detail: '3 orders queued for the open' });
    },
    resumeQueued: () => Promise.resolve([]),
  };
  const daemon = new Daemon({ clock, ledger, accounts: opts.accounts ?? [LARGE], schedule: DEFAULT_SCHEDULE, steps, alert: (e) => alerts.push(e) });
  return { db, ledger, clock, calls, alerts, daemon, steps };
}

const afterClose = (session: string) => new Date(`${session}T21:31:00Z`); // EST: close 21:00Z + 30 min

describe('the daemon loop', () => {
  it('runs each job once: the scheduled rebalance on the first session of the month, nothing twice', async () => {
    const r = rig();
    await r.daemon.runDue(afterClose('2024-02-29'));
    expect(r.calls.rebalances).toEqual([]);
    await r.daemon.runDue(afterClose('2024-03-01'));
    await r.daemon.runDue(afterClose('2024-03-01'));
    expect(r.calls.rebalances).toEqual([{ account: 'LARGE', session: '2024-03-01', reason: 'scheduled' }]);
    expect(r.calls.snapshots).toEqual(['LARGE:2024-02-29', 'LARGE:2024-03-01']);
    expect(r.alerts.map((a) => a.kind)).toEqual(['rebalance_queued']);
  });

  it('catch-up: stopped over a scheduled rebalance and started two sessions later, it runs it once, with a note and an alert', async () => {
    const r = rig();
    await r.daemon.runDue(afterClose('2024-02-28'));
    // down from 02-29 to 03-05 evening: missed 02-29, 03-01 (the rebalance), 03-04 and the after-opens
    const reports = await r.daemon.runDue(afterClose('2024-03-05'));
    expect(reports.map((x) => x.id)).toEqual([
      'after_open:2024-02-29', 'after_close:2024-02-29', 'after_open:2024-03-01', 'after_close:2024-03-01',
      'after_open:2024-03-04', 'after_close:2024-03-04', 'after_open:2024-03-05', 'after_close:2024-03-05',
    ]);
    expect(r.calls.rebalances).toEqual([{ account: 'LARGE', session: '2024-03-05', reason: 'catch-up' }]);
    expect(reports.at(-1)!.notes.join(' ')).toMatch(/the rebalance scheduled for 2024-03-01 was missed; it runs now, once/);
    expect(r.alerts.filter((a) => a.kind === 'catch_up').map((a) => a.title)).toEqual(['Catching up 8 missed jobs', 'LARGE: missed rebalance runs now']);
    // every missed session got its snapshot
    expect(r.calls.snapshots).toEqual(['LARGE:2024-02-28', 'LARGE:2024-02-29', 'LARGE:2024-03-01', 'LARGE:2024-03-04', 'LARGE:2024-03-05']);
    // restarted again the same evening: nothing more
    await r.daemon.runDue(afterClose('2024-03-05'));
    expect(r.calls.rebalances).toHaveLength(1);
    expect(r.ledger.rebalanceDone('LARGE', '2024-03-01')).toMatchObject({ carriedOut: '2024-03-05', outcome: 'queued' });
  });

  it('stale data: no trading that session, an alert, and the rebalance runs the next session with current data', async () => {
    const r = rig({ staleOn: ['2024-03-01'] });
    await r.daemon.runDue(afterClose('2024-02-29'));
    const bad = await r.daemon.runDue(afterClose('2024-03-01'));
    expect(r.calls.rebalances).toEqual([]);
    expect(bad.at(-1)!.notes.join(' ')).toMatch(/no trading for 2024-03-01: last bar is the session before 2024-03-01/);
    expect(r.alerts.map((a) => a.kind)).toEqual(['data_failure', 'stale_data']);
    await r.daemon.runDue(afterClose('2024-03-04'));
    expect(r.calls.rebalances).toEqual([{ account: 'LARGE', session: '2024-03-04', reason: 'catch-up' }]);
  });

  it('a job cut short by a crash is run again on restart; idempotent steps keep it single', async () => {
    const db = openDatabase(tmp());
    const first = rig({ db });
    first.ledger.begin('after_close:2024-03-01', 'after_close', '2024-03-01', new Date('2024-03-01T21:31:00Z'));
    // the process died here; a new daemon on the same store
    const second = rig({ db });
    const reports = await second.daemon.runDue(afterClose('2024-03-01'));
    expect(reports.map((x) => [x.id, x.claim])).toEqual([['after_open:2024-03-01', 'new'], ['after_close:2024-03-01', 'retry']]);
    expect(second.calls.rebalances).toHaveLength(1);
    expect(second.ledger.get('after_close:2024-03-01')!.status).toBe('done');
  });

  it('a failing step marks the job failed, alerts, and the job is retried next time', async () => {
    const r = rig();
    let fail = true;
    r.steps.regime = () => (fail ? Promise.reject(new Error('store is locked')) : Promise.resolve(null));
    const bad = await r.daemon.runDue(afterClose('2024-03-01'));
    expect(bad.find((x) => x.id === 'after_close:2024-03-01')!.status).toBe('failed');
    expect(r.alerts.at(-1)).toMatchObject({ kind: 'daemon_crash', title: 'Job after_close:2024-03-01 failed' });
    fail = false;
    const again = await r.daemon.runDue(afterClose('2024-03-01'));
    expect(again.filter((x) => x.id.startsWith('after_close')).map((x) => [x.id, x.claim, x.status])).toEqual([['after_close:2024-03-01', 'retry', 'done']]);
  });

  it('run() beats while idle and stops on request after its current step', async () => {
    const r = rig();
    r.clock.set(afterClose('2024-03-01'));
    const beats: string[] = [];
    const d = new Daemon({
      clock: r.clock, ledger: r.ledger, accounts: [LARGE], schedule: DEFAULT_SCHEDULE, steps: r.steps, heartbeatMs: 60_000,
      beat: (state, next) => {
        beats.push(`${state}${next ? ` -> ${next.id}` : ''}`);
        if (beats.length >= 3) d.stop();
      },
    });
    await d.run();
    expect(beats.slice(0, 3)).toEqual(['after_open:2024-03-01', 'after_close:2024-03-01', 'idle -> after_open:2024-03-04']);
    expect(beats.at(-1)).toBe('stopped');
  });
});
