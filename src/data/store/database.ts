import Database from 'better-sqlite3';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AtlasError, describeError } from '../../core/errors.js';
import { describeIoError } from '../../core/ioErrors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';
import { registerBarsView } from './barsView.js';
import { retainForProcessLifetime } from './node24Workaround.js';

export const STORE_FILE = 'atlas.sqlite';

/**
 * Opens (creating and migrating if needed) the Atlas store in a data directory.
 * WAL lets a dashboard read while a sync writes; busy_timeout makes a writer wait for another
 * writer instead of failing with "database is locked".
 */
export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Database.Database {
  ensureWritableDir(dataDir);
  const path = join(dataDir, STORE_FILE);
  assertNotDirectory(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false });
  } catch (err) {
    throw describeIoError(err, path) ?? new AtlasError(`Cannot open the Atlas store at ${path} (${describeError(err)}); check the path and its permissions.`, { code: 'STORE_OPEN', cause: err });
  }
  retainForProcessLifetime(db);
  try {
    db.pragma('busy_timeout = 15000');
    if (!options.readonly) {
      // 16 KiB pages for a new store (an existing one keeps its size): a bar block's blobs span
      // a few pages instead of a dozen, which halves import writes; only effective before the
      // first table exists, so it must precede the switch to WAL.
      if (schemaVersion(db) === 0) db.pragma('page_size = 16384');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    registerBarsView(db);
  } catch (err) {
    db.close();
    // A file that is not a database, a read-only or full disk: one sentence naming the store.
    throw describeIoError(err, path) ?? err;
  }
  return db;
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Database.Database, path: string): void {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new AtlasError(
      `The store ${path} was written by a newer Atlas (schema version ${current}; this Atlas knows up to ${LATEST_SCHEMA_VERSION}); upgrade Atlas or use another --data-dir.`,
      { code: 'STORE_TOO_NEW' },
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    // IMMEDIATE: two processes opening a fresh store at once must not both run migration 1.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

/** better-sqlite3 says only "unable to open database file" for a directory: say what it is. */
function assertNotDirectory(path: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return; // missing: SQLite creates it
  }
  if (isDir) throw describeIoError(Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' }), path) ?? new AtlasError(`${path} is a directory.`);
}

function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new AtlasError(`The data directory ${dir} is not writable (${describeError(err)}); choose another with --data-dir or ATLAS_HOME.`, { code: 'DATA_DIR_NOT_WRITABLE', cause: err });
  }
}
