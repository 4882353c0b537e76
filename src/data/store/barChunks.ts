/**
 * @module The bar_chunks table: each symbol's bars cut into blocks of 2,048 calendar days
 * (about 1,400 sessions), one packed little-endian blob per field per block. A block is the unit
 * of reading and writing: a range load reads only the blocks it overlaps and the fields it asks
 * for, an incremental sync rewrites only the blocks from its first new day on.
 */
import type Database from 'better-sqlite3';
import type { PanelField } from '../panel.js';
import { VALUE_FIELDS, assertNumbers, emptyColumns, lowerBound, type BarColumns } from './barColumns.js';
import { prepared } from './statements.js';

/** log2 of the calendar days in one block. */
export const CHUNK_SHIFT = 11;

export const COLUMN_OF: Record<PanelField, string> = {
  open: 'open', high: 'high', low: 'low', close: 'close', adjClose: 'adj_close', volume: 'volume',
};

export const BAR_CHUNKS_SCHEMA = `
  CREATE TABLE bar_chunks (
    symbol    TEXT NOT NULL,
    chunk     INTEGER NOT NULL, -- day >> ${CHUNK_SHIFT}
    n         INTEGER NOT NULL,
    days      BLOB NOT NULL,    -- Int32 days since 1970-01-01, ascending, unique
    open      BLOB NOT NULL,    -- Float64 each, one per day
    high      BLOB NOT NULL,
    close     BLOB NOT NULL,
    adj_close BLOB NOT NULL,
    -- last: a backtest does not read them, and SQLite stops reading a row at its last needed column
    low       BLOB NOT NULL,
    volume    BLOB NOT NULL,
    UNIQUE (symbol, chunk)
  );
`;

/** One block as read: days and the requested fields (the others are empty). */
export interface Chunk {
  days: Int32Array;
  cols: Float64Array[];
}

const MIN_CHUNK = -(2 ** 31);
const MAX_CHUNK = 2 ** 31 - 1;

function chunkOf(day: number): number {
  return Number.isFinite(day) ? day >> CHUNK_SHIFT : day < 0 ? MIN_CHUNK : MAX_CHUNK;
}

function blob(a: Int32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

// Buffers from SQLite are fresh copies (offset 0), but a view must be aligned: copy when not.
export function asFloat64(buf: Buffer): Float64Array {
  if (buf.byteOffset % 8 === 0) return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function asInt32(buf: Buffer): Int32Array {
  if (buf.byteOffset % 4 === 0) return new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * A prepared reader of the blocks of one symbol overlapping [lo, hi] (day numbers), with only
 * `fields` decoded. Blocks come in ascending order; they may hold days outside [lo, hi].
 */
export function chunkReader(db: Database.Database, fields: readonly PanelField[]): (symbol: string, lo: number, hi: number) => Chunk[] {
  const cols = fields.map((f) => COLUMN_OF[f]);
  const stmt = prepared(db, `SELECT days${cols.map((c) => ', ' + c).join('')} FROM bar_chunks WHERE symbol = ? AND chunk BETWEEN ? AND ? ORDER BY chunk`, 'raw');
  return (symbol, lo, hi) => {
    const rows = stmt.all(symbol, chunkOf(lo), chunkOf(hi)) as Buffer[][];
    return rows.map((r) => ({ days: asInt32(r[0]), cols: cols.map((_, k) => asFloat64(r[k + 1])) }));
  };
}

/**
 * The blocks' days only (the first pass of a panel load: the day axis is known before any value
 * is read), with each block's number to match the second pass's rows.
 */
export function chunkDaysReader(db: Database.Database): (symbol: string, lo: number, hi: number) => { chunk: number; days: Int32Array }[] {
  const stmt = prepared(db, 'SELECT chunk, days FROM bar_chunks WHERE symbol = ? AND chunk BETWEEN ? AND ? ORDER BY chunk', 'raw');
  return (symbol, lo, hi) => (stmt.all(symbol, chunkOf(lo), chunkOf(hi)) as [number, Buffer][]).map((r) => ({ chunk: r[0], days: asInt32(r[1]) }));
}

/** The blocks' values of `fields` only, in the same order as chunkDaysReader's rows, with their block numbers. */
export function chunkValuesReader(db: Database.Database, fields: readonly PanelField[]): (symbol: string, lo: number, hi: number) => IterableIterator<(number | Buffer)[]> {
  const cols = fields.map((f) => COLUMN_OF[f]);
  // Prepared once per connection (statements.ts): a long-lived process loads panels again and again.
  const stmt = prepared(db, `SELECT chunk${cols.map((c) => ', ' + c).join('')} FROM bar_chunks WHERE symbol = ? AND chunk BETWEEN ? AND ? ORDER BY chunk`, 'raw');
  return (symbol, lo, hi) => stmt.iterate(symbol, chunkOf(lo), chunkOf(hi)) as IterableIterator<(number | Buffer)[]>;
}

/** All fields of one symbol for lo <= day <= hi, as one BarColumns. */
export function readColumns(db: Database.Database, symbol: string, lo = -Infinity, hi = Infinity): BarColumns {
  const chunks = chunkReader(db, VALUE_FIELDS)(symbol, lo, hi);
  let n = 0;
  const spans = chunks.map((c) => {
    const a = lowerBound(c.days, lo);
    const b = lowerBound(c.days, hi + 1);
    n += b - a;
    return [a, b] as const;
  });
  const out = emptyColumns(n);
  let k = 0;
  chunks.forEach((c, i) => {
    const [a, b] = spans[i];
    out.days.set(c.days.subarray(a, b), k);
    VALUE_FIELDS.forEach((f, j) => out[f].set(c.cols[j].subarray(a, b), k));
    k += b - a;
  });
  return out;
}

function writeStatements(db: Database.Database): { remove: Database.Statement; insert: Database.Statement } {
  return {
    remove: prepared(db, 'DELETE FROM bar_chunks WHERE symbol = ? AND chunk >= ?'),
    insert: prepared(db, 'INSERT INTO bar_chunks (symbol, chunk, n, days, open, high, low, close, adj_close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
  };
}

/**
 * Writes `c` (ascending, unique days: assertShape) as the symbol's bars from day `fromDay` on:
 * blocks from fromDay's block on are deleted, then `c`'s days >= that block's first day are
 * written, each block's values checked for NaN just before (assertNumbers). Callers run this
 * inside their transaction, so a refused value leaves the symbol as it was.
 */
export function writeColumns(db: Database.Database, symbol: string, c: BarColumns, fromDay = -Infinity): void {
  const first = chunkOf(fromDay);
  const { remove, insert } = writeStatements(db);
  remove.run(symbol, first);
  const n = c.days.length;
  let i = Number.isFinite(fromDay) ? lowerBound(c.days, first << CHUNK_SHIFT) : 0;
  while (i < n) {
    const chunk = c.days[i] >> CHUNK_SHIFT;
    let j = i + 1;
    while (j < n && c.days[j] >> CHUNK_SHIFT === chunk) j++;
    assertNumbers(symbol, c, i, j);
    insert.run(symbol, chunk, j - i, blob(c.days.subarray(i, j)), ...VALUE_FIELDS.map((f) => blob(c[f].subarray(i, j))));
    i = j;
  }
}

/**
 * The last bar of a symbol with day <= `day` as [index, chunk], reading blocks newest first from
 * the one holding `day` (one or two block reads, whatever the history's length).
 */
export function lastOnOrBefore(db: Database.Database, symbol: string, day: number): { i: number; chunk: Chunk } | undefined {
  const stmt = prepared(db, 'SELECT days, open, high, low, close, adj_close, volume FROM bar_chunks WHERE symbol = ? AND chunk <= ? ORDER BY chunk DESC', 'raw');
  for (const r of stmt.iterate(symbol, chunkOf(day)) as IterableIterator<Buffer[]>) {
    const days = asInt32(r[0]);
    const i = lowerBound(days, day + 1) - 1;
    if (i >= 0) return { i, chunk: { days, cols: r.slice(1).map(asFloat64) } };
  }
  return undefined;
}

