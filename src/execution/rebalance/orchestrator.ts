/**
 * The rebalance orchestrator: signal -> plan -> gates -> (confirm) -> persist -> SELL phase ->
 * re-size and re-validate BUYs -> BUY phase -> report. Everything with a side effect is injected
 * (broker, clock, sleep, run store, audit directory), so tests drive it without the CLI.
 *
 * Crash safety (docs/rebalance.md): the run and every planned order (with its client order id)
 * are written to the run store before anything is sent; an order is marked 'submitting' before
 * submitOrder is called; a phase change is written before the next phase starts. On resume every
 * order that is not final locally is looked up at the broker by client order id first, so an
 * order is never placed twice. Audit lines are written before the matching state change, so a
 * crash can at worst repeat a line on resume, never lose one.
 */
import { nyDateOf, sessionsBetween } from '../../calendar/nyse.js';
import { AtlasError, TransientError, describeError } from '../../core/errors.js';
import type { BarStore } from '../../data/store/barStore.js';
import { DEFAULT_ALLOCATION, type Regime } from '../../portfolio/allocation.js';
import type { Universe } from '../../selection/universes.js';
import { ExecutionLog, readExecutionLog } from '../audit/executionLog.js';
import { isTerminal, OrderRejectedError, type Asset, type Broker, type Order } from '../brokers/broker.js';
import { validateBatch } from '../gates/index.js';
import { DEFAULT_GATE_LIMITS, type GateResult } from '../gates/types.js';
import type { SkippedOrder } from '../orderPlan.js';
import { buildGateContext, buyBudget, planFromSnapshot, resizeBuys, toGateOrders, type BrokerSnapshot } from './plan.js';
import { assertRunId, clientOrderIdFor, computeRunId, type OrderLeg } from './runId.js';
import { FINAL_ORDER_STATES, type RunOrderRecord, type RunOrderState, type RunRecord, type RunStore } from './runStore.js';
import { computeSignal, lastRawClose, type RebalanceSignal } from './signal.js';

export type OnTimeout = 'cancel' | 'leave';

export interface RebalanceRequest {
  universe: Universe;
  topN: number;
  regimeOverride?: Regime;
  account: string;
  /** Broker kind for the run id and the audit log: 'paper' or 'alpaca'. */
  brokerKind: string;
  dryRun?: boolean;
  force?: boolean;
  strict?: boolean;
  /** Skip the confirmation. Without it and without a confirm callback the run is refused. */
  yes?: boolean;
  resumeRunId?: string;
  onTimeout?: OnTimeout;
  /** How long each phase waits for its fills. Default 300 s. */
  fillTimeoutMs?: number;
  /** Pause between order polls. Default 1 s. */
  pollMs?: number;
  /** How long to wait for a cancel to be confirmed. Default 10 s. */
  cancelWaitMs?: number;
  minNotional?: number;
}

/** Test seams that model a process dying: an error thrown here skips all audit/state handling. */
export interface RebalanceHooks {
  afterPersist?(runId: string): void | Promise<void>;
  afterSubmit?(order: RunOrderRecord): void | Promise<void>;
  afterPhase?(phase: 'sells' | 'buys'): void | Promise<void>;
}

export interface RebalanceDeps {
  broker: Broker;
  runs: RunStore;
  /** Directory of execution_log.csv (the data directory). */
  auditDir: string;
  /** Values redacted from every audit line. */
  secrets?: readonly string[];
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Store for the signal and the last prices; required unless `signal` is given. */
  store?: BarStore;
  /** Replaces computeSignal(store, ...) (tests). */
  signal?: (req: RebalanceRequest) => RebalanceSignal;
  /** Last raw close of a symbol (default: from the store). */
  lastPrice?: (symbol: string) => number | undefined;
  /** Shown the plan and gate report before confirmation (the CLI prints it). */
  onPreview?: (preview: RebalanceResult) => void;
  /** Asks for confirmation; absent = no TTY. */
  confirm?: (preview: RebalanceResult) => Promise<boolean>;
  /** Progress notes for a person (stderr). */
  note?: (text: string) => void;
  hooks?: RebalanceHooks;
}

export type RebalanceOutcome =
  | 'dry_run'
  | 'nothing_to_do'
  | 'stopped'
  | 'declined'
  | 'completed'
  | 'completed_with_issues'
  | 'already_completed';

export interface PlanOrderView {
  clientOrderId: string;
  leg: OrderLeg;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  intent: string;
  refPrice: number;
  notional: number;
}

export interface AllocationView {
  equity: number;
  exposure: number;
  exposurePct: number;
  positions: { symbol: string; qty: number; value: number; weight: number }[];
}

export interface RunSummary {
  planned: number;
  submitted: number;
  filled: number;
  partiallyFilled: number;
  canceled: number;
  rejected: number;
  leftOpen: number;
  skipped: number;
  /** Buys sent with fewer shares than planned (re-sized to the cash available). */
  resized: number;
  notSent: number;
  boughtNotional: number;
  soldNotional: number;
}

export interface RebalanceResult {
  runId: string;
  outcome: RebalanceOutcome;
  dryRun: boolean;
  resumed: boolean;
  account: string;
  broker: string;
  signal: RebalanceSignal | null;
  plan: { equity: number; cash: number; buyingPower: number; cashAfter: number; orders: PlanOrderView[]; skipped: SkippedOrder[] } | null;
  validation: GateResult[] | null;
  /** Allocation after the plan, as the gates compute it. */
  resulting: AllocationView | null;
  buyPhase: { budget: number; cash: number; regimeRoom: number; cost: number; scale: number; skipped: string[]; validation: GateResult[] } | null;
  orders: RunOrderRecord[];
  /** Account read back from the broker at the end of a live run. */
  final: AllocationView | null;
  stoppedBy: { gate: number; name: string; reason: string } | null;
  summary: RunSummary;
  notes: string[];
}

const DEFAULT_FILL_TIMEOUT_MS = 300_000;
const DEFAULT_POLL_MS = 1_000;
const DEFAULT_CANCEL_WAIT_MS = 10_000;

class HookCrash extends Error {
  constructor(readonly original: unknown) {
    super('hook crash');
  }
}

async function hook(fn: (() => void | Promise<void>) | undefined): Promise<void> {
  if (!fn) return;
  try {
    await fn();
  } catch (err) {
    throw new HookCrash(err);
  }
}

export function summarize(orders: readonly RunOrderRecord[]): RunSummary {
  const s: RunSummary = { planned: orders.length, submitted: 0, filled: 0, partiallyFilled: 0, canceled: 0, rejected: 0, leftOpen: 0, skipped: 0, resized: 0, notSent: 0, boughtNotional: 0, soldNotional: 0 };
  for (const o of orders) {
    if (o.brokerOrderId !== null) s.submitted++;
    if (o.state === 'filled') s.filled++;
    if (o.state !== 'filled' && o.filledQty > 0) s.partiallyFilled++;
    if (o.state === 'canceled' || o.state === 'expired') s.canceled++;
    if (o.state === 'rejected') s.rejected++;
    if (o.state === 'left_open') s.leftOpen++;
    if (o.state === 'skipped') s.skipped++;
    if (o.state !== 'skipped' && o.qty < o.plannedQty) s.resized++;
    if (o.state === 'planned' || o.state === 'submitting') s.notSent++;
    const notional = o.filledQty * (o.filledAvgPrice ?? 0);
    if (o.side === 'buy') s.boughtNotional += notional;
    else s.soldNotional += notional;
  }
  return s;
}

function allocationView(equity: number, positions: Map<string, { qty: number; value: number }>): AllocationView {
  let exposure = 0;
  const list: AllocationView['positions'] = [];
  for (const [symbol, p] of [...positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (p.qty === 0) continue;
    exposure += Math.abs(p.value);
    list.push({ symbol, qty: p.qty, value: p.value, weight: equity > 0 ? p.value / equity : Number.NaN });
  }
  return { equity, exposure, exposurePct: equity > 0 ? exposure / equity : Number.NaN, positions: list };
}

function localStateOf(o: Order): RunOrderState | undefined {
  switch (o.status) {
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'replaced':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      return undefined;
  }
}

/** Completed sessions strictly between the data date and today (0 = the data is current). */
export function sessionsMissingAfter(dataDate: string, today: string): number {
  if (!(dataDate < today)) return 0;
  try {
    return sessionsBetween(dataDate, today).filter((d) => d > dataDate && d < today).length;
  } catch {
    return 0;
  }
}

/** Runs (or resumes) one rebalance. */
export async function runRebalance(req: RebalanceRequest, deps: RebalanceDeps): Promise<RebalanceResult> {
  return new RebalanceRun(req, deps).run();
}

class RebalanceRun {
  private readonly now: () => Date;
  private readonly fillTimeoutMs: number;
  private readonly pollMs: number;
  private readonly cancelWaitMs: number;
  private readonly onTimeout: OnTimeout;
  private readonly minNotional: number;
  private log!: ExecutionLog;
  private runId = '';
  private record: RunRecord | undefined;
  private readonly notes: string[] = [];
  private result!: RebalanceResult;
  private ended = false;

  constructor(
    private readonly req: RebalanceRequest,
    private readonly deps: RebalanceDeps,
  ) {
    this.now = deps.now;
    this.fillTimeoutMs = req.fillTimeoutMs ?? DEFAULT_FILL_TIMEOUT_MS;
    this.pollMs = Math.max(1, req.pollMs ?? DEFAULT_POLL_MS);
    this.cancelWaitMs = req.cancelWaitMs ?? DEFAULT_CANCEL_WAIT_MS;
    this.onTimeout = req.onTimeout ?? 'cancel';
    this.minNotional = req.minNotional ?? 50;
    if (!(this.fillTimeoutMs >= 0)) throw new AtlasError(`--fill-timeout must be zero or more seconds, got ${this.fillTimeoutMs / 1000}.`, { code: 'BAD_FLAG' });
    if (!(this.minNotional >= 0)) throw new AtlasError(`--min-notional must be zero or more, got ${this.minNotional}.`, { code: 'BAD_FLAG' });
  }

  private note(text: string): void {
    this.notes.push(text);
    this.deps.note?.(text);
  }

  private get broker(): Broker {
    return this.deps.broker;
  }

  private openLog(account: string, broker: string): void {
    this.log = new ExecutionLog({ dir: this.deps.auditDir, runId: this.runId, account, broker, secrets: this.deps.secrets ?? [], clock: this.now });
  }

  private endRun(detail: Record<string, unknown>, status: string): void {
    this.log.runEnd(detail, status);
    this.ended = true;
  }

  private emptyResult(account: string, broker: string, resumed: boolean): RebalanceResult {
    return {
      runId: this.runId,
      outcome: 'completed',
      dryRun: this.req.dryRun === true,
      resumed,
      account,
      broker,
      signal: null,
      plan: null,
      validation: null,
      resulting: null,
      buyPhase: null,
      orders: [],
      final: null,
      stoppedBy: null,
      summary: summarize([]),
      notes: this.notes,
    };
  }

  async run(): Promise<RebalanceResult> {
    const req = this.req;
    const runs = this.deps.runs;
    if (req.resumeRunId !== undefined) {
      this.runId = assertRunId(req.resumeRunId);
      this.record = runs.get(this.runId);
      if (!this.record) {
        throw new AtlasError(`There is no rebalance run ${this.runId} in this data directory; check the id with \`atlas log\` or start a new run without --resume.`, {
          code: 'RUN_NOT_FOUND',
        });
      }
    } else {
      this.runId = computeRunId({
        tradeDate: nyDateOf(this.now()),
        account: req.account,
        broker: req.brokerKind,
        universe: req.universe.name,
        topN: req.topN,
        regimeOverride: req.regimeOverride,
      });
      this.record = runs.get(this.runId);
    }
    if (this.record) {
      this.openLog(this.record.account, this.record.broker);
      this.result = this.emptyResult(this.record.account, this.record.broker, true);
      if (req.dryRun) return this.describeExisting(this.record);
      return this.guard(() => this.resume(this.record!), true);
    }
    this.openLog(req.account, req.brokerKind);
    this.result = this.emptyResult(req.account, req.brokerKind, false);
    return this.guard(() => this.fresh(), false);
  }

  /** Error handling shared by fresh and resumed runs: ERROR + RUN_END, then a sentence with the resume command. */
  private async guard(body: () => Promise<RebalanceResult>, resumed: boolean): Promise<RebalanceResult> {
    try {
      return await body();
    } catch (err) {
      if (err instanceof HookCrash) throw err.original;
      const persisted = this.deps.runs.get(this.runId) !== undefined;
      try {
        this.log.error(err);
        if (!this.ended) this.endRun({ outcome: persisted ? 'interrupted' : 'failed', error: describeError(err), resume: persisted ? `atlas rebalance --resume ${this.runId}` : null }, persisted ? 'INTERRUPTED' : 'FAILED');
      } catch {
        // the audit log itself failed: the original error matters more
      }
      if (!persisted) throw err;
      throw new AtlasError(
        `Rebalance run ${this.runId} stopped${resumed ? ' while resuming' : ''}: ${describeError(err).replace(/\.$/, '')}; nothing is lost, run \`atlas rebalance --resume ${this.runId}\` (or the same command again today) to reconcile and finish.`,
        { code: err instanceof TransientError ? 'RUN_INTERRUPTED_TRANSIENT' : 'RUN_INTERRUPTED', cause: err },
      );
    }
  }

  // ---- fresh run ------------------------------------------------------------------------

  private computeSignal(): RebalanceSignal {
    if (this.deps.signal) return this.deps.signal(this.req);
    if (!this.deps.store) throw new AtlasError('The rebalancer needs a bar store (or a signal) to decide what to hold.', { code: 'NO_STORE' });
    return computeSignal(this.deps.store, { universe: this.req.universe, topN: this.req.topN, regimeOverride: this.req.regimeOverride });
  }

  private lastPrice(symbol: string): number | undefined {
    if (this.deps.lastPrice) return this.deps.lastPrice(symbol);
    return this.deps.store ? lastRawClose(this.deps.store, symbol) : undefined;
  }

  private async snapshot(): Promise<BrokerSnapshot> {
    const account = await this.broker.getAccount();
    const positions = await this.broker.getPositions();
    const openOrders = await this.broker.listOpenOrders();
    return { account, positions, openOrders };
  }

  private async assetsFor(symbols: readonly string[]): Promise<Map<string, Asset | undefined>> {
    const out = new Map<string, Asset | undefined>();
    for (const s of symbols) out.set(s, await this.broker.getAsset(s));
    return out;
  }

  private lastPrices(symbols: readonly string[], fallback: ReadonlyMap<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of symbols) {
      const p = this.lastPrice(s) ?? fallback.get(s);
      if (p !== undefined) out.set(s, p);
    }
    return out;
  }

  private async fresh(): Promise<RebalanceResult> {
    const req = this.req;
    const mode = req.dryRun ? 'dry-run' : 'live';
    this.log.runStart({
      mode,
      universe: req.universe.name,
      topN: req.topN,
      regimeOverride: req.regimeOverride ?? null,
      force: req.force === true,
      strict: req.strict === true,
      minNotional: this.minNotional,
      onTimeout: this.onTimeout,
      fillTimeoutMs: this.fillTimeoutMs,
    });
    const signal = this.computeSignal();
    this.result.signal = signal;
    for (const n of signal.notes) this.note(n);
    const stale = sessionsMissingAfter(signal.dataDate, nyDateOf(this.now()));
    if (stale > 0) {
      this.note(`the latest data is from ${signal.dataDate}, ${stale} session(s) before today: the scan and the sizing prices are stale; run \`atlas data sync\` first`);
    }
    this.log.signal({
      regime: signal.regime,
      selection: signal.selected,
      detail: {
        regimeSource: signal.regimeSource,
        modelRegime: signal.modelRegime,
        modelDate: signal.modelDate,
        dataDate: signal.dataDate,
        allocation: signal.allocation,
        universe: signal.universe.name,
        targets: signal.targets,
        override: signal.regimeSource === 'override',
      },
    });

    const snap = await this.snapshot();
    const { plan, prices } = planFromSnapshot({
      snapshot: snap,
      targets: signal.targets,
      targetPrices: signal.prices,
      priceOf: (s) => this.lastPrice(s),
      minNotional: this.minNotional,
    });
    const views: PlanOrderView[] = plan.orders.map((o) => {
      const leg: OrderLeg = o.side === 'sell' ? 'sell' : 'buy';
      return { clientOrderId: clientOrderIdFor(this.runId, o.symbol, leg), leg, symbol: o.symbol, side: o.side, qty: o.qty, intent: o.intent, refPrice: o.refPrice, notional: o.notional };
    });
    this.result.plan = {
      equity: snap.account.equity,
      cash: snap.account.cash,
      buyingPower: snap.account.buyingPower,
      cashAfter: plan.cashAfter,
      orders: views,
      skipped: plan.skipped,
    };
    for (const v of views) {
      this.log.orderPlanned({ symbol: v.symbol, side: v.side, qty: v.qty, orderType: 'market', clientOrderId: v.clientOrderId, status: 'planned', intent: v.intent, refPrice: v.refPrice, notional: v.notional });
    }
    for (const s of plan.skipped) this.note(`not planned: ${s.side ?? ''} ${s.qty ?? ''} ${s.symbol} (${s.reason})`.replace(/\s+/g, ' '));

    const symbols = [...new Set(views.map((v) => v.symbol))];
    const assets = await this.assetsFor(symbols);
    const ctx = buildGateContext({
      snapshot: snap,
      assets,
      lastPrices: this.lastPrices(symbols, prices),
      prices,
      regime: signal.regime,
      allocation: DEFAULT_ALLOCATION,
      now: this.now(),
      force: req.force === true,
      strict: req.strict === true,
    });
    const validation = validateBatch(toGateOrders(views), ctx);
    this.result.validation = validation.gates;
    this.result.resulting = allocationView(ctx.equity, validation.resulting.positions);
    this.log.validations(validation.gates);

    if (!validation.passed) return this.stop(validation.gates, 'the plan');
    if (req.dryRun) {
      this.result.outcome = 'dry_run';
      this.endRun({ outcome: 'dry_run', orders: views.length, resultingExposurePct: this.result.resulting.exposurePct }, 'DRY_RUN');
      return this.result;
    }
    if (views.length === 0) {
      this.result.outcome = 'nothing_to_do';
      this.endRun({ outcome: 'nothing_to_do' }, 'OK');
      return this.result;
    }
    this.deps.onPreview?.(this.result);
    if (!req.yes) {
      if (!this.deps.confirm) {
        this.endRun({ outcome: 'refused', reason: 'no terminal to confirm and no --yes' }, 'REFUSED');
        throw new AtlasError(`Refusing to send ${views.length} order(s) without confirmation: there is no terminal to ask on; review the plan with --dry-run and pass --yes to confirm.`, {
          code: 'CONFIRMATION_REQUIRED',
        });
      }
      const ok = await this.deps.confirm(this.result);
      if (!ok) {
        this.result.outcome = 'declined';
        this.endRun({ outcome: 'declined' }, 'DECLINED');
        return this.result;
      }
    }

    // Persist BEFORE the first order goes out.
    this.record = this.deps.runs.create(
      {
        runId: this.runId,
        tradeDate: nyDateOf(this.now()),
        account: req.account,
        broker: req.brokerKind,
        params: {
          universe: req.universe.name,
          topN: req.topN,
          regimeOverride: req.regimeOverride ?? null,
          minNotional: this.minNotional,
          force: req.force === true,
          strict: req.strict === true,
        },
        signal: {
          regime: signal.regime,
          regimeSource: signal.regimeSource,
          allocation: signal.allocation,
          dataDate: signal.dataDate,
          selected: signal.selected,
          targets: signal.targets,
          prices: Object.fromEntries(prices),
        },
      },
      views.map((v, i) => ({ clientOrderId: v.clientOrderId, seq: i + 1, leg: v.leg, symbol: v.symbol, side: v.side, intent: v.intent as RunOrderRecord['intent'], plannedQty: v.qty, qty: v.qty, refPrice: v.refPrice })),
    );
    await hook(this.deps.hooks?.afterPersist && (() => this.deps.hooks!.afterPersist!(this.runId)));
    return this.execute(false);
  }

  private stop(gates: readonly GateResult[], what: string): RebalanceResult {
    const failed = gates.find((g) => g.result === 'FAIL')!;
    this.result.outcome = 'stopped';
    this.result.stoppedBy = { gate: failed.gate, name: failed.name, reason: failed.reason };
    if (this.deps.runs.get(this.runId)) this.deps.runs.setStatus(this.runId, 'stopped', { stoppedBy: this.result.stoppedBy });
    this.result.orders = this.deps.runs.get(this.runId) ? this.deps.runs.orders(this.runId) : [];
    this.result.summary = summarize(this.result.orders);
    this.endRun({ outcome: 'stopped', what, gate: failed.gate, name: failed.name, reason: failed.reason }, 'STOPPED');
    return this.result;
  }

  // ---- resume ---------------------------------------------------------------------------

  private describeExisting(run: RunRecord): RebalanceResult {
    this.log.runStart({ mode: 'dry-run', existingRun: true, phase: run.phase, status: run.status });
    this.result.orders = this.deps.runs.orders(run.runId);
    this.result.summary = summarize(this.result.orders);
    this.result.outcome = 'dry_run';
    this.note(`run ${run.runId} already exists (phase ${run.phase}, ${run.status}); without --dry-run this command would reconcile it with the broker and ${run.status === 'completed' ? 'place no new orders' : 'finish it'}`);
    this.endRun({ outcome: 'dry_run', existingRun: true }, 'DRY_RUN');
    return this.result;
  }

  /** Closes RUN_STARTs of earlier invocations of this run that ended without a RUN_END (a killed process). */
  private closeDanglingStarts(): void {
    let starts = 0;
    let ends = 0;
    try {
      for (const r of readExecutionLog(this.deps.auditDir, { runId: this.runId })) {
        if (r.event === 'RUN_START') starts++;
        else if (r.event === 'RUN_END') ends++;
      }
    } catch {
      return;
    }
    for (let i = ends; i < starts; i++) {
      this.log.runEnd({ outcome: 'aborted', note: 'an earlier invocation of this run stopped without RUN_END (process killed); closed on resume' }, 'ABORTED');
    }
  }

  private async resume(run: RunRecord): Promise<RebalanceResult> {
    this.closeDanglingStarts();
    this.log.runStart({ mode: 'resume', phase: run.phase, status: run.status, params: run.params, onTimeout: this.onTimeout, fillTimeoutMs: this.fillTimeoutMs });
    this.note(`resuming run ${run.runId} (phase ${run.phase}, ${run.status}): reconciling every order with the broker first`);
    await this.reconcile();
    if (run.status === 'completed') {
      this.result.outcome = 'already_completed';
      this.result.orders = this.deps.runs.orders(this.runId);
      this.result.summary = summarize(this.result.orders);
      this.result.final = await this.finalAllocation();
      this.endRun({ outcome: 'already_completed', summary: this.result.summary }, 'OK');
      return this.result;
    }
    if (run.status === 'stopped') this.deps.runs.setStatus(this.runId, 'open');
    return this.execute(true);
  }

  /** Looks up every order that is not final locally and records what the broker says. */
  private async reconcile(): Promise<void> {
    for (const o of this.deps.runs.orders(this.runId)) {
      if (FINAL_ORDER_STATES.has(o.state)) continue;
      const b = await this.broker.getOrderByClientId(o.clientOrderId);
      if (!b) {
        if (o.state === 'submitting') {
          this.deps.runs.updateOrder(o.clientOrderId, { state: 'planned', reason: 'not found at the broker on resume; will be sent with the same client order id' });
        } else if (o.state !== 'planned') {
          throw new AtlasError(
            `Order ${o.clientOrderId} was accepted by the broker earlier but the broker cannot find it now; check the account before resuming run ${this.runId}.`,
            { code: 'RUN_ORDER_LOST' },
          );
        }
        continue;
      }
      if (o.state === 'planned' || o.state === 'submitting') {
        this.log.orderSubmitted({ symbol: o.symbol, side: o.side, qty: b.qty, orderType: b.type, orderId: b.id, clientOrderId: o.clientOrderId, status: b.status, detail: { reconciled: true } });
        this.deps.runs.updateOrder(o.clientOrderId, { state: 'submitted', brokerOrderId: b.id, brokerStatus: b.status, filledQty: b.filledQty, filledAvgPrice: b.filledAvgPrice });
      }
      const cur = this.deps.runs.order(o.clientOrderId)!;
      if (isTerminal(b.status)) this.finalize(cur, b, 'reconciled on resume');
      else this.deps.runs.updateOrder(o.clientOrderId, { brokerOrderId: b.id, brokerStatus: b.status, filledQty: b.filledQty, filledAvgPrice: b.filledAvgPrice });
    }
  }

  // ---- execution ------------------------------------------------------------------------

  private orders(leg?: OrderLeg): RunOrderRecord[] {
    const all = this.deps.runs.orders(this.runId);
    return leg === undefined ? all : all.filter((o) => o.leg === leg);
  }

  private ownIds(): Set<string> {
    return new Set(this.orders().map((o) => o.clientOrderId));
  }

  private signalPrices(): Map<string, number> {
    const prices = (this.deps.runs.get(this.runId)?.signal.prices ?? {}) as Record<string, number>;
    return new Map(Object.entries(prices));
  }

  private regimeOfRun(): Regime {
    return (this.deps.runs.get(this.runId)?.signal.regime ?? 'CRASH') as Regime;
  }

  /** Re-validates orders about to be sent on a later step (resumed sells, re-sized buys). */
  private async revalidate(orders: readonly RunOrderRecord[], snap: BrokerSnapshot): Promise<GateResult[] | { stopped: RebalanceResult; gates: GateResult[] }> {
    const run = this.deps.runs.get(this.runId)!;
    const symbols = [...new Set(orders.map((o) => o.symbol))];
    const prices = this.signalPrices();
    for (const o of orders) if (!prices.has(o.symbol)) prices.set(o.symbol, o.refPrice);
    const ctx = buildGateContext({
      snapshot: snap,
      assets: await this.assetsFor(symbols),
      lastPrices: this.lastPrices(symbols, prices),
      prices,
      regime: this.regimeOfRun(),
      allocation: DEFAULT_ALLOCATION,
      now: this.now(),
      force: run.params.force || this.req.force === true,
      strict: run.params.strict || this.req.strict === true,
      ownClientOrderIds: this.ownIds(),
    });
    const v = validateBatch(toGateOrders(orders), ctx);
    this.log.validations(v.gates);
    if (!v.passed) return { stopped: this.stop(v.gates, 'the re-validation'), gates: v.gates };
    return v.gates;
  }

  private async execute(resumed: boolean): Promise<RebalanceResult> {
    let run = this.deps.runs.get(this.runId)!;
    if (run.phase === 'sells') {
      const unsent = this.orders('sell').filter((o) => o.state === 'planned');
      if (resumed && unsent.length > 0) {
        const v = await this.revalidate(unsent, await this.snapshot());
        if ('stopped' in v) return v.stopped;
      }
      for (const o of unsent) await this.submit(o);
      await this.waitPhase('sell');
      run = this.deps.runs.setPhase(this.runId, 'buys');
      await hook(this.deps.hooks?.afterPhase && (() => this.deps.hooks!.afterPhase!('sells')));
    }
    if (run.phase === 'buys') {
      const unsent = this.orders('buy').filter((o) => o.state === 'planned');
      if (unsent.length > 0) {
        const snap = await this.snapshot();
        const prices = this.signalPrices();
        for (const o of unsent) if (!prices.has(o.symbol)) prices.set(o.symbol, o.refPrice);
        for (const p of snap.positions) if (!prices.has(p.symbol)) { const lp = this.lastPrice(p.symbol); if (lp !== undefined) prices.set(p.symbol, lp); }
        const valued = buildGateContext({ snapshot: snap, assets: new Map(), lastPrices: new Map(), prices, regime: this.regimeOfRun(), now: this.now(), force: true, strict: false }).positions;
        const allocation = Number(this.deps.runs.get(this.runId)?.signal.allocation ?? DEFAULT_ALLOCATION[this.regimeOfRun()]);
        const money = buyBudget(snap.account, valued, allocation, DEFAULT_GATE_LIMITS.regimeTolerance);
        const budget = money.budget;
        const sized = resizeBuys(
          unsent.map((o) => ({ ...o, qty: o.plannedQty })),
          budget,
          this.minNotional,
        );
        for (const s of sized.skipped) {
          this.log.orderCanceled({ symbol: s.order.symbol, side: 'buy', qty: s.order.plannedQty, clientOrderId: s.order.clientOrderId, status: 'skipped', reason: `not sent: ${s.reason} after the SELL phase (budget ${budget.toFixed(2)})` });
          this.deps.runs.updateOrder(s.order.clientOrderId, { state: 'skipped', qty: 0, reason: `${s.reason} after the SELL phase` });
        }
        for (const k of sized.kept) {
          if (k.qty !== unsent.find((u) => u.clientOrderId === k.clientOrderId)!.qty) {
            this.log.orderPlanned({ symbol: k.symbol, side: 'buy', qty: k.qty, orderType: 'market', clientOrderId: k.clientOrderId, status: 'resized', detail: { plannedQty: k.plannedQty, qty: k.qty, budget, scale: sized.scale } });
            this.deps.runs.updateOrder(k.clientOrderId, { qty: k.qty, reason: k.qty !== k.plannedQty ? `re-sized from ${k.plannedQty} to the buying power available after the SELL phase` : null });
          }
        }
        if (sized.scale < 1) {
          const why = money.cash <= money.regimeRoom ? `the cash available (${money.cash.toFixed(2)})` : `the room gate 7 leaves next to what is still held (${money.regimeRoom.toFixed(2)}; cash ${money.cash.toFixed(2)})`;
          this.note(`buys re-sized to ${why} after the SELL phase: ${sized.cost.toFixed(2)} planned, x${sized.scale.toFixed(4)}`);
        }
        const toSend = this.orders('buy').filter((o) => o.state === 'planned');
        let gates: GateResult[] = [];
        if (toSend.length > 0) {
          const v = await this.revalidate(toSend, snap);
          if ('stopped' in v) {
            this.result.buyPhase = { budget, cash: money.cash, regimeRoom: money.regimeRoom, cost: sized.cost, scale: sized.scale, skipped: sized.skipped.map((s) => s.order.symbol), validation: v.gates };
            return v.stopped;
          }
          gates = v;
        }
        this.result.buyPhase = { budget, cash: money.cash, regimeRoom: money.regimeRoom, cost: sized.cost, scale: sized.scale, skipped: sized.skipped.map((s) => s.order.symbol), validation: gates };
        for (const o of toSend) await this.submit(o);
      }
      await this.waitPhase('buy');
      const orders = this.orders();
      const summary = summarize(orders);
      this.deps.runs.setPhase(this.runId, 'done', 'completed', { ...summary });
      await hook(this.deps.hooks?.afterPhase && (() => this.deps.hooks!.afterPhase!('buys')));
    }
    this.result.orders = this.orders();
    this.result.summary = summarize(this.result.orders);
    this.result.final = await this.finalAllocation();
    const s = this.result.summary;
    this.result.outcome = s.rejected > 0 || s.canceled > 0 || s.leftOpen > 0 || s.skipped > 0 || s.resized > 0 || s.partiallyFilled > 0 ? 'completed_with_issues' : 'completed';
    this.endRun({ outcome: this.result.outcome, resumed, summary: s, exposurePct: this.result.final?.exposurePct ?? null }, 'OK');
    return this.result;
  }

  private async finalAllocation(): Promise<AllocationView | null> {
    try {
      const account = await this.broker.getAccount();
      const positions = await this.broker.getPositions();
      return allocationView(account.equity, new Map(positions.map((p) => [p.symbol, { qty: p.qty, value: p.marketValue }])));
    } catch (err) {
      this.note(`could not read the account back for the final report (${describeError(err)})`);
      return null;
    }
  }

  private async submit(o: RunOrderRecord): Promise<void> {
    this.deps.runs.updateOrder(o.clientOrderId, { state: 'submitting' });
    let placed: Order;
    try {
      placed = await this.broker.submitOrder({ symbol: o.symbol, side: o.side, qty: o.qty, type: 'market', timeInForce: 'day', clientOrderId: o.clientOrderId });
    } catch (err) {
      if (err instanceof OrderRejectedError) {
        this.log.orderRejected({ symbol: o.symbol, side: o.side, qty: o.qty, orderType: 'market', clientOrderId: o.clientOrderId, status: 'rejected', reason: err.reason });
        this.deps.runs.updateOrder(o.clientOrderId, { state: 'rejected', reason: err.reason });
        this.note(`${o.side} ${o.qty} ${o.symbol} rejected: ${err.reason}`);
        return;
      }
      throw err; // outcome unknown: the order stays 'submitting' and is reconciled on resume
    }
    this.log.orderSubmitted({ symbol: o.symbol, side: o.side, qty: o.qty, orderType: 'market', orderId: placed.id, clientOrderId: o.clientOrderId, status: placed.status });
    const cur = this.deps.runs.updateOrder(o.clientOrderId, {
      state: 'submitted',
      brokerOrderId: placed.id,
      brokerStatus: placed.status,
      filledQty: placed.filledQty,
      filledAvgPrice: placed.filledAvgPrice,
    });
    if (isTerminal(placed.status)) this.finalize(cur, placed);
    await hook(this.deps.hooks?.afterSubmit && (() => this.deps.hooks!.afterSubmit!(this.deps.runs.order(o.clientOrderId)!)));
  }

  /** Logs the outcome of a final broker order, then records it. */
  private finalize(o: RunOrderRecord, b: Order, why?: string): void {
    const state = localStateOf(b);
    if (state === undefined) return;
    const cells = { symbol: o.symbol, side: o.side, qty: o.qty, orderType: b.type, orderId: b.id, clientOrderId: o.clientOrderId, status: b.status };
    if (state === 'filled') {
      this.log.orderFilled({ ...cells, fillPrice: b.filledAvgPrice ?? Number.NaN, fillQty: b.filledQty, ...(b.filledAt ? { fillTime: b.filledAt } : {}), ...(why ? { detail: { note: why } } : {}) });
    } else if (state === 'rejected') {
      this.log.orderRejected({ ...cells, reason: b.rejectReason ?? 'rejected by the broker after acceptance' });
    } else {
      if (b.filledQty > 0) this.log.orderFilled({ ...cells, fillPrice: b.filledAvgPrice ?? Number.NaN, fillQty: b.filledQty, partial: true });
      this.log.orderCanceled({ ...cells, reason: why ?? `order ${b.status} by the broker${b.filledQty > 0 ? ` after ${b.filledQty} of ${b.qty} filled` : ''}` });
    }
    this.deps.runs.updateOrder(o.clientOrderId, {
      state,
      brokerStatus: b.status,
      filledQty: b.filledQty,
      filledAvgPrice: b.filledAvgPrice,
      ...(state === 'rejected' ? { reason: b.rejectReason ?? 'rejected after acceptance' } : why ? { reason: why } : {}),
    });
  }

  /** Polls this leg's working orders until all are final or the fill timeout passes. */
  private async waitPhase(leg: OrderLeg): Promise<void> {
    const deadline = this.now().getTime() + this.fillTimeoutMs;
    // Bounded also by a poll count, so a clock that does not advance cannot spin forever.
    const maxRounds = Math.ceil(this.fillTimeoutMs / this.pollMs) + 2;
    for (let round = 1; ; round++) {
      const working = this.orders(leg).filter((o) => o.state === 'submitted');
      if (working.length === 0) return;
      for (const o of working) {
        let b: Order;
        try {
          b = await this.broker.getOrder(o.brokerOrderId!);
        } catch (err) {
          if (err instanceof TransientError) {
            this.note(`could not poll ${o.clientOrderId} (${describeError(err)}); will try again`);
            continue;
          }
          throw err;
        }
        if (isTerminal(b.status)) this.finalize(o, b);
        else this.deps.runs.updateOrder(o.clientOrderId, { brokerStatus: b.status, filledQty: b.filledQty, filledAvgPrice: b.filledAvgPrice });
      }
      if (this.orders(leg).every((o) => o.state !== 'submitted')) return;
      const left = deadline - this.now().getTime();
      if (left <= 0 || round >= maxRounds) break;
      await this.deps.sleep(Math.min(this.pollMs, left));
    }
    for (const o of this.orders(leg).filter((x) => x.state === 'submitted')) await this.timedOut(o);
  }

  private async timedOut(o: RunOrderRecord): Promise<void> {
    const secs = Math.round(this.fillTimeoutMs / 1000);
    const cells = { symbol: o.symbol, side: o.side, qty: o.qty, orderType: 'market', orderId: o.brokerOrderId ?? undefined, clientOrderId: o.clientOrderId };
    if (this.onTimeout === 'leave') {
      const reason = `still ${o.brokerStatus ?? 'open'} at the ${secs}s fill timeout with ${o.filledQty} of ${o.qty} filled; left open (--on-timeout leave)`;
      this.log.orderFilled({ ...cells, status: o.brokerStatus ?? 'open', fillPrice: o.filledAvgPrice ?? Number.NaN, fillQty: o.filledQty, partial: true, detail: { leftOpen: true, reason } });
      this.deps.runs.updateOrder(o.clientOrderId, { state: 'left_open', reason });
      this.note(`${o.side} ${o.symbol}: ${reason}`);
      return;
    }
    const id = o.brokerOrderId!;
    try {
      await this.broker.cancelOrder(id);
    } catch (err) {
      // Already final (filled in the meantime) or a failed request: the reads below tell which.
      this.note(`cancel of ${o.clientOrderId} answered: ${describeError(err)}`);
    }
    const until = this.now().getTime() + this.cancelWaitMs;
    const maxRounds = Math.ceil(this.cancelWaitMs / this.pollMs) + 2;
    for (let round = 1; ; round++) {
      const b = await this.broker.getOrder(id);
      if (isTerminal(b.status)) {
        const why = b.status === 'filled' ? undefined : `canceled at the ${secs}s fill timeout (--on-timeout cancel) with ${b.filledQty} of ${b.qty} filled`;
        this.finalize(this.deps.runs.order(o.clientOrderId)!, b, why);
        if (why) this.note(`${o.side} ${o.symbol}: ${why}`);
        return;
      }
      const left = until - this.now().getTime();
      if (left <= 0 || round >= maxRounds) {
        const reason = `cancel requested at the fill timeout but the broker still reports ${b.status}; left open`;
        this.log.orderFilled({ ...cells, status: b.status, fillPrice: b.filledAvgPrice ?? Number.NaN, fillQty: b.filledQty, partial: true, detail: { leftOpen: true, reason } });
        this.deps.runs.updateOrder(o.clientOrderId, { state: 'left_open', brokerStatus: b.status, filledQty: b.filledQty, filledAvgPrice: b.filledAvgPrice, reason });
        this.note(`${o.side} ${o.symbol}: ${reason}`);
        return;
      }
      await this.deps.sleep(Math.min(this.pollMs, left));
    }
  }
}
