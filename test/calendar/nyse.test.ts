import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { easterSunday } from '../../src/calendar/holidays.js';
import { fromDayNumber } from '../../src/core/dates.js';
import {
  CALENDAR_RANGE,
  earlyClose,
  earlyCloseName,
  holidayName,
  isHoliday,
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

/** Every full-day closure (weekday holiday) of a year, to compare with hand-copied NYSE schedules. */
function closuresOf(year: number): string[] {
  return weekdaysOf(year).filter((d) => isHoliday(d));
}
function weekdaysOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t <= Date.UTC(year, 11, 31); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

describe('hand-checked holidays', () => {
  it('New Year on a Saturday is not observed on Friday Dec 31', () => {
    expect(isTradingDay('2021-12-31')).toBe(true); // Jan 1 2022 is a Saturday
    expect(isTradingDay('2010-12-31')).toBe(true); // Jan 1 2011 is a Saturday
    expect(isTradingDay('2004-12-31')).toBe(true); // Jan 1 2005 is a Saturday
    expect(isHoliday('2022-01-03')).toBe(false);
    expect(isHoliday('2017-01-02')).toBe(true); // Jan 1 2017 Sunday -> Monday
    expect(holidayName('2017-01-02')).toBe("New Year's Day");
  });

  it('Juneteenth from 2022 only, with Saturday/Sunday observance', () => {
    expect(isHoliday('2022-06-20')).toBe(true); // Sunday 19th -> Monday
    expect(holidayName('2022-06-20')).toBe('Juneteenth National Independence Day');
    expect(isTradingDay('2021-06-18')).toBe(true); // not yet an NYSE holiday in 2021
    expect(isHoliday('2027-06-18')).toBe(true); // Saturday 19th -> Friday
    expect(isHoliday('2024-06-19')).toBe(true);
  });

  it('MLK Day only from 1998', () => {
    expect(isTradingDay('1997-01-20')).toBe(true);
    expect(isHoliday('1998-01-19')).toBe(true);
  });

  it('Good Friday from Easter', () => {
    expect(isHoliday('2020-04-10')).toBe(true);
    expect(holidayName('2020-04-10')).toBe('Good Friday');
    expect(isHoliday('2008-03-21')).toBe(true);
    expect(isHoliday('2035-03-23')).toBe(true);
    // Known Easter Sundays.
    const easters: Record<number, string> = { 1990: '1990-04-15', 2000: '2000-04-23', 2019: '2019-04-21', 2024: '2024-03-31', 2038: '2038-04-25' };
    for (const [y, iso] of Object.entries(easters)) expect(fromDayNumber(easterSunday(Number(y)))).toBe(iso);
  });

  it('Saturday/Sunday observance of Independence Day and Christmas', () => {
    expect(isHoliday('2020-07-03')).toBe(true); // July 4 Saturday -> Friday
    expect(isHoliday('2021-07-05')).toBe(true); // July 4 Sunday -> Monday
    expect(isHoliday('2021-12-24')).toBe(true); // Christmas Saturday -> Friday
    expect(isHoliday('2022-12-26')).toBe(true); // Christmas Sunday -> Monday
  });

  it('one-off closures', () => {
    for (const d of ['1994-04-27', '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09']) {
      expect(isHoliday(d), d).toBe(true);
      expect(holidayName(d), d).toBeTruthy();
    }
    expect(holidayName('2012-10-29')).toBe('Hurricane Sandy');
    expect(isTradingDay('2001-09-17')).toBe(true);
  });

  it('full year schedules match the published NYSE lists', () => {
    expect(closuresOf(2024)).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19',
      '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
    ]);
    expect(closuresOf(1990)).toEqual([
      '1990-01-01', '1990-02-19', '1990-04-13', '1990-05-28', '1990-07-04', '1990-09-03', '1990-11-22', '1990-12-25',
    ]);
    expect(closuresOf(2035)).toEqual([
      '2035-01-01', '2035-01-15', '2035-02-19', '2035-03-23', '2035-05-28', '2035-06-19',
      '2035-07-04', '2035-09-03', '2035-11-22', '2035-12-25',
    ]);
  });

  it('weekends are neither sessions nor holidays', () => {
    expect(isTradingDay('2020-03-07')).toBe(false);
    expect(isHoliday('2020-03-07')).toBe(false);
    expect(holidayName('2022-01-01')).toBeUndefined();
    expect(holidayName('2020-03-09')).toBeUndefined();
  });
});

describe('early closes', () => {
  it('day after Thanksgiving, Christmas Eve, July 3', () => {
    expect(earlyClose('2020-11-27')).toBe(true);
    expect(earlyCloseName('2020-11-27')).toBe('Day after Thanksgiving');
    expect(earlyClose('2020-12-24')).toBe(true);
    expect(earlyClose('2019-07-03')).toBe(true); // Wednesday, since 2013
    expect(earlyClose('2002-07-05')).toBe(true); // Friday after a Thursday July 4, before 2013
    expect(earlyClose('2002-07-03')).toBe(false);
    expect(earlyClose('2013-07-05')).toBe(false);
    expect(earlyClose('1999-12-31')).toBe(true); // Y2K eve
    expect(earlyClose('2003-12-26')).toBe(true);
    expect(earlyClose('2008-12-26')).toBe(false);
    expect(earlyClose('2020-11-25')).toBe(false);
    expect(earlyClose('2021-12-24')).toBe(false); // a holiday, not an early close
    expect(earlyClose('1994-07-01')).toBe(false); // July early closes only since 1995
  });

  it('early close times: 13:00 ET, 14:00 ET before 1993', () => {
    expect(sessionTimes('2020-11-27').close.toISOString()).toBe('2020-11-27T18:00:00.000Z');
    expect(sessionTimes('2019-07-03').close.toISOString()).toBe('2019-07-03T17:00:00.000Z'); // EDT
    expect(sessionTimes('1992-12-24').close.toISOString()).toBe('1992-12-24T19:00:00.000Z');
    expect(sessionTimes('1991-11-29').close.toISOString()).toBe('1991-11-29T21:00:00.000Z'); // no Black Friday half day before 1992
  });
});

describe('session times across DST', () => {
  it('open is 13:30Z in EDT and 14:30Z in EST', () => {
    expect(sessionTimes('2020-03-09').open.toISOString()).toBe('2020-03-09T13:30:00.000Z');
    expect(sessionTimes('2020-03-06').open.toISOString()).toBe('2020-03-06T14:30:00.000Z');
    expect(sessionTimes('2020-03-06').close.toISOString()).toBe('2020-03-06T21:00:00.000Z');
    expect(sessionTimes('2020-11-02').open.toISOString()).toBe('2020-11-02T14:30:00.000Z');
    expect(sessionTimes('2020-10-30').open.toISOString()).toBe('2020-10-30T13:30:00.000Z');
    // Pre-2007 DST rules (first Sunday of April).
    expect(sessionTimes('1995-03-31').open.toISOString()).toBe('1995-03-31T14:30:00.000Z');
    expect(sessionTimes('1995-04-03').open.toISOString()).toBe('1995-04-03T13:30:00.000Z');
  });

  it('throws AtlasError on a non-trading day', () => {
    expect(() => sessionTimes('2020-04-10')).toThrow(AtlasError);
    expect(() => sessionTimes('2020-04-10')).toThrow(/Good Friday/);
    expect(() => sessionTimes('2020-03-07')).toThrow(/weekend/);
  });
});

describe('navigation', () => {
  it('next/previous are strict, onOrAfter/onOrBefore are not', () => {
    expect(nextSession('2020-04-09')).toBe('2020-04-13');
    expect(previousSession('2020-04-13')).toBe('2020-04-09');
    expect(nextSession('2020-04-10')).toBe('2020-04-13');
    expect(sessionOnOrAfter('2020-04-10')).toBe('2020-04-13');
    expect(sessionOnOrAfter('2020-04-09')).toBe('2020-04-09');
    expect(sessionOnOrBefore('2020-04-12')).toBe('2020-04-09');
    expect(sessionOnOrBefore('2020-04-13')).toBe('2020-04-13');
    expect(nextSession('2001-09-10')).toBe('2001-09-17');
  });

  it('sessionsBetween is inclusive and ascending', () => {
    expect(sessionsBetween('2020-04-08', '2020-04-14')).toEqual(['2020-04-08', '2020-04-09', '2020-04-13', '2020-04-14']);
    expect(sessionsBetween('2020-04-10', '2020-04-12')).toEqual([]);
    expect(sessionsBetween('2020-04-14', '2020-04-08')).toEqual([]);
    expect(sessionsBetween('2019-01-01', '2019-12-31')).toHaveLength(252);
    expect(sessionsBetween('2020-01-01', '2020-12-31')).toHaveLength(253);
  });

  it('covers the whole range: every year has 248-254 sessions', () => {
    for (let y = 1990; y <= 2035; y++) {
      const n = sessionsBetween(`${y}-01-01`, `${y}-12-31`).length;
      expect(n, String(y)).toBeGreaterThanOrEqual(248);
      expect(n, String(y)).toBeLessThanOrEqual(254);
    }
    expect(sessionsBetween(CALENDAR_RANGE.from, CALENDAR_RANGE.to).length).toBeGreaterThan(11_000);
  });
});

describe('range and input errors', () => {
  it('rejects dates outside CALENDAR_RANGE with a clear AtlasError', () => {
    expect(() => isTradingDay('1989-12-29')).toThrow(AtlasError);
    expect(() => isTradingDay('2036-01-02')).toThrow(/outside the NYSE calendar range 1990-01-01\.\.2035-12-31/);
    expect(() => sessionsBetween('1985-01-01', '2000-01-01')).toThrow(AtlasError);
    expect(() => previousSession('1990-01-02')).toThrow(/no NYSE session before/); // Jan 1 1990 was a holiday
    expect(() => nextSession('2035-12-31')).toThrow(/no NYSE session after/);
    expect(isTradingDay(CALENDAR_RANGE.from)).toBe(false);
    expect(isTradingDay(CALENDAR_RANGE.to)).toBe(true);
  });

  it('rejects malformed dates', () => {
    expect(() => isTradingDay('2020-02-30')).toThrow(AtlasError);
    expect(() => isTradingDay('20200303')).toThrow(/YYYY-MM-DD/);
    expect(() => nyDateOf(new Date(Number.NaN))).toThrow(AtlasError);
  });
});

describe('instants', () => {
  it('nyDateOf uses New York local date', () => {
    expect(nyDateOf(new Date('2020-03-10T02:00:00Z'))).toBe('2020-03-09'); // 22:00 EDT
    expect(nyDateOf(new Date('2020-03-10T04:00:00Z'))).toBe('2020-03-10'); // 00:00 EDT
    expect(nyDateOf(new Date('2020-01-10T04:59:59Z'))).toBe('2020-01-09'); // 23:59:59 EST
    expect(nyDateOf(new Date('2020-01-10T05:00:00Z'))).toBe('2020-01-10');
  });

  it('isMarketOpenAt: [open, close)', () => {
    expect(isMarketOpenAt(new Date('2020-03-09T13:29:59Z'))).toBe(false);
    expect(isMarketOpenAt(new Date('2020-03-09T13:30:00Z'))).toBe(true);
    expect(isMarketOpenAt(new Date('2020-03-09T19:59:59Z'))).toBe(true);
    expect(isMarketOpenAt(new Date('2020-03-09T20:00:00Z'))).toBe(false);
    expect(isMarketOpenAt(new Date('2020-03-06T14:00:00Z'))).toBe(false); // 09:00 EST
    expect(isMarketOpenAt(new Date('2020-11-27T17:59:00Z'))).toBe(true); // 12:59 on an early close
    expect(isMarketOpenAt(new Date('2020-11-27T18:30:00Z'))).toBe(false); // 13:30 on an early close
    expect(isMarketOpenAt(new Date('2020-04-10T15:00:00Z'))).toBe(false); // Good Friday
    expect(isMarketOpenAt(new Date('2020-03-07T15:00:00Z'))).toBe(false); // Saturday
  });

  it('nextOpenAfter is strictly after the instant', () => {
    expect(nextOpenAfter(new Date('2020-03-09T12:00:00Z')).toISOString()).toBe('2020-03-09T13:30:00.000Z');
    expect(nextOpenAfter(new Date('2020-03-09T13:30:00Z')).toISOString()).toBe('2020-03-10T13:30:00.000Z');
    expect(nextOpenAfter(new Date('2020-03-06T21:00:00Z')).toISOString()).toBe('2020-03-09T13:30:00.000Z'); // over the DST weekend
    expect(nextOpenAfter(new Date('2020-04-09T20:00:00Z')).toISOString()).toBe('2020-04-13T13:30:00.000Z'); // over Good Friday
    expect(nextOpenAfter(new Date('2020-12-31T23:00:00Z')).toISOString()).toBe('2021-01-04T14:30:00.000Z');
  });
});
