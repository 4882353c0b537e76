/**
 * The NYSE trading calendar, 1990-01-01 .. 2035-12-31, computed from the exchange's rules
 * (src/calendar/holidays.ts) rather than a downloaded list, so it needs no network and no data
 * file. Dates in and out are New York calendar dates ('YYYY-MM-DD'); instants are JS Dates.
 *
 * Everything is precomputed once, lazily, into a status byte per calendar day and a sorted
 * Int32Array of session day numbers, so per-call work is an array index or a binary search.
 */
import { DateTime } from 'luxon';
import { fromDayNumber, isIsoDate, MS_PER_DAY, toDayNumber } from '../core/dates.js';
import { AtlasError } from '../core/errors.js';
import {
  ONE_OFF_CLOSURES,
  ONE_OFF_EARLY_CLOSES,
  dayOfWeek,
  oneOffDays,
  regularEarlyCloses,
  regularHolidays,
} from './holidays.js';

/** The dates this calendar answers for; outside it the rules are unverified, so we refuse. */
export const CALENDAR_RANGE = { from: '1990-01-01', to: '2035-12-31' } as const;

/** The exchange's time zone; sessions are defined in local (DST-aware) New York time. */
export const NY_ZONE = 'America/New_York';

const HOUR_MS = 3_600_000;
const OPEN_MINUTES = 9 * 60 + 30;
const CLOSE_MINUTES = 16 * 60;

const FIRST_DAY = toDayNumber(CALENDAR_RANGE.from);
const LAST_DAY = toDayNumber(CALENDAR_RANGE.to);

const enum Status {
  Weekend = 0,
  Holiday = 1,
  Session = 2,
  EarlyClose = 3,
}

interface Table {
  /** Status per calendar day, indexed by dayNumber - FIRST_DAY. */
  status: Uint8Array;
  /** Session day numbers, ascending. */
  sessions: Int32Array;
  /** The same sessions as ISO strings (so sessionsBetween is a slice, not 7,500 formats). */
  sessionIsos: string[];
  holidayNames: Map<number, string>;
  earlyCloses: Map<number, { closeMinutes: number; name: string }>;
}

let table: Table | undefined;

/** Builds the table on first use (~0.5 ms); later calls reuse it. */
function getTable(): Table {
  if (table) return table;
  const n = LAST_DAY - FIRST_DAY + 1;
  const status = new Uint8Array(n);
  const holidayNames = new Map<number, string>();
  const earlyCloses = new Map<number, { closeMinutes: number; name: string }>();
  const fromYear = Number(CALENDAR_RANGE.from.slice(0, 4));
  const toYear = Number(CALENDAR_RANGE.to.slice(0, 4));

  for (let year = fromYear; year <= toYear; year++) {
    for (const [day, name] of regularHolidays(year)) holidayNames.set(day, name);
  }
  for (const [day, name] of oneOffDays(ONE_OFF_CLOSURES)) holidayNames.set(day, name);
  for (let i = 0; i < n; i++) {
    const day = FIRST_DAY + i;
    const wd = dayOfWeek(day);
    status[i] = wd === 0 || wd === 6 ? Status.Weekend : holidayNames.has(day) ? Status.Holiday : Status.Session;
  }

  // An early-close candidate only counts on a day that is otherwise a full session.
  const markEarly = (day: number, closeMinutes: number, name: string): void => {
    if (day < FIRST_DAY || day > LAST_DAY || status[day - FIRST_DAY] !== Status.Session) return;
    status[day - FIRST_DAY] = Status.EarlyClose;
    earlyCloses.set(day, { closeMinutes, name });
  };
  for (let year = fromYear; year <= toYear; year++) {
    for (const [day, rule] of regularEarlyCloses(year)) markEarly(day, rule.closeMinutes, rule.name);
  }
  for (const [day, name] of oneOffDays(ONE_OFF_EARLY_CLOSES)) markEarly(day, 13 * 60, name);

  let count = 0;
  for (let i = 0; i < n; i++) if (status[i] >= Status.Session) count++;
  const sessions = new Int32Array(count);
  const sessionIsos = new Array<string>(count);
  for (let i = 0, j = 0; i < n; i++) {
    if (status[i] >= Status.Session) {
      sessions[j] = FIRST_DAY + i;
      sessionIsos[j] = fromDayNumber(FIRST_DAY + i);
      j++;
    }
  }
  table = { status, sessions, sessionIsos, holidayNames, earlyCloses };
  return table;
}

/** Validates an ISO date inside CALENDAR_RANGE and returns its day number. */
function dayOf(date: string): number {
  if (typeof date !== 'string' || !isIsoDate(date)) {
    throw new AtlasError(`"${String(date)}" is not a calendar date; use YYYY-MM-DD.`, { code: 'CALENDAR_BAD_DATE' });
  }
  const day = toDayNumber(date);
  if (day < FIRST_DAY || day > LAST_DAY) {
    throw new AtlasError(
      `${date} is outside the NYSE calendar range ${CALENDAR_RANGE.from}..${CALENDAR_RANGE.to}; use a date inside it.`,
      { code: 'CALENDAR_RANGE' },
    );
  }
  return day;
}

function statusOf(day: number): Status {
  return getTable().status[day - FIRST_DAY] as Status;
}

/** Index of the first session >= day (sessions.length when none). */
function lowerBound(sessions: Int32Array, day: number): number {
  let lo = 0;
  let hi = sessions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sessions[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function noSession(direction: 'after' | 'before' | 'on or after' | 'on or before', date: string): AtlasError {
  return new AtlasError(
    `there is no NYSE session ${direction} ${date} inside the calendar range ${CALENDAR_RANGE.from}..${CALENDAR_RANGE.to}.`,
    { code: 'CALENDAR_RANGE' },
  );
}

/** True when the exchange holds a session (full or early close) on this New York date. */
export function isTradingDay(date: string): boolean {
  return statusOf(dayOf(date)) >= Status.Session;
}

/** True for a weekday on which the exchange is closed all day (rule holiday or one-off closure). Weekends are not holidays. */
export function isHoliday(date: string): boolean {
  return statusOf(dayOf(date)) === Status.Holiday;
}

/** Name of the full-day closure on this date, or undefined for sessions and weekends. */
export function holidayName(date: string): string | undefined {
  const day = dayOf(date);
  return statusOf(day) === Status.Holiday ? getTable().holidayNames.get(day) : undefined;
}

/** True when this date is a session that closes before 16:00 ET (13:00; 14:00 before 1993). */
export function earlyClose(date: string): boolean {
  return statusOf(dayOf(date)) === Status.EarlyClose;
}

/** Why this session closes early ('Christmas Eve', ...), or undefined for a regular day. */
export function earlyCloseName(date: string): string | undefined {
  const day = dayOf(date);
  return getTable().earlyCloses.get(day)?.name;
}

/** All sessions from..to inclusive, ascending; empty when from > to. Both ends must be in range. */
export function sessionsBetween(from: string, to: string): string[] {
  const a = dayOf(from);
  const b = dayOf(to);
  if (a > b) return [];
  const t = getTable();
  return t.sessionIsos.slice(lowerBound(t.sessions, a), lowerBound(t.sessions, b + 1));
}

/** The first session strictly after date (date itself need not be a session). */
export function nextSession(date: string): string {
  const t = getTable();
  const i = lowerBound(t.sessions, dayOf(date) + 1);
  if (i >= t.sessions.length) throw noSession('after', date);
  return t.sessionIsos[i];
}

/** The last session strictly before date. */
export function previousSession(date: string): string {
  const t = getTable();
  const i = lowerBound(t.sessions, dayOf(date)) - 1;
  if (i < 0) throw noSession('before', date);
  return t.sessionIsos[i];
}

/** date itself when it is a session, otherwise the next one (e.g. a signal dated on a Saturday trades Monday). */
export function sessionOnOrAfter(date: string): string {
  const t = getTable();
  const i = lowerBound(t.sessions, dayOf(date));
  if (i >= t.sessions.length) throw noSession('on or after', date);
  return t.sessionIsos[i];
}

/** date itself when it is a session, otherwise the previous one (e.g. the last close known on a holiday). */
export function sessionOnOrBefore(date: string): string {
  const t = getTable();
  const i = lowerBound(t.sessions, dayOf(date) + 1) - 1;
  if (i < 0) throw noSession('on or before', date);
  return t.sessionIsos[i];
}

/** New York wall-clock minutes on an ISO date -> the instant; luxon applies the DST offset of that day. */
function nyInstant(date: string, minutes: number): Date {
  const [y, m, d] = date.split('-').map(Number);
  return DateTime.fromObject(
    { year: y, month: m, day: d, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: NY_ZONE },
  ).toJSDate();
}

/** Open (09:30 ET) and close (16:00 ET, or the early close) instants of a session. Throws AtlasError on a non-trading day. */
export function sessionTimes(date: string): { open: Date; close: Date } {
  const day = dayOf(date);
  const s = statusOf(day);
  if (s < Status.Session) {
    const why = s === Status.Weekend ? 'a weekend' : `an NYSE holiday (${getTable().holidayNames.get(day) ?? 'closed'})`;
    throw new AtlasError(`${date} is ${why}, not a trading day; use sessionOnOrAfter/sessionOnOrBefore to pick a session.`, {
      code: 'CALENDAR_NOT_A_SESSION',
    });
  }
  let times = SESSION_TIMES.get(day);
  if (!times) {
    const closeMinutes = s === Status.EarlyClose ? (getTable().earlyCloses.get(day)?.closeMinutes ?? CLOSE_MINUTES) : CLOSE_MINUTES;
    times = [nyInstant(date, OPEN_MINUTES).getTime(), nyInstant(date, closeMinutes).getTime()];
    SESSION_TIMES.set(day, times);
  }
  // Fresh Dates every call: a caller may keep or change what it gets.
  return { open: new Date(times[0]), close: new Date(times[1]) };
}

/**
 * Open and close instants (ms) by day number: a zone conversion costs microseconds and the daemon,
 * the paper broker and the scheduler ask for the same few sessions thousands of times.
 */
const SESSION_TIMES = new Map<number, [number, number]>();

function checkInstant(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new AtlasError('expected a valid Date instant.', { code: 'CALENDAR_BAD_INSTANT' });
  return ms;
}

/** The New York calendar date of an instant (e.g. 2020-03-10T02:00Z is still 2020-03-09 in New York). */
export function nyDateOf(instant: Date): string {
  const ms = checkInstant(instant);
  // Since 1970 New York is always UTC-5 (EST) or UTC-4 (EDT), and both give the same date unless
  // the instant is 04:00-04:59 UTC; only then does the zone's offset decide (luxon). The daemon,
  // the paper broker and the scheduler ask this thousands of times a run.
  if (ms >= 0) {
    const est = Math.floor((ms - 5 * HOUR_MS) / MS_PER_DAY);
    if (est === Math.floor((ms - 4 * HOUR_MS) / MS_PER_DAY)) return fromDayNumber(est);
  }
  const iso = DateTime.fromMillis(ms, { zone: NY_ZONE }).toISODate();
  if (iso === null) throw new AtlasError('expected a valid Date instant.', { code: 'CALENDAR_BAD_INSTANT' });
  return iso;
}

/** True when the instant lies in a regular session: open <= instant < close (the close auction instant is closed). */
export function isMarketOpenAt(instant: Date): boolean {
  const ms = checkInstant(instant);
  const date = nyDateOf(instant);
  if (!isTradingDay(date)) return false;
  const { open, close } = sessionTimes(date);
  return ms >= open.getTime() && ms < close.getTime();
}

/** The first session open strictly after the instant (at exactly 09:30 it is the next session's open). */
export function nextOpenAfter(instant: Date): Date {
  const ms = checkInstant(instant);
  const date = nyDateOf(instant);
  if (isTradingDay(date)) {
    const { open } = sessionTimes(date);
    if (ms < open.getTime()) return open;
  }
  return sessionTimes(nextSession(date)).open;
}
