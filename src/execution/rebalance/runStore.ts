/**
 * @module Persistence of rebalance runs (migration 3: runs, run_orders; migration 4:
 * run_order_events). The orchestrator writes here BEFORE every side effect, so a process killed
 * at any point leaves a state that `--resume` (or the same command the same day) can reconcile
 * with the broker and finish.
 *
 * An order changes only through `apply(event, audit)`: the transition table is checked first
 * (an illegal move writes nothing), then the audit line rendered from the event is appended and
 * fsynced, then ONE transaction writes the new state and fields and appends the event to
 * run_order_events. Audit first, because the audit file and SQLite cannot share a transaction: a
 * crash between the two leaves the line without the state change, and resume derives the same
 * event again from the broker (the line is repeated, never lost). The other order would lose the
 * line for good when the crash hits after the commit.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { chaosPoint } from '../../core/chaos.js';
import { AtlasError } from '../../core/errors.js';
import type { ExecutionEventInput } from '../audit/executionLog.js';
import type { AllocationMatrix } from '../../portfolio/allocation.js';
import type { GateLimits } from '../gates/types.js';
import type { OrderIntent } from '../orderPlan.js';
import { brokerFactsOf, reasonOf, type OrderEvent, type Planned } from '../orders/events.js';
import { FINAL_ORDER_STATES as FINAL_STATES, type OrderState } from '../orders/states.js';
import { eventToAudit } from '../orders/toAudit.js';
import { transition } from '../orders/transition.js';
import type { OrderLeg } from './runId.js';
import { prepared } from '../../data/store/statements.js';

export type RunPhase = 'sells' | 'buys' | 'done';
/** open: in progress or interrupted; queued: orders wait for the next open (resume after it). */
export type RunStatus = 'open' | 'queued' | 'completed' | 'stopped' | 'abandoned';

/** Local order states: see src/execution/orders/states.ts. */
export type RunOrderState = OrderState;

export const FINAL_ORDER_STATES = FINAL_STATES;

/** Where an applied event's audit line goes (an ExecutionLog, or a test's array). */
export interface AuditSink {
  append(e: ExecutionEventInput): unknown;
}

/** One stored event of an order. */
export interface StoredOrderEvent {
  id: number;
  runId: string;
  clientOrderId: string;
  fromState: OrderState | null;
  toState: OrderState;
  event: OrderEvent;
  at: string;
}

export interface RunParams {
  universe: string;
  topN: number;
  regimeOverride: string | null;
  minNotional: number;
  force: boolean;
  strict: boolean;
  /** Content hash of the strategy the run traded (absent for runs made before strategy files). */
  strategyHash?: string;
  /** Account equity when the run was planned. */
  equityAtPlan?: number;
  /** The strategy's gate limits and allocation matrix, so a resumed step re-validates by the plan's rules. */
  gateLimits?: Partial<GateLimits>;
  allocation?: AllocationMatrix;
}

export interface RunRecord {
  runId: string;
  tradeDate: string;
  account: string;
  broker: string;
  params: RunParams;
  /** The signal snapshot the plan came from (JSON-safe). */
  signal: Record<string, unknown>;
  phase: RunPhase;
  status: RunStatus;
  summary: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export interface RunOrderRecord {
  runId: string;
  clientOrderId: string;
  seq: number;
  leg: OrderLeg;
  symbol: string;
  side: 'buy' | 'sell';
  intent: OrderIntent;
  /** Quantity of the original plan. */
  plannedQty: number;
  /** Quantity to send (buys may be re-sized down after the SELL phase). */
  qty: number;
  refPrice: number;
  state: RunOrderState;
  brokerOrderId: string | null;
  brokerStatus: string | null;
  filledQty: number;
  filledAvgPrice: number | null;
  reason: string | null;
  updatedAt: string;
}


/** A `runs` row as stored (the dashboard reads the same table). */
export interface RunRow {
  run_id: string;
  trade_date: string;
  account: string;
  broker: string;
  params: string;
  signal: string;
  phase: string;
  status: string;
  summary: string | null;
  created_at: string;
  updated_at: string;
}

/** A row of run_orders as stored (the dashboard reads the same rows). */
export interface RunOrderRow {
  run_id: string;
  client_order_id: string;
  seq: number;
  leg: string;
  symbol: string;
  side: string;
  intent: string;
  planned_qty: number;
  qty: number;
  ref_price: number;
  state: string;
  broker_order_id: string | null;
  broker_status: string | null;
  filled_qty: number;
  filled_avg_price: number | null;
  reason: string | null;
  updated_at: string;
}

function toRun(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    tradeDate: r.trade_date,
    account: r.account,
    broker: r.broker,
    params: JSON.parse(r.params) as RunParams,
    signal: JSON.parse(r.signal) as Record<string, unknown>,
    phase: r.phase as RunPhase,
    status: r.status as RunStatus,
    summary: r.summary === null ? null : (JSON.parse(r.summary) as Record<string, unknown>),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toOrder(r: RunOrderRow): RunOrderRecord {
  return {
    runId: r.run_id,
    clientOrderId: r.client_order_id,
    seq: r.seq,
    leg: r.leg as OrderLeg,
    symbol: r.symbol,
    side: r.side as 'buy' | 'sell',
    intent: r.intent as OrderIntent,
    plannedQty: r.planned_qty,
    qty: r.qty,
    refPrice: r.ref_price,
    state: r.state as RunOrderState,
    brokerOrderId: r.broker_order_id,
    brokerStatus: r.broker_status,
    filledQty: r.filled_qty,
    filledAvgPrice: r.filled_avg_price,
    reason: r.reason,
    updatedAt: r.updated_at,
  };
}

export type NewRun = Omit<RunRecord, 'createdAt' | 'updatedAt' | 'summary' | 'phase' | 'status'>;
export type NewRunOrder = Omit<RunOrderRecord, 'runId' | 'updatedAt' | 'state' | 'brokerOrderId' | 'brokerStatus' | 'filledQty' | 'filledAvgPrice' | 'reason'>;

export function plannedEventOf(o: Pick<RunOrderRecord, 'clientOrderId' | 'symbol' | 'side' | 'qty' | 'leg' | 'intent' | 'refPrice'>): Planned {
  return { kind: 'Planned', clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: o.qty, leg: o.leg, intent: o.intent, refPrice: o.refPrice, notional: o.qty * o.refPrice };
}

interface EventRow {
  id: number;
  run_id: string;
  client_order_id: string;
  from_state: string | null;
  to_state: string;
  event: string;
  at: string;
}

export class RunStore {
  private readonly clock: Pick<Clock, 'now'>;

  /** `clock` is the one Clock (a bare `() => Date` is still accepted from older callers). */
  constructor(
    readonly db: Database.Database,
    clock: Pick<Clock, 'now'> | (() => Date) = { now: () => new Date() },
  ) {
    this.clock = typeof clock === 'function' ? { now: clock } : clock;
  }

  private stamp(): string {
    return this.clock.now().toISOString();
  }

  get(runId: string): RunRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Most recent first. */
  list(limit = 50): RunRecord[] {
    const rows = prepared(this.db, 'SELECT * FROM runs ORDER BY created_at DESC, run_id DESC LIMIT ?').all(limit) as RunRow[];
    return rows.map(toRun);
  }

  orders(runId: string): RunOrderRecord[] {
    const rows = prepared(this.db, 'SELECT * FROM run_orders WHERE run_id = ? ORDER BY seq').all(runId) as RunOrderRow[];
    return rows.map(toOrder);
  }

  order(clientOrderId: string): RunOrderRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM run_orders WHERE client_order_id = ?').get(clientOrderId) as RunOrderRow | undefined;
    return row ? toOrder(row) : undefined;
  }

  /** Writes the run and every planned order in one transaction (phase 'sells', status 'open'). */
  create(run: NewRun, orders: readonly NewRunOrder[]): RunRecord {
    const at = this.stamp();
    this.db
      .transaction(() => {
        if (this.get(run.runId)) throw new AtlasError(`Rebalance run ${run.runId} already exists; resume it instead of creating it again.`, { code: 'RUN_EXISTS' });
        prepared(this.db,
            'INSERT INTO runs (run_id, trade_date, account, broker, params, signal, phase, status, summary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
          )
          .run(run.runId, run.tradeDate, run.account, run.broker, JSON.stringify(run.params), JSON.stringify(run.signal), 'sells', 'open', at, at);
        const ins = prepared(this.db,
          'INSERT INTO run_orders (run_id, client_order_id, seq, leg, symbol, side, intent, planned_qty, qty, ref_price, state, filled_qty, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
        );
        for (const o of orders) {
          ins.run(run.runId, o.clientOrderId, o.seq, o.leg, o.symbol, o.side, o.intent, o.plannedQty, o.qty, o.refPrice, 'planned', at);
          this.insertEvent(run.runId, plannedEventOf(o), null, 'planned', at);
        }
      })
      .immediate();
    chaosPoint('store', 'run created');
    return this.get(run.runId)!;
  }

  private insertEvent(runId: string, e: OrderEvent, from: OrderState | null, to: OrderState, at: string): void {
    prepared(this.db, 'INSERT INTO run_order_events (run_id, client_order_id, kind, from_state, to_state, event, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, e.clientOrderId, e.kind, from, to, JSON.stringify(e), at);
  }

  private mustOrder(clientOrderId: string): RunOrderRecord {
    const o = this.order(clientOrderId);
    if (!o) throw new AtlasError(`No planned order with client order id ${clientOrderId} in the run store.`, { code: 'RUN_ORDER_NOT_FOUND' });
    return o;
  }

  /**
   * Applies one event to its order: checks the transition (throws INVALID_ORDER_TRANSITION and
   * writes nothing when illegal), appends the audit line rendered from the event, then in one
   * transaction writes the new state and fields and stores the event. Returns the order after it.
   */
  apply(event: OrderEvent, audit?: AuditSink): RunOrderRecord {
    const before = this.mustOrder(event.clientOrderId);
    transition(before.state, event);
    const line = eventToAudit(event);
    if (line && audit) audit.append(line);
    this.db
      .transaction(() => {
        // Re-read inside the write lock: the state may have moved since the check above.
        const cur = this.mustOrder(event.clientOrderId);
        const next = transition(cur.state, event);
        const at = this.stamp();
        const facts = brokerFactsOf(event);
        const reason = reasonOf(event);
        const qty = event.kind === 'Resized' ? event.qty : event.kind === 'Skipped' ? 0 : cur.qty;
        prepared(this.db,
            `UPDATE run_orders SET state = ?, qty = ?, broker_order_id = ?, broker_status = ?, filled_qty = ?, filled_avg_price = ?, reason = ?, updated_at = ? WHERE client_order_id = ?`,
          )
          .run(
            next,
            qty,
            facts.brokerOrderId ?? cur.brokerOrderId,
            facts.brokerStatus ?? cur.brokerStatus,
            facts.filledQty ?? cur.filledQty,
            facts.filledAvgPrice !== undefined ? facts.filledAvgPrice : cur.filledAvgPrice,
            reason ?? (event.kind === 'Resized' ? null : cur.reason),
            at,
            cur.clientOrderId,
          );
        this.insertEvent(cur.runId, event, cur.state, next, at);
      })
      .immediate();
    chaosPoint('store', `run order ${event.kind}`);
    return this.mustOrder(event.clientOrderId);
  }

  /** The events of one order (or of every order of a run), oldest first. */
  events(query: { runId: string } | { clientOrderId: string }): StoredOrderEvent[] {
    const rows = ('runId' in query
      ? prepared(this.db, 'SELECT * FROM run_order_events WHERE run_id = ? ORDER BY id').all(query.runId)
      : prepared(this.db, 'SELECT * FROM run_order_events WHERE client_order_id = ? ORDER BY id').all(query.clientOrderId)) as EventRow[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      clientOrderId: r.client_order_id,
      fromState: r.from_state as OrderState | null,
      toState: r.to_state as OrderState,
      event: JSON.parse(r.event) as OrderEvent,
      at: r.at,
    }));
  }

  setPhase(runId: string, phase: RunPhase, status?: RunStatus, summary?: Record<string, unknown>): RunRecord {
    const cols = ['phase = ?', 'updated_at = ?'];
    const vals: (string | null)[] = [phase, this.stamp()];
    if (status !== undefined) {
      cols.push('status = ?');
      vals.push(status);
    }
    if (summary !== undefined) {
      cols.push('summary = ?');
      vals.push(JSON.stringify(summary));
    }
    const res = prepared(this.db, `UPDATE runs SET ${cols.join(', ')} WHERE run_id = ?`).run(...vals, runId);
    if (res.changes !== 1) throw new AtlasError(`No rebalance run ${runId} in the run store.`, { code: 'RUN_NOT_FOUND' });
    chaosPoint('store', `run phase ${phase}${status === undefined ? '' : ` ${status}`}`);
    return this.get(runId)!;
  }

  setStatus(runId: string, status: RunStatus, summary?: Record<string, unknown>): RunRecord {
    const run = this.get(runId);
    if (!run) throw new AtlasError(`No rebalance run ${runId} in the run store.`, { code: 'RUN_NOT_FOUND' });
    return this.setPhase(runId, run.phase, status, summary);
  }
}
