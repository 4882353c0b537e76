import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { panelFromBars } from '../../src/data/panel.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { STORE_FILE, openDatabase, schemaVersion } from '../../src/data/store/database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/data/store/migrations.js';
import { retainForProcessLifetime } from '../../src/data/store/node24Workaround.js';
import { loadPanel } from '../../src/data/store/panelLoader.js';
import { useTempDirs } from '../support/tmp.js';
import { expectSameData } from '../support/sameData.js';

const tmp = useTempDirs();

/** A store as Atlas wrote it at schema 5: bars in the row table, bar_columns derived from it. */
function oldStore(dir: string, series: { symbol: string; bars: DailyBar[] }[]): void {
  const db = new Database(join(dir, STORE_FILE));
  retainForProcessLifetime(db);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((x) => x.version <= 5)) {
    m.up(db);
    db.pragma(`user_version = ${m.version}`);
  }
  const row = db.prepare('INSERT INTO bars (symbol, day, open, high, low, close, adj_close, volume, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const s of series) {
    for (const b of s.bars) row.run(s.symbol, Date.parse(b.date) / 86_400_000, b.open, b.high, b.low, b.close, b.adjClose, b.volume, 'csv');
    db.prepare('INSERT INTO symbols (symbol, source, first_date, last_date, bar_count, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.symbol, 'csv', s.bars[0]?.date ?? null, s.bars.at(-1)?.date ?? null, s.bars.length, '2024-01-01T00:00:00.000Z');
    // A stale cache on purpose: migration 7 must rebuild from the rows, the old system of record.
    db.prepare("INSERT INTO bar_columns (symbol, n, days, open, high, low, close, adj_close, volume) VALUES (?, 0, x'', x'', x'', x'', x'', x'', x'')").run(s.symbol);
  }
  db.close();
}

function history(symbol: string, start: number, n: number, seed: number): { symbol: string; bars: DailyBar[] } {
  const bars: DailyBar[] = [];
  for (let i = 0; i < n; i++) {
    const day = start + i * 3 + (i % 2); // gaps, spread over several 2,048-day blocks
    const c = seed + i / 7;
    bars.push({ date: new Date(day * 86_400_000).toISOString().slice(0, 10), open: c, high: c * 1.01, low: c * 0.99, close: c, adjClose: c * 0.9, volume: i });
  }
  return { symbol, bars };
}

describe('migration 7: bar rows -> columnar blocks', () => {
  it('moves every bar of an old store into blocks, identical, and drops the row table', () => {
    const dir = tmp();
    const series = [history('AAA', 10_000, 2500, 10), history('BBB', 11_000, 700, 50), history('ONE', 12_000, 1, 5)];
    oldStore(dir, series);
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    expect(tables).toContain('bar_chunks');
    expect(tables).not.toContain('bar_columns');
    expect(tables).not.toContain('bars');
    const store = new BarStore(db);
    for (const s of series) expectSameData(store.getBars(s.symbol), s.bars);
    expect(store.listSymbols().map((s) => [s.symbol, s.barCount, s.firstDate, s.lastDate])).toEqual(series.map((s) => [s.symbol, s.bars.length, s.bars[0].date, s.bars.at(-1)!.date]));
    const panel = loadPanel(db, series.map((s) => s.symbol));
    const expected = panelFromBars(series);
    expectSameData(panel.dates, expected.dates);
    for (const f of ['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const) expectSameData(Array.from(panel[f]), Array.from(expected[f]));
    // SQL readers of the old table (the paper broker) still get the rows, through the view.
    const last = db.prepare('SELECT day, close FROM bars WHERE symbol = ? AND day <= ? ORDER BY day DESC LIMIT 1').get('AAA', 10_010) as { day: number; close: number };
    expect(last).toEqual({ day: 10_010, close: series[0].bars[3].close }); // i = 3: day 10,000 + 9 + 1
    expect(db.prepare('SELECT MAX(day) AS d FROM bars WHERE symbol = ? AND day <= ?').get('NOPE', 99_999)).toEqual({ d: null });
    db.close();
  });

  it('leaves a store written by a newer Atlas refused', () => {
    const dir = tmp();
    openDatabase(dir).close();
    const raw = new Database(join(dir, STORE_FILE));
    retainForProcessLifetime(raw);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(/written by a newer Atlas/);
  });
});
