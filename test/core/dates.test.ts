import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDayNumber, toDayNumber } from '../../src/core/dates.js';

const viaDate = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

describe('fromDayNumber', () => {
  it('gives what Date gives for every whole day of years 0..9999 and round-trips through toDayNumber', () => {
    for (const day of [-719_528, -719_162, -1, 0, 1, 10_957, 11_016, 18_627, 2_932_896]) expect(fromDayNumber(day)).toBe(viaDate(day));
    fc.assert(
      // A boolean property (no expect per run: thousands of runs, and fast-check reports the counterexample).
      fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (day) =>
        fromDayNumber(day) === viaDate(day) &&
        // (toDayNumber reads years before 100 as 19xx, through Date.UTC.)
        (fromDayNumber(day) < '0100' || toDayNumber(fromDayNumber(day)) === day),
      ),
      { numRuns: 5000 },
    );
  });

  it('keeps Date\'s behaviour outside the fast range', () => {
    expect(fromDayNumber(0.5)).toBe(viaDate(0.5));
    expect(() => fromDayNumber(Number.NaN)).toThrow(RangeError);
  });
});

/** What toDayNumber gave before its arithmetic fast path: the regex and Date.UTC (rolling over, years < 100 read as 19xx). */
function viaDateUtc(iso: string): number | 'throws' {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : 'throws';
}

function dayOrThrows(iso: string): number | 'throws' {
  try {
    return toDayNumber(iso);
  } catch {
    return 'throws';
  }
}

describe('toDayNumber', () => {
  it('gives what Date.UTC gives for any YYYY-MM-DD string, month 00..99 and day 00..99 included (rollover)', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    for (const iso of ['1970-01-01', '2000-02-29', '2001-02-29', '2020-12-31', '2021-04-31', '2020-00-10', '2020-13-01', '0099-06-01', '0100-03-01', '9999-12-31', '2020-01-00'])
      expect(dayOrThrows(iso), iso).toBe(viaDateUtc(iso));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        const iso = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        return dayOrThrows(iso) === viaDateUtc(iso);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses anything that is not exactly YYYY-MM-DD', () => {
    for (const bad of ['2020-1-01', '2020/01/01', '2020-01-0a', ' 2020-01-01', '2020-01-01 ', '20200101', '', '+020-01-01', '2020-01-01T00:00:00Z']) {
      expect(() => toDayNumber(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
  });
});
