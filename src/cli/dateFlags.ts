/**
 * @module A date flag before the data (--as-of, --from, --at earlier than the store's first bar)
 * is a mistake, not a request for an empty or silently shortened result: every command that takes
 * one refuses it in the same sentence and exits 1.
 */
import { sessionOnOrAfter } from '../calendar/nyse.js';
import { AtlasError } from '../core/errors.js';
import { isIsoDate } from '../core/dates.js';
import type { BarStore } from '../data/store/barStore.js';

/** The earliest bar of any symbol in the store (undefined for an empty store). */
export function firstBarDate(store: BarStore): string | undefined {
  let first: string | undefined;
  for (const { firstDate } of store.listSymbols()) if (firstDate !== null && (first === undefined || firstDate < first)) first = firstDate;
  return first;
}

/** Whether a session the data does not have lies between `date` and `first` (a weekend or holiday before the first bar is not one). */
function sessionBefore(date: string, first: string): boolean {
  if (date >= first) return false;
  try {
    return sessionOnOrAfter(date) < first;
  } catch {
    return true; // outside the calendar's years: long before any data
  }
}

/** `date` unchanged, or the one-sentence refusal when it is before `first` (the data's first date). */
export function notBeforeData(flag: string, date: string | undefined, first: string | undefined): string | undefined {
  if (date !== undefined && first !== undefined && sessionBefore(date.slice(0, 10), first)) {
    throw new AtlasError(`${flag} ${date} is before the data: the first bar in the store is ${first}; use a date on or after it.`, { code: 'BEFORE_DATA' });
  }
  return date;
}

/** `notBeforeData` against the store's first bar. */
export function checkDateFlag(store: BarStore, flag: string, date: string | undefined): string | undefined {
  return date === undefined ? undefined : notBeforeData(flag, date, firstBarDate(store));
}

/** A YYYY-MM-DD flag value, or the one-sentence refusal naming the flag. */
export function parseDateFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw new AtlasError(`${name} must be a date as YYYY-MM-DD, got "${value}".`, { code: 'BAD_FLAG' });
  return value;
}
