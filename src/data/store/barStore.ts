import type Database from 'better-sqlite3';
import { fromDayNumber, toDayNumber } from '../../core/dates.js';
import type { CorporateAction, DailyBar } from '../bar.js';

export interface SymbolInfo {
  symbol: string;
  source: string;
  firstDate: string | null;
  lastDate: string | null;
  barCount: number;
  updatedAt: string;
}

interface BarRow {
  day: number;
  open: number;
  high: number;
  low: number;
  close: number;
  adj_close: number;
  volume: number;
}

/**
 * Daily bars in the store. Every write of a symbol is one IMMEDIATE transaction that also
 * rebuilds that symbol's columnar cache, so a failure halfway leaves the previous data intact
 * and readers never see rows and columns disagree.
 */
export class BarStore {
  constructor(readonly db: Database.Database, private readonly now: () => Date = () => new Date()) {}

  /** Replaces a symbol's whole history (imports and full re-downloads after a split or dividend). */
  replaceBars(symbol: string, source: string, bars: readonly DailyBar[], actions: readonly CorporateAction[] = []): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM bars WHERE symbol = ?').run(symbol);
      this.db.prepare('DELETE FROM corporate_actions WHERE symbol = ?').run(symbol);
      this.insertRows(symbol, source, bars);
      this.insertActions(symbol, actions);
      // The table now holds exactly `bars`: build the columns from them instead of reading back.
      const byDay = new Map<number, DailyBar>();
      for (const b of bars) byDay.set(toDayNumber(b.date), b); // last one wins, as the upsert did
      const days = [...byDay.keys()].sort((a, b) => a - b);
      this.writeColumns(symbol, source, days.map((d) => {
        const b = byDay.get(d)!;
        return [d, b.open, b.high, b.low, b.close, b.adjClose, b.volume];
      }));
    }).immediate();
  }

  /** Adds or overwrites bars by date (incremental sync). */
  upsertBars(symbol: string, source: string, bars: readonly DailyBar[], actions: readonly CorporateAction[] = []): void {
    this.db.transaction(() => {
      this.insertRows(symbol, source, bars);
      this.insertActions(symbol, actions);
      this.refresh(symbol, source);
    }).immediate();
  }

  deleteSymbol(symbol: string): void {
    this.db.transaction(() => {
      for (const t of ['bars', 'bar_columns', 'corporate_actions', 'symbols', 'sync_state']) {
        this.db.prepare(`DELETE FROM ${t} WHERE symbol = ?`).run(symbol);
      }
    }).immediate();
  }

  listSymbols(): SymbolInfo[] {
    const rows = this.db.prepare('SELECT symbol, source, first_date, last_date, bar_count, updated_at FROM symbols ORDER BY symbol').all() as {
      symbol: string; source: string; first_date: string | null; last_date: string | null; bar_count: number; updated_at: string;
    }[];
    return rows.map((r) => ({ symbol: r.symbol, source: r.source, firstDate: r.first_date, lastDate: r.last_date, barCount: r.bar_count, updatedAt: r.updated_at }));
  }

  symbolInfo(symbol: string): SymbolInfo | undefined {
    return this.listSymbols().find((s) => s.symbol === symbol);
  }

  hasSymbol(symbol: string): boolean {
    return this.db.prepare('SELECT 1 FROM symbols WHERE symbol = ?').get(symbol) !== undefined;
  }

  getBars(symbol: string, from?: string, to?: string): DailyBar[] {
    const lo = from ? toDayNumber(from) : -1e9;
    const hi = to ? toDayNumber(to) : 1e9;
    const rows = this.db
      .prepare('SELECT day, open, high, low, close, adj_close, volume FROM bars WHERE symbol = ? AND day BETWEEN ? AND ? ORDER BY day')
      .all(symbol, lo, hi) as BarRow[];
    return rows.map((r) => ({ date: fromDayNumber(r.day), open: r.open, high: r.high, low: r.low, close: r.close, adjClose: r.adj_close, volume: r.volume }));
  }

  getActions(symbol: string): CorporateAction[] {
    const rows = this.db.prepare('SELECT day, split_factor, dividend FROM corporate_actions WHERE symbol = ? ORDER BY day').all(symbol) as {
      day: number; split_factor: number; dividend: number;
    }[];
    return rows.map((r) => ({ date: fromDayNumber(r.day), splitFactor: r.split_factor, dividend: r.dividend }));
  }

  lastSynced(symbol: string, provider: string): string | undefined {
    const row = this.db.prepare('SELECT last_synced_at FROM sync_state WHERE symbol = ? AND provider = ?').get(symbol, provider) as { last_synced_at: string } | undefined;
    return row?.last_synced_at;
  }

  markSynced(symbol: string, provider: string): void {
    this.db.prepare('INSERT INTO sync_state (symbol, provider, last_synced_at) VALUES (?, ?, ?) ON CONFLICT(symbol, provider) DO UPDATE SET last_synced_at = excluded.last_synced_at')
      .run(symbol, provider, this.now().toISOString());
  }

  private insertRows(symbol: string, source: string, bars: readonly DailyBar[]): void {
    const stmt = this.db.prepare(
      'INSERT INTO bars (symbol, day, open, high, low, close, adj_close, volume, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(symbol, day) DO UPDATE SET open=excluded.open, high=excluded.high, low=excluded.low, close=excluded.close, adj_close=excluded.adj_close, volume=excluded.volume, source=excluded.source',
    );
    for (const b of bars) stmt.run(symbol, toDayNumber(b.date), b.open, b.high, b.low, b.close, b.adjClose, b.volume, source);
  }

  private insertActions(symbol: string, actions: readonly CorporateAction[]): void {
    const stmt = this.db.prepare('INSERT OR REPLACE INTO corporate_actions (symbol, day, split_factor, dividend) VALUES (?, ?, ?, ?)');
    for (const a of actions) stmt.run(symbol, toDayNumber(a.date), a.splitFactor, a.dividend);
  }

  /** Rebuilds the columnar cache and the symbols summary from the row table. */
  private refresh(symbol: string, source: string): void {
    const rows = this.db.prepare('SELECT day, open, high, low, close, adj_close, volume FROM bars WHERE symbol = ? ORDER BY day').raw().all(symbol) as number[][];
    this.writeColumns(symbol, source, rows);
  }

  /** rows: [day, open, high, low, close, adjClose, volume], ascending by day, unique days. */
  private writeColumns(symbol: string, source: string, rows: readonly (readonly number[])[]): void {
    const n = rows.length;
    const days = new Int32Array(n);
    const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      days[i] = r[0];
      for (let c = 0; c < 6; c++) cols[c][i] = r[c + 1];
    }
    const buf = (a: Int32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    this.db.prepare('INSERT OR REPLACE INTO bar_columns (symbol, n, days, open, high, low, close, adj_close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(symbol, n, buf(days), ...cols.map(buf));
    this.db.prepare(
      'INSERT INTO symbols (symbol, source, first_date, last_date, bar_count, updated_at) VALUES (?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(symbol) DO UPDATE SET source=excluded.source, first_date=excluded.first_date, last_date=excluded.last_date, bar_count=excluded.bar_count, updated_at=excluded.updated_at',
    ).run(symbol, source, n ? fromDayNumber(days[0]) : null, n ? fromDayNumber(days[n - 1]) : null, n, this.now().toISOString());
  }
}
