import type Database from 'better-sqlite3';
import { AtlasError } from '../../core/errors.js';
import { fromDayNumber, toDayNumber } from '../../core/dates.js';
import { PANEL_FIELDS, type Panel, type PanelField } from '../panel.js';

const COLUMN_OF: Record<PanelField, string> = {
  open: 'open', high: 'high', low: 'low', close: 'close', adjClose: 'adj_close', volume: 'volume',
};

export interface LoadPanelOptions {
  from?: string;
  to?: string;
  /** Fields to load; the rest come back as empty arrays. Default: all. */
  fields?: readonly PanelField[];
  /** Session dates to align on (e.g. the NYSE calendar); default: the union of the symbols' dates. */
  dates?: readonly string[];
}

/**
 * Loads symbols into a dates x symbols Panel from the columnar cache: one blob read per field
 * per symbol, then a scatter through a day -> row lookup table. No per-bar SQL.
 */
export function loadPanel(db: Database.Database, symbols: readonly string[], options: LoadPanelOptions = {}): Panel {
  const fields = options.fields ?? PANEL_FIELDS;
  const lo = options.from ? toDayNumber(options.from) : -Infinity;
  const hi = options.to ? toDayNumber(options.to) : Infinity;
  const colSql = fields.map((f) => COLUMN_OF[f]).join(', ');
  const stmt = db.prepare(`SELECT n, days${colSql ? ', ' + colSql : ''} FROM bar_columns WHERE symbol = ?`);

  const blobs: { n: number; days: Int32Array; cols: Float64Array[] }[] = [];
  const missing: string[] = [];
  for (const sym of symbols) {
    const row = stmt.get(sym) as Record<string, Buffer | number> | undefined;
    if (!row) {
      missing.push(sym);
      continue;
    }
    const days = asInt32(row.days as Buffer);
    blobs.push({ n: row.n as number, days, cols: fields.map((f) => asFloat64(row[COLUMN_OF[f]] as Buffer)) });
  }
  if (missing.length > 0) {
    throw new AtlasError(`No data in the store for ${missing.join(', ')}; run \`atlas data sync --symbols ${missing.join(',')}\` or \`atlas data import\` first.`, { code: 'NO_DATA' });
  }

  // Row axis: explicit dates, or the union of all symbols' days within [from, to].
  let dayAxis: Int32Array;
  if (options.dates) {
    dayAxis = Int32Array.from(options.dates.map(toDayNumber)).filter((d) => d >= lo && d <= hi);
  } else {
    let minDay = Infinity;
    let maxDay = -Infinity;
    for (const b of blobs) {
      if (b.n === 0) continue;
      minDay = Math.min(minDay, b.days[0]);
      maxDay = Math.max(maxDay, b.days[b.n - 1]);
    }
    minDay = Math.max(minDay, lo);
    maxDay = Math.min(maxDay, hi);
    if (!(minDay <= maxDay)) {
      dayAxis = new Int32Array(0);
    } else {
      const present = new Uint8Array(maxDay - minDay + 1);
      for (const b of blobs) for (let i = 0; i < b.n; i++) {
        const d = b.days[i];
        if (d >= minDay && d <= maxDay) present[d - minDay] = 1;
      }
      let count = 0;
      for (let i = 0; i < present.length; i++) count += present[i];
      dayAxis = new Int32Array(count);
      for (let i = 0, k = 0; i < present.length; i++) if (present[i]) dayAxis[k++] = minDay + i;
    }
  }

  const nDates = dayAxis.length;
  const base = nDates ? dayAxis[0] : 0;
  const rowOf = new Int32Array(nDates ? dayAxis[nDates - 1] - base + 1 : 0).fill(-1);
  for (let i = 0; i < nDates; i++) rowOf[dayAxis[i] - base] = i;

  const out = {} as Record<PanelField, Float64Array>;
  for (const f of PANEL_FIELDS) out[f] = fields.includes(f) ? new Float64Array(nDates * symbols.length).fill(NaN) : new Float64Array(0);
  blobs.forEach((b, s) => {
    const offset = s * nDates;
    const targets = fields.map((f) => out[f]);
    // Fast path: the symbol's bars fill a contiguous run of rows (the usual case) -> memcpy.
    if (b.n > 0) {
      const k0 = b.days[0] - base;
      const k1 = b.days[b.n - 1] - base;
      if (k0 >= 0 && k1 < rowOf.length && rowOf[k0] >= 0 && rowOf[k1] - rowOf[k0] === b.n - 1) {
        for (let c = 0; c < targets.length; c++) targets[c].set(b.cols[c], offset + rowOf[k0]);
        return;
      }
    }
    for (let i = 0; i < b.n; i++) {
      const k = b.days[i] - base;
      if (k < 0 || k >= rowOf.length) continue;
      const r = rowOf[k];
      if (r < 0) continue;
      for (let c = 0; c < targets.length; c++) targets[c][offset + r] = b.cols[c][i];
    }
  });

  return { dates: Array.from(dayAxis, fromDayNumber), dayNumbers: dayAxis, symbols: [...symbols], ...out };
}

// SQLite hands back Buffers that may not be 8-byte aligned: copy when they are not.
function asFloat64(buf: Buffer): Float64Array {
  if (buf.byteOffset % 8 === 0) return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function asInt32(buf: Buffer): Int32Array {
  if (buf.byteOffset % 4 === 0) return new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
