/**
 * @module The state one rebalance invocation shares between its steps (plan, reconcile, phases,
 * re-sizing, sequencing): the request, the injected dependencies and the one Clock, the run id,
 * the audit log, the notes and the result being built. `record(event)` is the only way a step
 * changes an order: the run store checks the transition and writes the state and the audit line
 * from the same event.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { AtlasError } from '../../core/errors.js';
import { DEFAULT_ALLOCATION, type Regime } from '../../portfolio/allocation.js';
import { ExecutionLog } from '../audit/executionLog.js';
import type { Asset, Broker } from '../brokers/broker.js';
import type { OrderEvent } from '../orders/events.js';
import { DEFAULT_BUY_PRICE_BUFFER } from '../gates/types.js';
import type { BrokerSnapshot } from './plan.js';
import type { OrderLeg } from './runId.js';
import type { RunOrderRecord, RunRecord, RunStore } from './runStore.js';
import { marketSession, type MarketSession } from './session.js';
import { lastRawClose } from './signal.js';
import { summarize } from './summary.js';
import type { OnTimeout, RebalanceDeps, RebalanceRequest, RebalanceResult } from './types.js';

const DEFAULT_FILL_TIMEOUT_MS = 300_000;
const DEFAULT_POLL_MS = 1_000;
const DEFAULT_CANCEL_WAIT_MS = 10_000;

/** An error thrown by a test hook: a simulated crash that skips every audit/state handler. */
export class HookCrash extends Error {
  constructor(readonly original: unknown) {
    super('hook crash');
  }
}

/** The one Clock of a run (older callers still pass now/sleep). */
export function clockOf(deps: Pick<RebalanceDeps, 'clock' | 'now' | 'sleep'>): Clock {
  if (deps.clock) return deps.clock;
  if (!deps.now && !deps.sleep) return systemClock;
  return { now: deps.now ?? systemClock.now, sleep: deps.sleep ?? systemClock.sleep };
}

export class RunContext {
  readonly clock: Clock;
  readonly fillTimeoutMs: number;
  readonly pollMs: number;
  readonly cancelWaitMs: number;
  readonly onTimeout: OnTimeout;
  readonly minNotional: number;
  runId = '';
  log!: ExecutionLog;
  result!: RebalanceResult;
  ended = false;
  readonly notes: string[] = [];
  private readonly noted = new Set<string>();

  constructor(
    readonly req: RebalanceRequest,
    readonly deps: RebalanceDeps,
  ) {
    this.clock = clockOf(deps);
    this.fillTimeoutMs = req.fillTimeoutMs ?? DEFAULT_FILL_TIMEOUT_MS;
    this.pollMs = Math.max(1, req.pollMs ?? DEFAULT_POLL_MS);
    this.cancelWaitMs = req.cancelWaitMs ?? DEFAULT_CANCEL_WAIT_MS;
    this.onTimeout = req.onTimeout ?? 'cancel';
    this.minNotional = req.minNotional ?? 50;
    if (!(this.fillTimeoutMs >= 0)) throw new AtlasError(`--fill-timeout must be zero or more seconds, got ${this.fillTimeoutMs / 1000}.`, { code: 'BAD_FLAG' });
    if (!(this.minNotional >= 0)) throw new AtlasError(`--min-notional must be zero or more, got ${this.minNotional}.`, { code: 'BAD_FLAG' });
  }

  get broker(): Broker {
    return this.deps.broker;
  }

  get runs(): RunStore {
    return this.deps.runs;
  }

  now(): Date {
    return this.clock.now();
  }

  note(text: string): void {
    this.notes.push(text);
    this.deps.note?.(text);
  }

  /** A note said once per invocation (e.g. an order status Atlas does not know). */
  noteOnce(key: string, text: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.note(text);
  }

  /** Opens the audit log for this run and starts an empty result. */
  begin(runId: string, account: string, broker: string, resumed: boolean): void {
    this.runId = runId;
    this.log = new ExecutionLog({ dir: this.deps.auditDir, runId, account, broker, secrets: this.deps.secrets ?? [], clock: () => this.clock.now() });
    this.result = {
      runId,
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
      queued: null,
      summary: summarize([]),
      notes: this.notes,
    };
  }

  /** The (broker kind, account) this run trades: the key of its account lease. */
  runAccount(): { account: string; broker: string } {
    return { account: this.result.account, broker: this.result.broker };
  }

  /** Headroom on market buys (--buy-price-buffer; default 3%). */
  get buyPriceBuffer(): number {
    return this.req.buyPriceBuffer ?? DEFAULT_BUY_PRICE_BUFFER;
  }

  /** The only way a step changes an order (transition checked; audit line and state from the same event). */
  record(event: OrderEvent): RunOrderRecord {
    return this.runs.apply(event, this.log);
  }

  endRun(detail: Record<string, unknown>, status: string): void {
    this.log.runEnd(detail, status);
    this.ended = true;
  }

  async hook(fn: (() => void | Promise<void>) | undefined): Promise<void> {
    if (!fn) return;
    try {
      await fn();
    } catch (err) {
      throw new HookCrash(err);
    }
  }

  run(): RunRecord {
    const r = this.runs.get(this.runId);
    if (!r) throw new AtlasError(`No rebalance run ${this.runId} in the run store.`, { code: 'RUN_NOT_FOUND' });
    return r;
  }

  orders(leg?: OrderLeg): RunOrderRecord[] {
    const all = this.runs.orders(this.runId);
    return leg === undefined ? all : all.filter((o) => o.leg === leg);
  }

  ownIds(): Set<string> {
    return new Set(this.orders().map((o) => o.clientOrderId));
  }

  /** Copies the orders and their summary into the result. */
  settle(): void {
    this.result.orders = this.runs.get(this.runId) ? this.orders() : [];
    this.result.summary = summarize(this.result.orders);
  }

  session(): Promise<MarketSession> {
    return marketSession(this.broker, this.clock);
  }

  async snapshot(): Promise<BrokerSnapshot> {
    const account = await this.broker.getAccount();
    const positions = await this.broker.getPositions();
    const openOrders = await this.broker.listOpenOrders();
    return { account, positions, openOrders };
  }

  async assetsFor(symbols: readonly string[]): Promise<Map<string, Asset | undefined>> {
    const out = new Map<string, Asset | undefined>();
    for (const s of symbols) out.set(s, await this.broker.getAsset(s));
    return out;
  }

  lastPrice(symbol: string): number | undefined {
    if (this.deps.lastPrice) return this.deps.lastPrice(symbol);
    return this.deps.store ? lastRawClose(this.deps.store, symbol) : undefined;
  }

  lastPrices(symbols: readonly string[], fallback: ReadonlyMap<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of symbols) {
      const p = this.lastPrice(s) ?? fallback.get(s);
      if (p !== undefined) out.set(s, p);
    }
    return out;
  }

  /** The prices the run was planned with. */
  signalPrices(): Map<string, number> {
    const prices = (this.runs.get(this.runId)?.signal.prices ?? {}) as Record<string, number>;
    return new Map(Object.entries(prices));
  }

  regimeOfRun(): Regime {
    return (this.runs.get(this.runId)?.signal.regime ?? 'CRASH') as Regime;
  }

  /** The symbols the run's gate 7 counts as cash (its cash-like remainder sleeve). */
  cashLikeOfRun(): Set<string> {
    const list = this.runs.get(this.runId)?.signal.cashLike;
    return new Set(Array.isArray(list) ? list.map(String) : []);
  }

  allocationOfRun(): number {
    return Number(this.runs.get(this.runId)?.signal.allocation ?? DEFAULT_ALLOCATION[this.regimeOfRun()]);
  }
}
