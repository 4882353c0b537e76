/**
 * @module The daemon's timetable, as a pure function of the NYSE calendar and the deployed
 * strategies: after every close (plus a delay; early closes respected) the data job, and on the
 * session after a possible rebalance the after-open job. Every job has a stable id
 * (`kind:session`), which is how `atlas run` decides each one exactly once, including on catch-up.
 */
import { isTradingDay, nextSession, nyDateOf, sessionOnOrAfter, sessionTimes } from '../../calendar/nyse.js';
import { isRebalanceSession, type RebalanceFrequency } from '../../calendar/rebalanceSchedule.js';

export interface DeployedAccount {
  account: string;
  broker: string;
  rebalance: RebalanceFrequency;
  regimeMode: 'off' | 'rebalance' | 'daily';
  strategyName: string;
}

export interface ScheduleSettings {
  /** Minutes after the close before the data job starts (providers publish the day's bar late). */
  afterCloseDelayMinutes: number;
  /** Minutes after the open before queued orders are checked and BUYs sent. */
  afterOpenDelayMinutes: number;
}

export const DEFAULT_SCHEDULE: ScheduleSettings = { afterCloseDelayMinutes: 30, afterOpenDelayMinutes: 5 };

export type JobKind = 'after_close' | 'after_open';

export interface Job {
  /** Stable identity: `after_close:2024-02-01`. */
  id: string;
  kind: JobKind;
  /** The NYSE session the job belongs to. */
  session: string;
  at: Date;
  /** Accounts with a scheduled rebalance decided in this job (after_close only). */
  rebalances: string[];
  /** Accounts in daily regime mode, which rebalance here when their allocation changed. */
  dailyChecks: string[];
  /** What the job does, in words, for `atlas schedule`. */
  tasks: string[];
}

export function jobId(kind: JobKind, session: string): string {
  return `${kind}:${session}`;
}

export function afterCloseJob(session: string, accounts: readonly DeployedAccount[], s: ScheduleSettings): Job {
  const at = new Date(sessionTimes(session).close.getTime() + s.afterCloseDelayMinutes * 60_000);
  const rebalances = accounts.filter((a) => isRebalanceSession(session, a.rebalance)).map((a) => a.account);
  const dailyChecks = accounts.filter((a) => a.regimeMode === 'daily' && !rebalances.includes(a.account)).map((a) => a.account);
  const tasks = ['sync data', 'check data', 'compute the regime', ...accounts.map((a) => `snapshot ${a.account}`)];
  for (const a of rebalances) tasks.push(`rebalance ${a} (scheduled): plan and queue for the open`);
  for (const a of dailyChecks) tasks.push(`rebalance ${a} if the regime's allocation changed (daily mode)`);
  return { id: jobId('after_close', session), kind: 'after_close', session, at, rebalances, dailyChecks, tasks };
}

export function afterOpenJob(session: string, s: ScheduleSettings): Job {
  const at = new Date(sessionTimes(session).open.getTime() + s.afterOpenDelayMinutes * 60_000);
  return {
    id: jobId('after_open', session),
    kind: 'after_open',
    session,
    at,
    rebalances: [],
    dailyChecks: [],
    tasks: ['resume queued rebalances: wait for the SELL fills, re-size and send the BUYs', 'report what filled'],
  };
}

/**
 * Jobs with `from <= at < to`, in time order. With any account deployed, every session has an
 * after-open job: a rebalance can be queued on any session (a scheduled one, a daily-mode change,
 * or one caught up after downtime or stale data), and the job finds nothing to do when nothing was.
 */
export function jobsBetween(from: Date, to: Date, accounts: readonly DeployedAccount[], s: ScheduleSettings = DEFAULT_SCHEDULE): Job[] {
  const out: Job[] = [];
  if (!(from.getTime() < to.getTime())) return out;
  // Start one session early: the after-open job of the first day belongs to the session before it.
  let session = sessionOnOrAfter(nyDateOf(new Date(from.getTime() - 4 * 86_400_000)));
  const end = nyDateOf(to);
  for (; session <= end; session = nextSession(session)) {
    if (!isTradingDay(session)) continue;
    const open = afterOpenJob(session, s);
    if (accounts.length > 0 && open.at >= from && open.at < to) out.push(open);
    const close = afterCloseJob(session, accounts, s);
    if (close.at >= from && close.at < to) out.push(close);
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The first job at or after `now`. */
export function nextJob(now: Date, accounts: readonly DeployedAccount[], s: ScheduleSettings = DEFAULT_SCHEDULE): Job {
  for (let days = 7; ; days *= 4) {
    const jobs = jobsBetween(now, new Date(now.getTime() + days * 86_400_000), accounts, s);
    if (jobs.length > 0) return jobs[0];
  }
}
