import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { panelFromBars } from '../../src/data/panel.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { STORE_FILE, openDatabase, schemaVersion } from '../../src/data/store/database.js';
import { LATEST_SCHEMA_VERSION } from '../../src/data/store/migrations.js';
import { loadPanel } from '../../src/data/store/panelLoader.js';
import { retainForProcessLifetime } from '../../src/data/store/node24Workaround.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

function bar(date: string, close: number, extra: Partial<DailyBar> = {}): DailyBar {
  return { date, open: close, high: close * 1.01, low: close * 0.99, close, adjClose: close * 0.9, volume: 1000, ...extra };
}

describe('store: a value that is not a number', () => {
  it('refuses the whole write, in any block, and leaves the stored history as it was', () => {
    const store = new BarStore(openDatabase(tmp()));
    const days = Array.from({ length: 3000 }, (_, k) => new Date(Date.UTC(2000, 0, 3 + k)).toISOString().slice(0, 10));
    store.replaceBars('AAA', 'csv', days.map((d, k) => bar(d, 10 + k / 100)));
    const before = store.getBars('AAA');
    // A NaN in the last block (blocks are 2,048 calendar days): the first block was already inserted when it is met.
    const bad = days.map((d, k) => bar(d, 20, k === 2900 ? { high: Number.NaN } : {}));
    expect(() => store.replaceBars('AAA', 'csv', bad)).toThrow(/Bars for AAA: high is not a number on 2007-12-12; nothing was written, fix the source data\./);
    expect(store.getBars('AAA')).toEqual(before);
    // An incremental sync is refused the same way.
    expect(() => store.upsertBars('AAA', 'csv', [bar('2008-03-20', 30, { volume: Number.NaN })])).toThrow(/volume is not a number on 2008-03-20/);
    expect(store.getBars('AAA')).toEqual(before);
    store.db.close();
  });
});

describe('store', () => {
  it('creates a WAL store at the latest schema version', () => {
    const db = openDatabase(tmp());
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a store written by a newer Atlas with a clear sentence', () => {
    const dir = tmp();
    openDatabase(dir).close(); // a current store, then pretend a newer Atlas wrote it
    const raw = new Database(join(dir, STORE_FILE));
    retainForProcessLifetime(raw);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(/written by a newer Atlas \(schema version \d+; this Atlas knows up to \d+\); upgrade Atlas/);
  });

  it('says so when the data directory cannot be written', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => openDatabase(join(dir, 'file', 'sub'))).toThrow(/data directory .* is not writable.*--data-dir or ATLAS_HOME/);
  });

  it('round-trips bars and keeps raw and adjusted prices', () => {
    const store = new BarStore(openDatabase(tmp()));
    const bars = [bar('2020-01-02', 10), bar('2020-01-03', 11), bar('2020-01-06', 12)];
    store.replaceBars('AAPL', 'csv', bars);
    expect(store.getBars('AAPL')).toEqual(bars);
    expect(store.getBars('AAPL', '2020-01-03', '2020-01-03')).toEqual([bars[1]]);
    expect(store.listSymbols()).toMatchObject([{ symbol: 'AAPL', source: 'csv', firstDate: '2020-01-02', lastDate: '2020-01-06', barCount: 3 }]);
  });

  it('upserts by date and replaces whole histories', () => {
    const store = new BarStore(openDatabase(tmp()));
    store.replaceBars('X', 'csv', [bar('2020-01-02', 10), bar('2020-01-03', 11)]);
    store.upsertBars('X', 'tiingo', [bar('2020-01-03', 11.5), bar('2020-01-06', 12)]);
    expect(store.getBars('X').map((b) => b.close)).toEqual([10, 11.5, 12]);
    store.replaceBars('X', 'csv', [bar('2021-01-04', 5)]);
    expect(store.getBars('X').map((b) => b.date)).toEqual(['2021-01-04']);
  });

  it('loses nothing when a write fails halfway (one transaction per symbol)', () => {
    const store = new BarStore(openDatabase(tmp()));
    const good = [bar('2020-01-02', 10), bar('2020-01-03', 11)];
    store.replaceBars('X', 'csv', good);
    // NaN binds as NULL and violates NOT NULL on the second row: the whole replace must roll back.
    expect(() => store.replaceBars('X', 'csv', [bar('2020-02-03', 1), bar('2020-02-04', NaN)])).toThrow();
    expect(store.getBars('X')).toEqual(good);
    expect(loadPanel(store.db, ['X']).dates).toEqual(['2020-01-02', '2020-01-03']);
  });
});

describe('loadPanel', () => {
  it('aligns symbols on the union of dates with NaN for missing bars', () => {
    const store = new BarStore(openDatabase(tmp()));
    store.replaceBars('A', 'csv', [bar('2020-01-02', 1), bar('2020-01-06', 3)]);
    store.replaceBars('B', 'csv', [bar('2020-01-03', 20), bar('2020-01-06', 30)]);
    const p = loadPanel(store.db, ['A', 'B']);
    expect(p.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(Array.from(p.close)).toEqual([1, NaN, 3, NaN, 20, 30]);
    expect(Array.from(p.adjClose)).toEqual([0.9, NaN, 3 * 0.9, NaN, 18, 27]);
  });

  it('restricts to a range, to explicit dates and to chosen fields', () => {
    const store = new BarStore(openDatabase(tmp()));
    store.replaceBars('A', 'csv', [bar('2020-01-02', 1), bar('2020-01-03', 2), bar('2020-01-06', 3)]);
    const p = loadPanel(store.db, ['A'], { from: '2020-01-03', fields: ['close'] });
    expect(p.dates).toEqual(['2020-01-03', '2020-01-06']);
    expect(Array.from(p.close)).toEqual([2, 3]);
    expect(p.open.length).toBe(0);
    const q = loadPanel(store.db, ['A'], { dates: ['2020-01-01', '2020-01-02', '2020-01-06'] });
    expect(Array.from(q.close)).toEqual([NaN, 1, 3]);
  });

  it('names symbols that are not stored', () => {
    const store = new BarStore(openDatabase(tmp()));
    expect(() => loadPanel(store.db, ['NOPE'])).toThrow(/No data in the store for NOPE; run `atlas data sync --symbols NOPE`/);
  });

  it('equals the panel built from the row table, for random histories (property)', () => {
    const dir = tmp();
    const store = new BarStore(openDatabase(dir));
    const dayArb = fc.integer({ min: 0, max: 60 });
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(dayArb, { minLength: 0, maxLength: 25 }), { minLength: 1, maxLength: 5 }), (perSymbol) => {
        const series = perSymbol.map((days, i) => ({
          symbol: `S${i}`,
          bars: days.sort((a, b) => a - b).map((d) => bar(new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10), 1 + d + i / 10)),
        }));
        for (const s of series) store.replaceBars(s.symbol, 'csv', s.bars);
        const fromStore = loadPanel(store.db, series.map((s) => s.symbol));
        const expected = panelFromBars(series);
        expect(fromStore.dates).toEqual(expected.dates);
        expect(Array.from(fromStore.close)).toEqual(Array.from(expected.close));
        expect(Array.from(fromStore.volume)).toEqual(Array.from(expected.volume));
      }),
      { numRuns: 40 },
    );
  });
});

describe('migrations', () => {
  it('two processes opening a fresh store at once both succeed', async () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    const [a, b] = await Promise.all([Promise.resolve().then(() => openDatabase(dir)), Promise.resolve().then(() => openDatabase(dir))]);
    expect(schemaVersion(a)).toBe(LATEST_SCHEMA_VERSION);
    expect(schemaVersion(b)).toBe(LATEST_SCHEMA_VERSION);
    a.close();
    b.close();
  });
});

describe('columnar cache', () => {
  it('matches the row table after a replace with duplicate and unsorted dates', () => {
    const store = new BarStore(openDatabase(tmp()));
    store.replaceBars('X', 'csv', [bar('2020-01-06', 3), bar('2020-01-02', 1), bar('2020-01-06', 4)]);
    expect(store.getBars('X').map((b) => b.close)).toEqual([1, 4]);
    expect(Array.from(loadPanel(store.db, ['X']).close)).toEqual([1, 4]);
  });
});
