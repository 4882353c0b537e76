/**
 * Persistence of rebalance runs (migration 3: tables runs and run_orders). The orchestrator
 * writes here BEFORE every side effect, so a process killed at any point leaves a state that
 * `--resume` (or the same command the same day) can reconcile with the broker and finish.
 */
import type Database from 'better-sqlite3';
import { AtlasError } from '../../core/errors.js';
import type { OrderIntent } from '../orderPlan.js';
import type { OrderLeg } from './runId.js';

export type RunPhase = 'sells' | 'buys' | 'done';
export type RunStatus = 'open' | 'completed' | 'stopped';

/**
 * Local order states:
 *  planned     - not sent yet (safe to send with its client order id);
 *  submitting  - written just before submitOrder: the broker may or may not have it (reconcile);
 *  submitted   - accepted by the broker, still working;
 *  left_open   - still working at the fill timeout and left open (--on-timeout leave);
 *  filled / canceled / rejected / expired - final at the broker (canceled may carry a partial fill);
 *  skipped     - never sent (a buy re-sized to nothing, or an order dropped on resume).
 */
export type RunOrderState = 'planned' | 'submitting' | 'submitted' | 'left_open' | 'filled' | 'canceled' | 'rejected' | 'expired' | 'skipped';

export const FINAL_ORDER_STATES: ReadonlySet<RunOrderState> = new Set<RunOrderState>(['filled', 'canceled', 'rejected', 'expired', 'skipped']);

export interface RunParams {
  universe: string;
  topN: number;
  regimeOverride: string | null;
  minNotional: number;
  force: boolean;
  strict: boolean;
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

export type RunOrderPatch = Partial<Pick<RunOrderRecord, 'qty' | 'state' | 'brokerOrderId' | 'brokerStatus' | 'filledQty' | 'filledAvgPrice' | 'reason'>>;

interface RunRow {
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

interface OrderRow {
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

function toOrder(r: OrderRow): RunOrderRecord {
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

export class RunStore {
  constructor(
    readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private stamp(): string {
    return this.now().toISOString();
  }

  get(runId: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Most recent first. */
  list(limit = 50): RunRecord[] {
    const rows = this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, run_id DESC LIMIT ?').all(limit) as RunRow[];
    return rows.map(toRun);
  }

  orders(runId: string): RunOrderRecord[] {
    const rows = this.db.prepare('SELECT * FROM run_orders WHERE run_id = ? ORDER BY seq').all(runId) as OrderRow[];
    return rows.map(toOrder);
  }

  order(clientOrderId: string): RunOrderRecord | undefined {
    const row = this.db.prepare('SELECT * FROM run_orders WHERE client_order_id = ?').get(clientOrderId) as OrderRow | undefined;
    return row ? toOrder(row) : undefined;
  }

  /** Writes the run and every planned order in one transaction (phase 'sells', status 'open'). */
  create(run: NewRun, orders: readonly NewRunOrder[]): RunRecord {
    const at = this.stamp();
    this.db
      .transaction(() => {
        if (this.get(run.runId)) throw new AtlasError(`Rebalance run ${run.runId} already exists; resume it instead of creating it again.`, { code: 'RUN_EXISTS' });
        this.db
          .prepare(
            'INSERT INTO runs (run_id, trade_date, account, broker, params, signal, phase, status, summary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
          )
          .run(run.runId, run.tradeDate, run.account, run.broker, JSON.stringify(run.params), JSON.stringify(run.signal), 'sells', 'open', at, at);
        const ins = this.db.prepare(
          'INSERT INTO run_orders (run_id, client_order_id, seq, leg, symbol, side, intent, planned_qty, qty, ref_price, state, filled_qty, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
        );
        for (const o of orders) ins.run(run.runId, o.clientOrderId, o.seq, o.leg, o.symbol, o.side, o.intent, o.plannedQty, o.qty, o.refPrice, 'planned', at);
      })
      .immediate();
    return this.get(run.runId)!;
  }

  updateOrder(clientOrderId: string, patch: RunOrderPatch): RunOrderRecord {
    const cols: string[] = [];
    const vals: (string | number | null)[] = [];
    const map: Record<keyof RunOrderPatch, string> = {
      qty: 'qty',
      state: 'state',
      brokerOrderId: 'broker_order_id',
      brokerStatus: 'broker_status',
      filledQty: 'filled_qty',
      filledAvgPrice: 'filled_avg_price',
      reason: 'reason',
    };
    for (const [k, col] of Object.entries(map) as [keyof RunOrderPatch, string][]) {
      if (patch[k] === undefined) continue;
      cols.push(`${col} = ?`);
      vals.push(patch[k] as string | number | null);
    }
    cols.push('updated_at = ?');
    vals.push(this.stamp());
    const res = this.db.prepare(`UPDATE run_orders SET ${cols.join(', ')} WHERE client_order_id = ?`).run(...vals, clientOrderId);
    if (res.changes !== 1) throw new AtlasError(`No planned order with client order id ${clientOrderId} in the run store.`, { code: 'RUN_ORDER_NOT_FOUND' });
    return this.order(clientOrderId)!;
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
    const res = this.db.prepare(`UPDATE runs SET ${cols.join(', ')} WHERE run_id = ?`).run(...vals, runId);
    if (res.changes !== 1) throw new AtlasError(`No rebalance run ${runId} in the run store.`, { code: 'RUN_NOT_FOUND' });
    return this.get(runId)!;
  }

  setStatus(runId: string, status: RunStatus, summary?: Record<string, unknown>): RunRecord {
    const run = this.get(runId);
    if (!run) throw new AtlasError(`No rebalance run ${runId} in the run store.`, { code: 'RUN_NOT_FOUND' });
    return this.setPhase(runId, run.phase, status, summary);
  }
}
