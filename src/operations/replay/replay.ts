/**
 * @module `atlas replay`: the real daemon (the same Daemon, steps, rebalance orchestrator and
 * embedded paper broker as `atlas run`) on a simulated clock, over a stretch of stored history.
 * A fresh replay directory gets the source store's history up to the session before `from`;
 * then, job by job, the clock jumps to the job's time and the daemon does what is due. After each
 * close the sync step copies that session's bars from the source (they "arrive"); the paper
 * broker prices fills from the source store, so an order queued after a close fills at the next
 * open once the clock has passed it. The replay directory is an ordinary data directory: it can
 * be killed at any point and run again, and it continues where the ledger says it stopped.
 *
 * Prices (docs/operations.md, "Replay parity"): by default the replay trades the source's history
 * restated in adjusted prices (adjustedMarket.ts), the price space of the backtest, and the paper
 * broker fills a market order sent during a session at the price of the strategy's fill model
 * (its open for fill 'open'), so a run's SELLs and its re-sized BUYs fill at the same open as the
 * backtest's. `prices: 'raw'` replays the prices as traded instead (no dividends or splits booked).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMarketOpenAt, isTradingDay, nyDateOf, previousSession, sessionOnOrAfter, sessionTimes } from '../../calendar/nyse.js';
import type { AtlasEnv } from '../../config/env.js';
import { ManualClock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import { BarStore } from '../../data/store/barStore.js';
import { openDatabase } from '../../data/store/database.js';
import type { Broker } from '../../execution/brokers/broker.js';
import { createBroker } from '../../execution/brokers/factory.js';
import type { AlertEvent } from '../alerts/types.js';
import { loadDeployments, type Deployment } from '../config.js';
import { Daemon, type JobReport } from '../daemon/daemon.js';
import { ensureAdjustedMarket } from './adjustedMarket.js';
import { StoreProvider } from './sourceProvider.js';
import { JobLedger } from '../daemon/jobLedger.js';
import { createRealSteps } from '../daemon/steps.js';
import { DEFAULT_SCHEDULE, jobsBetween, type DeployedAccount, type Job, type ScheduleSettings } from '../schedule/jobs.js';

export const REPLAY_MARKER = 'replay.json';
export const REPLAY_ACCOUNT = 'REPLAY';

export interface ReplayOptions {
  sourceDir: string;
  replayDir: string;
  strategyFile: string;
  from: string;
  to: string;
  schedule?: ScheduleSettings;
  initialCash?: number;
  /**
   * The downtime drill: the daemon is not running from `from` up to (not including) `until`; the
   * jobs of that stretch are not run at their time, and the first job after it catches them up.
   */
  down?: { from: Date; until: Date };
  /** Sessions whose sync fails (the stale-data drill). */
  failSyncOn?: readonly string[];
  alert?: (e: AlertEvent) => void;
  note?: (text: string) => void;
  onJob?: (done: number, total: number, job: Job, report: JobReport[]) => void;
  /** Checked between jobs (SIGTERM). */
  shouldStop?: () => boolean;
  /** 'adjusted' (default): the backtest's price space, so replay and backtest trade the same shares; 'raw': as traded. */
  prices?: ReplayPrices;
}

export type ReplayPrices = 'adjusted' | 'raw';

export interface ReplayAccountResult {
  account: string;
  finalEquity: number | null;
  snapshots: number;
  orders: number;
  filled: number;
}

export interface ReplayResult {
  replayDir: string;
  from: string;
  to: string;
  jobs: number;
  jobsRun: number;
  stopped: boolean;
  accounts: ReplayAccountResult[];
}

export interface ReplayMarker {
  source: string;
  strategyFile: string;
  strategyHash: string;
  from: string;
  to: string;
  /** Absent in replays written before the choice existed: they were raw. */
  prices?: ReplayPrices;
}

/** The strategy's accounts, all on the embedded paper broker (REPLAY when it names none). */
function replayDeployment(strategyFile: string): Deployment {
  const [d] = loadDeployments([strategyFile]);
  const accounts: DeployedAccount[] = (d.accounts.length > 0 ? d.accounts : [{ account: REPLAY_ACCOUNT, broker: 'paper', rebalance: d.strategy.strategy.rebalance, regimeMode: d.strategy.strategy.regime.mode, strategyName: d.strategy.strategy.name }]).map((a) => ({ ...a, broker: 'paper' }));
  return { strategy: d.strategy, accounts };
}

function seed(source: BarStore, target: BarStore, symbols: readonly string[], until: string): void {
  for (const s of symbols) {
    if (!source.hasSymbol(s)) continue;
    const bars = source.getBars(s, undefined, until);
    if (bars.length === 0) continue;
    target.replaceBars(s, 'replay', bars, source.getActions(s).filter((a) => a.date <= until));
  }
}

export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const from = sessionOnOrAfter(opts.from);
  if (!isTradingDay(from) || from > opts.to) throw new AtlasError(`The replay needs at least one session between ${opts.from} and ${opts.to}; widen the dates.`, { code: 'BAD_FLAG' });
  const replayDir = resolve(opts.replayDir);
  if (resolve(opts.sourceDir) === replayDir) throw new AtlasError('The replay directory must differ from the source data directory; pass --replay-dir.', { code: 'BAD_FLAG' });
  mkdirSync(replayDir, { recursive: true });
  const deployment = replayDeployment(opts.strategyFile);
  const schedule = opts.schedule ?? DEFAULT_SCHEDULE;
  const markerPath = join(replayDir, REPLAY_MARKER);
  const prices = opts.prices ?? 'adjusted';
  const marker: ReplayMarker = { source: resolve(opts.sourceDir), strategyFile: resolve(opts.strategyFile), strategyHash: deployment.strategy.hash, from, to: opts.to, prices };
  if (existsSync(markerPath)) {
    const old = JSON.parse(readFileSync(markerPath, 'utf8')) as ReplayMarker;
    if (old.strategyHash !== marker.strategyHash || old.from !== marker.from || old.source !== marker.source || (old.prices ?? 'raw') !== prices) {
      throw new AtlasError(`${replayDir} holds a replay of another strategy, start date or source; pass a new --replay-dir (or delete that one).`, { code: 'REPLAY_MISMATCH' });
    }
  }

  let sourceDb = openDatabase(opts.sourceDir, { readonly: true });
  const db = openDatabase(replayDir);
  const jobs = jobsBetween(sessionTimes(from).close, new Date(sessionTimes(opts.to).close.getTime() + 86_400_000), deployment.accounts, schedule).filter((j) => j.session <= opts.to && !(j.kind === 'after_open' && j.session === from));
  const clock = new ManualClock(jobs[0]?.at ?? sessionTimes(from).close);
  try {
    const bars = new BarStore(db, () => clock.now());
    const probe = createRealSteps({ dataDir: replayDir, db, bars, clock, deployments: [deployment], provider: null, brokerFor: () => { throw new Error('unused'); } });
    if (prices === 'adjusted') {
      const market = ensureAdjustedMarket(new BarStore(sourceDb, () => clock.now()), replayDir, probe.symbols(), opts.to, clock);
      sourceDb.close();
      sourceDb = openDatabase(market, { readonly: true });
    }
    const source = new BarStore(sourceDb, () => clock.now());
    const provider = new StoreProvider(source, new Set(opts.failSyncOn ?? []));
    if (!existsSync(markerPath)) {
      seed(source, bars, probe.symbols(), previousSession(from));
      const tmp = `${markerPath}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`);
      renameSync(tmp, markerPath);
    }
    const s = deployment.strategy.strategy;
    const brokers = new Map<string, Broker>();
    const brokerFor = (a: DeployedAccount): Broker => {
      let b = brokers.get(a.account);
      if (!b) {
        b = createBroker({ kind: 'paper', account: a.account, db, bars: source, env: {} as AtlasEnv, clock, paper: { slippageBps: s.costs.slippageBps, initialCash: opts.initialCash ?? 100_000, allowFractional: !s.wholeShares, sessionOrderFill: s.fill } });
        brokers.set(a.account, b);
      }
      return b;
    };
    // The price of the moment, as the paper broker trades it: during a session whose bar the
    // market holds, the price the strategy's fill model fills at (its open for fill 'open').
    const lastPrice = (symbol: string): number | undefined => {
      const now = clock.now();
      const b = source.lastBarOnOrBefore(symbol, nyDateOf(now));
      if (!b) return undefined;
      if (b.date === nyDateOf(now) && !isMarketOpenAt(now) && now < sessionTimes(b.date).open) return source.lastBarOnOrBefore(symbol, previousSession(b.date))?.close;
      return b.date === nyDateOf(now) && isMarketOpenAt(now) && s.fill === 'open' ? b.open : b.close;
    };
    const steps = createRealSteps({ dataDir: replayDir, db, bars, clock, deployments: [deployment], provider, brokerFor, note: opts.note, fillTimeoutMs: 300_000, pollMs: 1_000, lastPrice });
    const ledger = new JobLedger(db);
    const daemon = new Daemon({ clock, ledger, accounts: deployment.accounts, schedule, steps, alert: opts.alert, note: opts.note });
    let jobsRun = 0;
    let stopped = false;
    for (let i = 0; i < jobs.length; i++) {
      if (opts.shouldStop?.()) {
        stopped = true;
        break;
      }
      const job = jobs[i];
      if (ledger.get(job.id)?.status === 'done') continue;
      if (opts.down && job.at >= opts.down.from && job.at < opts.down.until) continue;
      clock.set(job.at);
      const reports = await daemon.runDue(job.at);
      jobsRun += reports.filter((r) => r.claim !== 'new' || r.status === 'done').length;
      opts.onJob?.(i + 1, jobs.length, job, reports);
    }
    const accounts = deployment.accounts.map((a): ReplayAccountResult => {
      const snaps = steps.snapshots.between(a.broker, a.account, from, opts.to);
      const last = snaps.filter((x) => x.source !== 'missing').at(-1);
      const orders = steps.runs.list(100_000).filter((r) => r.account === a.account).flatMap((r) => steps.runs.orders(r.runId));
      return { account: a.account, finalEquity: last ? last.equity : null, snapshots: snaps.length, orders: orders.filter((o) => o.state !== 'skipped').length, filled: orders.filter((o) => o.state === 'filled').length };
    });
    return { replayDir, from, to: opts.to, jobs: jobs.length, jobsRun, stopped, accounts };
  } finally {
    db.close();
    sourceDb.close();
  }
}
