/**
 * @module The daemon's ledger: which jobs were done, and which rebalances were carried out for
 * which scheduled session. A job is begun by inserting its id; a job found 'running' on start was
 * cut short by a crash and is run again (every step is idempotent: snapshots are write-once,
 * rebalance runs resume by run id, syncs fetch only what is missing). A done job is never redone.
 */
import type Database from 'better-sqlite3';

export { DAEMON_SCHEMA } from '../../data/store/operationsSchema.js';

export type JobStatus = 'running' | 'done' | 'failed';

export interface JobRecord {
  jobId: string;
  kind: string;
  session: string;
  status: JobStatus;
  startedAt: string;
  finishedAt: string | null;
  note: string | null;
}

interface JobRow {
  job_id: string;
  kind: string;
  session: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  note: string | null;
}

const toJob = (r: JobRow): JobRecord => ({ jobId: r.job_id, kind: r.kind, session: r.session, status: r.status as JobStatus, startedAt: r.started_at, finishedAt: r.finished_at, note: r.note });

export class JobLedger {
  private readonly getJob: Database.Statement;
  private readonly insertJob: Database.Statement;
  private readonly restartJob: Database.Statement;
  private readonly endJob: Database.Statement;
  private readonly lastDone: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly getRebalance: Database.Statement;
  private readonly insertRebalance: Database.Statement;

  constructor(readonly db: Database.Database) {
    this.getJob = db.prepare('SELECT * FROM daemon_jobs WHERE job_id = ?');
    this.insertJob = db.prepare("INSERT INTO daemon_jobs (job_id, kind, session, status, started_at) VALUES (?, ?, ?, 'running', ?)");
    this.restartJob = db.prepare("UPDATE daemon_jobs SET status = 'running', started_at = ?, finished_at = NULL WHERE job_id = ?");
    this.endJob = db.prepare('UPDATE daemon_jobs SET status = ?, finished_at = ?, note = ? WHERE job_id = ?');
    this.lastDone = db.prepare("SELECT * FROM daemon_jobs WHERE status = 'done' ORDER BY session DESC, kind DESC LIMIT 1");
    this.recent = db.prepare('SELECT * FROM daemon_jobs ORDER BY started_at DESC LIMIT ?');
    this.getRebalance = db.prepare('SELECT * FROM daemon_rebalances WHERE account = ? AND scheduled = ?');
    this.insertRebalance = db.prepare('INSERT OR IGNORE INTO daemon_rebalances (account, scheduled, carried_out, run_id, outcome, note) VALUES (?, ?, ?, ?, ?, ?)');
  }

  get(jobId: string): JobRecord | undefined {
    const r = this.getJob.get(jobId) as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  /**
   * Claims a job: 'new' (first time), 'retry' (it was running when the process died, or failed),
   * or 'done' (nothing to do).
   */
  begin(jobId: string, kind: string, session: string, at: Date): 'new' | 'retry' | 'done' {
    return this.db
      .transaction((): 'new' | 'retry' | 'done' => {
        const cur = this.get(jobId);
        if (!cur) {
          this.insertJob.run(jobId, kind, session, at.toISOString());
          return 'new';
        }
        if (cur.status === 'done') return 'done';
        this.restartJob.run(at.toISOString(), jobId);
        return 'retry';
      })
      .immediate();
  }

  finish(jobId: string, status: Exclude<JobStatus, 'running'>, at: Date, note: string | null = null): void {
    this.endJob.run(status, at.toISOString(), note, jobId);
  }

  lastDoneJob(): JobRecord | undefined {
    const r = this.lastDone.get() as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  recentJobs(limit = 20): JobRecord[] {
    return (this.recent.all(limit) as JobRow[]).map(toJob);
  }

  rebalanceDone(account: string, scheduled: string): { carriedOut: string; runId: string | null; outcome: string } | undefined {
    const r = this.getRebalance.get(account, scheduled) as { carried_out: string; run_id: string | null; outcome: string } | undefined;
    return r ? { carriedOut: r.carried_out, runId: r.run_id, outcome: r.outcome } : undefined;
  }

  /** Records that the rebalance scheduled for `scheduled` was carried out (once; a second record is ignored). */
  recordRebalance(account: string, scheduled: string, carriedOut: string, runId: string | null, outcome: string, note: string | null = null): boolean {
    return this.insertRebalance.run(account, scheduled, carriedOut, runId, outcome, note).changes === 1;
  }
}
