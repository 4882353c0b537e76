import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { fromDayNumber, toDayNumber, weekday } from '../../src/core/dates.js';
import {
  CALENDAR_RANGE,
  isMarketOpenAt,
  isTradingDay,
  nextOpenAfter,
  nextSession,
  nyDateOf,
  previousSession,
  sessionOnOrAfter,
  sessionOnOrBefore,
  sessionTimes,
  sessionsBetween,
} from '../../src/calendar/nyse.js';

// Keep a margin so previous/next sessions exist inside the range.
const FIRST = toDayNumber('1990-01-10');
const LAST = toDayNumber('2035-12-20');
const dateArb = fc.integer({ min: FIRST, max: LAST }).map(fromDayNumber);

describe('calendar properties', () => {
  it('no weekend is a session; every session lies between its neighbours', () => {
    const all = sessionsBetween(CALENDAR_RANGE.from, CALENDAR_RANGE.to);
    expect(all.every((d) => weekday(d) !== 0 && weekday(d) !== 6)).toBe(true);
    expect(all.filter((d, i) => i > 0 && !(d > all[i - 1]))).toEqual([]);
  });

  it('navigation relations hold for random dates', () => {
    fc.assert(
      fc.property(dateArb, (x) => {
        const onAfter = sessionOnOrAfter(x);
        const onBefore = sessionOnOrBefore(x);
        const prev = previousSession(x);
        const next = nextSession(x);
        expect(onAfter >= x).toBe(true);
        expect(onBefore <= x).toBe(true);
        expect(isTradingDay(onAfter) && isTradingDay(onBefore) && isTradingDay(prev) && isTradingDay(next)).toBe(true);
        expect(prev < x && x < next).toBe(true);
        expect(weekday(onAfter) % 6).not.toBe(0);
        // nextSession(previousSession(x)) is the first session on or after x.
        expect(nextSession(prev)).toBe(onAfter);
        expect(previousSession(next)).toBe(onBefore);
        if (isTradingDay(x)) {
          expect(onAfter).toBe(x);
          expect(onBefore).toBe(x);
        } else {
          expect(onBefore).toBe(prev);
          expect(onAfter).toBe(next);
          expect(sessionsBetween(x, x)).toEqual([]);
        }
        // No session hides strictly between prev and onAfter.
        expect(sessionsBetween(prev, onAfter)).toEqual(prev === onAfter ? [prev] : [prev, onAfter]);
      }),
      { numRuns: 500 },
    );
  });

  it('sessionsBetween agrees with isTradingDay', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 40 }), (from, span) => {
        const to = fromDayNumber(Math.min(toDayNumber(from) + span, LAST));
        const expected: string[] = [];
        for (let d = toDayNumber(from); d <= toDayNumber(to); d++) if (isTradingDay(fromDayNumber(d))) expected.push(fromDayNumber(d));
        expect(sessionsBetween(from, to)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('nyDateOf is the New York date luxon gives, for any instant 1970-2100 and around every DST switch (property)', () => {
    const luxonDate = (ms: number) => DateTime.fromMillis(ms, { zone: 'America/New_York' }).toISODate();
    // Every hour of the days around the March and November switches of 1970-2100, by minute near them.
    const switches = fc.tuple(fc.integer({ min: 1970, max: 2100 }), fc.constantFrom(3, 11), fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 36 * 60 }))
      .map(([y, m, d, minute]) => Date.UTC(y, m - 1, d) + minute * 60_000);
    const any = fc.integer({ min: 0, max: Date.UTC(2100, 11, 31) });
    fc.assert(
      fc.property(fc.oneof(switches, any), (ms) => {
        expect(nyDateOf(new Date(ms))).toBe(luxonDate(ms));
      }),
      { numRuns: 3000 },
    );
  });

  it('instants: a session is open between its open and close, and nextOpenAfter is the next open', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 86_400_000 - 1 }), (x, msOfDay) => {
        const s = sessionOnOrAfter(x);
        const { open, close } = sessionTimes(s);
        expect(nyDateOf(open)).toBe(s);
        expect(nyDateOf(close)).toBe(s);
        expect(close.getTime() - open.getTime()).toBeGreaterThanOrEqual(3.5 * 3_600_000);
        expect(close.getTime() - open.getTime()).toBeLessThanOrEqual(6.5 * 3_600_000);
        const t = new Date(open.getTime() - 6 * 3_600_000 + msOfDay);
        const inSession = t >= open && t < close;
        expect(isMarketOpenAt(t)).toBe(inSession);
        const nxt = nextOpenAfter(t);
        expect(nxt.getTime()).toBeGreaterThan(t.getTime());
        expect(nxt.getTime()).toBe(t < open ? open.getTime() : sessionTimes(nextSession(s)).open.getTime());
      }),
      { numRuns: 300 },
    );
  });
});
