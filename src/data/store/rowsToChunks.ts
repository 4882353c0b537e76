/**
 * @module Migration 7: moves every symbol's bars from the row table `bars` (the system of record
 * up to schema 6) into bar_chunks, then drops `bars` and the derived whole-symbol cache
 * `bar_columns`. Runs inside the migration's transaction, so a store is either wholly on rows
 * or wholly on blocks. Frozen with the migration: do not change what it writes.
 */
import type Database from 'better-sqlite3';
import { emptyColumns, VALUE_FIELDS } from './barColumns.js';
import { BAR_CHUNKS_SCHEMA, writeColumns } from './barChunks.js';

export function migrateRowsToChunks(db: Database.Database): void {
  db.exec(BAR_CHUNKS_SCHEMA);
  const symbols = db.prepare('SELECT DISTINCT symbol FROM bars ORDER BY symbol').pluck().all() as string[];
  const rows = db.prepare('SELECT day, open, high, low, close, adj_close, volume FROM bars WHERE symbol = ? ORDER BY day').raw();
  for (const symbol of symbols) {
    const r = rows.all(symbol) as number[][];
    const c = emptyColumns(r.length);
    for (let i = 0; i < r.length; i++) {
      c.days[i] = r[i][0];
      for (let f = 0; f < VALUE_FIELDS.length; f++) c[VALUE_FIELDS[f]][i] = r[i][f + 1];
    }
    writeColumns(db, symbol, c);
  }
  db.exec('DROP TABLE bars; DROP TABLE bar_columns;');
}
