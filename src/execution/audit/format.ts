/**
 * @module The audit line format: columns, events, cell escaping, and one line <-> cells.
 *
 * A line is RFC 4180 CSV (quotes around cells holding a comma or a quote, quotes doubled) ended
 * by CRLF, with one extra rule: a cell never holds a raw CR or LF. `\`, CR and LF are written
 * as `\\`, `\r` and `\n`, so one record is exactly one physical line and a line cut by a crash or
 * a full disk can only damage itself. Legacy files (19 columns, no chain) used RFC 4180 quoting
 * for newlines instead; they are read as they are and never appended to.
 */
import { DateTime } from 'luxon';
import { AtlasError } from '../../core/errors.js';

export const NEW_YORK = 'America/New_York';

/** The event columns, identical in legacy (pre-chain) files. */
export const EVENT_COLUMNS = [
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

/** The hash chain: the previous record's hash, and this record's own (see chain.ts). */
export const CHAIN_COLUMNS = ['prev_hash', 'hash'] as const;

export const EXECUTION_LOG_COLUMNS = [...EVENT_COLUMNS, ...CHAIN_COLUMNS] as const;

export type EventColumn = (typeof EVENT_COLUMNS)[number];
export type ExecutionLogColumn = (typeof EXECUTION_LOG_COLUMNS)[number];
export type ExecutionLogRow = Record<ExecutionLogColumn, string>;

export const EXECUTION_EVENTS = [
  'RUN_START',
  'SIGNAL',
  'ORDER_PLANNED',
  'VALIDATION',
  'PREFLIGHT',
  'ORDER_SUBMITTED',
  'ORDER_ACCEPTED',
  'ORDER_FILLED',
  'PARTIAL_FILL',
  'ORDER_REJECTED',
  'ORDER_CANCELED',
  'ORDER_EXPIRED',
  'ORDER_LEFT_WORKING',
  'ORDER_SKIPPED',
  'ORDER_QUEUED',
  'LEASE',
  'NOTE',
  'RUN_END',
  'ERROR',
] as const;

export type ExecutionEventType = (typeof EXECUTION_EVENTS)[number];

export function isExecutionEvent(s: string): s is ExecutionEventType {
  return (EXECUTION_EVENTS as readonly string[]).includes(s);
}

export const HEADER_TEXT = EXECUTION_LOG_COLUMNS.join(',');
export const LEGACY_HEADER_TEXT = EVENT_COLUMNS.join(',');

/** ISO-8601 in New York with offset, e.g. 2026-03-09T09:30:00.000-04:00. */
export function nyTimestamp(t: Date | number): string {
  const iso = DateTime.fromMillis(typeof t === 'number' ? t : t.getTime(), { zone: NEW_YORK }).toISO();
  if (iso === null) throw new AtlasError(`Invalid timestamp ${String(t)} for the execution log.`);
  return iso;
}

/** `\` -> `\\`, CR -> `\r`, LF -> `\n`: a cell never spans lines. */
export function escapeCell(s: string): string {
  return /[\\\r\n]/.test(s) ? s.replace(/[\\\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\r' ? '\\r' : '\\n')) : s;
}

export function unescapeCell(s: string): string {
  return s.includes('\\') ? s.replace(/\\([\\rn])/g, (_m, c: string) => (c === '\\' ? '\\' : c === 'r' ? '\r' : '\n')) : s;
}

function quoteCell(s: string): string {
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Cells (already escaped, no CR/LF) joined into a line's text, without the line end. */
export function joinCells(cells: readonly string[]): string {
  return cells.map(quoteCell).join(',');
}

/**
 * Splits one line's text (no line end) into cells, strictly: an unterminated quote, a quote inside
 * an unquoted cell or text after a closing quote make it unparseable (undefined) — the signs of
 * a torn or edited line. `allowNewlines` is for legacy records, whose quoted cells may span lines.
 */
export function splitCells(text: string, allowNewlines = false): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        if (i >= n) return undefined;
        const ch = text[i];
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (!allowNewlines && (ch === '\r' || ch === '\n')) return undefined;
        cell += ch;
        i++;
      }
      cells.push(cell);
      if (i === n) return cells;
      if (text[i] !== ',') return undefined;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      const cell = text.slice(i, end);
      if (cell.includes('"') || (!allowNewlines && /[\r\n]/.test(cell))) return undefined;
      cells.push(cell);
      if (comma === -1) return cells;
      i = comma + 1;
    }
  }
}
