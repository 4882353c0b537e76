/**
 * @module Saved panels: a large panel load (hundreds of symbols x decades) is written once to
 * `<data dir>/cache/panel/<key>.bin`, its columns as they sit in memory, and the next load of the
 * same symbols, fields and range reads that file straight into the panel's arrays instead of
 * reading and scattering a few thousand SQLite blobs (about a quarter of a 500-stock backtest).
 *
 * Never stale: the key holds the store's bar version, a counter that triggers on bar_chunks and
 * symbols move on every insert, update and delete, whoever writes (migration 11 in migrations.ts),
 * plus the store's id and every symbol's summary row; it is read in the load's own read
 * transaction. A file is written to a temp name, fsynced and renamed, and checked against its key,
 * shape and size when read; anything unexpected is a miss. Small loads are not saved (SQLite is
 * quick for them), nor very large ones (PANEL_CACHE_MAX_BYTES); ATLAS_PANEL_CACHE=off turns the cache
 * off. The newest few files are kept.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fromDayNumber } from '../../core/dates.js';
import { PANEL_FIELDS, type Panel, type PanelField } from '../panel.js';
import { bytesOf, readFully, writeFully } from './fileBytes.js';
import { registerSavedPanel, pruneSidecars } from './panelSidecar.js';
import { prepared } from './statements.js';


/** Loads of fewer stored bars than this (summed over the symbols) are not saved. */
export const PANEL_CACHE_MIN_BARS = 1_000_000;
/** Files kept in cache/panel (a 500-stock, 25-year, 4-field panel is about 100 MB). */
const KEEP = 3;
/** A panel larger than this is not saved (the cache would hold several of them). */
export const PANEL_CACHE_MAX_BYTES = 2 ** 30;
const MAGIC = 'ATLASPC1';
const HEADER = 56; // magic 8, key 32, dates u32, symbols u32, field mask u32, reserved u32
const FORMAT = 'panel-cache-1'; // bump when the loader's output for the same store changes

export interface PanelCacheRequest {
  symbols: readonly string[];
  fields: readonly PanelField[];
  lo: number;
  hi: number;
  dates?: Int32Array;
  /** Default PANEL_CACHE_MIN_BARS. */
  minBars?: number;
}

export interface PanelCacheEntry {
  read(): Panel | undefined;
  write(panel: Panel): void;
}

function cacheDir(db: Database.Database): string | undefined {
  if (process.env.ATLAS_PANEL_CACHE === 'off') return undefined;
  const file = db.name;
  if (!file || file === ':memory:' || db.memory) return undefined;
  return join(dirname(file), 'cache', 'panel');
}

/**
 * The cache entry of a load, or undefined when it is not cached (off, in memory, a small load, a
 * store without the version table). Call inside the load's read transaction.
 */
export function panelCacheEntry(db: Database.Database, req: PanelCacheRequest): PanelCacheEntry | undefined {
  const dir = cacheDir(db);
  if (!dir) return undefined;
  let version: { store_id: string; version: number } | undefined;
  try {
    version = prepared(db, 'SELECT store_id, version FROM bars_version WHERE id = 1').get() as typeof version;
  } catch {
    return undefined; // a store opened read-only before migration 11
  }
  if (!version) return undefined;
  const rows = prepared(db, 'SELECT symbol, source, first_date, last_date, bar_count, updated_at FROM symbols', 'raw').all() as [string, string, string | null, string | null, number, string][];
  const wanted = new Set(req.symbols);
  let bars = 0;
  const hash = createHash('sha256');
  hash.update(JSON.stringify([FORMAT, version.store_id, version.version, req.symbols, req.fields, req.lo, req.hi]));
  for (const r of rows) {
    if (!wanted.has(r[0])) continue;
    bars += r[4];
    hash.update(JSON.stringify(r));
  }
  if (req.dates) hash.update(new Uint8Array(req.dates.buffer, req.dates.byteOffset, req.dates.byteLength));
  if (bars < (req.minBars ?? PANEL_CACHE_MIN_BARS)) return undefined;
  const key = hash.digest('hex').slice(0, 32);
  const file = join(dir, `${key}.bin`);
  const mask = PANEL_FIELDS.reduce((m, f, i) => (req.fields.includes(f) ? m | (1 << i) : m), 0);
  return {
    read: () => {
      const held = inMemory.get(file);
      if (held) {
        inMemory.delete(file);
        inMemory.set(file, held); // newest last
        return held;
      }
      const panel = readPanel(file, key, mask, req.symbols);
      if (panel) {
        registerSavedPanel(panel, dir, key);
        hold(file, panel);
      }
      return panel;
    },
    write: (panel) => {
      if (writePanel(dir, file, key, mask, panel)) {
        registerSavedPanel(panel, dir, key);
        hold(file, panel);
      }
    },
  };
}

/**
 * Saved panels a long-lived process keeps in memory, by file (whose name is the key: a bar
 * written since makes another key, so a held panel is never stale), oldest first. Empty unless
 * keepPanelsInMemory was called: a command's own process reads a panel once and exits.
 * Nothing writes into a loaded panel's columns, so one object can serve every run.
 */
const inMemory = new Map<string, Panel>();
let inMemoryMax = 0;

/** Keeps the `max` most recently used saved panels in memory (cli/resident); 0 drops them all. */
export function keepPanelsInMemory(max: number): void {
  inMemoryMax = max;
  while (inMemory.size > inMemoryMax) inMemory.delete(inMemory.keys().next().value!);
}

function hold(file: string, panel: Panel): void {
  if (inMemoryMax === 0) return;
  inMemory.delete(file);
  inMemory.set(file, panel);
  while (inMemory.size > inMemoryMax) inMemory.delete(inMemory.keys().next().value!);
}

/** How many saved panels are held in memory, and their column bytes. */
export function panelsInMemory(): { count: number; bytes: number } {
  let bytes = 0;
  for (const p of inMemory.values()) for (const f of PANEL_FIELDS) bytes += p[f].byteLength;
  return { count: inMemory.size, bytes };
}

function readPanel(file: string, key: string, mask: number, symbols: readonly string[]): Panel | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(HEADER);
    if (!readFully(fd, head, 0)) return undefined;
    if (head.toString('latin1', 0, 8) !== MAGIC || head.toString('latin1', 8, 40) !== key) return undefined;
    const nDates = head.readUInt32LE(40);
    const nSymbols = head.readUInt32LE(44);
    if (nSymbols !== symbols.length || head.readUInt32LE(48) !== mask) return undefined;
    const fields = PANEL_FIELDS.filter((_, i) => mask & (1 << i));
    if (fstatSync(fd).size !== HEADER + 4 * nDates + 8 * nDates * nSymbols * fields.length) return undefined;
    const dayNumbers = new Int32Array(nDates);
    if (!readFully(fd, bytesOf(dayNumbers), HEADER)) return undefined;
    const out = {} as Record<PanelField, Float64Array>;
    let position = HEADER + 4 * nDates;
    for (const f of PANEL_FIELDS) {
      if (!fields.includes(f)) {
        out[f] = new Float64Array(0);
        continue;
      }
      const col = new Float64Array(nDates * nSymbols);
      if (!readFully(fd, bytesOf(col), position)) return undefined;
      position += col.byteLength;
      out[f] = col;
    }
    return { dates: Array.from(dayNumbers, fromDayNumber), dayNumbers, symbols: [...symbols], ...out };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** True when the file was written. */
function writePanel(dir: string, file: string, key: string, mask: number, panel: Panel): boolean {
  const fields = PANEL_FIELDS.filter((_, i) => mask & (1 << i));
  if (8 * panel.dates.length * panel.symbols.length * fields.length > PANEL_CACHE_MAX_BYTES) return false;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      const head = Buffer.alloc(HEADER);
      head.write(MAGIC, 0, 'latin1');
      head.write(key, 8, 'latin1');
      head.writeUInt32LE(panel.dates.length, 40);
      head.writeUInt32LE(panel.symbols.length, 44);
      head.writeUInt32LE(mask, 48);
      const parts = [head, bytesOf(panel.dayNumbers), ...fields.map((f) => bytesOf(panel[f]))];
      writeFully(fd, parts);
      // Durable before it is visible: a torn file after a crash must never be read as a panel.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    prune(dir);
    return true;
  } catch {
    // A read-only or full disk costs the next load the SQLite read, nothing else.
    rmSync(tmp, { force: true });
    return false;
  }
}

/** Keeps the KEEP newest panels, and the sidecars of those only. */
function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((n) => /^[0-9a-f]{32}\.bin$/.test(n))
    .map((n) => {
      try {
        return { path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs };
      } catch {
        return undefined;
      }
    })
    .filter((f): f is { path: string; mtime: number } => f !== undefined)
    .sort((a, b) => b.mtime - a.mtime);
  for (const f of files.slice(KEEP)) rmSync(f.path, { force: true });
  pruneSidecars(dir, new Set(files.slice(0, KEEP).map((f) => basename(f.path, '.bin'))));
}
