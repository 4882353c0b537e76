/**
 * @module Reading the cells of a price CSV: which header names mean which column, and the date
 * formats accepted. Shared by the whole-text and the streaming parse.
 */
import { isIsoDate } from '../../core/dates.js';

export type Column = 'date' | 'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume';

export const HEADER_ALIASES: Record<string, Column> = {
  date: 'date', timestamp: 'date', datetime: 'date', time: 'date', day: 'date',
  open: 'open', high: 'high', low: 'low', close: 'close',
  adjclose: 'adjClose', adjustedclose: 'adjClose', adjcloseprice: 'adjClose',
  volume: 'volume', vol: 'volume',
};

export function normaliseHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s_\-.*]/g, '');
}

/** Accepts YYYY-MM-DD, an ISO timestamp starting with one, YYYYMMDD, or M/D/YYYY. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Strict YYYY-MM-DD check without allocating a Date (the import hot path). */
export function validIso(s: string): boolean {
  if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') return false;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9]) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS_IN_MONTH[m - 1]);
}

export function parseDateCell(raw: string): string | undefined {
  if (raw.length === 10 && validIso(raw)) return raw;
  const s = raw.trim();
  const head = s.slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(head) && (s.length === 10 || /^[T ]/.test(s[10] ?? ''))) {
    return isIsoDate(head) ? head : undefined;
  }
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const iso = `${m[1]}-${m[2]}-${m[3]}`;
    return isIsoDate(iso) ? iso : undefined;
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) {
    const iso = `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
    return isIsoDate(iso) ? iso : undefined;
  }
  return undefined;
}

