import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnsFromBars, mergeColumns, type BarColumns } from '../../src/data/store/barColumns.js';
import { fromDayNumber } from '../../src/core/dates.js';
import type { DailyBar } from '../../src/data/bar.js';

function barsOf(days: number[], tag: number): DailyBar[] {
  return days.map((d) => ({ date: fromDayNumber(d), open: tag + d, high: tag + d + 0.5, low: tag + d - 0.5, close: tag + d + 0.25, adjClose: tag + d + 0.125, volume: tag * 1000 + d }));
}

/** The merge by its definition: every day of either, update's bar where both have one. */
function reference(base: DailyBar[], update: DailyBar[]): BarColumns {
  const byDate = new Map(base.map((b) => [b.date, b] as const));
  for (const b of update) byDate.set(b.date, b);
  return columnsFromBars([...byDate.values()]);
}

const plain = (c: BarColumns) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));
const daySet = fc.uniqueArray(fc.integer({ min: 10_000, max: 10_200 }), { maxLength: 80 }).map((d) => d.sort((x, y) => x - y));

describe('mergeColumns', () => {
  it('equals laying update over base bar by bar: any overlap, any interleaving, either side empty (property)', () => {
    fc.assert(
      fc.property(daySet, daySet, (baseDays, updateDays) => {
        const base = barsOf(baseDays, 1);
        const update = barsOf(updateDays, 2);
        expect(plain(mergeColumns(columnsFromBars(base), columnsFromBars(update)))).toEqual(plain(reference(base, update)));
      }),
      { numRuns: 300 },
    );
  });

  it('appends a daily bar after a block and overwrites a restated last bar', () => {
    const base = barsOf([10_000, 10_001, 10_002], 1);
    const appended = mergeColumns(columnsFromBars(base), columnsFromBars(barsOf([10_003], 2)));
    expect(Array.from(appended.days)).toEqual([10_000, 10_001, 10_002, 10_003]);
    expect(Array.from(appended.close)).toEqual([10_001.25, 10_002.25, 10_003.25, 10_005.25]);
    const restated = mergeColumns(columnsFromBars(base), columnsFromBars(barsOf([10_002, 10_003], 2)));
    expect(Array.from(restated.volume)).toEqual([1000 + 10_000, 1000 + 10_001, 2000 + 10_002, 2000 + 10_003]);
  });
});
