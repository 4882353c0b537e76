/**
 * @module What the dashboard reads, over one read-only connection to the store (WAL lets it read
 * while `atlas run` writes), with every statement prepared once (the dashboard runs for days; on
 * Node 24 statements are kept for the process lifetime, see node24Workaround.ts). Results that
 * cost more than a query (the regime history, the data check, the audit verification) are cached
 * until the store or the files they come from change.
 */
import type Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BarStore } from '../data/store/barStore.js';
import { openDatabase } from '../data/store/database.js';
import { ResearchStore } from '../backtest/report/researchStore.js';
import { executionLogFiles, readExecutionLog, verifyExecutionLog, type ExecutionLogRecord, type VerifyReport } from '../execution/audit/executionLog.js';
import { ALERT_JOURNAL_FILE } from '../operations/alerts/journal.js';
import { SnapshotStore } from '../operations/snapshots/snapshotStore.js';

import type { RunOrderRow, RunRow } from '../execution/rebalance/runStore.js';

export type { RunRow };

/** The run_orders columns the Runs page reads (the run store's row, without the run id and broker status). */
export type OrderRow = Omit<RunOrderRow, 'run_id' | 'broker_status'>;

export interface EventRow {
  id: number;
  client_order_id: string;
  kind: string;
  from_state: string | null;
  to_state: string;
  at: string;
}

/** What changed since the last look, cheaply: a snapshot, a run or order event, an alert. */
export interface ChangeSignature {
  dataVersion: number;
  snapshots: string;
  runEvents: string;
  alerts: string;
}

export class DashboardData {
  readonly db: Database.Database;
  readonly bars: BarStore;
  readonly snapshots: SnapshotStore;
  readonly research: ResearchStore;
  private readonly q: Record<'dataVersion' | 'equity' | 'accountSig' | 'snapshotSig' | 'eventSig' | 'runs' | 'run' | 'orders' | 'events' | 'jobs', Database.Statement>;
  private readonly cache = new Map<string, { key: string; value: unknown }>();

  constructor(readonly dataDir: string) {
    // Create or migrate the store the way every command does, then read through a read-only connection.
    openDatabase(dataDir).close();
    this.db = openDatabase(dataDir, { readonly: true });
    this.bars = new BarStore(this.db);
    this.snapshots = new SnapshotStore(this.db);
    this.research = new ResearchStore(this.db);
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      dataVersion: p('PRAGMA data_version'),
      equity: p('SELECT session, equity, exposure, regime FROM account_snapshots WHERE broker = ? AND account = ? ORDER BY session'),
      accountSig: p('SELECT COUNT(*) AS n, MAX(session) AS s, MAX(taken_at) AS t FROM account_snapshots WHERE broker = ? AND account = ?'),
      snapshotSig: p('SELECT COUNT(*) AS n, MAX(taken_at) AS t FROM account_snapshots'),
      eventSig: p("SELECT (SELECT COALESCE(MAX(id), 0) FROM run_order_events) AS e, (SELECT COALESCE(MAX(updated_at), '') FROM runs) AS r"),
      runs: p('SELECT * FROM runs ORDER BY created_at DESC, run_id DESC LIMIT ?'),
      run: p('SELECT * FROM runs WHERE run_id = ?'),
      orders: p('SELECT * FROM run_orders WHERE run_id = ? ORDER BY seq'),
      events: p('SELECT id, client_order_id, kind, from_state, to_state, at FROM run_order_events WHERE run_id = ? ORDER BY id'),
      jobs: p('SELECT job_id, kind, session, status, started_at, finished_at, note FROM daemon_jobs ORDER BY started_at DESC LIMIT ?'),
    };
  }

  dataVersion(): number {
    return (this.q.dataVersion.get() as { data_version: number }).data_version;
  }

  signature(): ChangeSignature {
    const s = this.q.snapshotSig.get() as { n: number; t: string | null };
    const e = this.q.eventSig.get() as { e: number; r: string };
    const alertPath = join(this.dataDir, ALERT_JOURNAL_FILE);
    const alerts = existsSync(alertPath) ? String(statSync(alertPath).size) : '0';
    return { dataVersion: this.dataVersion(), snapshots: `${s.n}:${s.t ?? ''}`, runEvents: `${e.e}:${e.r}`, alerts };
  }

  /** An account's daily equity, exposure and regime, from the indexed columns (no JSON parsing). */
  equitySeries(broker: string, account: string): { session: string; equity: number | null; exposure: number | null; regime: string | null }[] {
    return this.q.equity.all(broker, account) as never;
  }

  /** What changes when one of the account's snapshots is written (a range of the covering index, no JSON read). */
  accountSignature(broker: string, account: string): string {
    const r = this.q.accountSig.get(broker, account) as { n: number; s: string | null; t: string | null };
    return `${r.n}:${r.s ?? ''}:${r.t ?? ''}`;
  }

  runs(limit = 100): RunRow[] {
    return this.q.runs.all(limit) as RunRow[];
  }

  run(runId: string): RunRow | undefined {
    return this.q.run.get(runId) as RunRow | undefined;
  }

  orders(runId: string): OrderRow[] {
    return this.q.orders.all(runId) as OrderRow[];
  }

  events(runId: string): EventRow[] {
    return this.q.events.all(runId) as EventRow[];
  }

  jobs(limit = 10): { job_id: string; kind: string; session: string; status: string; started_at: string; finished_at: string | null; note: string | null }[] {
    return this.q.jobs.all(limit) as never;
  }

  /** The audit trail's hash-chain check, redone only when an audit file changed. */
  audit(): VerifyReport {
    return this.cached('audit', this.auditKey(), () => verifyExecutionLog(this.dataDir));
  }

  /** One run's audit records (its pre-flight checks, gate verdicts, planned orders and fills), reread when an audit file changed. */
  runLog(runId: string): ExecutionLogRecord[] {
    return this.cached('runLog', `${runId}|${this.auditKey()}`, () => readExecutionLog(this.dataDir, { runId }));
  }

  private auditKey(): string {
    return executionLogFiles(this.dataDir).map((f) => {
      const st = statSync(f);
      return `${f}:${st.size}:${st.mtimeMs}`;
    }).join('|');
  }

  /** A value computed from the store, recomputed when the store changed (PRAGMA data_version). */
  fromStore<T>(name: string, compute: () => T): T {
    return this.cached(name, String(this.dataVersion()), compute);
  }

  /** A value kept until `key` changes (one slot per name). */
  cached<T>(name: string, key: string, compute: () => T): T {
    const hit = this.cache.get(name);
    if (hit && hit.key === key) return hit.value as T;
    const value = compute();
    this.cache.set(name, { key, value });
    return value;
  }

  close(): void {
    this.db.close();
  }
}
