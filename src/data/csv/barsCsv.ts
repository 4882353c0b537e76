import { AtlasError } from '../../core/errors.js';
import { isIsoDate } from '../../core/dates.js';
import type { DailyBar } from '../bar.js';
import { barProblem } from './barSanity.js';
import { parseCsv } from './parseCsv.js';

/**
 * Reads daily bars from a CSV whose columns are recognised by header, in any order:
 * Date/DATE/timestamp, Open, High, Low, Close, Adj Close/adjusted_close, Volume.
 * Only the date and close columns are required: an index file (VIX) has no volume or adjusted
 * close, so volume becomes 0 and adjClose = close.
 */
export type BarsCsvResult =
  | { kind: 'bars'; bars: DailyBar[]; warnings: string[]; rejected: RejectedRow[]; hasAdjClose: boolean; hasVolume: boolean }
  | { kind: 'not-prices'; reason: string };

/** A data row left out of the import, with the 1-based line a user sees in an editor. */
export interface RejectedRow {
  file: string;
  line: number;
  date: string;
  reason: string;
}

export interface BarsCsvOptions {
  /**
   * Today's New York date (YYYY-MM-DD). When given, every row is checked by `barProblem`: rows
   * dated after it, with a non-positive price, high < low, or open/close outside [low, high]
   * are rejected with a warning, and the rest of the file is kept.
   */
  today?: string;
}

type Column = 'date' | 'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume';

const HEADER_ALIASES: Record<string, Column> = {
  date: 'date', timestamp: 'date', datetime: 'date', time: 'date', day: 'date',
  open: 'open', high: 'high', low: 'low', close: 'close',
  adjclose: 'adjClose', adjustedclose: 'adjClose', adjcloseprice: 'adjClose',
  volume: 'volume', vol: 'volume',
};

function normaliseHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s_\-.*]/g, '');
}

/** Accepts YYYY-MM-DD, an ISO timestamp starting with one, YYYYMMDD, or M/D/YYYY. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Strict YYYY-MM-DD check without allocating a Date (the import hot path). */
function validIso(s: string): boolean {
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

export function parseBarsCsv(text: string, fileLabel: string, options: BarsCsvOptions = {}): BarsCsvResult {
  const rows = parseCsv(text);
  if (rows.length === 0) return { kind: 'not-prices', reason: 'the file is empty' };
  const header = rows[0].fields.map(normaliseHeader);
  const col = new Map<Column, number>();
  header.forEach((h, i) => {
    const c = HEADER_ALIASES[h];
    if (c && !col.has(c)) col.set(c, i);
  });
  if (!col.has('date') || !col.has('close')) {
    const looksLikePrices = col.has('open') || col.has('high') || col.has('adjClose');
    if (looksLikePrices) {
      const missing = !col.has('date') ? 'Date' : 'Close';
      throw new AtlasError(`${fileLabel} has no ${missing} column (header: ${rows[0].fields.join(',')}); add it or fix the header and import again.`, { code: 'CSV_MISSING_COLUMN' });
    }
    return { kind: 'not-prices', reason: `no Date and Close columns (header: ${rows[0].fields.slice(0, 6).join(',')})` };
  }
  const warnings: string[] = [];
  const rejected: RejectedRow[] = [];
  const bars: DailyBar[] = [];
  const seen = new Map<string, number>();
  const index = (c: Column) => col.get(c);
  const cols = { open: index('open'), high: index('high'), low: index('low'), close: index('close')!, adjClose: index('adjClose'), volume: index('volume') };
  // Blank, 'null', 'NaN', 'N/A' and '-' all become NaN; Number('') would be 0, so check first.
  const num = (fields: string[], i: number | undefined): number | undefined => {
    if (i === undefined) return undefined;
    const s = fields[i];
    if (s === undefined || s.trim() === '') return NaN;
    const v = Number(s);
    return Number.isFinite(v) ? v : NaN;
  };
  for (let r = 1; r < rows.length; r++) {
    const { line, fields } = rows[r];
    const dateRaw = fields[col.get('date')!] ?? '';
    const date = parseDateCell(dateRaw);
    if (!date) {
      throw new AtlasError(`${fileLabel} line ${line}: cannot read the date "${dateRaw}"; use YYYY-MM-DD and import again.`, { code: 'CSV_BAD_DATE' });
    }
    const close = num(fields, cols.close)!;
    const open = num(fields, cols.open) ?? close;
    const high = num(fields, cols.high) ?? Math.max(open, close);
    const low = num(fields, cols.low) ?? Math.min(open, close);
    const adj = num(fields, cols.adjClose) ?? close;
    const volume = num(fields, cols.volume) ?? 0;
    if ([close, open, high, low, adj].some((v) => Number.isNaN(v))) {
      warnings.push(`${fileLabel} line ${line}: skipped the row for ${date} because a price is blank or not a number.`);
      rejected.push({ file: fileLabel, line, date, reason: 'a price is blank or not a number' });
      continue;
    }
    const prev = seen.get(date);
    if (prev !== undefined) {
      throw new AtlasError(`${fileLabel} has two rows for ${date} (lines ${prev} and ${line}); remove one and import again.`, { code: 'CSV_DUPLICATE_DATE' });
    }
    seen.set(date, line);
    const bar = { date, open, high, low, close, adjClose: adj, volume: Number.isNaN(volume) ? 0 : volume };
    const problem = options.today === undefined ? undefined : barProblem(bar, options.today);
    if (problem !== undefined) {
      warnings.push(`${fileLabel} line ${line}: rejected the row for ${date}: ${problem}.`);
      rejected.push({ file: fileLabel, line, date, reason: problem });
      continue;
    }
    bars.push(bar);
  }
  bars.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { kind: 'bars', bars, warnings, rejected, hasAdjClose: col.has('adjClose'), hasVolume: col.has('volume') };
}
