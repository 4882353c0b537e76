/**
 * @module Turns CSV rows, as a CsvStream hands them over, into daily-bar columns: header
 * recognition, the per-row rules of barsCsv.ts (blank prices skipped, a bad date or a repeated
 * date fails the file, barSanity rejections), in bounded extra memory. Values go into typed
 * arrays that grow in place (56 bytes a row, the file's text is never held); no object is kept
 * per row, and unquoted lines are read straight from the bytes without splitting them.
 */
import { AtlasError } from '../../core/errors.js';
import { emptyColumns, VALUE_FIELDS, type BarColumns } from '../store/barColumns.js';
import type { PanelField } from '../panel.js';
import { barProblem, pricesSound } from './barSanity.js';
import type { BarsCsvColumnsResult, BarsCsvOptions, RejectedRow } from './barsCsv.js';
import { HEADER_ALIASES, normaliseHeader, parseDateCell, type Column } from './csvCells.js';
import { isBlank, type CsvSink } from './csvStream.js';

/** Day numbers of 0000-01-01 and 9999-12-31: every date a YYYY-MM-DD cell can hold. */
const MIN_DAY = -719_528;
const MAX_DAY = 2_932_896;
const MAX_ROWS = MAX_DAY - MIN_DAY + 1;
const LF = 10;
const CR = 13;
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

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The month of the last date read (year * 16 + month), its day 0 as a day number, and its length. */
let cachedMonth = -1;
let cachedBase = 0;
let cachedLength = 0;

/**
 * The day number of a valid YYYY-MM-DD at text[a, a + 10), else NaN (csvCells' validIso, from
 * char codes). Consecutive rows share a month, so its start is computed once per month.
 */
function isoDayAt(text: Uint8Array, a: number): number {
  if (text[a + 4] !== 45 || text[a + 7] !== 45) return NaN;
  const y0 = text[a] - 48;
  const y1 = text[a + 1] - 48;
  const y2 = text[a + 2] - 48;
  const y3 = text[a + 3] - 48;
  const m0 = text[a + 5] - 48;
  const m1 = text[a + 6] - 48;
  const d0 = text[a + 8] - 48;
  const d1 = text[a + 9] - 48;
  if (y0 < 0 || y0 > 9 || y1 < 0 || y1 > 9 || y2 < 0 || y2 > 9 || y3 < 0 || y3 > 9 || m0 < 0 || m0 > 9 || m1 < 0 || m1 > 9 || d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9) return NaN;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const dd = d0 * 10 + d1;
  if (m < 1 || m > 12 || dd < 1) return NaN;
  const key = y * 16 + m;
  if (key !== cachedMonth) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    cachedMonth = key;
    cachedBase = daysFromCivil(y, m, 1) - 1;
    cachedLength = m === 2 && !leap ? 28 : DAYS_IN_MONTH[m - 1];
  }
  return dd > cachedLength ? NaN : cachedBase + dd;
}

function isoToDay(iso: string): number {
  return daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

function latin1(bytes: Uint8Array, a: number, b: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a).toString('latin1');
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
function numAt(text: Uint8Array, a: number, b: number): number {
  let i = a;
  let neg = false;
  const c0 = text[i];
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const c = text[i];
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && frac < 0) {
      frac = digits;
    } else {
      break;
    }
  }
  if (i !== b || digits === 0 || digits > 15) return numOf(latin1(text, a, b));
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
  // Accepted rows. Each column lives in a resizable ArrayBuffer that grows in place (no copy,
  // no second buffer while growing); a file cannot hold more rows than there are days.
  private cap = 0;
  private daysBuf = growable(4);
  private linesBuf = growable(4);
  private valueBufs = VALUE_FIELDS.map(() => growable(8));
  private days = new Int32Array(0);
  private lineNos = new Int32Array(0);
  private values: Float64Array[] = [];
  private n = 0;
  /**
   * Days already met (kept or rejected by the sanity rules): a repeat fails the file. The bitmap
   * is built only when a day at or before the latest one met comes (never, for the usual
   * ascending file), from the kept days and `rejectedDays`.
   */
  private seen: Uint8Array | undefined;
  private maxSeen = -Infinity;
  private readonly rejectedDays: number[] = [];
  private ascending = true;
  private lastDay = -Infinity;
  /** Field positions of date, open, high, low, close, adjClose, volume (-1: no such column). */
  private pos = new Int32Array(7);
  private lastIdx = 0;
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private readonly scratch = { date: '', open: 0, high: 0, low: 0, close: 0, adjClose: 0, volume: 0 };
  private readonly vals = new Float64Array(6);
  /** For each field position up to the last needed one: its column (an index of pos), or -1. */
  private role = new Int8Array(0);
  private hasCol: boolean[] = [];
  /** plainLine's values, by column index. */
  private readonly got = new Float64Array(7);

  private readonly todayDay: number | undefined;

  constructor(private readonly fileLabel: string, private readonly options: BarsCsvOptions) {
    this.todayDay = options.today === undefined ? undefined : isoToDay(options.today);
  }

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

  line(text: Uint8Array, start: number, end: number, line: number): void {
    if (!this.header) return this.readHeader(latin1(text, start, end).split(','));
    // Field k is text[from[k], to[k]); fields past the last comma do not exist.
    const from = this.from;
    const to = this.to;
    const last = this.lastIdx;
    let count = 0;
    let complete = false;
    from[0] = start;
    for (let p = start; p < end; p++) {
      if (text[p] === 44) {
        to[count] = p;
        if (count === last) {
          complete = true;
          break;
        }
        from[++count] = p + 1;
      }
    }
    if (!complete) to[count] = end;
    const n = count + 1;
    const pos = this.pos;
    const o = pos[1] < 0 ? undefined : pos[1] < n ? numAt(text, from[pos[1]], to[pos[1]]) : NaN;
    const h = pos[2] < 0 ? undefined : pos[2] < n ? numAt(text, from[pos[2]], to[pos[2]]) : NaN;
    const l = pos[3] < 0 ? undefined : pos[3] < n ? numAt(text, from[pos[3]], to[pos[3]]) : NaN;
    const c = pos[4] < n ? numAt(text, from[pos[4]], to[pos[4]]) : NaN;
    const a = pos[5] < 0 ? undefined : pos[5] < n ? numAt(text, from[pos[5]], to[pos[5]]) : NaN;
    const v = pos[6] < 0 ? undefined : pos[6] < n ? numAt(text, from[pos[6]], to[pos[6]]) : NaN;
    const di = pos[0];
    if (di < n) {
      const fa = from[di];
      const fb = to[di];
      const day = fb - fa === 10 ? isoDayAt(text, fa) : NaN;
      // A plain YYYY-MM-DD needs no string unless the row is reported.
      if (day === day) return this.acceptDay(day, text, fa, o, h, l, c, a, v, line);
      const raw = latin1(text, fa, fb);
      this.accept(parseDateCell(raw), raw, o, h, l, c, a, v, line);
    } else {
      this.accept(parseDateCell(''), '', o, h, l, c, a, v, line);
    }
  }

  /**
   * CsvSink.lines: one pass over the bytes per line, reading each needed field as it is met
   * (no field table, no second scan). A line that is not of the usual shape (a date that is not
   * YYYY-MM-DD, a number that is not a plain decimal, a missing field, a blank line) or a row
   * that is not plainly sound (a repeat, a future date, a price rejected by the sanity rules) is
   * handed to line(), the general path, so both give the same columns, warnings and errors.
   */
  lines(text: Uint8Array, start: number, end: number, line: number): number {
    let p = start;
    while (p < end) {
      if (this.notPrices !== undefined) return line;
      const next = this.header === undefined ? -1 : this.plainLine(text, p, end, line);
      if (next >= 0) {
        p = next;
      } else {
        let nl = text.indexOf(LF, p);
        if (nl < 0 || nl >= end) nl = end;
        let stop = nl;
        if (stop > p && text[stop - 1] === CR) stop--;
        if (!isBlank(text, p, stop)) this.line(text, p, stop, line);
        p = nl + 1;
      }
      line++;
    }
    return line;
  }

  /**
   * Stores the line starting at text[p] when it has the usual shape and its row is sound, and
   * returns where the next line starts; else returns -1 having changed nothing.
   */
  private plainLine(text: Uint8Array, p: number, end: number, line: number): number {
    const role = this.role;
    const last = role.length - 1;
    const got = this.got;
    let day = NaN;
    for (let k = 0; ; k++) {
      const r = role[k];
      if (r === 0) {
        if (p + 10 > end) return -1;
        day = isoDayAt(text, p);
        if (day !== day) return -1;
        p += 10;
      } else if (r > 0) {
        // numAt's reading, inline: an integer of at most 15 digits over a power of ten. The
        // integer and fraction digits are gathered apart, so each fits a small integer (the
        // compiler keeps them in int32 arithmetic) and m = whole * 10^fd + fraction is exact.
        let c = text[p];
        let neg = false;
        if (c === 45 || c === 43) {
          neg = c === 45;
          c = text[++p];
        }
        let whole = 0;
        let wd = 0;
        for (let d = c - 48; d >= 0 && d <= 9; d = c - 48) {
          whole = whole * 10 + d;
          wd++;
          c = text[++p];
        }
        let fraction = 0;
        let fd = 0;
        if (c === 46) {
          c = text[++p];
          for (let d = c - 48; d >= 0 && d <= 9; d = c - 48) {
            fraction = fraction * 10 + d;
            fd++;
            c = text[++p];
          }
        }
        const digits = wd + fd;
        if (digits === 0 || digits > 15) return -1;
        const v = fd === 0 ? whole : (whole * POW10[fd] + fraction) / POW10[fd];
        got[r] = neg ? -v : v;
      } else {
        while (p < end && text[p] !== 44 && text[p] !== LF && text[p] !== CR) p++;
      }
      if (k === last) break;
      if (p >= end || text[p] !== 44) return -1;
      p++;
    }
    // The line must end here, or go on with fields no column needs.
    let next: number;
    const t = p < end ? text[p] : -1;
    if (t === -1) next = end;
    else if (t === LF) next = p + 1;
    else if (t === CR && p + 1 < end && text[p + 1] === LF) next = p + 2;
    else if (t === 44) {
      const nl = text.indexOf(LF, p);
      next = nl < 0 || nl >= end ? end : nl + 1;
    } else return -1;
    const close = got[4];
    const open = this.hasCol[1] ? got[1] : close;
    const high = this.hasCol[2] ? got[2] : Math.max(open, close);
    const low = this.hasCol[3] ? got[3] : Math.min(open, close);
    const adj = this.hasCol[5] ? got[5] : close;
    const volume = this.hasCol[6] ? got[6] : 0;
    const today = this.todayDay;
    if ((day <= this.maxSeen && this.wasSeen(day)) || today === undefined || day > today || !pricesSound(open, high, low, close, adj)) return -1;
    this.markSeen(day);
    if (this.n === this.cap) this.grow();
    const k = this.n++;
    this.days[k] = day;
    this.lineNos[k] = line;
    const v = this.values;
    v[0][k] = open;
    v[1][k] = high;
    v[2][k] = low;
    v[3][k] = close;
    v[4][k] = adj;
    v[5][k] = volume;
    if (day < this.lastDay) this.ascending = false;
    this.lastDay = day;
    return next;
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
    this.pos = Int32Array.from(this.idx, (i) => i ?? -1);
    this.lastIdx = Math.max(...this.pos);
    this.role = new Int8Array(this.lastIdx + 1).fill(-1);
    this.pos.forEach((at, r) => {
      if (at >= 0) this.role[at] = r;
    });
    this.hasCol = Array.from(this.pos, (at) => at >= 0);
    this.hasAdjClose = col.has('adjClose');
    this.hasVolume = col.has('volume');
  }

  /**
   * accept() for a row whose date cell is a valid YYYY-MM-DD at bytes[at, at + 10) (day number
   * `day`): a sound row goes straight into the columns; any row to report takes accept().
   */
  private acceptDay(day: number, bytes: Uint8Array, at: number, o: number | undefined, h: number | undefined, l: number | undefined, close: number, a: number | undefined, v: number | undefined, line: number): void {
    const open = o ?? close;
    const high = h ?? Math.max(open, close);
    const low = l ?? Math.min(open, close);
    const adj = a ?? close;
    const volume = v ?? 0;
    const today = this.todayDay;
    if (this.wasSeen(day) || today === undefined || day > today || !pricesSound(open, high, low, close, adj)) {
      return this.accept(latin1(bytes, at, at + 10), '', o, h, l, close, a, v, line, day);
    }
    this.markSeen(day);
    const vals = this.vals;
    vals[0] = open;
    vals[1] = high;
    vals[2] = low;
    vals[3] = close;
    vals[4] = adj;
    vals[5] = Number.isNaN(volume) ? 0 : volume;
    this.push(day, line, vals);
  }

  private accept(date: string | undefined, dateRaw: string, o: number | undefined, h: number | undefined, l: number | undefined, close: number, a: number | undefined, v: number | undefined, line: number, knownDay = NaN): void {
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
    const day = knownDay === knownDay ? knownDay : isoToDay(date);
    if (this.wasSeen(day)) {
      throw new AtlasError(`${label} has two rows for ${date} (lines ${this.lineOf(day, date)} and ${line}); remove one and import again.`, { code: 'CSV_DUPLICATE_DATE' });
    }
    this.markSeen(day);
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
      this.rejectedDays.push(day);
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
    if (this.n === this.cap) this.grow();
    const k = this.n++;
    this.days[k] = day;
    this.lineNos[k] = line;
    const v = this.values;
    for (let f = 0; f < 6; f++) v[f][k] = vals[f];
    if (day < this.lastDay) this.ascending = false;
    this.lastDay = day;
  }

  private grow(): void {
    this.cap = Math.min(MAX_ROWS, Math.max(4096, this.cap * 2));
    this.daysBuf.resize(this.cap * 4);
    this.linesBuf.resize(this.cap * 4);
    for (const b of this.valueBufs) b.resize(this.cap * 8);
    this.days = new Int32Array(this.daysBuf, 0, this.cap);
    this.lineNos = new Int32Array(this.linesBuf, 0, this.cap);
    this.values = this.valueBufs.map((b) => new Float64Array(b, 0, this.cap));
  }

  private wasSeen(day: number): boolean {
    if (day > this.maxSeen) return false;
    if (!this.seen) {
      this.seen = new Uint8Array(((MAX_DAY - MIN_DAY) >> 3) + 1);
      const days = this.days;
      for (let i = 0; i < this.n; i++) this.setBit(days[i]);
      for (const d of this.rejectedDays) this.setBit(d);
    }
    const bit = day - MIN_DAY;
    return (this.seen[bit >> 3] & (1 << (bit & 7))) !== 0;
  }

  private markSeen(day: number): void {
    if (day > this.maxSeen) this.maxSeen = day;
    if (this.seen) this.setBit(day);
  }

  private setBit(day: number): void {
    const bit = day - MIN_DAY;
    this.seen![bit >> 3] |= 1 << (bit & 7);
  }

  /** The line of the earlier row with this day (kept, or rejected by the sanity rules). */
  private lineOf(day: number, date: string): number {
    for (let i = 0; i < this.n; i++) if (this.days[i] === day) return this.lineNos[i];
    return this.rejected.find((r) => r.date === date && r.reason !== 'a price is blank or not a number')?.line ?? 0;
  }

  /** The accepted rows in ascending day order: views of the growing buffers when the file was in order. */
  private columns(): BarColumns {
    const n = this.n;
    this.linesBuf.resize(0);
    if (n === 0) return emptyColumns(0);
    const days = this.days.subarray(0, n);
    const values = this.values.map((v) => v.subarray(0, n));
    const out = emptyColumns(0);
    if (this.ascending) {
      out.days = days;
      VALUE_FIELDS.forEach((f: PanelField, j) => (out[f] = values[j]));
      return out;
    }
    // Days are unique (duplicates failed the file): sort positions by day.
    let min = Infinity;
    for (let i = 0; i < n; i++) if (days[i] < min) min = days[i];
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (days[i] - min) * n + i;
    keys.sort();
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = keys[i] % n;
    out.days = Int32Array.from(order, (i) => days[i]);
    VALUE_FIELDS.forEach((f: PanelField, j) => (out[f] = Float64Array.from(order, (i) => values[j][i])));
    return out;
  }
}

/** ES2024 resizable ArrayBuffer (Node >= 20), typed here because the project's lib is older. */
interface ResizableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** A resizable buffer able to hold one value per possible day (address space only until used). */
function growable(bytesPerRow: number): ResizableBuffer {
  return new Resizable(0, { maxByteLength: MAX_ROWS * bytesPerRow });
}
