/**
 * @module The daemon: one loop over the timetable. Each due job is claimed in the ledger, its
 * steps run in order, and the job is marked done, so every job is decided exactly once, also
 * after a crash (a job found running is run again; its steps are idempotent) and after downtime
 * (missed jobs are caught up in order; a missed rebalance runs once at the next opportunity,
 * with a note and an alert). The steps themselves (sync, check, regime, snapshot, rebalance) are
 * injected: `atlas run` passes the real ones, `atlas replay` and the tests pass their own.
 */
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import { isRebalanceSession } from '../../calendar/rebalanceSchedule.js';
import { nextSession, sessionsBetween } from '../../calendar/nyse.js';
import type { AlertEvent, AlertKind, AlertSeverity } from '../alerts/types.js';
import { jobsBetween, nextJob, type DeployedAccount, type Job, type ScheduleSettings } from '../schedule/jobs.js';
import type { JobLedger } from './jobLedger.js';
import { prepared } from '../../data/store/statements.js';

export interface StepResult {
  ok: boolean;
  detail: string;
}

export type RebalanceReason = 'scheduled' | 'daily' | 'catch-up';

export interface RebalanceStepResult {
  /** The rebalance outcome (queued, completed, stopped, nothing_to_do, unchanged, refused ...). */
  outcome: string;
  runId: string | null;
  detail: string;
}

export interface ResumeStepResult {
  account: string;
  runId: string;
  outcome: string;
  detail: string;
}

/** What a job does, step by step. Every step must be safe to run twice for the same session. */
export interface DaemonSteps {
  syncData(session: string): Promise<StepResult>;
  /** Is the store complete up to `session` for every symbol the strategies need? */
  checkData(session: string): Promise<StepResult>;
  regime(session: string): Promise<{ regime: string; previous: string | null; reason: string } | null>;
  /** Writes the account's snapshot for the session (write-once); 'history' when caught up late. */
  snapshot(account: DeployedAccount, session: string, late: boolean): Promise<'written' | 'exists' | 'missing'>;
  rebalance(account: DeployedAccount, session: string, reason: RebalanceReason): Promise<RebalanceStepResult>;
  /** Finishes queued rebalances after the open: waits for SELL fills, sends BUYs, reports fills. */
  resumeQueued(session: string): Promise<ResumeStepResult[]>;
  dailySummary?(session: string): Promise<{ title: string; text: string } | null>;
}

export interface DaemonDeps {
  clock: Clock;
  ledger: JobLedger;
  accounts: readonly DeployedAccount[];
  schedule: ScheduleSettings;
  steps: DaemonSteps;
  alert?: (e: AlertEvent) => void;
  note?: (text: string) => void;
  /** Called between steps and while waiting (heartbeat file, lease renewal). */
  beat?: (state: string, next: Job | null) => void;
  /** How often `run` wakes to beat while waiting for the next job. */
  heartbeatMs?: number;
}

export interface JobReport {
  id: string;
  claim: 'new' | 'retry';
  late: boolean;
  notes: string[];
  traded: string[];
  status: 'done' | 'failed';
}

const FIRST_START_LOOKBACK_MS = 12 * 3600_000;

export class Daemon {
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(private readonly deps: DaemonDeps) {}

  /** Asks the loop to stop after the current step (SIGTERM). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  private alert(kind: AlertKind, severity: AlertSeverity, title: string, text: string, extra: Partial<AlertEvent> = {}): void {
    try {
      this.deps.alert?.({ kind, severity, title, text, at: this.deps.clock.now(), ...extra });
    } catch {
      // alerts never stop the daemon
    }
  }

  private note(text: string): void {
    this.deps.note?.(text);
  }

  /** Jobs due at `now` that the ledger has not done, oldest first (the catch-up set). */
  dueJobs(now: Date): Job[] {
    const last = this.deps.ledger.lastDoneJob();
    const since = last ? this.jobTime(last.jobId) : new Date(now.getTime() - FIRST_START_LOOKBACK_MS);
    const jobs = jobsBetween(new Date(since.getTime() + 1), new Date(now.getTime() + 1), this.deps.accounts, this.deps.schedule);
    return jobs.filter((j) => this.deps.ledger.get(j.id)?.status !== 'done');
  }

  private jobTime(id: string): Date {
    const [kind, session] = id.split(':') as ['after_close' | 'after_open', string];
    const day = jobsBetween(new Date(`${session}T00:00:00Z`), new Date(`${nextSession(session)}T23:59:59Z`), this.deps.accounts, this.deps.schedule);
    return day.find((j) => j.id === id)?.at ?? new Date(`${session}T${kind === 'after_open' ? '13:30' : '21:00'}:00Z`);
  }

  /** Does everything due at `now` (`atlas run --once`), in order, and returns what it did. */
  async runDue(now: Date = this.deps.clock.now()): Promise<JobReport[]> {
    const due = this.dueJobs(now);
    // Downtime is a missed close: an after-open job run late the same day is not worth an alert.
    if (due.filter((j) => j.kind === 'after_close').length > 1) {
      const list = due.map((j) => j.id).join(', ');
      this.note(`catching up ${due.length} jobs missed while the daemon was down: ${list}`);
      this.alert('catch_up', 'warning', `Catching up ${due.length} missed jobs`, `Missed while down: ${list}. Each runs once, in order; a missed rebalance runs once at the next opportunity.`);
    }
    const reports: JobReport[] = [];
    for (let i = 0; i < due.length && !this.stopping; i++) {
      const latestClose = !due.slice(i + 1).some((j) => j.kind === 'after_close');
      reports.push(await this.runJob(due[i], { late: i < due.length - 1, tradeNow: latestClose }));
    }
    return reports;
  }

  private async runJob(job: Job, opts: { late: boolean; tradeNow: boolean }): Promise<JobReport> {
    const { ledger, clock } = this.deps;
    const claim = ledger.begin(job.id, job.kind, job.session, clock.now());
    const report: JobReport = { id: job.id, claim: claim === 'done' ? 'new' : claim, late: opts.late, notes: [], traded: [], status: 'done' };
    if (claim === 'done') return report;
    if (claim === 'retry') report.notes.push('this job was cut short earlier (crash or stop): running it again; every step is idempotent');
    this.deps.beat?.(`${job.id}`, null);
    try {
      if (job.kind === 'after_close') await this.afterClose(job, opts, report);
      else await this.afterOpen(job, report);
      ledger.finish(job.id, 'done', clock.now(), report.notes.join(' | ') || null);
    } catch (err) {
      report.status = 'failed';
      const why = describeError(err);
      report.notes.push(`failed: ${why}`);
      ledger.finish(job.id, 'failed', clock.now(), report.notes.join(' | '));
      this.alert('daemon_crash', 'critical', `Job ${job.id} failed`, `${why}\nThe daemon goes on; the job is retried on the next start.`);
    }
    for (const n of report.notes) this.note(`${job.id}: ${n}`);
    return report;
  }

  private async afterClose(job: Job, opts: { late: boolean; tradeNow: boolean }, report: JobReport): Promise<void> {
    const { steps } = this.deps;
    const sync = await steps.syncData(job.session);
    if (!sync.ok) {
      report.notes.push(`data sync failed: ${sync.detail}`);
      this.alert('data_failure', 'warning', `Data sync failed for ${job.session}`, sync.detail);
    }
    const check = await steps.checkData(job.session);
    // Runs queued on an earlier session whose fills only the session's bars can tell (the paper
    // broker) are finished now, before the snapshot values the account.
    if (check.ok) this.reportResumes(await steps.resumeQueued(job.session), report);
    const regime = await steps.regime(job.session);
    if (regime && regime.previous !== null && regime.previous !== regime.regime) {
      this.alert('regime_change', 'warning', `Regime changed: ${regime.previous} -> ${regime.regime}`, regime.reason);
    }
    for (const a of this.deps.accounts) {
      if (this.stopping) return;
      const s = await steps.snapshot(a, job.session, opts.late);
      if (s === 'missing') report.notes.push(`snapshot of ${a.account} for ${job.session} is missing (the broker has no history for it)`);
    }
    if (!check.ok) {
      report.notes.push(`no trading for ${job.session}: ${check.detail}`);
      this.alert('stale_data', 'critical', `No trading on ${job.session}: the data is not current`, `${check.detail}\nRebalances due now run at the next session with current data.`);
      return;
    }
    if (!opts.tradeNow) return; // a later after-close job is also due: trading decisions belong to it
    for (const a of this.deps.accounts) {
      if (this.stopping) return;
      const pending = this.pendingRebalances(a, job.session);
      let reason: RebalanceReason | null = null;
      if (pending.length > 0) reason = pending[pending.length - 1] === job.session && pending.length === 1 ? 'scheduled' : 'catch-up';
      else if (a.regimeMode === 'daily') reason = 'daily';
      if (reason === null) continue;
      if (reason === 'catch-up') {
        const missed = pending.filter((p) => p !== job.session).join(', ');
        report.notes.push(`${a.account}: the rebalance scheduled for ${missed} was missed; it runs now, once`);
        this.alert('catch_up', 'warning', `${a.account}: missed rebalance runs now`, `Scheduled for ${missed}; carried out after the close of ${job.session}.`, { account: a.account });
      }
      const r = await steps.rebalance(a, job.session, reason);
      if (r.outcome === 'unchanged') continue;
      report.traded.push(`${a.account}:${r.outcome}`);
      report.notes.push(`${a.account}: rebalance (${reason}) ${r.outcome}${r.detail ? `: ${r.detail}` : ''}`);
      this.alertOutcome(a.account, r);
      // Only a rebalance that was carried out (or decided to need nothing) closes its periods.
      if (pending.length > 0 && !['stopped', 'refused', 'failed', 'stale'].includes(r.outcome)) {
        for (const p of pending) this.deps.ledger.recordRebalance(a.account, p, job.session, r.runId, r.outcome, reason === 'catch-up' ? 'caught up' : null);
      }
    }
    const summary = await steps.dailySummary?.(job.session);
    if (summary) this.alert('daily_summary', 'info', summary.title, summary.text);
  }

  private alertOutcome(account: string, r: RebalanceStepResult): void {
    const map: Record<string, [AlertKind, AlertSeverity]> = {
      queued: ['rebalance_queued', 'info'],
      completed: ['rebalance_completed', 'info'],
      completed_with_issues: ['rebalance_completed_with_issues', 'warning'],
      stopped: ['rebalance_stopped', 'critical'],
      refused: ['rebalance_stopped', 'critical'],
      failed: ['rebalance_stopped', 'critical'],
      dry_run: ['rebalance_planned', 'info'],
    };
    const m = map[r.outcome];
    if (m) this.alert(m[0], m[1], `${account}: rebalance ${r.outcome.replace(/_/g, ' ')}`, r.detail, { account, data: { runId: r.runId } });
  }

  private async afterOpen(job: Job, report: JobReport): Promise<void> {
    this.reportResumes(await this.deps.steps.resumeQueued(job.session), report);
  }

  private reportResumes(results: ResumeStepResult[], report: JobReport): void {
    for (const r of results) {
      report.traded.push(`${r.account}:${r.outcome}`);
      report.notes.push(`${r.account}: run ${r.runId} ${r.outcome}${r.detail ? `: ${r.detail}` : ''}`);
      this.alert('fills', r.outcome === 'completed' ? 'info' : 'warning', `${r.account}: ${r.outcome.replace(/_/g, ' ')} after the open`, r.detail, { account: r.account, data: { runId: r.runId } });
    }
  }

  /**
   * Scheduled rebalance sessions of this account up to `session` that no rebalance has closed
   * yet, counted from the last one carried out (or from the daemon's first job).
   */
  pendingRebalances(a: DeployedAccount, session: string): string[] {
    const db = this.deps.ledger.db;
    const last = (prepared(db, 'SELECT MAX(scheduled) AS s FROM daemon_rebalances WHERE account = ?').get(a.account) as { s: string | null }).s;
    const first = (prepared(db, 'SELECT MIN(session) AS s FROM daemon_jobs').get() as { s: string | null }).s ?? session;
    const from = last !== null && last >= first ? nextSession(last) : first;
    if (from > session) return [];
    return sessionsBetween(from, session).filter((d) => isRebalanceSession(d, a.rebalance) && this.deps.ledger.rebalanceDone(a.account, d) === undefined);
  }

  /** The next job after `now` (what `atlas status` and the heartbeat show). */
  nextJobAfter(now: Date): Job {
    return nextJob(new Date(now.getTime() + 1), this.deps.accounts, this.deps.schedule);
  }

  /** The long-running loop of `atlas run`: due jobs, then wait (beating) until the next one. */
  async run(): Promise<void> {
    const { clock } = this.deps;
    const every = this.deps.heartbeatMs ?? 30_000;
    this.alert('daemon_start', 'info', 'Atlas daemon started', `Accounts: ${this.deps.accounts.map((a) => a.account).join(', ') || 'none'}.`);
    while (!this.stopping) {
      await this.runDue(clock.now());
      if (this.stopping) break;
      const next = this.nextJobAfter(clock.now());
      this.deps.beat?.('idle', next);
      const wait = Math.max(0, next.at.getTime() - clock.now().getTime());
      await this.sleep(Math.min(wait, every));
    }
    this.deps.beat?.('stopped', null);
    this.alert('daemon_stop', 'info', 'Atlas daemon stopped', 'Stopped on request after finishing its current step.');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => resolve();
      void this.deps.clock.sleep(ms).then(() => resolve());
    }).finally(() => {
      this.wake = null;
    });
  }
}
