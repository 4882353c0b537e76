/**
 * @module Turns CSV rows, as a CsvStream hands them over, into daily-bar columns: header
 * recognition, the per-row rules of barsCsv.ts (blank prices skipped, a bad date or a repeated
 * date fails the file, barSanity rejections), in bounded extra memory. Values go into blocks of
 * typed arrays (about 56 bytes a row); no object is kept per row, and unquoted lines are read
 * straight from the text without splitting them into strings.
 */
import { AtlasError } from '../../core/errors.js';
import { emptyColumns, VALUE_FIELDS, type BarColumns } from '../store/barColumns.js';
import type { PanelField } from '../panel.js';
import { barProblem } from './barSanity.js';
import type { BarsCsvColumnsResult, BarsCsvOptions, RejectedRow } from './barsCsv.js';
import { HEADER_ALIASES, normaliseHeader, parseDateCell, validIso, type Column } from './csvCells.js';
import type { CsvSink } from './csvStream.js';

const BLOCK = 1 << 16;
/** Day numbers of 0000-01-01 and 9999-12-31: every date a YYYY-MM-DD cell can hold. */
const MIN_DAY = -719_528;
const MAX_DAY = 2_932_896;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function isoToDay(iso: string): number {
  return daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

/** barsCsv's cell rule: blank -> NaN, otherwise Number() when finite, else NaN. */
function numOf(s: string | undefined): number {
  if (s === undefined || s.trim() === '') return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * numOf(text.slice(a, b)) without the slice for plain decimals: an integer of at most 15
 * digits divided by a power of ten is exactly what Number() gives (both operands are exact
 * doubles and IEEE division rounds correctly). Anything else takes the general path.
 */
function numAt(text: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && frac < 0) {
      frac = digits;
    } else {
      break;
    }
  }
  if (i !== b || digits === 0 || digits > 15) return numOf(text.slice(a, b));
  const v = frac < 0 ? m : m / POW10[digits - frac];
  return neg ? -v : v;
}

export class BarsCsvBuilder implements CsvSink {
  private header: string[] | undefined;
  private col = new Map<Column, number>();
  private idx: (number | undefined)[] = [];
  private notPrices: string | undefined;
  private hasAdjClose = false;
  private hasVolume = false;
  private readonly warnings: string[] = [];
  private readonly rejected: RejectedRow[] = [];
  // accepted rows, in blocks of BLOCK
  private blocks: { days: Int32Array; lines: Int32Array; v: Float64Array[] }[] = [];
  private n = 0;
  private seen = new Uint8Array(((MAX_DAY - MIN_DAY) >> 3) + 1);
  private ascending = true;
  private lastDay = -Infinity;
  private readonly offsets = new Int32Array(65);
  private readonly scratch = { date: '', open: 0, high: 0, low: 0, close: 0, adjClose: 0, volume: 0 };
  private readonly vals = new Float64Array(6);

  constructor(private readonly fileLabel: string, private readonly options: BarsCsvOptions) {}

  done(): boolean {
    return this.notPrices !== undefined;
  }

  row(fields: string[], line: number): void {
    if (!this.header) return this.readHeader(fields);
    const date = this.idx[0]!;
    const dateRaw = fields[date] ?? '';
    const iso = parseDateCell(dateRaw);
    const get = (k: number): number | undefined => {
      const i = this.idx[k];
      return i === undefined ? undefined : numOf(fields[i]);
    };
    this.accept(iso, dateRaw, get(1), get(2), get(3), get(4)!, get(5), get(6), line);
  }

  line(text: string, start: number, end: number, line: number): void {
    if (!this.header) return this.readHeader(text.slice(start, end).split(','));
    // Field k is text[offsets[k], offsets[k + 1] - 1).
    const off = this.offsets;
    let count = 0;
    off[0] = start;
    let p = start;
    for (;;) {
      const comma = text.indexOf(',', p);
      if (comma < 0 || comma >= end) break;
      if (++count >= off.length - 1) return this.row(text.slice(start, end).split(','), line);
      off[count] = comma + 1;
      p = comma + 1;
    }
    off[++count] = end + 1;
    const at = (k: number): number | undefined => {
      const i = this.idx[k];
      if (i === undefined) return undefined;
      return i < count ? numAt(text, off[i], off[i + 1] - 1) : NaN;
    };
    const di = this.idx[0]!;
    let iso: string | undefined;
    let dateRaw = '';
    if (di < count) {
      const a = off[di];
      const b = off[di + 1] - 1;
      dateRaw = text.slice(a, b);
      iso = b - a === 10 && validIso(dateRaw) ? dateRaw : parseDateCell(dateRaw);
    } else {
      iso = parseDateCell('');
    }
    this.accept(iso, dateRaw, at(1), at(2), at(3), at(4)!, at(5), at(6), line);
  }

  finish(): BarsCsvColumnsResult {
    if (!this.header) return { kind: 'not-prices', reason: 'the file is empty' };
    if (this.notPrices !== undefined) return { kind: 'not-prices', reason: this.notPrices };
    return { kind: 'bars', columns: this.columns(), warnings: this.warnings, rejected: this.rejected, hasAdjClose: this.hasAdjClose, hasVolume: this.hasVolume };
  }

  private readHeader(fields: string[]): void {
    this.header = fields;
    const header = fields.map(normaliseHeader);
    header.forEach((h, i) => {
      const c = HEADER_ALIASES[h];
      if (c && !this.col.has(c)) this.col.set(c, i);
    });
    const col = this.col;
    if (!col.has('date') || !col.has('close')) {
      const looksLikePrices = col.has('open') || col.has('high') || col.has('adjClose');
      if (looksLikePrices) {
        const missing = !col.has('date') ? 'Date' : 'Close';
        throw new AtlasError(`${this.fileLabel} has no ${missing} column (header: ${fields.join(',')}); add it or fix the header and import again.`, { code: 'CSV_MISSING_COLUMN' });
      }
      this.notPrices = `no Date and Close columns (header: ${fields.slice(0, 6).join(',')})`;
      return;
    }
    this.idx = (['date', 'open', 'high', 'low', 'close', 'adjClose', 'volume'] as const).map((c) => col.get(c));
    this.hasAdjClose = col.has('adjClose');
    this.hasVolume = col.has('volume');
  }

  private accept(date: string | undefined, dateRaw: string, o: number | undefined, h: number | undefined, l: number | undefined, close: number, a: number | undefined, v: number | undefined, line: number): void {
    const label = this.fileLabel;
    if (!date) {
      throw new AtlasError(`${label} line ${line}: cannot read the date "${dateRaw}"; use YYYY-MM-DD and import again.`, { code: 'CSV_BAD_DATE' });
    }
    const open = o ?? close;
    const high = h ?? Math.max(open, close);
    const low = l ?? Math.min(open, close);
    const adj = a ?? close;
    const volume = v ?? 0;
    if (Number.isNaN(close) || Number.isNaN(open) || Number.isNaN(high) || Number.isNaN(low) || Number.isNaN(adj)) {
      this.warnings.push(`${label} line ${line}: skipped the row for ${date} because a price is blank or not a number.`);
      this.rejected.push({ file: label, line, date, reason: 'a price is blank or not a number' });
      return;
    }
    const day = isoToDay(date);
    const bit = day - MIN_DAY;
    if (this.seen[bit >> 3] & (1 << (bit & 7))) {
      throw new AtlasError(`${label} has two rows for ${date} (lines ${this.lineOf(day, date)} and ${line}); remove one and import again.`, { code: 'CSV_DUPLICATE_DATE' });
    }
    this.seen[bit >> 3] |= 1 << (bit & 7);
    const bar = this.scratch;
    bar.date = date;
    bar.open = open;
    bar.high = high;
    bar.low = low;
    bar.close = close;
    bar.adjClose = adj;
    bar.volume = Number.isNaN(volume) ? 0 : volume;
    const problem = this.options.today === undefined ? undefined : barProblem(bar, this.options.today);
    if (problem !== undefined) {
      this.warnings.push(`${label} line ${line}: rejected the row for ${date}: ${problem}.`);
      this.rejected.push({ file: label, line, date, reason: problem });
      return;
    }
    const vals = this.vals;
    vals[0] = open;
    vals[1] = high;
    vals[2] = low;
    vals[3] = close;
    vals[4] = adj;
    vals[5] = bar.volume;
    this.push(day, line, vals);
  }

  private push(day: number, line: number, vals: Float64Array): void {
    const k = this.n & (BLOCK - 1);
    if (k === 0) this.blocks.push({ days: new Int32Array(BLOCK), lines: new Int32Array(BLOCK), v: VALUE_FIELDS.map(() => new Float64Array(BLOCK)) });
    const b = this.blocks[this.blocks.length - 1];
    b.days[k] = day;
    b.lines[k] = line;
    for (let f = 0; f < 6; f++) b.v[f][k] = vals[f];
    if (day < this.lastDay) this.ascending = false;
    this.lastDay = day;
    this.n++;
  }

  /** The line of the earlier row with this day (kept, or rejected by the sanity rules). */
  private lineOf(day: number, date: string): number {
    for (const b of this.blocks) {
      for (let i = 0; i < BLOCK; i++) if (b.days[i] === day && b.lines[i] > 0) return b.lines[i];
    }
    return this.rejected.find((r) => r.date === date && r.reason !== 'a price is blank or not a number')?.line ?? 0;
  }

  /** The accepted rows as exact-length columns in ascending day order; blocks are freed field by field. */
  private columns(): BarColumns {
    const n = this.n;
    const out = emptyColumns(0);
    let order: Uint32Array | undefined;
    const days = new Int32Array(n);
    this.blocks.forEach((b, i) => days.set(b.days.subarray(0, Math.min(BLOCK, n - i * BLOCK)), i * BLOCK));
    for (const b of this.blocks) b.lines = new Int32Array(0);
    if (!this.ascending) {
      // Days are unique (duplicates failed the file): sort positions by day.
      let min = Infinity;
      for (let i = 0; i < n; i++) if (days[i] < min) min = days[i];
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = (days[i] - min) * n + i;
      keys.sort();
      order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = keys[i] % n;
    }
    out.days = order ? Int32Array.from(order, (i) => days[i]) : days;
    VALUE_FIELDS.forEach((f: PanelField, j) => {
      const flat = new Float64Array(n);
      this.blocks.forEach((b, i) => {
        flat.set(b.v[j].subarray(0, Math.min(BLOCK, n - i * BLOCK)), i * BLOCK);
        b.v[j] = new Float64Array(0);
      });
      out[f] = order ? Float64Array.from(order, (i) => flat[i]) : flat;
    });
    this.blocks = [];
    return out;
  }
}
