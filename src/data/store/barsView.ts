/**
 * @module A read-only `bars` table (symbol, day, open, high, low, close, adj_close, volume,
 * source) computed from bar_chunks, registered on every connection openDatabase makes. Until
 * schema 7 `bars` was a real row table and some readers query it with SQL (the paper broker's
 * latest close and asset activity); this keeps their queries working unchanged. The symbol
 * must be given (`WHERE symbol = ?`): it is the table's parameter. New code reads through
 * BarStore or loadPanel instead.
 *
 * better-sqlite3 does not let a virtual table run statements on the connection that is running
 * the query, so the blocks are read through a second, read-only connection opened on first use
 * and closed with the first. It sees the last committed data (WAL snapshot), which is what the
 * row table showed every reader outside the writing transaction.
 */
import Database from 'better-sqlite3';
import { VALUE_FIELDS } from './barColumns.js';
import { chunkReader, type Chunk } from './barChunks.js';
import { retainForProcessLifetime } from './node24Workaround.js';

export function registerBarsView(db: Database.Database): void {
  let reader: { db: Database.Database; read: (symbol: string, lo: number, hi: number) => Chunk[]; source: Database.Statement } | undefined;
  const open = () => {
    if (reader) return reader;
    const conn = new Database(db.name, { readonly: true, fileMustExist: true });
    retainForProcessLifetime(conn);
    conn.pragma('busy_timeout = 15000');
    reader = { db: conn, read: chunkReader(conn, VALUE_FIELDS), source: conn.prepare('SELECT source FROM symbols WHERE symbol = ?').pluck() };
    return reader;
  };
  const close = db.close.bind(db);
  db.close = () => {
    reader?.db.close();
    reader = undefined;
    return close();
  };
  db.table('bars', {
    columns: ['day', 'open', 'high', 'low', 'close', 'adj_close', 'volume', 'source'],
    parameters: ['symbol'],
    *rows(symbol: unknown) {
      if (typeof symbol !== 'string') return;
      const r = open();
      const src = (r.source.get(symbol) as string | undefined) ?? '';
      for (const c of r.read(symbol, -Infinity, Infinity)) {
        for (let i = 0; i < c.days.length; i++) yield [c.days[i], c.cols[0][i], c.cols[1][i], c.cols[2][i], c.cols[3][i], c.cols[4][i], c.cols[5][i], src];
      }
    },
  });
}
