import type Database from 'better-sqlite3';

/**
 * Versioned schema. PRAGMA user_version holds the version a store is at; each migration moves it
 * up by one inside a transaction. Append new migrations at the end, never edit a shipped one.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'daily bars, columnar bar cache, symbols, corporate actions, sync state',
    up(db) {
      db.exec(`
        CREATE TABLE symbols (
          symbol     TEXT PRIMARY KEY,
          source     TEXT NOT NULL,
          first_date TEXT,
          last_date  TEXT,
          bar_count  INTEGER NOT NULL DEFAULT 0,
          updated_at TEXT NOT NULL
        );
        -- The system of record: one row per symbol and session (day = days since 1970-01-01).
        CREATE TABLE bars (
          symbol    TEXT NOT NULL,
          day       INTEGER NOT NULL,
          open      REAL NOT NULL,
          high      REAL NOT NULL,
          low       REAL NOT NULL,
          close     REAL NOT NULL,
          adj_close REAL NOT NULL,
          volume    REAL NOT NULL,
          source    TEXT NOT NULL,
          PRIMARY KEY (symbol, day)
        ) WITHOUT ROWID;
        -- Derived from bars in the same transaction as every write: each symbol's columns as
        -- packed little-endian arrays, so research loads are a handful of blob reads.
        CREATE TABLE bar_columns (
          symbol    TEXT PRIMARY KEY,
          n         INTEGER NOT NULL,
          days      BLOB NOT NULL,
          open      BLOB NOT NULL,
          high      BLOB NOT NULL,
          low       BLOB NOT NULL,
          close     BLOB NOT NULL,
          adj_close BLOB NOT NULL,
          volume    BLOB NOT NULL
        );
        CREATE TABLE corporate_actions (
          symbol       TEXT NOT NULL,
          day          INTEGER NOT NULL,
          split_factor REAL NOT NULL,
          dividend     REAL NOT NULL,
          PRIMARY KEY (symbol, day)
        ) WITHOUT ROWID;
        CREATE TABLE sync_state (
          symbol         TEXT NOT NULL,
          provider       TEXT NOT NULL,
          last_synced_at TEXT NOT NULL,
          PRIMARY KEY (symbol, provider)
        );
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
