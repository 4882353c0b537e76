import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { PANEL_FIELDS, type Panel, type PanelField } from '../../src/data/panel.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { keepPanelsInMemory, panelsInMemory } from '../../src/data/store/panelCache.js';
import { loadPanel } from '../../src/data/store/panelLoader.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const DAY0 = 18_000;
const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
const bar = (day: number, v: number): DailyBar => ({ date: iso(day), open: v, high: v + 2, low: v - 1, close: v + 1, adjClose: v * 0.5, volume: v * 10 });

/** Every field of a panel as plain arrays (NaN compares equal in toEqual). */
const plain = (p: Panel) => ({ dates: p.dates, days: Array.from(p.dayNumbers), symbols: p.symbols, ...Object.fromEntries(PANEL_FIELDS.map((f) => [f, Array.from(p[f])])) });
const savedFiles = (dir: string): string[] => {
  const d = join(dir, 'cache', 'panel');
  return existsSync(d) ? readdirSync(d).filter((n) => n.endsWith('.bin')).map((n) => join(d, n)) : [];
};

function storeWith(dir: string, histories: number[][]): { store: BarStore; symbols: string[] } {
  const store = new BarStore(openDatabase(dir));
  const symbols = histories.map((_, i) => `S${i}`);
  histories.forEach((days, i) => store.replaceBars(symbols[i], 'csv', days.map((d) => bar(DAY0 + d, 1 + d + i / 8))));
  return { store, symbols };
}

afterEach(() => {
  delete process.env.ATLAS_PANEL_CACHE;
});

describe('saved panels (cache/panel)', () => {
  it('a saved load reads back equal to the SQLite load, for any histories, range and fields (property)', () => {
    const historyArb = fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 80 }).map((d) => d.sort((a, b) => a - b));
    fc.assert(
      fc.property(fc.array(historyArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: -50, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.subarray([...PANEL_FIELDS], { minLength: 1 }), (histories, a, len, fields) => {
        const dir = tmp();
        const { store, symbols } = storeWith(dir, histories);
        const options = { from: iso(DAY0 + a), to: iso(DAY0 + a + len), fields: fields as PanelField[] };
        const fresh = loadPanel(store.db, symbols, options);
        const written = loadPanel(store.db, symbols, { ...options, cacheMinBars: 0 });
        expect(savedFiles(dir)).toHaveLength(1);
        const read = loadPanel(store.db, symbols, { ...options, cacheMinBars: 0 });
        expect(plain(written)).toEqual(plain(fresh));
        expect(plain(read)).toEqual(plain(fresh));
        store.db.close();
      }),
      { numRuns: 25 },
    );
  });

  it('is read instead of SQLite, and never after a write to the bars (same days, new values)', () => {
    const dir = tmp();
    const { store, symbols } = storeWith(dir, [[0, 1, 2, 3], [1, 2, 3]]);
    const first = loadPanel(store.db, symbols, { cacheMinBars: 0 });
    const [file] = savedFiles(dir);
    // Mark the saved close column: a load that returns the mark read the file.
    const bytes = readFileSync(file);
    const n = first.dates.length * symbols.length;
    const closeAt = bytes.length - 8 * n * (PANEL_FIELDS.length - PANEL_FIELDS.indexOf('close'));
    bytes.writeDoubleLE(-42, closeAt);
    writeFileSync(file, bytes);
    expect(loadPanel(store.db, symbols, { cacheMinBars: 0 }).close[0]).toBe(-42);

    // Corrected prices on the same days: the version moves, the saved panel is not used.
    store.replaceBars('S0', 'csv', [0, 1, 2, 3].map((d) => bar(DAY0 + d, 100 + d)));
    const after = loadPanel(store.db, symbols, { cacheMinBars: 0 });
    expect(after.close[0]).toBe(101);
    expect(plain(after)).toEqual(plain(loadPanel(store.db, symbols)));
    store.db.close();
  });

  it('held in memory (a resident process) serves the same panel object until a bar is written, and keeps only the newest', () => {
    const dir = tmp();
    const { store, symbols } = storeWith(dir, [[0, 1, 2, 3], [1, 2, 3]]);
    keepPanelsInMemory(1);
    try {
      const first = loadPanel(store.db, symbols, { cacheMinBars: 0 });
      // The file is not read again: a marked file changes nothing while the panel is held.
      const [file] = savedFiles(dir);
      const bytes = readFileSync(file);
      bytes.writeDoubleLE(-42, bytes.length - 8 * first.dates.length * symbols.length * (PANEL_FIELDS.length - PANEL_FIELDS.indexOf('close')));
      writeFileSync(file, bytes);
      expect(loadPanel(store.db, symbols, { cacheMinBars: 0 })).toBe(first);
      expect(panelsInMemory().count).toBe(1);
      expect(panelsInMemory().bytes).toBe(PANEL_FIELDS.length * 8 * first.dates.length * symbols.length);
      store.replaceBars('S0', 'csv', [0, 1, 2, 3].map((d) => bar(DAY0 + d, 100 + d)));
      const after = loadPanel(store.db, symbols, { cacheMinBars: 0 });
      expect(after).not.toBe(first);
      expect(after.close[0]).toBe(101);
      expect(panelsInMemory().count).toBe(1);
      expect(loadPanel(store.db, symbols, { cacheMinBars: 0 })).toBe(after);
    } finally {
      keepPanelsInMemory(0);
      store.db.close();
    }
    expect(panelsInMemory().count).toBe(0);
  });

  it('any write to bar_chunks or symbols, by any code, moves the bar version', () => {
    const { store } = storeWith(tmp(), [[0, 1, 2]]);
    const version = () => store.db.prepare('SELECT version FROM bars_version').pluck().get() as number;
    let v = version();
    for (const sql of ["UPDATE bar_chunks SET n = n WHERE symbol = 'S0'", "UPDATE symbols SET source = 'x' WHERE symbol = 'S0'", "DELETE FROM bar_chunks WHERE symbol = 'S0'", "DELETE FROM symbols WHERE symbol = 'S0'"]) {
      store.db.exec(sql);
      expect(version()).toBeGreaterThan(v);
      v = version();
    }
    store.db.close();
  });

  it('a damaged file is a miss, and small loads or ATLAS_PANEL_CACHE=off write nothing', () => {
    const dir = tmp();
    const { store, symbols } = storeWith(dir, [[0, 1, 2, 3, 4]]);
    const fresh = plain(loadPanel(store.db, symbols));
    expect(savedFiles(dir)).toHaveLength(0); // 5 bars: below the default threshold
    loadPanel(store.db, symbols, { cacheMinBars: 0 });
    const [file] = savedFiles(dir);
    truncateSync(file, 100);
    expect(plain(loadPanel(store.db, symbols, { cacheMinBars: 0 }))).toEqual(fresh);
    writeFileSync(file, Buffer.alloc(readFileSync(file).length)); // rewritten by the miss above: zero it
    expect(plain(loadPanel(store.db, symbols, { cacheMinBars: 0 }))).toEqual(fresh);

    const off = tmp();
    const other = storeWith(off, [[0, 1, 2]]);
    process.env.ATLAS_PANEL_CACHE = 'off';
    loadPanel(other.store.db, other.symbols, { cacheMinBars: 0 });
    expect(savedFiles(off)).toHaveLength(0);
    store.db.close();
    other.store.db.close();
  });
});
