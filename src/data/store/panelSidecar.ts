/**
 * @module What is computed from a saved panel and costs more to compute than to read (its bar
 * mask, its 52-week highs on a run's decision dates), kept beside it in `cache/panel/` as
 * `<key>.<name>.side`. The panel's key already changes with every write to the store
 * (panelCache.ts), so a file under it can never describe other data; `name` carries what else it
 * depends on (the definition's version, the lookback, the dates).
 *
 * Only a panel object that panelCache.ts read or wrote has sidecars, and only while its columns
 * are the ones it was loaded with. Every file is written to a temp name, fsynced and renamed, and
 * checked against its key, name and size when read; anything unexpected is a miss, so the caller
 * computes the value as it would without the file.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PANEL_FIELDS, type Panel } from '../panel.js';
import { readFully, writeFully } from './fileBytes.js';

const MAGIC = 'ATLASSC1';
const HEADER = 8 + 32 + 64; // magic, panel key, name (latin1, space padded)
/** Sidecars kept per panel: a run's decision dates differ by frequency, start and offset. */
const KEEP_PER_PANEL = 16;

export interface PanelSidecar {
  /** Fills `into` (its whole length) with the bytes saved under `name`; false when there are none of that length. */
  read(name: string, into: Uint8Array): boolean;
  /** Saves `data` under `name`. Never throws: a full disk costs the next run the computation. */
  write(name: string, data: Uint8Array): void;
}

interface Home {
  dir: string;
  key: string;
  columns: Float64Array[];
}

const homes = new WeakMap<Panel, Home>();

const columnsOf = (panel: Panel): Float64Array[] => PANEL_FIELDS.map((f) => panel[f]);

/** Called by panelCache.ts for a panel it read from, or wrote to, `<dir>/<key>.bin`. */
export function registerSavedPanel(panel: Panel, dir: string, key: string): void {
  homes.set(panel, { dir, key, columns: columnsOf(panel) });
}

/** The sidecars of a saved panel, or undefined (not a saved panel, or its columns were replaced). */
export function panelSidecar(panel: Panel): PanelSidecar | undefined {
  const home = homes.get(panel);
  if (!home || columnsOf(panel).some((c, i) => c !== home.columns[i])) return undefined;
  return {
    read: (name, into) => readSidecar(home, name, into),
    write: (name, data) => writeSidecar(home, name, data),
  };
}

function fileOf(home: Home, name: string): string {
  if (!/^[a-z0-9-]{1,64}$/.test(name)) throw new Error(`bad sidecar name ${name}`);
  return join(home.dir, `${home.key}.${name}.side`);
}

function headerOf(home: Home, name: string): Buffer {
  const head = Buffer.alloc(HEADER, ' ');
  head.write(MAGIC, 0, 'latin1');
  head.write(home.key, 8, 'latin1');
  head.write(name, 40, 'latin1');
  return head;
}

function readSidecar(home: Home, name: string, into: Uint8Array): boolean {
  let fd: number;
  try {
    fd = openSync(fileOf(home, name), 'r');
  } catch {
    return false;
  }
  try {
    if (fstatSync(fd).size !== HEADER + into.byteLength) return false;
    const head = Buffer.alloc(HEADER);
    return readFully(fd, head, 0) && head.equals(headerOf(home, name)) && readFully(fd, into, HEADER);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

function writeSidecar(home: Home, name: string, data: Uint8Array): void {
  const file = fileOf(home, name);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFully(fd, [headerOf(home, name), data]);
      // Durable before it is visible: after a crash a file of the right size must hold the right bytes.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    pruneOwn(home);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Keeps the KEEP_PER_PANEL newest sidecars of one panel. */
function pruneOwn(home: Home): void {
  const own = readdirSync(home.dir)
    .filter((n) => n.startsWith(`${home.key}.`) && n.endsWith('.side'))
    .map((n) => ({ path: join(home.dir, n), mtime: statSync(join(home.dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const f of own.slice(KEEP_PER_PANEL)) rmSync(f.path, { force: true });
}

/** Removes the sidecars (and left-over temp files) of panels that are no longer kept. */
export function pruneSidecars(dir: string, keptKeys: ReadonlySet<string>): void {
  for (const n of readdirSync(dir)) {
    const m = /^([0-9a-f]{32})\.[a-z0-9-]+\.side(\.\d+\.tmp)?$/.exec(n);
    if (m && !keptKeys.has(m[1])) rmSync(join(dir, n), { force: true });
  }
}
