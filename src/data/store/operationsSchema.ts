/**
 * @module Tables of the operations layer (snapshots, the daemon's ledgers), kept with the other
 * migrations so the store's schema lives in one folder; src/operations/ reads and writes them.
 */
export const SNAPSHOTS_SCHEMA = `
  CREATE TABLE account_snapshots (
    broker    TEXT NOT NULL,
    account   TEXT NOT NULL,
    session   TEXT NOT NULL,
    taken_at  TEXT NOT NULL,
    source    TEXT NOT NULL,
    equity    REAL,
    exposure  REAL,
    regime    TEXT,
    data      TEXT NOT NULL,
    PRIMARY KEY (broker, account, session)
  ) WITHOUT ROWID;
`;

// Each row carries its snapshot as JSON, so a scan of the table reads every JSON page; this index
// holds the few columns a chart, the account list and the change signature need (about 1/20 the size).
export const SNAPSHOT_SERIES_INDEX = `
  CREATE INDEX account_snapshots_series ON account_snapshots (broker, account, session, equity, exposure, regime, taken_at);
`;

export const DAEMON_SCHEMA = `
  CREATE TABLE daemon_jobs (
    job_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    session     TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    note        TEXT
  ) WITHOUT ROWID;
  -- One row per (account, scheduled rebalance session): the decision "this period's rebalance is
  -- done" survives restarts, so a catch-up can never run a period twice.
  CREATE TABLE daemon_rebalances (
    account      TEXT NOT NULL,
    scheduled    TEXT NOT NULL,
    carried_out  TEXT NOT NULL,
    run_id       TEXT,
    outcome      TEXT NOT NULL,
    note         TEXT,
    PRIMARY KEY (account, scheduled)
  ) WITHOUT ROWID;
`;

/** What the daemon decided per account and session (the daily-mode signal's memory). */
export const DECISIONS_SCHEMA = `
  CREATE TABLE daemon_decisions (
    account TEXT NOT NULL, session TEXT NOT NULL, kind TEXT NOT NULL, regime TEXT, allocation REAL NOT NULL,
    selected TEXT NOT NULL, targets TEXT NOT NULL, run_id TEXT, outcome TEXT NOT NULL, PRIMARY KEY (account, session)
  ) WITHOUT ROWID;
`;
