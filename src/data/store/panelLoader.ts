import type Database from 'better-sqlite3';
import { AtlasError } from '../../core/errors.js';
import { fromDayNumber, toDayNumber } from '../../core/dates.js';
import { PANEL_FIELDS, type Panel, type PanelField } from '../panel.js';
import { asFloat64, chunkDaysReader, chunkReader, chunkValuesReader } from './barChunks.js';
import { panelCacheEntry } from './panelCache.js';
import { prepared } from './statements.js';

export interface LoadPanelOptions {
  /** First session to load (inclusive); earlier blocks are not read at all. */
  from?: string;
  /** Last session to load (inclusive). */
  to?: string;
  /** Fields to load; the rest come back as empty arrays. Default: all. */
  fields?: readonly PanelField[];
  /** Session dates to align on (e.g. the NYSE calendar); default: the union of the symbols' dates. */
  dates?: readonly string[];
  /** Save and reuse the load in cache/panel from this many stored bars on (panelCache.ts); default PANEL_CACHE_MIN_BARS. */
  cacheMinBars?: number;
}

/**
 * Loads symbols into a dates x symbols Panel from the columnar blocks: only the blocks that
 * overlap [from, to] and only the requested fields are read (one query per symbol), then
 * scattered through a day -> row lookup table. No per-bar SQL.
 */
export function loadPanel(db: Database.Database, symbols: readonly string[], options: LoadPanelOptions = {}): Panel {
  // Both passes (and the saved panel's key) read one snapshot: a writer between them cannot
  // change the blocks under the load.
  return db.transaction(() => {
    const cache = panelCacheEntry(db, {
      symbols, fields: options.fields ?? PANEL_FIELDS, lo: options.from ? toDayNumber(options.from) : -Infinity, hi: options.to ? toDayNumber(options.to) : Infinity,
      dates: options.dates ? Int32Array.from(options.dates.map(toDayNumber)) : undefined, minBars: options.cacheMinBars,
    });
    const saved = cache?.read();
    if (saved) return saved;
    const panel = loadPanelIn(db, symbols, options);
    cache?.write(panel);
    return panel;
  })();
}

/**
 * Two passes: the blocks' days first (a few bytes a bar) to fix the day axis and size the panel,
 * then each symbol's values, copied into place row by row so a block's buffers die as soon as it
 * is copied (the whole store's values are never held twice at once).
 */
function loadPanelIn(db: Database.Database, symbols: readonly string[], options: LoadPanelOptions): Panel {
  const fields = options.fields ?? PANEL_FIELDS;
  const lo = options.from ? toDayNumber(options.from) : -Infinity;
  const hi = options.to ? toDayNumber(options.to) : Infinity;
  const readDays = chunkDaysReader(db);
  const present = prepared(db, 'SELECT 1 FROM symbols WHERE symbol = ?', 'pluck');

  const perSymbol: { chunk: number; days: Int32Array }[][] = [];
  const missing: string[] = [];
  for (const sym of symbols) {
    const chunks = readDays(sym, lo, hi);
    if (chunks.length === 0 && present.get(sym) === undefined) missing.push(sym);
    perSymbol.push(chunks);
  }
  if (missing.length > 0) {
    throw new AtlasError(`No data in the store for ${missing.join(', ')}; run \`atlas data sync --symbols ${missing.join(',')}\` or \`atlas data import\` first.`, { code: 'NO_DATA' });
  }

  const dayAxis = options.dates ? Int32Array.from(options.dates.map(toDayNumber)).filter((d) => d >= lo && d <= hi) : unionOfDays(perSymbol, lo, hi);
  const nDates = dayAxis.length;
  const base = nDates ? dayAxis[0] : 0;
  const rowOf = new Int32Array(nDates ? dayAxis[nDates - 1] - base + 1 : 0).fill(-1);
  for (let i = 0; i < nDates; i++) rowOf[dayAxis[i] - base] = i;

  const out = {} as Record<PanelField, Float64Array>;
  // Zeroed (cheap) rather than NaN-filled: each symbol's rows with no bar get their NaN below.
  for (const f of PANEL_FIELDS) out[f] = fields.includes(f) ? new Float64Array(nDates * symbols.length) : new Float64Array(0);
  const targets = fields.map((f) => out[f]);
  const readValues = chunkValuesReader(db, fields);
  symbols.forEach((sym, s) => {
    const chunks = perSymbol[s];
    const offset = s * nDates;
    let filled = 0; // rows [0, filled) of this symbol are final
    let i = 0;
    if (chunks.length > 0) {
      for (const row of readValues(sym, lo, hi)) {
        const c = chunks[i++];
        if (c === undefined || row[0] !== c.chunk) throw new Error(`bar_chunks of ${sym} changed during a panel load`);
        filled = scatter(c.days, row.slice(1).map((b) => asFloat64(b as Buffer)), targets, offset, rowOf, base, filled, nDates);
      }
    }
    if (i !== chunks.length) throw new Error(`bar_chunks of ${sym} changed during a panel load`);
    for (const t of targets) t.fill(NaN, offset + filled, offset + nDates);
  });

  return { dates: Array.from(dayAxis, fromDayNumber), dayNumbers: dayAxis, symbols: [...symbols], ...out };
}

/**
 * One field of one symbol aligned to a day axis (NaN where the symbol has no bar): a benchmark
 * (SPY) next to a stock panel without widening the panel's dates to the benchmark's history.
 */
export function loadAlignedSeries(db: Database.Database, symbol: string, field: PanelField, dayNumbers: Int32Array): Float64Array | undefined {
  const n = dayNumbers.length;
  const chunks = chunkReader(db, [field])(symbol, n ? dayNumbers[0] : 0, n ? dayNumbers[n - 1] : -1);
  if (chunks.length === 0 && prepared(db, 'SELECT 1 FROM symbols WHERE symbol = ?').get(symbol) === undefined) return undefined;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const base = dayNumbers[0];
  const rowOf = new Int32Array(dayNumbers[n - 1] - base + 1).fill(-1);
  for (let i = 0; i < n; i++) rowOf[dayNumbers[i] - base] = i;
  let filled = 0;
  for (const { days, cols } of chunks) filled = scatter(days, cols, [out], 0, rowOf, base, filled, n);
  out.fill(NaN, filled, n);
  return out;
}

/**
 * Copies one block's values into their rows (a block on consecutive rows is one memcpy per
 * field) and NaN into the rows before them that no block filled. Blocks come in ascending day
 * order; `filled` is the first row not yet final, and the return value is the new one.
 */
function scatter(days: Int32Array, cols: Float64Array[], targets: Float64Array[], offset: number, rowOf: Int32Array, base: number, filled: number, nRows: number): number {
  const n = days.length;
  if (n === 0) return filled;
  const k0 = days[0] - base;
  const k1 = days[n - 1] - base;
  if (k0 >= 0 && k1 < rowOf.length && rowOf[k0] >= 0 && rowOf[k1] - rowOf[k0] === n - 1 && rowOf[k0] >= filled) {
    const r0 = rowOf[k0];
    for (let c = 0; c < targets.length; c++) {
      targets[c].fill(NaN, offset + filled, offset + r0);
      targets[c].set(cols[c], offset + r0);
    }
    return r0 + n;
  }
  // The last row this block can reach: rows up to it are NaN unless a bar lands there.
  let end = filled;
  for (let i = n - 1; i >= 0; i--) {
    const k = days[i] - base;
    if (k < 0) break;
    if (k >= rowOf.length) continue;
    if (rowOf[k] >= 0) {
      end = Math.max(filled, rowOf[k] + 1);
      break;
    }
  }
  if (k1 >= rowOf.length) end = nRows;
  for (let c = 0; c < targets.length; c++) targets[c].fill(NaN, offset + filled, offset + end);
  for (let i = 0; i < n; i++) {
    const k = days[i] - base;
    if (k < 0 || k >= rowOf.length) continue;
    const r = rowOf[k];
    if (r < filled) continue;
    for (let c = 0; c < targets.length; c++) targets[c][offset + r] = cols[c][i];
  }
  return end;
}

/** The ascending union of every block's days within [lo, hi]. */
function unionOfDays(perSymbol: readonly { days: Int32Array }[][], lo: number, hi: number): Int32Array {
  let minDay = Infinity;
  let maxDay = -Infinity;
  for (const chunks of perSymbol) for (const c of chunks) {
    if (c.days.length === 0) continue;
    minDay = Math.min(minDay, c.days[0]);
    maxDay = Math.max(maxDay, c.days[c.days.length - 1]);
  }
  minDay = Math.max(minDay, lo);
  maxDay = Math.min(maxDay, hi);
  if (!(minDay <= maxDay)) return new Int32Array(0);
  const seen = new Uint8Array(maxDay - minDay + 1);
  // Most symbols trade the same sessions: a block whose days equal an already marked block's
  // (compared bytewise, so exactly) adds nothing to the union.
  const marked = new Map<number, Int32Array[]>();
  for (const chunks of perSymbol) for (const { days } of chunks) {
    if (days.length === 0) continue;
    const same = marked.get(days[0]);
    if (same?.some((d) => equalDays(d, days))) continue;
    if (same) same.push(days);
    else marked.set(days[0], [days]);
    for (let i = 0; i < days.length; i++) {
      const d = days[i];
      if (d >= minDay && d <= maxDay) seen[d - minDay] = 1;
    }
  }
  let count = 0;
  for (let i = 0; i < seen.length; i++) count += seen[i];
  const axis = new Int32Array(count);
  for (let i = 0, k = 0; i < seen.length; i++) if (seen[i]) axis[k++] = minDay + i;
  return axis;
}

function equalDays(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
