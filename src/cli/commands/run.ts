/**
 * @module `atlas run`: the daemon for one data directory (its lease refuses a second one, naming
 * the holder). It carries out every deployed account's strategy on the NYSE timetable with the
 * real steps, sends alerts through the configured channels and keeps a heartbeat file for
 * `atlas status`. SIGTERM / SIGINT finish the current step, release the lease and exit 0.
 * `--once [--at TIMESTAMP]` does what is due at that moment and exits (cron, systemd timers).
 */
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ManualClock, type Clock } from '../../core/clock.js';
import { AtlasError, describeError } from '../../core/errors.js';
import { createProvider } from '../../data/providers/index.js';
import type { Broker } from '../../execution/brokers/broker.js';
import { createBroker, parseBrokerKind } from '../../execution/brokers/factory.js';
import { acquireDataDirLease } from '../../execution/lease/index.js';
import { createDispatcher, FileAlertJournal, secretEnvNames } from '../../operations/alerts/index.js';
import type { AlertEvent } from '../../operations/alerts/types.js';
import { loadDeployments, loadOperationsConfig, scheduleSettings } from '../../operations/config.js';
import { Daemon } from '../../operations/daemon/daemon.js';
import { writeHeartbeat } from '../../operations/daemon/heartbeat.js';
import { JobLedger } from '../../operations/daemon/jobLedger.js';
import { createRealSteps } from '../../operations/daemon/steps.js';
import type { DeployedAccount } from '../../operations/schedule/jobs.js';
import type { AppContext } from '../context.js';
import type { Cli } from '../main.js';
import { checkDateFlag } from '../dateFlags.js';
import { json } from '../output.js';
import { deployedStrategyFiles } from './schedule.js';

const HEARTBEAT_MS = 30_000;
const LEASE_TTL_MS = 120_000;

interface RunFlags {
  once?: boolean;
  at?: string;
  strategy?: string[];
  config?: string;
  json?: boolean;
}

function parseAt(raw: string): Date {
  const t = new Date(raw.trim());
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.trim()) || Number.isNaN(t.getTime())) {
    throw new AtlasError(`--at must be an ISO timestamp such as 2024-03-01T21:31:00Z, got "${raw.slice(0, 40)}".`, { code: 'BAD_FLAG' });
  }
  return t;
}

export function registerRunCommand(program: Command, cli: Cli): void {
  program
    .command('run')
    .description('run the daemon: sync, regime, snapshots, rebalances and alerts on the NYSE calendar')
    .option('--once', 'do what is due now (or at --at) and exit')
    .option('--at <timestamp>', 'with --once: the moment to act as of (ISO, e.g. 2024-03-01T21:31:00Z)')
    .option('--strategy <file...>', 'strategy files to deploy (default: the operations file, else ./atlas.strategy.json)')
    .option('--config <file>', 'operations file (default: <data dir>/atlas.operations.json)')
    .option('--json', 'with --once: print the jobs done as JSON')
    .addHelpText('after', `
Examples:
  $ atlas run                                   run until SIGTERM (systemd, Docker)
  $ atlas run --once                            cron: do what is due and exit
  $ atlas run --once --at 2024-03-01T21:31:00Z  rehearse one evening`)
    .action(async (flags: RunFlags) => {
      const ctx = cli.context();
      if (flags.at !== undefined && !flags.once) throw new AtlasError('--at only goes with --once.', { code: 'BAD_FLAG' });
      if (flags.at !== undefined) checkDateFlag(ctx.bars(), '--at', parseAt(flags.at).toISOString());
      const clock: Clock = flags.at !== undefined ? new ManualClock(parseAt(flags.at)) : ctx.clock;
      const ops = loadOperationsConfig(ctx.dataDir, flags.config);
      const deployments = loadDeployments(deployedStrategyFiles(flags.strategy, ops.run.strategies));
      const accounts = deployments.flatMap((d) => d.accounts);
      const env = process.env;
      const secretNames = secretEnvNames(ops.alerts);
      const secrets = () => [...ctx.secrets, ...secretNames.map((n) => env[n] ?? '').filter(Boolean)];
      const dispatcher = createDispatcher(ops.alerts, env, { clock: ctx.clock, journal: new FileAlertJournal(ctx.dataDir), secrets });
      const alert = (e: AlertEvent) => dispatcher.emit(e);
      const db = ctx.db();
      const holderId = `daemon-${randomUUID().slice(0, 8)}`;
      let lease;
      try {
        lease = acquireDataDirLease(db, { dataDir: ctx.dataDir, holderId, ttlMs: LEASE_TTL_MS, clock: ctx.clock }).lease;
      } catch (err) {
        alert({ kind: 'lease_conflict', severity: 'critical', title: 'A second daemon was refused', text: describeError(err), at: ctx.clock.now() });
        await dispatcher.flush();
        throw err;
      }
      const startedAt = ctx.clock.now().toISOString();
      try {
        const daemon = buildDaemon(ctx, { clock, deployments, accounts, ops, alert });
        let lastJob: { id: string; status: string; finishedAt: string | null } | null = null;
        const beat = (state: string, next: ReturnType<typeof daemon.peekNext> | null) => {
          try {
            lease.renew();
          } catch (err) {
            cli.io.note(`atlas: the data-directory lease was lost (${describeError(err)}); stopping.`);
            daemon.daemon.stop();
          }
          writeHeartbeat(ctx.dataDir, {
            pid: process.pid, host: hostname(), startedAt, beatAt: ctx.clock.now().toISOString(), intervalMs: HEARTBEAT_MS, state,
            nextJob: next ? { id: next.id, at: next.at.toISOString(), tasks: next.tasks } : null, lastJob,
          });
        };
        daemon.onBeat(beat, (j) => (lastJob = j));
        if (flags.once) {
          const reports = await daemon.daemon.runDue(clock.now());
          beat('stopped', daemon.peekNext());
          if (flags.json) cli.io.out(json(reports));
          else if (reports.length === 0) cli.io.out(`nothing due at ${clock.now().toISOString()}; next: ${daemon.peekNext().id} at ${daemon.peekNext().at.toISOString()}`);
          else for (const r of reports) cli.io.out(`${r.id} (${r.claim}${r.late ? ', late' : ''}): ${r.status}${r.notes.length ? `\n  ${r.notes.join('\n  ')}` : ''}`);
          if (reports.some((r) => r.status === 'failed')) cli.fail(1);
        } else {
          const stop = () => {
            cli.io.note('atlas: stopping after the current step ...');
            daemon.daemon.stop();
          };
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
          try {
            await daemon.daemon.run();
          } finally {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
          }
        }
      } finally {
        lease.release();
        await dispatcher.flush();
      }
    });
}

interface BuildInput {
  clock: Clock;
  deployments: ReturnType<typeof loadDeployments>;
  accounts: DeployedAccount[];
  ops: ReturnType<typeof loadOperationsConfig>;
  alert: (e: AlertEvent) => void;
}

/** The daemon of a data directory with the real steps, brokers and provider. */
export function buildDaemon(ctx: AppContext, i: BuildInput) {
  const brokers = new Map<string, Broker>();
  const brokerFor = (a: DeployedAccount): Broker => {
    const key = `${a.broker}:${a.account}`;
    let b = brokers.get(key);
    if (!b) brokers.set(key, (b = createBroker({ kind: parseBrokerKind(a.broker), account: a.account, db: ctx.db(), bars: ctx.bars(), env: ctx.env, clock: i.clock, secrets: ctx.secrets })));
    return b;
  };
  const provider = i.ops.run.syncProvider === 'none' ? null : createProvider(i.ops.run.syncProvider, ctx.env, { now: () => i.clock.now().getTime() });
  const steps = createRealSteps({
    dataDir: ctx.dataDir, db: ctx.db(), bars: ctx.bars(), clock: i.clock, deployments: i.deployments, provider, brokerFor, secrets: ctx.secrets,
    note: (t) => ctx.io.note(`note: ${t}`),
    // The paper broker fills from the session's bar, which arrives after the close.
    fillsKnowable: (a, session) => a.broker !== 'paper' || ctx.bars().getBars('SPY', session, session).length > 0,
  });
  const schedule = scheduleSettings(i.ops.run);
  const ledger = new JobLedger(ctx.db());
  let beat: ((state: string, next: ReturnType<typeof peekNext> | null) => void) | null = null;
  let onJob: ((j: { id: string; status: string; finishedAt: string | null }) => void) | null = null;
  const daemon = new Daemon({
    clock: i.clock, ledger, accounts: i.accounts, schedule, steps, alert: i.alert, heartbeatMs: HEARTBEAT_MS,
    note: (t) => ctx.io.note(`note: ${t}`),
    beat: (state, next) => {
      const last = ledger.lastDoneJob();
      if (last) onJob?.({ id: last.jobId, status: last.status, finishedAt: last.finishedAt });
      beat?.(state, next ?? peekNext());
    },
  });
  function peekNext() {
    return daemon.nextJobAfter(i.clock.now());
  }
  return {
    daemon, steps, peekNext,
    onBeat(b: typeof beat, j: typeof onJob) {
      beat = b;
      onJob = j;
    },
  };
}
