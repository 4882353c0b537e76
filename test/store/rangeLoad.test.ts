import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { PANEL_FIELDS, type PanelField } from '../../src/data/panel.js';
import { CHUNK_SHIFT } from '../../src/data/store/barChunks.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { loadAlignedSeries, loadPanel } from '../../src/data/store/panelLoader.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const DAY0 = 18_000; // 2019-04-14
const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

function bar(day: number, v: number): DailyBar {
  return { date: iso(day), open: v, high: v + 2, low: v - 1, close: v + 1, adjClose: v * 0.5, volume: v * 10 };
}

// Histories spread over several 2,048-day blocks, with gaps, late listings and early ends.
const historyArb = fc.uniqueArray(fc.integer({ min: 0, max: 7000 }), { minLength: 0, maxLength: 120 }).map((days) => days.sort((a, b) => a - b));

describe('range and field loads', () => {
  it('equal slicing a full load, for any range and field set (property)', () => {
    const store = new BarStore(openDatabase(tmp()));
    fc.assert(
      fc.property(
        fc.array(historyArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: -50, max: 7050 }),
        fc.integer({ min: 0, max: 7100 }),
        fc.subarray([...PANEL_FIELDS], { minLength: 1 }),
        (histories, a, len, fields) => {
          const symbols = histories.map((_, i) => `S${i}`);
          histories.forEach((days, i) => store.replaceBars(symbols[i], 'csv', days.map((d) => bar(DAY0 + d, 1 + d + i / 8))));
          const from = iso(DAY0 + a);
          const to = iso(DAY0 + a + len);
          const full = loadPanel(store.db, symbols);
          const part = loadPanel(store.db, symbols, { from, to, fields });
          const keep = full.dates.map((d, i) => [d, i] as const).filter(([d]) => d >= from && d <= to);
          expect(part.dates).toEqual(keep.map(([d]) => d));
          expect(Array.from(part.dayNumbers)).toEqual(keep.map(([, i]) => full.dayNumbers[i]));
          const n = full.dates.length;
          for (const f of PANEL_FIELDS as PanelField[]) {
            if (!fields.includes(f)) {
              expect(part[f].length).toBe(0);
              continue;
            }
            const expected = symbols.flatMap((_, s) => keep.map(([, i]) => full[f][s * n + i]));
            expect(Array.from(part[f])).toEqual(expected);
          }
          // A benchmark aligned to the range's dates equals its column in a joint load.
          const aligned = loadAlignedSeries(store.db, symbols[0], 'close', part.dayNumbers)!;
          const joint = loadPanel(store.db, symbols, { from, to, fields: ['close'] });
          expect(Array.from(aligned)).toEqual(Array.from(joint.close.subarray(0, joint.dates.length)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('an upsert equals overlaying the new bars on the old ones, and only the blocks it touches change (property)', () => {
    const store = new BarStore(openDatabase(tmp()));
    fc.assert(
      fc.property(historyArb, historyArb, fc.integer({ min: 1, max: 99 }), (before, update, v) => {
        store.replaceBars('U', 'csv', before.map((d) => bar(DAY0 + d, d)));
        const blocksBefore = store.db.prepare('SELECT chunk, days, close FROM bar_chunks WHERE symbol = ? ORDER BY chunk').all('U') as { chunk: number; days: Buffer; close: Buffer }[];
        store.upsertBars('U', 'tiingo', update.map((d) => bar(DAY0 + d, d + v)));
        const model = new Map<number, DailyBar>();
        for (const d of before) model.set(d, bar(DAY0 + d, d));
        for (const d of update) model.set(d, bar(DAY0 + d, d + v));
        const expected = [...model.keys()].sort((a, b) => a - b).map((d) => model.get(d)!);
        expect(store.getBars('U')).toEqual(expected);
        const info = store.symbolInfo('U')!;
        expect([info.barCount, info.firstDate, info.lastDate, info.source]).toEqual([expected.length, expected[0]?.date ?? null, expected.at(-1)?.date ?? null, 'tiingo']);
        if (update.length > 0) {
          const firstTouched = (DAY0 + update[0]) >> CHUNK_SHIFT;
          const after = store.db.prepare('SELECT chunk, days, close FROM bar_chunks WHERE symbol = ? AND chunk < ? ORDER BY chunk').all('U', firstTouched);
          expect(after).toEqual(blocksBefore.filter((b) => b.chunk < firstTouched));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('keeps SPY-style benchmarks out of the panel: the range starts with the stocks, not the benchmark', () => {
    const store = new BarStore(openDatabase(tmp()));
    store.replaceBars('SPY', 'csv', Array.from({ length: 300 }, (_, i) => bar(DAY0 + i, 100 + i)));
    store.replaceBars('AAA', 'csv', Array.from({ length: 100 }, (_, i) => bar(DAY0 + 200 + i, 5 + i)));
    const panel = loadPanel(store.db, ['AAA'], { fields: ['adjClose'] });
    expect(panel.dates[0]).toBe(iso(DAY0 + 200));
    const spy = loadAlignedSeries(store.db, 'SPY', 'adjClose', panel.dayNumbers)!;
    expect(spy.length).toBe(100);
    expect(spy[0]).toBe((100 + 200) * 0.5);
    expect(loadAlignedSeries(store.db, 'NOPE', 'adjClose', panel.dayNumbers)).toBeUndefined();
  });

  it('lastBarOnOrBefore equals the last of all bars up to the date, and the bars view agrees (property)', () => {
    const store = new BarStore(openDatabase(tmp()));
    fc.assert(
      fc.property(historyArb, fc.integer({ min: -100, max: 7100 }), (days, at) => {
        store.replaceBars('L', 'csv', days.map((d) => bar(DAY0 + d, d + 1)));
        const date = iso(DAY0 + at);
        expect(store.lastBarOnOrBefore('L', date)).toEqual(store.getBars('L', undefined, date).at(-1));
        const row = store.db.prepare('SELECT MAX(day) AS d FROM bars WHERE symbol = ? AND day <= ?').get('L', DAY0 + at) as { d: number | null };
        const last = store.lastBarOnOrBefore('L', date);
        expect(row.d === null ? undefined : iso(row.d)).toEqual(last?.date);
      }),
      { numRuns: 80 },
    );
  });
});
