/**
 * @module What a caller logs (`ExecutionEventInput`) and what the reader returns
 * (`ExecutionLogRecord`), and the mapping between them and the event columns. Every cell is
 * redacted here, before it is escaped, hashed and written.
 */
import { redact } from '../../core/redact.js';
import { EVENT_COLUMNS, nyTimestamp, type EventColumn, type ExecutionEventType } from './format.js';

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
  /** File name (no directory), 1-based line and byte offset the record starts at. */
  file: string;
  line: number;
  offset: number;
  /** This record's chain hash; absent in a legacy (pre-chain) file. */
  hash?: string;
}

export type EventRow = Record<EventColumn, string>;

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

/** The event cells exactly as they will be written (before escaping): every cell redacted. */
export function eventRow(e: ExecutionEventInput, ctx: { at: Date | number; runId: string; account: string; broker: string; secrets: readonly string[] }): EventRow {
  const raw: EventRow = {
    timestamp: nyTimestamp(ctx.at),
    run_id: ctx.runId,
    event: e.event,
    account: e.account ?? ctx.account,
    broker: e.broker ?? ctx.broker,
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
  const row = {} as EventRow;
  for (const c of EVENT_COLUMNS) row[c] = redact(String(raw[c]), ctx.secrets);
  return row;
}

function optStr(s: string): string | undefined {
  return s === '' ? undefined : s;
}

function optNum(s: string): number | undefined {
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Typed record from the (unescaped) event cells, in EVENT_COLUMNS order. */
export function recordOf(f: readonly string[], where: { file: string; line: number; offset: number; hash?: string }): ExecutionLogRecord {
  const rec: ExecutionLogRecord = {
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
    file: where.file,
    line: where.line,
    offset: where.offset,
  };
  if (where.hash !== undefined) rec.hash = where.hash;
  return rec;
}
