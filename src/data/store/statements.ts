/**
 * @module Prepared statements, one per (connection, SQL text, row mode), kept for the life of the
 * connection. A daemon or a dashboard runs the same few queries thousands of times: preparing
 * each time costs more than most of those queries, and on Node 24 every statement ever prepared is
 * kept alive anyway (node24Workaround.ts), so preparing per call would also grow memory without end.
 *
 * A cached statement is shared by every caller of the same SQL, so its row mode is part of the
 * key and set here, never by the caller (`.pluck()` on a shared statement would change it for all).
 */
import type Database from 'better-sqlite3';

export type RowMode = 'object' | 'raw' | 'pluck';

const CACHE = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function prepared(db: Database.Database, sql: string, mode: RowMode = 'object'): Database.Statement {
  let byText = CACHE.get(db);
  if (!byText) CACHE.set(db, (byText = new Map()));
  const key = mode === 'object' ? sql : `${mode}\u0000${sql}`;
  let stmt = byText.get(key);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (mode === 'raw') stmt.raw(true);
    else if (mode === 'pluck') stmt.pluck(true);
    byText.set(key, stmt);
  }
  return stmt;
}
