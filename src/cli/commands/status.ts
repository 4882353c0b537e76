/**
 * @module `atlas status`: where one account stands against its strategy, read-only. The strategy
 * and its hash, the regime now with its reason, the next scheduled rebalance, (daily mode) whether
 * the allocation changed since the last trade, drift per position and of total exposure, data
 * freshness of every symbol the strategy needs, the last run, working orders, P&L (from
 * snapshots when the daemon wrote them, else from the broker, saying which) and the daemon.
 * Never creates an account, never writes.
 */
import { Option, type Command } from 'commander';
import { isTradingDay, nextSession, nyDateOf, previousSession, sessionOnOrBefore, sessionTimes, sessionsBetween } from '../../calendar/nyse.js';
import { lastRebalanceSession, nextRebalanceSession } from '../../calendar/rebalanceSchedule.js';
import { describeError, isAtlasError } from '../../core/errors.js';
import type { Broker, Order } from '../../execution/brokers/broker.js';
import { PaperBroker } from '../../execution/brokers/paper/index.js';
import { RunStore, type RunRecord } from '../../execution/rebalance/runStore.js';
import { computeSignal, type RebalanceSignal } from '../../execution/rebalance/signal.js';
import { daemonLiveness } from '../../operations/daemon/heartbeat.js';
import { nextJob } from '../../operations/schedule/jobs.js';
import { SnapshotStore } from '../../operations/snapshots/snapshotStore.js';
import type { AccountSnapshot } from '../../operations/snapshots/snapshot.js';
import { SIMULATED_NOTE, SIMULATED_SOURCE } from '../../data/simulated.js';
import { shortHash } from '../../strategy/hash.js';
import { describeStrategy, signalRequestOf } from '../../backtest/fromStrategy.js';
import { universeOf } from '../../strategy/universe.js';
import type { Cli } from '../main.js';
import { fmt, json, table } from '../output.js';
import { addStrategyOptions, ALL_FIELD_FLAGS, effectiveStrategy, strategyBaseDir } from '../strategyOptions.js';
import { openBroker } from './account.js';

/** The last NYSE session whose close has passed at `now`. */
export function lastCompletedSession(now: Date): string {
  const today = nyDateOf(now);
  if (isTradingDay(today) && now.getTime() >= sessionTimes(today).close.getTime()) return today;
  return isTradingDay(today) ? previousSession(today) : sessionOnOrBefore(today);
}

interface StatusFlags {
  account?: string;
  broker?: string;
  json?: boolean;
}

interface Freshness {
  symbol: string;
  role: 'universe' | 'regime';
  lastBar: string | null;
  /** Completed sessions after the last bar (0 = up to date; null = no data). */
  sessionsBehind: number | null;
  fresh: boolean;
}

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function registerStatusCommand(program: Command, cli: Cli): void {
  const cmd = program.command('status').description("an account against its strategy: regime, next rebalance, drift, data freshness, last run, orders, P&L, daemon (read-only)");
  addStrategyOptions(cmd, ALL_FIELD_FLAGS);
  cmd
    .option('--account <name>', "account (default: the strategy's first account, else LARGE)")
    .addOption(new Option('--broker <kind>', "broker (default: the strategy's broker for the account, else paper)").choices(['paper', 'alpaca']))
    .option('--json', 'print as JSON')
    .addHelpText('after', `
Read-only: status never creates an account and never writes to the store. Drift compares each
position's weight with the target of the account's last rebalance run (else with what a
rebalance now would target, said so). P&L comes from the daemon's daily snapshots when there are
any, else from the broker account (the paper broker knows its starting cash).

Examples:
  $ atlas status
  $ atlas status --strategy best.json --account MID --json`)
    .action(async (opts: StatusFlags & Record<string, unknown>, command: Command) => {
      const ctx = cli.context();
      const now = ctx.now();
      const eff = effectiveStrategy(command, opts);
      const strategy = eff.strategy;
      const deployed = strategy.accounts[0];
      const accountName = (opts.account ?? deployed?.name ?? 'LARGE').toUpperCase();
      const brokerKind = opts.broker ?? strategy.accounts.find((a) => a.name.toUpperCase() === accountName)?.broker ?? 'paper';
      const store = ctx.bars();
      const session = lastCompletedSession(now);
      const notes: string[] = [];

      // The regime and the targets a rebalance now would use (the same mapping as `atlas rebalance`).
      const universe = universeOf(strategy.universe, strategyBaseDir(eff));
      let signal: RebalanceSignal | null = null;
      let signalError: string | null = null;
      try {
        signal = computeSignal(store, signalRequestOf(strategy, universe));
      } catch (err) {
        signalError = describeError(err);
      }
      const regime = signal
        ? {
            date: signal.modelDate, label: signal.regime, allocation: signal.allocation, mode: strategy.regime.mode,
            reason: strategy.regime.mode === 'off' ? `regime mode off: stocks get 100% whatever the regime (the model says ${signal.regime}: ${signal.regimeSummary ?? ''})` : (signal.regimeSummary ?? `${signal.regime} by the ${strategy.regime.model} model`),
          }
        : { date: null, label: null, allocation: null, mode: strategy.regime.mode, reason: `not available: ${signalError}` };

      // Schedule.
      // The first session whose close has not passed yet is the earliest a rebalance can still be decided.
      const nextRebalance = nextRebalanceSession(nextSession(session), strategy.rebalance);
      const lastScheduled = lastRebalanceSession(session, strategy.rebalance);

      // Data freshness of every symbol the strategy needs.
      const info = new Map(store.listSymbols().map((s) => [s.symbol, s]));
      const needed: { symbol: string; role: 'universe' | 'regime' }[] = [
        ...universe.symbols.filter((s) => universe.isMember(s, session)).map((symbol) => ({ symbol, role: 'universe' as const })),
        { symbol: 'SPY', role: 'regime' }, { symbol: 'VIX', role: 'regime' },
      ];
      const freshness: Freshness[] = needed.map(({ symbol, role }) => {
        const last = info.get(symbol)?.lastDate ?? null;
        const behind = last === null ? null : last >= session ? 0 : sessionsBetween(last, session).length - 1;
        return { symbol, role, lastBar: last, sessionsBehind: behind, fresh: behind === 0 };
      });
      const stale = freshness.filter((f) => f.sessionsBehind !== null && f.sessionsBehind > 0);
      const missing = freshness.filter((f) => f.lastBar === null);
      const simulated = [...info.values()].some((s) => s.source === SIMULATED_SOURCE && needed.some((n) => n.symbol === s.symbol));

      // Runs of this account (the run store holds live runs; dry runs are only in the audit log).
      const runs = new RunStore(ctx.db(), ctx.clock).list(500).filter((r) => r.account === accountName && r.broker === brokerKind);
      const lastRun: RunRecord | undefined = runs[0];
      const lastTrade = runs.find((r) => r.status !== 'abandoned');

      // The account, opened read-only.
      let broker: Broker | null = null;
      let accountError: string | null = null;
      try {
        broker = openBroker(cli, { broker: brokerKind, account: accountName }).broker;
      } catch (err) {
        if (!isAtlasError(err)) throw err;
        accountError = err.message;
      }
      const account = broker ? await broker.getAccount() : null;
      const positions = broker ? await broker.getPositions() : [];
      const working: Order[] = broker ? await broker.listOpenOrders() : [];

      // Drift against the last run's targets (else the targets a rebalance now would use).
      const runTargets = lastTrade ? (lastTrade.signal.targets as Record<string, number> | undefined) : undefined;
      const targets = runTargets ?? signal?.targets ?? {};
      const targetSource = runTargets ? `last rebalance run ${lastTrade!.runId}` : signal ? 'a rebalance now (no rebalance run yet for this account)' : 'none';
      const equity = account?.equity ?? 0;
      const symbols = [...new Set([...positions.map((p) => p.symbol), ...Object.keys(targets)])].sort();
      const drift = symbols.map((symbol) => {
        const p = positions.find((x) => x.symbol === symbol);
        const weight = p && equity > 0 ? p.marketValue / equity : 0;
        const target = targets[symbol] ?? 0;
        return { symbol, qty: p?.qty ?? 0, value: round(p?.marketValue ?? 0, 2), weight: round(weight), target: round(target), drift: round(weight - target) };
      });
      const exposure = equity > 0 ? positions.reduce((a, p) => a + p.marketValue, 0) / equity : 0;
      const targetExposure = Object.values(targets).reduce((a, w) => a + w, 0);

      // Daily mode: has the regime's allocation moved since the last trade?
      const daily = strategy.regime.mode === 'daily'
        ? {
            allocationAtLastTrade: lastTrade ? Number(lastTrade.signal.allocation) : null,
            allocationNow: signal?.allocation ?? null,
            changed: lastTrade && signal ? Number(lastTrade.signal.allocation) !== signal.allocation : null,
          }
        : null;

      // P&L: snapshots when present, else the broker account.
      const snaps = new SnapshotStore(ctx.db());
      const all = snaps.between(brokerKind, accountName, '0000-01-01', '9999-12-31').filter((s) => Number.isFinite(s.equity));
      const lastRebalanceDate = lastTrade?.tradeDate ?? null;
      let pnl: { source: 'snapshots' | 'broker'; equity: number | null; sinceLastRebalance: number | null; sinceLastRebalancePct: number | null; sinceInception: number | null; sinceInceptionPct: number | null; note: string };
      const pct = (a: number | null, base: number | null) => (a === null || base === null || base <= 0 ? null : round(a / base));
      if (all.length > 0) {
        const latest: AccountSnapshot = all[all.length - 1];
        const first = all[0];
        const atRebalance = lastRebalanceDate ? all.filter((s) => s.session <= lastRebalanceDate).pop() ?? null : null;
        const eqNow = account?.equity ?? latest.equity;
        const sinceR = atRebalance ? eqNow - atRebalance.equity : null;
        pnl = { source: 'snapshots', equity: round(eqNow, 2), sinceLastRebalance: sinceR === null ? null : round(sinceR, 2), sinceLastRebalancePct: pct(sinceR, atRebalance?.equity ?? null), sinceInception: round(eqNow - first.equity, 2), sinceInceptionPct: pct(eqNow - first.equity, first.equity), note: `from ${all.length} daily snapshot(s) ${first.session} .. ${latest.session}` };
      } else {
        const initial = broker instanceof PaperBroker ? broker.accountInfo().initialCash : null;
        const atPlan = lastTrade?.params.equityAtPlan ?? null;
        const sinceR = account && atPlan !== null ? account.equity - atPlan : null;
        const sinceI = account && initial !== null ? account.equity - initial : null;
        pnl = {
          source: 'broker', equity: account ? round(account.equity, 2) : null,
          sinceLastRebalance: sinceR === null ? null : round(sinceR, 2), sinceLastRebalancePct: pct(sinceR, atPlan),
          sinceInception: sinceI === null ? null : round(sinceI, 2), sinceInceptionPct: pct(sinceI, initial),
          note: `no daily snapshots (the daemon writes them); from the broker account${initial !== null ? ' and its starting cash' : ''}${atPlan !== null ? ' and the equity the last run was planned with' : ''}`,
        };
      }

      const live = daemonLiveness(ctx.dataDir, now);
      const job = nextJob(now, [{ account: accountName, broker: brokerKind, rebalance: strategy.rebalance, regimeMode: strategy.regime.mode, strategyName: strategy.name }]);
      if (stale.length) notes.push(`${stale.length} symbol(s) behind the last completed session ${session}; run \`atlas data sync\``);
      if (lastRun && lastRun.params.strategyHash && lastRun.params.strategyHash !== eff.hash) notes.push(`the last run traded strategy ${shortHash(lastRun.params.strategyHash)}, not this one (${shortHash(eff.hash)})`);

      const out = {
        simulated,
        ...(simulated ? { simulatedNote: SIMULATED_NOTE } : {}),
        asOf: now.toISOString(),
        lastCompletedSession: session,
        strategy: { path: eff.path, name: strategy.name, hash: eff.hash, shortHash: shortHash(eff.hash), overrides: eff.overrides, description: describeStrategy(strategy, eff.hash) },
        account: { name: accountName, broker: brokerKind, exists: account !== null, ...(accountError ? { error: accountError } : {}), equity: account ? round(account.equity, 2) : null, cash: account ? round(account.cash, 2) : null },
        regime,
        schedule: { rebalance: strategy.rebalance, nextRebalance, lastScheduledRebalance: lastScheduled, lastRebalanceRun: lastRebalanceDate },
        dailyMode: daily,
        drift: { targetSource, positions: drift, exposure: round(exposure), targetExposure: round(targetExposure), exposureDrift: round(exposure - targetExposure) },
        dataFreshness: { lastCompletedSession: session, stale: stale.length, missing: missing.map((f) => f.symbol), symbols: freshness },
        lastRun: lastRun ? { runId: lastRun.runId, tradeDate: lastRun.tradeDate, status: lastRun.status, phase: lastRun.phase, strategyHash: lastRun.params.strategyHash ?? null, summary: lastRun.summary } : null,
        workingOrders: working.map((o) => ({ symbol: o.symbol, side: o.side, qty: o.qty, type: o.type, status: o.status, clientOrderId: o.clientOrderId, submittedAt: o.submittedAt.toISOString() })),
        pnl,
        daemon: { alive: live.alive, reason: live.reason, nextJob: { id: job.id, at: job.at.toISOString(), tasks: job.tasks } },
        notes,
      };
      if (opts.json) {
        cli.io.out(json(out));
        return;
      }
      const money = (x: number | null) => (x === null ? '-' : fmt.money(x));
      cli.io.out([
        ...(simulated ? [`*** ${SIMULATED_NOTE} ***`] : []),
        `Strategy  ${eff.path ?? 'built-in defaults'}${eff.overrides.length ? ` with ${eff.overrides.join(', ')}` : ''}, hash ${shortHash(eff.hash)}`,
        `          ${describeStrategy(strategy, eff.hash)}`,
        `Account   ${brokerKind} ${accountName}: ${account ? `equity ${fmt.money(account.equity)}, cash ${fmt.money(account.cash)}` : accountError ?? 'not available'}`,
        `Regime    ${regime.label ? `${regime.label} on ${regime.date}, allocation ${fmt.pct(regime.allocation, 0)}: ${regime.reason}` : regime.reason}`,
        `Schedule  ${strategy.rebalance}; next rebalance ${nextRebalance}; last scheduled ${lastScheduled}; last rebalance run ${lastRebalanceDate ?? 'none'}`,
        ...(daily ? [`Daily     allocation at the last trade ${daily.allocationAtLastTrade ?? '-'}, now ${daily.allocationNow ?? '-'}: ${daily.changed === null ? 'unknown' : daily.changed ? 'CHANGED, a daily-mode rebalance is due' : 'unchanged'}`] : []),
        `Drift     against ${targetSource}: exposure ${fmt.pct(exposure, 1)} vs target ${fmt.pct(targetExposure, 1)} (${fmt.pct(exposure - targetExposure, 1)})`,
        ...(drift.length ? [table(['symbol', 'qty', 'value', 'weight', 'target', 'drift'], drift.map((d) => [d.symbol, fmt.shares(d.qty), fmt.money(d.value), fmt.pct(d.weight, 1), fmt.pct(d.target, 1), fmt.pct(d.drift, 1)]))] : []),
        `Data      ${freshness.filter((f) => f.fresh).length} of ${freshness.length} symbols up to ${session}${stale.length ? `; behind: ${stale.slice(0, 8).map((f) => `${f.symbol} (${f.lastBar})`).join(', ')}${stale.length > 8 ? ` and ${stale.length - 8} more` : ''}` : ''}${missing.length ? `; no data: ${missing.slice(0, 8).map((f) => f.symbol).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}` : ''}`,
        `Last run  ${lastRun ? `${lastRun.runId} ${lastRun.status} (${lastRun.tradeDate})` : 'none for this account'}`,
        `Orders    ${working.length ? working.map((o) => `${o.side} ${fmt.shares(o.qty)} ${o.symbol} ${o.status}`).join(', ') : 'no working orders'}`,
        `P&L       since last rebalance ${money(pnl.sinceLastRebalance)} (${fmt.pct(pnl.sinceLastRebalancePct)}), since inception ${money(pnl.sinceInception)} (${fmt.pct(pnl.sinceInceptionPct)}); ${pnl.note}`,
        `Daemon    ${live.alive ? 'alive' : 'not running'}: ${live.reason}; next job ${job.id} at ${job.at.toISOString()}`,
      ].join('\n'));
      for (const n of notes) cli.io.note(`note: ${n}`);
    });
}
