/**
 * @module The execution audit trail's writing side: `ExecutionLog`, one chained, fsynced line
 * per event in `execution_log.csv`, rotated by size, safe for several processes appending at
 * once (each append holds `execution_log.csv.lock`). `append(input)` writes any one event; the
 * named helpers (runStart, signal, orderPlanned, ...) shape the common ones. See docs/audit.md.
 *
 * The format, chain, reader, verifier and rotation live in their own files and are re-exported
 * here, so `import { ... } from './executionLog.js'` keeps working.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import { AtlasError, describeError } from '../../core/errors.js';
import { rethrowIo } from '../../core/ioErrors.js';
import { nodeAuditFs, type AuditFs } from './auditFs.js';
import { FileLock, type FileLockOptions } from './fileLock.js';
import { DEFAULT_MAX_BYTES, EXECUTION_LOG_FILE } from './files.js';
import { EVENT_COLUMNS, escapeCell, isExecutionEvent, nyTimestamp, type ExecutionLogRow } from './format.js';
import { eventRow, type Detail, type ExecutionEventInput } from './row.js';
import { appendRecord } from './writer.js';

export * from './auditFs.js';
export * from './format.js';
export * from './row.js';
export * from './files.js';
export { GENESIS_HASH, sha256Hex } from './chain.js';
export * from './reader.js';
export * from './verify.js';
export * from './table.js';

export interface ExecutionLogOptions {
  /** Directory holding execution_log.csv (created if missing). */
  dir: string;
  runId: string;
  /** Defaults for the account / broker columns. */
  account?: string;
  broker?: string;
  /** Values scrubbed from every field before writing (API keys, secrets, tokens). */
  secrets?: readonly string[];
  /** Rotate when the current file has reached this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** The timestamp column and rotation names: a Clock, or a function returning the time. */
  clock?: Clock | (() => Date | number);
  /** Injectable file operations (tests spy on them or fail a write); defaults to node:fs. */
  fs?: AuditFs;
  lock?: Omit<FileLockOptions, 'fs'>;
}

export class ExecutionLog {
  readonly dir: string;
  readonly path: string;
  readonly runId: string;
  private readonly account: string;
  private readonly broker: string;
  private readonly secrets: readonly string[];
  private readonly maxBytes: number;
  private readonly now: () => Date | number;
  private readonly fs: AuditFs;
  private readonly lock: FileLock;

  constructor(options: ExecutionLogOptions) {
    this.dir = options.dir;
    this.path = join(options.dir, EXECUTION_LOG_FILE);
    this.runId = options.runId;
    this.account = options.account ?? '';
    this.broker = options.broker ?? '';
    this.secrets = options.secrets ?? [];
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(this.maxBytes > 0)) throw new AtlasError(`Execution log maxBytes must be positive, got ${this.maxBytes}.`);
    const clock = options.clock;
    this.now = clock === undefined ? () => systemClock.now() : typeof clock === 'function' ? clock : () => clock.now();
    this.fs = options.fs ?? nodeAuditFs;
    this.lock = new FileLock(`${this.path}.lock`, { ...(options.lock ?? {}), fs: this.fs });
    try {
      this.fs.mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      rethrowIo(err, this.dir);
    }
  }

  /** The event cells exactly as they will be written (redacted, before escaping); no chain cells. */
  toRow(e: ExecutionEventInput, at: Date | number = this.now()): Omit<ExecutionLogRow, 'prev_hash' | 'hash'> {
    return eventRow(e, { at, runId: this.runId, account: this.account, broker: this.broker, secrets: this.secrets });
  }

  /** Appends one event durably (written and fsynced before returning). Returns the written row. */
  append(e: ExecutionEventInput): ExecutionLogRow {
    if (!isExecutionEvent(e.event)) throw new AtlasError(`Unknown execution log event '${String(e.event)}'.`);
    // Stamped inside the lock, so lines from concurrent processes are in timestamp order.
    return this.lock.withLock(() => {
      const now = this.now();
      const row = this.toRow(e, now);
      const { prevHash, hash } = appendRecord({ dir: this.dir, maxBytes: this.maxBytes, fs: this.fs }, EVENT_COLUMNS.map((c) => escapeCell(row[c])), now);
      return { ...row, prev_hash: prevHash, hash };
    });
  }

  // ---- one helper per common event ------------------------------------------------------

  runStart(detail?: Detail): ExecutionLogRow {
    return this.append({ event: 'RUN_START', detail });
  }

  /** The regime decision and the selected symbols. */
  signal(s: { regime: string; selection: readonly string[]; detail?: Record<string, unknown> }): ExecutionLogRow {
    return this.append({
      event: 'SIGNAL',
      status: s.regime,
      reason: `regime ${s.regime}; ${s.selection.length} selected`,
      detail: { regime: s.regime, selection: [...s.selection], ...(s.detail ?? {}) },
    });
  }

  orderPlanned(o: OrderFields & { intent?: string; refPrice?: number; notional?: number }): ExecutionLogRow {
    const extra: Record<string, unknown> = {};
    if (o.intent !== undefined) extra.intent = o.intent;
    if (o.refPrice !== undefined) extra.refPrice = o.refPrice;
    if (o.notional !== undefined) extra.notional = o.notional;
    return this.append({ ...orderCells(o), event: 'ORDER_PLANNED', detail: Object.keys(extra).length > 0 ? extra : o.detail });
  }

  /** One gate verdict (optionally for one symbol). */
  validation(g: { gate: number; name?: string; result: string; reason: string; symbol?: string }): ExecutionLogRow {
    return this.append({ event: 'VALIDATION', gate: g.gate, result: g.result, reason: g.reason, symbol: g.symbol, detail: g.name });
  }

  /** Every gate of a batch validation, plus each non-PASS per-order verdict. */
  validations(
    gates: readonly { gate: number; name: string; result: string; reason: string; perOrder?: readonly { symbol: string; result: string; reason: string }[] }[],
  ): ExecutionLogRow[] {
    const rows: ExecutionLogRow[] = [];
    for (const g of gates) {
      rows.push(this.validation(g));
      for (const p of g.perOrder ?? []) {
        if (p.result !== 'PASS') rows.push(this.validation({ gate: g.gate, name: g.name, result: p.result, reason: p.reason, symbol: p.symbol }));
      }
    }
    return rows;
  }

  orderSubmitted(o: OrderFields): ExecutionLogRow {
    return this.append({ ...orderCells(o), event: 'ORDER_SUBMITTED' });
  }

  /** A fill; `partial` logs PARTIAL_FILL. The fill time goes to `detail` as New York ISO. */
  orderFilled(o: OrderFields & { fillPrice: number; fillQty: number; fillTime?: Date | number | string; partial?: boolean }): ExecutionLogRow {
    const fillTime = o.fillTime === undefined ? undefined : typeof o.fillTime === 'string' ? o.fillTime : nyTimestamp(o.fillTime);
    return this.append({
      ...orderCells(o),
      event: o.partial ? 'PARTIAL_FILL' : 'ORDER_FILLED',
      fillPrice: o.fillPrice,
      fillQty: o.fillQty,
      detail: fillTime === undefined ? o.detail : { filledAt: fillTime, ...(typeof o.detail === 'object' && !Array.isArray(o.detail) ? o.detail : {}) },
    });
  }

  orderRejected(o: OrderFields & { reason: string }): ExecutionLogRow {
    return this.append({ ...orderCells(o), event: 'ORDER_REJECTED', reason: o.reason });
  }

  orderCanceled(o: OrderFields & { reason?: string }): ExecutionLogRow {
    return this.append({ ...orderCells(o), event: 'ORDER_CANCELED', reason: o.reason });
  }

  runEnd(detail?: Detail, status = 'OK'): ExecutionLogRow {
    return this.append({ event: 'RUN_END', status, detail });
  }

  error(err: unknown, fields: Omit<ExecutionEventInput, 'event'> = {}): ExecutionLogRow {
    return this.append({ ...fields, event: 'ERROR', reason: fields.reason ?? describeError(err) });
  }
}

/** Order columns shared by the order events. */
export type OrderFields = Pick<ExecutionEventInput, 'side' | 'qty' | 'orderType' | 'limitPrice' | 'orderId' | 'clientOrderId' | 'status' | 'detail'> & {
  symbol: string;
};

function orderCells(o: OrderFields): Omit<ExecutionEventInput, 'event'> {
  return {
    symbol: o.symbol,
    side: o.side,
    qty: o.qty,
    orderType: o.orderType,
    limitPrice: o.limitPrice,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    status: o.status,
    detail: o.detail,
  };
}
