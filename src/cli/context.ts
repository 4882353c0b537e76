import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { resolveDataDir } from '../config/dataDir.js';
import { loadDotEnv, parseEnv, secretValues, type AtlasEnv } from '../config/env.js';
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
  now: () => Date;
  db(): Database.Database;
  bars(): BarStore;
  close(): void;
}

export interface GlobalOptions {
  dataDir?: string;
  logLevel?: string;
}

export function createContext(global: GlobalOptions, io: Output, now: () => Date = () => new Date()): AppContext {
  loadDotEnv();
  const env = parseEnv();
  const secrets = secretValues(env);
  const dataDir = resolveDataDir(global.dataDir, env);
  // Log lines go out through `io` like every other text, so they are scrubbed the same way.
  const log = createLogger(global.logLevel ?? env.ATLAS_LOG_LEVEL ?? 'warn', secrets, (line) => io.note(line));
  let db: Database.Database | undefined;
  let bars: BarStore | undefined;
  return {
    env, dataDir, log, io, secrets, now,
    db() {
      db ??= openDatabase(dataDir);
      return db;
    },
    bars() {
      bars ??= new BarStore(this.db(), now);
      return bars;
    },
    close() {
      db?.close();
      db = undefined;
      bars = undefined;
    },
  };
}
