import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { canonicalDataDir, resolveDataDir } from '../config/dataDir.js';
import { loadDotEnv, parseEnv, secretValues, type AtlasEnv } from '../config/env.js';
import { ManualClock, systemClock, type Clock } from '../core/clock.js';
import { AtlasError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { openDatabase } from '../data/store/database.js';
import { BarStore } from '../data/store/barStore.js';
import type { Output } from './output.js';

/** What every command gets: validated config, the data directory, the store (opened on first use), output. */
export interface AppContext {
  env: AtlasEnv;
  dataDir: string;
  log: Logger;
  io: Output;
  secrets: string[];
  /** The one clock of this process: the system's, or a simulated one from ATLAS_CLOCK. */
  clock: Clock;
  now: () => Date;
  db(): Database.Database;
  bars(): BarStore;
  close(): void;
}

export interface GlobalOptions {
  dataDir?: string;
  logLevel?: string;
}

/**
 * ATLAS_CLOCK=2024-06-03T14:00:00Z runs the command on a simulated clock that starts there and
 * moves only when the command waits (rehearsals, the crash tests, the demo's dry run).
 */
export function clockFromEnv(value: string | undefined): Clock {
  if (value === undefined || value.trim() === '') return systemClock;
  const t = new Date(value.trim());
  if (Number.isNaN(t.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value.trim())) {
    throw new AtlasError(`ATLAS_CLOCK must be an ISO timestamp such as 2024-06-03T14:00:00Z, got "${value.slice(0, 40)}"; fix it or unset it to use the real time.`, { code: 'BAD_ENV' });
  }
  return new ManualClock(t);
}

/**
 * The store a long-lived process keeps open for its data directory (`atlas resident`): contexts
 * on that directory use it and leave it open, so its prepared statements are made once for the
 * process (on Node 24 every statement stays alive until exit: data/store/node24Workaround.ts).
 */
let held: { dataDir: string; db: Database.Database } | undefined;

export function holdDatabase(dataDir: string, db: Database.Database | undefined): void {
  held = db ? { dataDir: canonicalDataDir(dataDir), db } : undefined;
}


export function createContext(global: GlobalOptions, io: Output, clockOrNow?: Clock | (() => Date)): AppContext {
  const clock: Clock = clockOrNow === undefined ? clockFromEnv(process.env.ATLAS_CLOCK) : typeof clockOrNow === 'function' ? { now: clockOrNow, sleep: systemClock.sleep } : clockOrNow;
  if (clockOrNow === undefined && clock !== systemClock) io.note(`note: simulated clock (ATLAS_CLOCK) starting at ${clock.now().toISOString()}`);
  const now = () => clock.now();
  loadDotEnv();
  const env = parseEnv();
  const secrets = secretValues(env);
  const dataDir = resolveDataDir(global.dataDir, env);
  let log: Logger | undefined;
  let db: Database.Database | undefined;
  let bars: BarStore | undefined;
  return {
    env, dataDir, io, secrets, clock, now,
    // Made on first use: a command that never logs does not load pino.
    // Log lines go out through `io` like every other text, so they are scrubbed the same way.
    get log() {
      log ??= createLogger(global.logLevel ?? env.ATLAS_LOG_LEVEL ?? 'warn', secrets, (line) => io.note(line));
      return log;
    },
    db() {
      db ??= held && held.dataDir === canonicalDataDir(dataDir) ? held.db : openDatabase(dataDir);
      return db;
    },
    bars() {
      bars ??= new BarStore(this.db(), now);
      return bars;
    },
    close() {
      if (db !== held?.db) db?.close();
      db = undefined;
      bars = undefined;
    },
  };
}
