import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDayNumber, toDayNumber } from '../../src/core/dates.js';

const viaDate = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

describe('fromDayNumber', () => {
  it('gives what Date gives for every whole day of years 0..9999 and round-trips through toDayNumber', () => {
    for (const day of [-719_528, -719_162, -1, 0, 1, 10_957, 11_016, 18_627, 2_932_896]) expect(fromDayNumber(day)).toBe(viaDate(day));
    fc.assert(
      fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (day) => {
        expect(fromDayNumber(day)).toBe(viaDate(day));
        // (toDayNumber reads years before 100 as 19xx, through Date.UTC.)
        if (fromDayNumber(day) >= '0100') expect(toDayNumber(fromDayNumber(day))).toBe(day);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps Date\'s behaviour outside the fast range', () => {
    expect(fromDayNumber(0.5)).toBe(viaDate(0.5));
    expect(() => fromDayNumber(Number.NaN)).toThrow(RangeError);
  });
});
