import { AtlasError } from '../../core/errors.js';
import { isIsoDate } from '../../core/dates.js';
import type { DailyBar } from '../bar.js';
import { parseCsv } from './parseCsv.js';

/**
 * Reads daily bars from a CSV whose columns are recognised by header, in any order:
 * Date/DATE/timestamp, Open, High, Low, Close, Adj Close/adjusted_close, Volume.
 * Only the date and close columns are required: an index file (VIX) has no volume or adjusted
 * close, so volume becomes 0 and adjClose = close.
 */
export type BarsCsvResult =
  | { kind: 'bars'; bars: DailyBar[]; warnings: string[]; hasAdjClose: boolean; hasVolume: boolean }
  | { kind: 'not-prices'; reason: string };

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
export function parseDateCell(raw: string): string | undefined {
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

export function parseBarsCsv(text: string, fileLabel: string): BarsCsvResult {
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
  const bars: DailyBar[] = [];
  const seen = new Map<string, number>();
  const num = (fields: string[], c: Column): number | undefined => {
    const i = col.get(c);
    if (i === undefined) return undefined;
    const s = (fields[i] ?? '').trim();
    if (s === '' || /^(null|nan|na|n\/a|-)$/i.test(s)) return NaN;
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
    const close = num(fields, 'close')!;
    const open = num(fields, 'open') ?? close;
    const high = num(fields, 'high') ?? Math.max(open, close);
    const low = num(fields, 'low') ?? Math.min(open, close);
    const adj = num(fields, 'adjClose') ?? close;
    const volume = num(fields, 'volume') ?? 0;
    if ([close, open, high, low, adj].some((v) => Number.isNaN(v))) {
      warnings.push(`${fileLabel} line ${line}: skipped the row for ${date} because a price is blank or not a number.`);
      continue;
    }
    const prev = seen.get(date);
    if (prev !== undefined) {
      throw new AtlasError(`${fileLabel} has two rows for ${date} (lines ${prev} and ${line}); remove one and import again.`, { code: 'CSV_DUPLICATE_DATE' });
    }
    seen.set(date, line);
    bars.push({ date, open, high, low, close, adjClose: adj, volume: Number.isNaN(volume) ? 0 : volume });
  }
  bars.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { kind: 'bars', bars, warnings, hasAdjClose: col.has('adjClose'), hasVolume: col.has('volume') };
}
