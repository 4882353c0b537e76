/**
 * @module The daemon's real steps (`atlas run`, `atlas replay`): sync the deployed strategies'
 * symbols plus SPY and VIX, check that the store is current, the regime of each strategy, a
 * snapshot per account, the rebalance (queued after the close), the resumption of queued runs
 * after the open, and the daily summary. Every step is safe to run twice for the same session:
 * syncs fetch only what is missing, snapshots are write-once, a rebalance decided for a session
 * is not decided again and its run resumes by its deterministic id.
 */
import type Database from 'better-sqlite3';
import { rebalanceRequestOf, universeOfStrategy } from '../../backtest/fromStrategy.js';
import { nextSession, previousSession } from '../../calendar/nyse.js';
import { nextRebalanceSession } from '../../calendar/rebalanceSchedule.js';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { MarketDataProvider } from '../../data/providers/provider.js';
import type { BarStore } from '../../data/store/barStore.js';
import { syncSymbols } from '../../data/sync.js';
import type { Broker } from '../../execution/brokers/broker.js';
import { runRebalance } from '../../execution/rebalance/orchestrator.js';
import { RunStore, type RunRecord } from '../../execution/rebalance/runStore.js';
import { lastRawClose } from '../../execution/rebalance/signal.js';
import type { RebalanceResult } from '../../execution/rebalance/types.js';
import type { RebalanceRequest } from '../../execution/rebalance/types.js';
import type { Universe } from '../../selection/universes.js';
import type { Deployment } from '../config.js';
import type { DeployedAccount } from '../schedule/jobs.js';
import { SnapshotStore } from '../snapshots/snapshotStore.js';
import type { DaemonSteps, RebalanceReason, RebalanceStepResult, ResumeStepResult, StepResult } from './daemon.js';
import { DecisionStore } from './decisions.js';
import { RegimeCache } from './regimeCache.js';
import { takeSnapshot } from './snapshotStep.js';
import { strategySignal } from './strategySignal.js';

export interface RealStepsDeps {
  dataDir: string;
  db: Database.Database;
  bars: BarStore;
  clock: Clock;
  deployments: readonly Deployment[];
  /** null: the store is filled by someone else (syncProvider 'none'). */
  provider: MarketDataProvider | null;
  /** First date fetched for a symbol the store does not have yet. */
  historyFrom?: string;
  brokerFor(a: DeployedAccount): Broker;
  /**
   * Whether the broker can know the fills of `session` (the paper broker fills from the
   * session's bar, which arrives after the close): queued runs wait for it.
   */
  fillsKnowable?(a: DeployedAccount, session: string): boolean;
  secrets?: readonly string[];
  note?(text: string): void;
  fillTimeoutMs?: number;
  pollMs?: number;
  /** The latest price of a symbol for the runs (default: the store's last raw close); the replay passes its market's. */
  lastPrice?(symbol: string): number | undefined;
}

const MARKET_SYMBOLS = ['SPY', 'VIX'];

/**
 * The daemon's request for one account: the strategy's fields (fromStrategy.ts, as the CLI and the
 * backtest derive them) plus how the daemon drives a run: after the close the market is shut, so
 * the run is queued for the open (gate 5 warns, not fails), and nobody is asked to confirm.
 */
export function daemonRequest(d: Deployment, a: { account: string; broker: string }, universe: Universe): RebalanceRequest {
  return { ...rebalanceRequestOf(d.strategy.strategy, universe, { hash: d.strategy.hash }), account: a.account, brokerKind: a.broker, force: true, yes: true, buysAfterOpen: true };
}

export interface RealSteps extends DaemonSteps {
  readonly snapshots: SnapshotStore;
  readonly decisions: DecisionStore;
  readonly runs: RunStore;
  symbols(): string[];
}

export function createRealSteps(deps: RealStepsDeps): RealSteps {
  const { bars, clock } = deps;
  const runs = new RunStore(deps.db, clock);
  const snapshots = new SnapshotStore(deps.db);
  const decisions = new DecisionStore(deps.db);
  const regimes = new RegimeCache(bars);
  const universes = new Map<Deployment, Universe>();
  const universeOf = (d: Deployment): Universe => {
    let u = universes.get(d);
    if (!u) universes.set(d, (u = universeOfStrategy(d.strategy)));
    return u;
  };
  const deploymentOf = (a: DeployedAccount): Deployment => {
    const d = deps.deployments.find((x) => x.accounts.some((y) => y.account === a.account && y.broker === a.broker));
    if (!d) throw new Error(`account ${a.account} is not deployed`);
    return d;
  };
  const symbols = (): string[] => [...new Set([...MARKET_SYMBOLS, ...deps.deployments.flatMap((d) => universeOf(d).symbols)])];
  const note = (t: string) => deps.note?.(t);

  const hasBarOn = (symbol: string, session: string): boolean => bars.getBars(symbol, session, session).length > 0;

  async function syncData(session: string): Promise<StepResult> {
    if (!deps.provider) return { ok: true, detail: 'sync skipped (syncProvider none)' };
    const failed: string[] = [];
    let fetched = 0;
    for (const symbol of symbols()) {
      // From the stored first date: a later listing must not look like a missing backfill.
      const from = bars.symbolInfo(symbol)?.firstDate ?? deps.historyFrom ?? '2000-01-01';
      const [r] = await syncSymbols(bars, deps.provider, { symbols: [symbol], from, to: session, now: () => clock.now() });
      if (r.status === 'failed') failed.push(`${symbol} (${r.error ?? 'failed'})`);
      else fetched += r.newBars;
    }
    if (failed.length > 0) return { ok: false, detail: `${failed.length} symbol(s) failed to sync: ${failed.slice(0, 5).join('; ')}${failed.length > 5 ? ' ...' : ''}` };
    return { ok: true, detail: `${fetched} new bar(s)` };
  }

  async function checkData(session: string): Promise<StepResult> {
    const stale: string[] = [];
    for (const s of MARKET_SYMBOLS) if (!hasBarOn(s, session)) stale.push(s);
    // A universe symbol that traded the session before must have this session's bar too.
    const prev = previousSession(session);
    for (const s of symbols()) {
      if (MARKET_SYMBOLS.includes(s) || !bars.hasSymbol(s)) continue;
      if (hasBarOn(s, prev) && !hasBarOn(s, session)) stale.push(s);
    }
    if (stale.length > 0) {
      const last = bars.symbolInfo(stale[0])?.lastDate ?? 'never';
      return { ok: false, detail: `the store has no ${session} bar for ${stale.length} symbol(s): ${stale.slice(0, 6).join(', ')}${stale.length > 6 ? ' ...' : ''} (${stale[0]}'s last bar: ${last})` };
    }
    return Promise.resolve({ ok: true, detail: `every symbol has its ${session} bar` });
  }

  async function regime(session: string) {
    const d = deps.deployments[0];
    if (!d) return null;
    const r = regimes.of(d.strategy, session);
    if (r.regime === null) return null;
    return Promise.resolve({ regime: r.regime, previous: r.previous, reason: `${r.summary ?? ''} Allocation ${r.allocation}.`.trim() });
  }

  async function snapshot(a: DeployedAccount, session: string, late: boolean) {
    if (snapshots.get(a.broker, a.account, session)) return 'exists' as const;
    const d = deploymentOf(a);
    return takeSnapshot({
      account: a, session, late, broker: deps.brokerFor(a), bars, clock, snapshots,
      strategyHash: d.strategy.hash,
      targets: decisions.last(a.account, session)?.targets ?? {},
      regime: regimes.of(d.strategy, session),
    });
  }

  async function rebalance(a: DeployedAccount, session: string, reason: RebalanceReason): Promise<RebalanceStepResult> {
    const d = deploymentOf(a);
    const r = regimes.of(d.strategy, session);
    const last = decisions.last(a.account, session);
    if (last?.session === session) return { outcome: last.outcome, runId: last.runId, detail: 'already decided for this session' };
    const kind = reason === 'daily' ? 'rescale' : 'scan';
    if (kind === 'rescale') {
      if (!last) return { outcome: 'unchanged', runId: null, detail: 'no scan yet: the first scheduled rebalance chooses the names' };
      if (last.allocation === r.allocation) return { outcome: 'unchanged', runId: null, detail: `allocation ${r.allocation} unchanged` };
    }
    const universe = universeOf(d);
    const signal = strategySignal(bars, { strategy: d.strategy.strategy, universe, session, regime: r, kind, lastChosen: last?.selected ?? [] });
    let result: RebalanceResult;
    try {
      result = await runRebalance(daemonRequest(d, a, universe), {
        broker: deps.brokerFor(a), runs, auditDir: deps.dataDir, secrets: deps.secrets ?? [], clock, store: bars, ...(deps.lastPrice ? { lastPrice: (x: string) => deps.lastPrice!(x) } : {}),
        signal: () => signal, note: (t) => note(`${a.account}: ${t}`),
      });
    } catch (err) {
      return { outcome: 'failed', runId: null, detail: describeError(err) };
    }
    const detail = describeResult(result, kind === 'rescale' ? `regime ${r.regime ?? 'unknown'}: allocation ${last?.allocation ?? '?'} -> ${r.allocation}` : `${signal.selected.length} name(s) chosen, allocation ${r.allocation}`);
    if (!['stopped', 'declined'].includes(result.outcome)) {
      decisions.record({ account: a.account, session, kind, regime: r.regime, allocation: r.allocation, selected: signal.selected, targets: signal.targets, runId: runs.get(result.runId) ? result.runId : null, outcome: result.outcome });
    }
    return { outcome: result.outcome, runId: runs.get(result.runId) ? result.runId : null, detail };
  }

  async function resumeQueued(session: string): Promise<ResumeStepResult[]> {
    const out: ResumeStepResult[] = [];
    const pending = runs.list(500).filter((run) => (run.status === 'queued' || run.status === 'open') && run.tradeDate < session);
    for (const run of pending.reverse()) {
      const a = deps.deployments.flatMap((d) => d.accounts).find((x) => x.account === run.account && x.broker === run.broker);
      if (!a) continue;
      if (deps.fillsKnowable && !deps.fillsKnowable(a, session)) {
        note(`${a.account}: run ${run.runId} waits for the ${session} bars (the paper broker fills from them after the close)`);
        continue;
      }
      out.push(await resumeOne(a, run));
    }
    return out;
  }

  async function resumeOne(a: DeployedAccount, run: RunRecord): Promise<ResumeStepResult> {
    const d = deploymentOf(a);
    try {
      const result = await runRebalance({ ...daemonRequest(d, a, universeOf(d)), resumeRunId: run.runId, fillTimeoutMs: deps.fillTimeoutMs ?? 300_000, pollMs: deps.pollMs ?? 1_000, onTimeout: 'cancel' }, {
        broker: deps.brokerFor(a), runs, auditDir: deps.dataDir, secrets: deps.secrets ?? [], clock, store: bars, ...(deps.lastPrice ? { lastPrice: (x: string) => deps.lastPrice!(x) } : {}), note: (t) => note(`${a.account}: ${t}`),
      });
      return { account: a.account, runId: run.runId, outcome: result.outcome, detail: describeFills(result) };
    } catch (err) {
      return { account: a.account, runId: run.runId, outcome: 'failed', detail: describeError(err) };
    }
  }

  async function dailySummary(session: string) {
    const lines: string[] = [];
    for (const d of deps.deployments) {
      for (const a of d.accounts) {
        const s = snapshots.get(a.broker, a.account, session);
        if (!s || s.source === 'missing') continue;
        const prev = snapshots.between(a.broker, a.account, '0000-01-01', previousSession(session)).filter((x) => x.source !== 'missing');
        const before = prev.at(-1);
        const first = prev[0] ?? s;
        const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
        const day = before ? s.equity / before.equity - 1 : 0;
        const total = s.equity / first.equity - 1;
        const spyDay = before?.spyClose && s.spyClose ? s.spyClose / before.spyClose - 1 : null;
        const spyTotal = first.spyClose && s.spyClose ? s.spyClose / first.spyClose - 1 : null;
        const next = nextRebalanceSession(nextSession(session), a.rebalance);
        const queued = runs.list(20).filter((r) => r.account === a.account && r.status === 'queued');
        const action = queued.length > 0 ? `finish run ${queued[0].runId} after the next open` : `next scheduled rebalance ${next}${a.regimeMode === 'daily' ? ' (daily regime checks every close)' : ''}`;
        lines.push(
          `${a.account}: equity ${s.equity.toFixed(2)}; day ${pct(day)}${spyDay === null ? '' : ` (SPY ${pct(spyDay)})`}; total ${pct(total)} since ${first.session}${spyTotal === null ? '' : ` (SPY ${pct(spyTotal)})`}`,
          `  exposure ${(s.exposure * 100).toFixed(1)}%${s.exposureDrift === null ? '' : `, drift ${pct(s.exposureDrift)} vs allocation ${s.allocation}`}; regime ${s.regime ?? 'unknown'}; next: ${action}`,
        );
      }
    }
    if (lines.length === 0) return null;
    return Promise.resolve({ title: `Daily summary ${session}`, text: lines.join('\n') });
  }

  return { syncData, checkData, regime, snapshot, rebalance, resumeQueued, dailySummary, snapshots, decisions, runs, symbols };
}

function describeResult(r: RebalanceResult, what: string): string {
  const s = r.summary;
  if (r.outcome === 'queued') return `${what}; ${s.queued} order(s) queued for the open (run ${r.runId})`;
  if (r.outcome === 'stopped') return `${what}; stopped: ${r.stoppedBy ? `gate ${r.stoppedBy.gate} ${r.stoppedBy.name}: ${r.stoppedBy.reason}` : r.notes.at(-1) ?? 'see the audit log'}`;
  if (r.outcome === 'nothing_to_do') return `${what}; no order needed`;
  return `${what}; ${s.filled} filled, ${s.queued} queued, ${s.leftOpen} open`;
}

/** What filled and what did not, for the fills alert. */
export function describeFills(r: RebalanceResult): string {
  const filled = r.orders.filter((o) => o.state === 'filled');
  const unfilled = r.orders.filter((o) => o.state !== 'filled');
  const line = (o: (typeof r.orders)[number]) => `${o.side.toUpperCase()} ${o.filledQty}/${o.qty} ${o.symbol}${o.filledAvgPrice ? ` @ ${o.filledAvgPrice.toFixed(2)}` : ''}${o.state !== 'filled' ? ` (${o.state}${o.reason ? `: ${o.reason}` : ''})` : ''}`;
  const parts = [`${filled.length} of ${r.orders.length} order(s) filled`];
  if (filled.length > 0) parts.push(filled.map(line).join(', '));
  if (unfilled.length > 0) parts.push(`unfilled: ${unfilled.map(line).join(', ')}`);
  return parts.join('; ');
}


export { lastRawClose };
