import { DateTime } from 'luxon';
import { AtlasError } from '../../core/errors.js';
import { isIsoDate } from '../../core/dates.js';
import type { CorporateAction, DailyBar } from '../bar.js';

export const NEW_YORK = 'America/New_York';

/** An instant (epoch ms) -> its New York calendar date, 'YYYY-MM-DD'. */
export function nyDateFromMillis(ms: number): string {
  const d = DateTime.fromMillis(ms, { zone: NEW_YORK }).toISODate();
  if (d === null) throw new RangeError(`invalid instant: ${ms}`);
  return d;
}

/** An ISO-8601 instant string ('2020-01-02T05:00:00Z') -> its New York calendar date. */
export function nyDateFromIso(instant: string): string | undefined {
  const dt = DateTime.fromISO(instant, { setZone: false }).setZone(NEW_YORK);
  return dt.isValid ? (dt.toISODate() ?? undefined) : undefined;
}

/** Start of a New York date as epoch ms (midnight America/New_York). */
export function nyStartOfDayMillis(date: string): number {
  return DateTime.fromISO(date, { zone: NEW_YORK }).startOf('day').toMillis();
}

/** Throws an AtlasError unless from/to are valid ISO dates with from <= to. */
export function assertRange(from: string, to: string): void {
  if (!isIsoDate(from) || !isIsoDate(to)) {
    throw new AtlasError(`The date range ${from}..${to} is not valid; use YYYY-MM-DD dates.`, { code: 'INVALID_RANGE' });
  }
  if (from > to) {
    throw new AtlasError(`The start date ${from} is after the end date ${to}; swap them.`, { code: 'INVALID_RANGE' });
  }
}

/** Keeps bars within [from, to], sorts ascending and keeps the last bar seen for a duplicated date. */
export function finishBars(bars: DailyBar[], from: string, to: string): DailyBar[] {
  const byDate = new Map<string, DailyBar>();
  for (const b of bars) if (b.date >= from && b.date <= to) byDate.set(b.date, b);
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export function finishActions(actions: CorporateAction[], from: string, to: string): CorporateAction[] {
  return actions.filter((a) => a.date >= from && a.date <= to).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** A finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
