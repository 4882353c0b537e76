/**
 * @module Which daily bars a simulated instant may see. A bar dated D is *opened* (its open may
 * be traded on) once D's session has opened, and *closed* (its close is a fact, e.g. a latest
 * trade) once D's session has closed. Bars dated after the clock's New York date are never used,
 * whatever the store holds.
 */
import { DateTime } from 'luxon';
import { isTradingDay, nextSession, NY_ZONE, nyDateOf, sessionTimes } from '../../../calendar/nyse.js';
import { addDays } from '../../../core/dates.js';

/**
 * The last New York date whose bar counts as opened at `now`: today once today's session has
 * opened (or today is not a session), otherwise yesterday.
 */
export function knownUntil(now: Date): string {
  const today = nyDateOf(now);
  if (isTradingDay(today) && now.getTime() < sessionTimes(today).open.getTime()) return addDays(today, -1);
  return today;
}

/** The last New York date whose bar counts as closed at `now`: today once today's session has closed, otherwise yesterday. */
export function closedUntil(now: Date): string {
  const today = nyDateOf(now);
  if (isTradingDay(today) && now.getTime() >= sessionTimes(today).close.getTime()) return today;
  return addDays(today, -1);
}

/** When the bar dated `date` became a fact: its session's close, or the end of that New York day for a bar on a non-session date. */
export function closeInstantOf(date: string): Date {
  let session = false;
  try {
    session = isTradingDay(date);
  } catch {
    // Outside the calendar's range: treat it as a plain date.
  }
  if (session) return sessionTimes(date).close;
  return DateTime.fromISO(date, { zone: NY_ZONE }).plus({ days: 1 }).toJSDate();
}

/**
 * The session an order placed while the market is closed trades in: the first session whose open
 * is after the submission instant (the same day when placed before 09:30 ET on a trading day,
 * otherwise the next session).
 */
export function firstSessionAfter(instant: Date): string {
  const d = nyDateOf(instant);
  if (isTradingDay(d) && instant.getTime() < sessionTimes(d).open.getTime()) return d;
  return nextSession(d);
}

/** The session an order belongs to: the one it was placed in, or the next one when placed while closed. */
export function orderSession(submittedAt: Date, submittedOpen: boolean): string {
  return submittedOpen ? nyDateOf(submittedAt) : firstSessionAfter(submittedAt);
}
