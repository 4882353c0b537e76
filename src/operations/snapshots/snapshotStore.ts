/**
 * @module Snapshots in the store (table account_snapshots): one row per (broker, account,
 * session), written once — a second write of the same session is refused, which is what makes
 * "no snapshot twice" hold across crashes and restarts. Statements are prepared once, for the
 * daemon and the dashboard that keep a store open for days.
 */
import type Database from 'better-sqlite3';
import type { AccountSnapshot } from './snapshot.js';

export { SNAPSHOTS_SCHEMA } from '../../data/store/operationsSchema.js';

interface Row {
  data: string;
}

export class SnapshotStore {
  private readonly insert: Database.Statement;
  private readonly one: Database.Statement;
  private readonly range: Database.Statement;
  private readonly latest: Database.Statement;
  private readonly accounts: Database.Statement;

  constructor(readonly db: Database.Database) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO account_snapshots (broker, account, session, taken_at, source, equity, exposure, regime, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.one = db.prepare('SELECT data FROM account_snapshots WHERE broker = ? AND account = ? AND session = ?');
    this.range = db.prepare('SELECT data FROM account_snapshots WHERE broker = ? AND account = ? AND session >= ? AND session <= ? ORDER BY session');
    this.latest = db.prepare('SELECT data FROM account_snapshots WHERE broker = ? AND account = ? ORDER BY session DESC LIMIT 1');
    this.accounts = db.prepare('SELECT DISTINCT broker, account FROM account_snapshots ORDER BY broker, account');
  }

  /** Writes the snapshot unless one exists for that session; true when written. */
  write(s: AccountSnapshot): boolean {
    const n = (v: number) => (Number.isFinite(v) ? v : null);
    const res = this.insert.run(s.broker, s.account, s.session, s.takenAt, s.source, n(s.equity), n(s.exposure), s.regime, JSON.stringify(s));
    return res.changes === 1;
  }

  get(broker: string, account: string, session: string): AccountSnapshot | undefined {
    const row = this.one.get(broker, account, session) as Row | undefined;
    return row ? parse(row.data) : undefined;
  }

  between(broker: string, account: string, from: string, to: string): AccountSnapshot[] {
    return (this.range.all(broker, account, from, to) as Row[]).map((r) => parse(r.data));
  }

  last(broker: string, account: string): AccountSnapshot | undefined {
    const row = this.latest.get(broker, account) as Row | undefined;
    return row ? parse(row.data) : undefined;
  }

  listAccounts(): { broker: string; account: string }[] {
    return this.accounts.all() as { broker: string; account: string }[];
  }
}

function parse(text: string): AccountSnapshot {
  const s = JSON.parse(text) as AccountSnapshot;
  // JSON has no NaN: a missing snapshot's numbers come back as null.
  for (const k of ['equity', 'cash', 'exposure'] as const) if (s[k] === null) s[k] = Number.NaN;
  return s;
}
