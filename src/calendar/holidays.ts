/**
 * NYSE closure and early-close RULES, year by year, as day numbers (days since 1970-01-01).
 * Kept free of lookups and time zones so each rule can be read against the exchange's own
 * wording; src/calendar/nyse.ts turns the output into a session table once.
 *
 * Sources: NYSE Rule 7.2 (holidays and observance), NYSE historical closings list, and the
 * Apache-2.0 exchange_calendars XNYS rules for early closes; cross-checked in
 * test/calendar against the shared nyse_calendar.csv and SPY trading days (see docs/calendar.md).
 */
import { toDayNumber } from '../core/dates.js';

/** Weekday of a day number: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function ymd(year: number, month: number, dayOfMonth: number): number {
  return Date.UTC(year, month - 1, dayOfMonth) / 86_400_000;
}

/** n-th (1-based) given weekday of a month, e.g. third Monday of January. */
function nthWeekday(year: number, month: number, wd: number, n: number): number {
  const first = ymd(year, month, 1);
  return first + ((wd - dayOfWeek(first) + 7) % 7) + 7 * (n - 1);
}

/** Last given weekday of a month, e.g. last Monday of May. */
function lastWeekday(year: number, month: number, wd: number): number {
  const last = ymd(year, month + 1, 1) - 1;
  return last - ((dayOfWeek(last) - wd + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous / Meeus-Jones-Butcher algorithm); Good Friday is two days before. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dom = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, dom);
}

/** Rule 7.2: a Saturday holiday is observed on Friday, a Sunday holiday on Monday. */
function nearestWeekday(day: number): number {
  const wd = dayOfWeek(day);
  if (wd === 6) return day - 1;
  if (wd === 0) return day + 1;
  return day;
}

/**
 * One-off full-day closures inside 1990..2035. Each was announced by the exchange; none follows
 * a rule, so they are listed by date.
 */
export const ONE_OFF_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ['1994-04-27', 'National Day of Mourning (Richard Nixon)'],
  ['2001-09-11', 'September 11 attacks'],
  ['2001-09-12', 'September 11 attacks'],
  ['2001-09-13', 'September 11 attacks'],
  ['2001-09-14', 'September 11 attacks'],
  ['2004-06-11', 'National Day of Mourning (Ronald Reagan)'],
  ['2007-01-02', 'National Day of Mourning (Gerald Ford)'],
  ['2012-10-29', 'Hurricane Sandy'],
  ['2012-10-30', 'Hurricane Sandy'],
  ['2018-12-05', 'National Day of Mourning (George H. W. Bush)'],
  ['2025-01-09', 'National Day of Mourning (Jimmy Carter)'],
];

/**
 * One-off 13:00 closes announced by the exchange (not implied by any rule): the Friday after
 * Christmas in 1997 and 2003, and the Y2K eve (board decision of April 1999).
 */
export const ONE_OFF_EARLY_CLOSES: ReadonlyArray<readonly [string, string]> = [
  ['1997-12-26', 'Day after Christmas'],
  ['1999-12-31', "New Year's Eve (Y2K)"],
  ['2003-12-26', 'Day after Christmas'],
];

/**
 * Regular full-day holidays of one year (weekday dates only; a holiday whose observance lands
 * on no weekday, like New Year's Day on a Saturday, simply produces nothing).
 */
export function regularHolidays(year: number): Map<number, string> {
  const out = new Map<number, string>();
  const add = (day: number, name: string): void => {
    const wd = dayOfWeek(day);
    if (wd !== 0 && wd !== 6) out.set(day, name);
  };

  // New Year's Day: Sunday -> Monday, but a Saturday Jan 1 is NOT moved to Friday Dec 31
  // (Rule 7.2 exception: the exchange keeps the year-end/quarter-end session open).
  const jan1 = ymd(year, 1, 1);
  add(dayOfWeek(jan1) === 0 ? jan1 + 1 : jan1, "New Year's Day");
  // NYSE first closed for Martin Luther King Jr. Day in 1998, though it was a federal holiday earlier.
  if (year >= 1998) add(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  add(easterSunday(year) - 2, 'Good Friday');
  add(lastWeekday(year, 5, 1), 'Memorial Day');
  // Juneteenth became a federal holiday in 2021 too late for that year's NYSE schedule; first closed 2022.
  if (year >= 2022) add(nearestWeekday(ymd(year, 6, 19)), 'Juneteenth National Independence Day');
  add(nearestWeekday(ymd(year, 7, 4)), 'Independence Day');
  add(nthWeekday(year, 9, 1, 1), 'Labor Day');
  add(nthWeekday(year, 11, 4, 4), 'Thanksgiving Day');
  add(nearestWeekday(ymd(year, 12, 25)), 'Christmas Day');
  return out;
}

/** An early close: minutes after New York midnight at which the session ends, and why. */
export interface EarlyCloseRule {
  readonly closeMinutes: number;
  readonly name: string;
}

const ONE_PM = 13 * 60;
const TWO_PM = 14 * 60;

/**
 * Rule-based early closes of one year. The standard early close was 14:00 until 1992 and has
 * been 13:00 since 1993. Candidates that fall on a weekend or a holiday are dropped by the caller.
 */
export function regularEarlyCloses(year: number): Map<number, EarlyCloseRule> {
  const out = new Map<number, EarlyCloseRule>();
  const std = year >= 1993 ? ONE_PM : TWO_PM;

  // Day after Thanksgiving: observed since 1992 (14:00 that year, 13:00 since 1993).
  if (year >= 1992) out.set(nthWeekday(year, 11, 4, 4) + 1, { closeMinutes: std, name: 'Day after Thanksgiving' });

  // Independence Day (since 1995): the day before July 4 when that is a Monday, Tuesday or
  // Thursday; when July 4 is a Thursday the half day was Friday July 5 until 2012 and has
  // been Wednesday July 3 since 2013.
  if (year >= 1995) {
    const jul3 = ymd(year, 7, 3);
    const wd = dayOfWeek(jul3);
    if (wd === 1 || wd === 2 || wd === 4) out.set(jul3, { closeMinutes: std, name: 'Day before Independence Day' });
    if (wd === 3 && year >= 2013) out.set(jul3, { closeMinutes: std, name: 'Day before Independence Day' });
    if (wd === 3 && year < 2013) out.set(jul3 + 2, { closeMinutes: std, name: 'Day after Independence Day' });
  }

  // Christmas Eve Monday-Thursday (a Friday Dec 24 is the observed Christmas holiday).
  const dec24 = ymd(year, 12, 24);
  const wd24 = dayOfWeek(dec24);
  if (wd24 >= 1 && wd24 <= 4) out.set(dec24, { closeMinutes: std, name: 'Christmas Eve' });
  return out;
}

/** Day numbers of the one-off lists, for the table builder. */
export function oneOffDays(list: ReadonlyArray<readonly [string, string]>): Array<[number, string]> {
  return list.map(([iso, name]) => [toDayNumber(iso), name]);
}
