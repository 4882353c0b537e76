/**
 * @module The strategy state the daemon carries between sessions, per account: the names the
 * last scan chose and the allocation last applied, exactly the state the backtest engine keeps
 * (`lastChosen`, `appliedAlloc`), so daily regime mode rescales when, and only when, the
 * backtest would. One row per (account, session), written once. The table is created here
 * (CREATE IF NOT EXISTS) until it joins the store's migrations.
 */
import type Database from 'better-sqlite3';

export interface Decision {
  account: string;
  session: string;
  kind: 'scan' | 'rescale';
  regime: string | null;
  allocation: number;
  selected: string[];
  targets: Record<string, number>;
  runId: string | null;
  outcome: string;
}

interface Row {
  account: string;
  session: string;
  kind: string;
  regime: string | null;
  allocation: number;
  selected: string;
  targets: string;
  run_id: string | null;
  outcome: string;
}

const toDecision = (r: Row): Decision => ({
  account: r.account, session: r.session, kind: r.kind as Decision['kind'], regime: r.regime, allocation: r.allocation,
  selected: JSON.parse(r.selected) as string[], targets: JSON.parse(r.targets) as Record<string, number>, runId: r.run_id, outcome: r.outcome,
});

export class DecisionStore {
  private readonly insert: Database.Statement;
  private readonly lastOne: Database.Statement;
  private readonly all: Database.Statement;

  constructor(readonly db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO daemon_decisions (account, session, kind, regime, allocation, selected, targets, run_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.lastOne = db.prepare('SELECT * FROM daemon_decisions WHERE account = ? AND session <= ? ORDER BY session DESC LIMIT 1');
    this.all = db.prepare('SELECT * FROM daemon_decisions WHERE account = ? ORDER BY session');
  }

  record(d: Decision): boolean {
    return this.insert.run(d.account, d.session, d.kind, d.regime, d.allocation, JSON.stringify(d.selected), JSON.stringify(d.targets), d.runId, d.outcome).changes === 1;
  }

  /** The latest decision on or before `session`. */
  last(account: string, session = '9999-12-31'): Decision | undefined {
    const r = this.lastOne.get(account, session) as Row | undefined;
    return r ? toDecision(r) : undefined;
  }

  list(account: string): Decision[] {
    return (this.all.all(account) as Row[]).map(toDecision);
  }
}
