/**
 * The execution audit trail: `execution_log.csv`, one RFC 4180 line per event, append-only,
 * fsynced, rotated by size, safe for several processes appending at once. See docs/audit.md.
 *
 * Every append runs under a lock file (`execution_log.csv.lock`, see FileLock):
 *   1. if the current file is >= maxBytes, rename it to execution_log.<UTC stamp>[-n].csv
 *      (a name that does not exist yet and sorts after every earlier rotation);
 *   2. open the current file (create with 'wx', falling back to append on EEXIST);
 *   3. write header (empty file only) + line in ONE writeSync on an O_APPEND descriptor;
 *   4. fsync, close (and fsync the directory after a create or a rename).
 * The lock makes rotate-then-append atomic across processes: a line can neither land in a file
 * after another process decided to rotate it, nor be written twice, nor precede a header.
 */
import * as nodeFs from 'node:fs';
import { basename, join } from 'node:path';
import { DateTime } from 'luxon';
import { AtlasError, describeError } from '../../core/errors.js';
import { csvLine, parseCsv } from '../../data/csv/parseCsv.js';
import { FileLock, type FileLockOptions } from './fileLock.js';
import { redact } from '../../core/redact.js';

export const EXECUTION_LOG_FILE = 'execution_log.csv';
export const NEW_YORK = 'America/New_York';
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export const EXECUTION_LOG_COLUMNS = [
  'timestamp',
  'run_id',
  'event',
  'account',
  'broker',
  'symbol',
  'side',
  'qty',
  'order_type',
  'limit_price',
  'order_id',
  'client_order_id',
  'status',
  'fill_price',
  'fill_qty',
  'gate',
  'result',
  'reason',
  'detail',
] as const;

export type ExecutionLogColumn = (typeof EXECUTION_LOG_COLUMNS)[number];
export type ExecutionLogRow = Record<ExecutionLogColumn, string>;

export const EXECUTION_EVENTS = [
  'RUN_START',
  'SIGNAL',
  'ORDER_PLANNED',
  'VALIDATION',
  'ORDER_SUBMITTED',
  'ORDER_FILLED',
  'PARTIAL_FILL',
  'ORDER_REJECTED',
  'ORDER_CANCELED',
  'RUN_END',
  'ERROR',
] as const;

export type ExecutionEventType = (typeof EXECUTION_EVENTS)[number];

export type Detail = string | Record<string, unknown> | readonly unknown[];

/** What a caller logs. Unset fields are written as empty cells. */
export interface ExecutionEventInput {
  event: ExecutionEventType;
  account?: string;
  broker?: string;
  symbol?: string;
  side?: string;
  qty?: number;
  orderType?: string;
  limitPrice?: number;
  orderId?: string;
  clientOrderId?: string;
  status?: string;
  fillPrice?: number;
  fillQty?: number;
  gate?: number;
  result?: string;
  reason?: string;
  /** Free text, or an object/array written as JSON. */
  detail?: Detail;
}

/** What the reader returns: one typed event, plus where it was read from. */
export interface ExecutionLogRecord extends Omit<ExecutionEventInput, 'detail'> {
  timestamp: string;
  runId: string;
  /** As written: free text or JSON. */
  detail?: string;
  /** File name (no directory) and 1-based line the record starts on. */
  file: string;
  line: number;
}

export type AuditFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'fstatSync'
  | 'statSync'
  | 'readSync'
  | 'renameSync'
  | 'linkSync'
  | 'unlinkSync'
  | 'readFileSync'
  | 'readdirSync'
  | 'existsSync'
  | 'mkdirSync'
>;

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
  /** Injectable clock for the timestamp column and rotation names. */
  clock?: () => Date | number;
  /** Injectable fs (tests spy on fsyncSync); defaults to node:fs. */
  fs?: AuditFs;
  lock?: Omit<FileLockOptions, 'fs'>;
}

const HEADER = csvLine(EXECUTION_LOG_COLUMNS);
const ROTATED = /^execution_log\.(\d{8}T\d{9}Z)(?:-(\d+))?\.csv$/;

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function millisOf(t: Date | number): number {
  return typeof t === 'number' ? t : t.getTime();
}

/** ISO-8601 in New York with offset, e.g. 2026-03-09T09:30:00.000-04:00. */
export function nyTimestamp(t: Date | number): string {
  const iso = DateTime.fromMillis(millisOf(t), { zone: NEW_YORK }).toISO();
  if (iso === null) throw new AtlasError(`Invalid timestamp ${String(t)} for the execution log.`);
  return iso;
}

function rotationStamp(t: Date | number): string {
  return DateTime.fromMillis(millisOf(t), { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmssSSS'Z'");
}

interface RotatedFile {
  name: string;
  stamp: string;
  counter: number;
}

function compareRotated(a: RotatedFile, b: RotatedFile): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.counter - b.counter;
}

function listRotated(dir: string, fs: Pick<AuditFs, 'readdirSync'>): RotatedFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return [];
    throw err;
  }
  const out: RotatedFile[] = [];
  for (const name of names) {
    const m = ROTATED.exec(name);
    if (m) out.push({ name, stamp: m[1], counter: m[2] === undefined ? 0 : Number(m[2]) });
  }
  return out.sort(compareRotated);
}

/** Every log file of `dir`, oldest first: rotated files by (stamp, counter), then the current one. */
export function executionLogFiles(dir: string, fs: Pick<AuditFs, 'readdirSync' | 'existsSync'> = nodeFs): string[] {
  const files = listRotated(dir, fs).map((r) => join(dir, r.name));
  const current = join(dir, EXECUTION_LOG_FILE);
  if (fs.existsSync(current)) files.push(current);
  return files;
}

function num(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : String(x);
}

function detailText(d: Detail | undefined): string {
  if (d === undefined) return '';
  if (typeof d === 'string') return d;
  try {
    return JSON.stringify(d);
  } catch {
    return String(d);
  }
}

export class ExecutionLog {
  readonly dir: string;
  readonly path: string;
  readonly runId: string;
  private readonly account: string;
  private readonly broker: string;
  private readonly secrets: readonly string[];
  private readonly maxBytes: number;
  private readonly clock: () => Date | number;
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
    this.clock = options.clock ?? (() => Date.now());
    this.fs = options.fs ?? nodeFs;
    this.lock = new FileLock(`${this.path}.lock`, { ...(options.lock ?? {}), fs: this.fs });
    this.fs.mkdirSync(this.dir, { recursive: true });
  }

  /** The row exactly as it will be written: every field redacted. */
  toRow(e: ExecutionEventInput, at: Date | number = this.clock()): ExecutionLogRow {
    const raw: ExecutionLogRow = {
      timestamp: nyTimestamp(at),
      run_id: this.runId,
      event: e.event,
      account: e.account ?? this.account,
      broker: e.broker ?? this.broker,
      symbol: e.symbol ?? '',
      side: e.side ?? '',
      qty: num(e.qty),
      order_type: e.orderType ?? '',
      limit_price: num(e.limitPrice),
      order_id: e.orderId ?? '',
      client_order_id: e.clientOrderId ?? '',
      status: e.status ?? '',
      fill_price: num(e.fillPrice),
      fill_qty: num(e.fillQty),
      gate: num(e.gate),
      result: e.result ?? '',
      reason: e.reason ?? '',
      detail: detailText(e.detail),
    };
    const row = {} as ExecutionLogRow;
    for (const c of EXECUTION_LOG_COLUMNS) row[c] = redact(String(raw[c]), this.secrets);
    return row;
  }

  /** Appends one event durably (written and fsynced before returning). Returns the written row. */
  append(e: ExecutionEventInput): ExecutionLogRow {
    if (!(EXECUTION_EVENTS as readonly string[]).includes(e.event)) {
      throw new AtlasError(`Unknown execution log event '${String(e.event)}'.`);
    }
    // Stamped inside the lock, so lines from concurrent processes are in timestamp order.
    return this.lock.withLock(() => {
      const now = this.clock();
      const row = this.toRow(e, now);
      this.appendLocked(csvLine(EXECUTION_LOG_COLUMNS.map((c) => row[c])), now);
      return row;
    });
  }

  private appendLocked(line: string, now: Date | number): void {
    const fs = this.fs;
    let size = -1;
    try {
      size = fs.statSync(this.path).size;
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
    }
    let dirChanged = false;
    if (size >= this.maxBytes) {
      this.rotate(now);
      dirChanged = true;
    }
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'wx+');
      dirChanged = true;
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      fd = fs.openSync(this.path, 'a+');
    }
    try {
      const current = fs.fstatSync(fd).size;
      let prefix = '';
      if (current === 0) prefix = HEADER;
      else {
        // A line torn by a crash would swallow ours: terminate it first.
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, current - 1);
        if (last[0] !== 0x0a) prefix = '\r\n';
      }
      const buf = Buffer.from(prefix + line, 'utf8');
      // One write call on an O_APPEND descriptor: the whole line lands at the end, contiguous.
      let off = fs.writeSync(fd, buf, 0, buf.length);
      while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (dirChanged) this.fsyncDir();
  }

  /** Renames the current file to a fresh execution_log.<stamp>[-n].csv that sorts last. */
  private rotate(now: Date | number): string {
    const existing = listRotated(this.dir, this.fs);
    let stamp = rotationStamp(now);
    let counter = 0;
    const newest = existing.at(-1);
    if (newest && newest.stamp >= stamp) {
      stamp = newest.stamp;
      counter = newest.counter + 1;
    }
    for (;;) {
      const name = counter === 0 ? `execution_log.${stamp}.csv` : `execution_log.${stamp}-${counter}.csv`;
      const target = join(this.dir, name);
      if (!this.fs.existsSync(target)) {
        this.fs.renameSync(this.path, target);
        return target;
      }
      counter++;
    }
  }

  private fsyncDir(): void {
    let fd: number | undefined;
    try {
      fd = this.fs.openSync(this.dir, 'r');
      this.fs.fsyncSync(fd);
    } catch {
      // not supported on every platform (Windows): the file data itself is fsynced
    } finally {
      if (fd !== undefined) this.fs.closeSync(fd);
    }
  }

  // ---- one helper per event --------------------------------------------------------------

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

// ---- reading --------------------------------------------------------------------------------

export interface ReadExecutionLogOptions {
  /** Only this run's events. */
  runId?: string;
  /** Throw on a row with the wrong number of cells instead of skipping it. Default false. */
  strict?: boolean;
  fs?: Pick<AuditFs, 'readdirSync' | 'existsSync' | 'readFileSync'>;
}

function optStr(s: string): string | undefined {
  return s === '' ? undefined : s;
}

function optNum(s: string): number | undefined {
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function isHeader(fields: readonly string[]): boolean {
  return fields.length === EXECUTION_LOG_COLUMNS.length && fields.every((f, i) => f === EXECUTION_LOG_COLUMNS[i]);
}

/** Reads the rotated files (oldest first) then the current one, returning typed events. */
export function readExecutionLog(dir: string, options: ReadExecutionLogOptions = {}): ExecutionLogRecord[] {
  const fs = options.fs ?? nodeFs;
  const out: ExecutionLogRecord[] = [];
  for (const file of executionLogFiles(dir, fs)) {
    const name = basename(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const row of parseCsv(text)) {
      const f = row.fields;
      if (isHeader(f)) continue;
      if (f.length !== EXECUTION_LOG_COLUMNS.length || !(EXECUTION_EVENTS as readonly string[]).includes(f[2])) {
        if (options.strict) {
          throw new AtlasError(`${name} line ${row.line}: expected ${EXECUTION_LOG_COLUMNS.length} cells with a known event, got ${f.length}.`);
        }
        continue;
      }
      if (options.runId !== undefined && f[1] !== options.runId) continue;
      out.push({
        timestamp: f[0],
        runId: f[1],
        event: f[2] as ExecutionEventType,
        account: optStr(f[3]),
        broker: optStr(f[4]),
        symbol: optStr(f[5]),
        side: optStr(f[6]),
        qty: optNum(f[7]),
        orderType: optStr(f[8]),
        limitPrice: optNum(f[9]),
        orderId: optStr(f[10]),
        clientOrderId: optStr(f[11]),
        status: optStr(f[12]),
        fillPrice: optNum(f[13]),
        fillQty: optNum(f[14]),
        gate: optNum(f[15]),
        result: optStr(f[16]),
        reason: optStr(f[17]),
        detail: optStr(f[18]),
        file: name,
        line: row.line,
      });
    }
  }
  return out;
}

/** A plain-text table of records for the terminal (no colors, fixed columns, long text clipped). */
export function formatLogTable(records: readonly ExecutionLogRecord[], options: { maxReason?: number } = {}): string {
  const maxReason = options.maxReason ?? 60;
  const clip = (s: string | undefined, n: number) => {
    const t = (s ?? '').replace(/\s+/g, ' ');
    return t.length > n ? `${t.slice(0, n - 1)}…` : t;
  };
  const head = ['time (NY)', 'event', 'symbol', 'side', 'qty', 'price', 'status/result', 'reason'];
  const rows = records.map((r) => [
    r.timestamp.slice(0, 19).replace('T', ' '),
    r.event,
    r.symbol ?? '',
    r.side ?? '',
    r.fillQty !== undefined ? String(r.fillQty) : r.qty !== undefined ? String(r.qty) : '',
    r.fillPrice !== undefined ? String(r.fillPrice) : r.limitPrice !== undefined ? String(r.limitPrice) : '',
    r.gate !== undefined ? `G${r.gate} ${r.result ?? ''}` : (r.status ?? r.result ?? ''),
    clip(r.reason, maxReason),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
