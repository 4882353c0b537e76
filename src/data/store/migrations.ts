import type Database from 'better-sqlite3';
import { DAEMON_SCHEMA, DECISIONS_SCHEMA, SNAPSHOT_SERIES_INDEX, SNAPSHOTS_SCHEMA } from './operationsSchema.js';
import { migrateRowsToChunks } from './rowsToChunks.js';

/**
 * Versioned schema. PRAGMA user_version holds the version a store is at; each migration moves it
 * up by one inside a transaction. Append new migrations at the end, never edit a shipped one.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/**
 * The bar version (migration 11): one row with the store's id (random, fixed at creation) and a
 * counter that every write to bar_chunks or symbols moves, whoever writes; saved panels
 * (panelCache.ts) are keyed by it.
 */
const BARS_VERSION_SCHEMA = `
  -- One row: the store's id (random, fixed at creation) and a counter every bar write moves.
  CREATE TABLE bars_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL,
    version  INTEGER NOT NULL
  );
  INSERT INTO bars_version (id, store_id, version) VALUES (1, lower(hex(randomblob(16))), 0);
  CREATE TRIGGER bar_chunks_insert_version AFTER INSERT ON bar_chunks BEGIN UPDATE bars_version SET version = version + 1; END;
  CREATE TRIGGER bar_chunks_update_version AFTER UPDATE ON bar_chunks BEGIN UPDATE bars_version SET version = version + 1; END;
  CREATE TRIGGER bar_chunks_delete_version AFTER DELETE ON bar_chunks BEGIN UPDATE bars_version SET version = version + 1; END;
  CREATE TRIGGER symbols_insert_version AFTER INSERT ON symbols BEGIN UPDATE bars_version SET version = version + 1; END;
  CREATE TRIGGER symbols_update_version AFTER UPDATE ON symbols BEGIN UPDATE bars_version SET version = version + 1; END;
  CREATE TRIGGER symbols_delete_version AFTER DELETE ON symbols BEGIN UPDATE bars_version SET version = version + 1; END;
`;

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
  {
    version: 2,
    description: 'embedded paper broker: accounts, positions, orders, fills',
    up(db) {
      db.exec(`
        -- One row per paper account (LARGE, MID, SMALL or any name). fill_policy is the JSON drill
        -- configuration (partial fills, rejections, never-fill); submit_count feeds reject-every-Nth.
        CREATE TABLE paper_accounts (
          name             TEXT PRIMARY KEY,
          cash             REAL NOT NULL,
          initial_cash     REAL NOT NULL,
          allow_fractional INTEGER NOT NULL DEFAULT 0,
          fill_policy      TEXT NOT NULL DEFAULT '{}',
          submit_count     INTEGER NOT NULL DEFAULT 0,
          created_at       TEXT NOT NULL,
          reset_at         TEXT NOT NULL
        );
        CREATE TABLE paper_positions (
          account         TEXT NOT NULL REFERENCES paper_accounts(name) ON DELETE CASCADE,
          symbol          TEXT NOT NULL,
          qty             REAL NOT NULL,
          avg_entry_price REAL NOT NULL,
          PRIMARY KEY (account, symbol)
        ) WITHOUT ROWID;
        CREATE TABLE paper_orders (
          seq              INTEGER PRIMARY KEY AUTOINCREMENT,
          id               TEXT NOT NULL UNIQUE,
          account          TEXT NOT NULL REFERENCES paper_accounts(name) ON DELETE CASCADE,
          client_order_id  TEXT NOT NULL,
          symbol           TEXT NOT NULL,
          side             TEXT NOT NULL,
          qty              REAL NOT NULL,
          type             TEXT NOT NULL,
          limit_price      REAL,
          time_in_force    TEXT NOT NULL,
          status           TEXT NOT NULL,
          filled_qty       REAL NOT NULL DEFAULT 0,
          filled_avg_price REAL,
          submitted_at     TEXT NOT NULL,
          submitted_open   INTEGER NOT NULL,
          filled_at        TEXT,
          canceled_at      TEXT,
          reject_reason    TEXT,
          drill            TEXT,
          UNIQUE (account, client_order_id)
        );
        CREATE INDEX paper_orders_status ON paper_orders (account, status);
        CREATE TABLE paper_fills (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          order_id   TEXT NOT NULL REFERENCES paper_orders(id) ON DELETE CASCADE,
          account    TEXT NOT NULL,
          symbol     TEXT NOT NULL,
          side       TEXT NOT NULL,
          qty        REAL NOT NULL,
          price      REAL NOT NULL,
          base_price REAL NOT NULL,
          fill_basis TEXT NOT NULL,
          bar_date   TEXT NOT NULL,
          filled_at  TEXT NOT NULL
        );
        CREATE INDEX paper_fills_order ON paper_fills (order_id);
      `);
    },
  },
  {
    version: 3,
    description: 'rebalance runs: runs + run_orders (plan, phase and order states, written before every side effect)',
    up(db) {
      db.exec(`
        -- One row per rebalance run (run_id = YYYYMMDD-<hash of the command>). params and signal
        -- are JSON; phase is sells | buys | done; status is open | completed | stopped.
        CREATE TABLE runs (
          run_id     TEXT PRIMARY KEY,
          trade_date TEXT NOT NULL,
          account    TEXT NOT NULL,
          broker     TEXT NOT NULL,
          params     TEXT NOT NULL,
          signal     TEXT NOT NULL,
          phase      TEXT NOT NULL,
          status     TEXT NOT NULL,
          summary    TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        -- One row per planned order; state is written before each broker call (see docs/rebalance.md).
        CREATE TABLE run_orders (
          run_id           TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
          client_order_id  TEXT NOT NULL UNIQUE,
          seq              INTEGER NOT NULL,
          leg              TEXT NOT NULL,
          symbol           TEXT NOT NULL,
          side             TEXT NOT NULL,
          intent           TEXT NOT NULL,
          planned_qty      REAL NOT NULL,
          qty              REAL NOT NULL,
          ref_price        REAL NOT NULL,
          state            TEXT NOT NULL,
          broker_order_id  TEXT,
          broker_status    TEXT,
          filled_qty       REAL NOT NULL DEFAULT 0,
          filled_avg_price REAL,
          reason           TEXT,
          updated_at       TEXT NOT NULL,
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 4,
    description: 'order life cycle as events: run_order_events; run order state submitted -> working',
    up(db) {
      db.exec(`
        -- Every event applied to a run's order, in order (src/execution/orders/events.ts); the
        -- run_orders row is the fold of these. Written in the same transaction as the row.
        CREATE TABLE run_order_events (
          id              INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id          TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
          client_order_id TEXT NOT NULL,
          kind            TEXT NOT NULL,
          from_state      TEXT,
          to_state        TEXT NOT NULL,
          event           TEXT NOT NULL,
          at              TEXT NOT NULL
        );
        CREATE INDEX run_order_events_order ON run_order_events (client_order_id, id);
        UPDATE run_orders SET state = 'working' WHERE state = 'submitted';
      `);
    },
  },
  {
    version: 5,
    description: 'operations: daily account snapshots, the daemon job ledger and rebalance ledger',
    up(db) {
      db.exec(SNAPSHOTS_SCHEMA);
      db.exec(DAEMON_SCHEMA);
    },
  },
  {
    version: 6,
    description: 'leases: one order-placing process per (broker, account), and other exclusive holders',
    up(db) {
      db.exec(`
        -- One row per held lease (see src/execution/lease/). broker and account are the key: an
        -- account lease uses the broker name and account id; other leases (the daemon's
        -- per-data-directory lease) use their own scope and name. Times are ISO-8601 UTC.
        CREATE TABLE account_leases (
          broker         TEXT NOT NULL,
          account        TEXT NOT NULL,
          holder_run_id  TEXT NOT NULL,
          pid            INTEGER NOT NULL,
          host           TEXT NOT NULL,
          acquired_at    TEXT NOT NULL,
          heartbeat_at   TEXT NOT NULL,
          expires_at     TEXT NOT NULL,
          PRIMARY KEY (broker, account)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 7,
    description: 'research: one row per backtest or sweep whose report was written (the dashboard lists them)',
    up(db) {
      db.exec(`
        -- kind is backtest | sweep; settings and metrics are JSON (metrics per strategy name);
        -- report_path is the HTML report as written (absolute).
        CREATE TABLE research_runs (
          id            INTEGER PRIMARY KEY AUTOINCREMENT,
          kind          TEXT NOT NULL,
          created_at    TEXT NOT NULL,
          title         TEXT NOT NULL,
          strategy_hash TEXT,
          first_date    TEXT NOT NULL,
          last_date     TEXT NOT NULL,
          simulated     INTEGER NOT NULL DEFAULT 0,
          settings      TEXT NOT NULL,
          metrics       TEXT NOT NULL,
          report_path   TEXT
        );
      `);
    },
  },
  {
    version: 8,
    description: "operations: the daemon's decisions per account and session",
    up(db) {
      db.exec(DECISIONS_SCHEMA);
    },
  },
  {
    version: 9,
    description: 'bars: columnar blocks (bar_chunks) become the system of record; the row table bars and the whole-symbol cache bar_columns are dropped',
    up(db) {
      migrateRowsToChunks(db);
    },
  },
  {
    version: 10,
    description: "snapshots: a covering index of each account's daily equity, exposure and regime (the dashboard reads them without the JSON)",
    up(db) {
      db.exec(SNAPSHOT_SERIES_INDEX);
    },
  },
  {
    version: 11,
    description: 'bars: a version counter every write to bar_chunks or symbols moves (triggers), so a saved panel knows when it is stale (panelCache.ts)',
    up(db) {
      db.exec(BARS_VERSION_SCHEMA);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
