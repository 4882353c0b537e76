/**
 * @module Stored research (table research_runs): `atlas backtest --report` records each run's
 * settings, its strategy hash, its metrics per strategy and where its report was written, so the
 * dashboard's Research page can list them side by side and open each report. The report file
 * itself stays where the user wrote it; a moved or deleted file is shown as missing.
 */
import type Database from 'better-sqlite3';
import type { BacktestMetrics } from '../metrics.js';
import { prepared } from '../../data/store/statements.js';

export type ResearchKind = 'backtest' | 'sweep';

export interface ResearchRun {
  id: number;
  kind: ResearchKind;
  createdAt: string;
  title: string;
  strategyHash: string | null;
  firstDate: string;
  lastDate: string;
  simulated: boolean;
  settings: Record<string, string | number | boolean>;
  /** Metrics per strategy name (and 'SPY buy & hold'). */
  metrics: Record<string, BacktestMetrics>;
  reportPath: string | null;
}

interface Row {
  id: number;
  kind: string;
  created_at: string;
  title: string;
  strategy_hash: string | null;
  first_date: string;
  last_date: string;
  simulated: number;
  settings: string;
  metrics: string;
  report_path: string | null;
}

const toRun = (r: Row): ResearchRun => ({
  id: r.id, kind: r.kind as ResearchKind, createdAt: r.created_at, title: r.title, strategyHash: r.strategy_hash,
  firstDate: r.first_date, lastDate: r.last_date, simulated: r.simulated === 1,
  settings: JSON.parse(r.settings) as ResearchRun['settings'], metrics: JSON.parse(r.metrics) as ResearchRun['metrics'], reportPath: r.report_path,
});

/** JSON keeps NaN as null; metrics with no value stay null. */
const finite = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export class ResearchStore {
  private readonly insert?: Database.Statement;
  private readonly list: Database.Statement;
  private readonly one: Database.Statement;

  constructor(db: Database.Database) {
    if (!db.readonly) {
      this.insert = prepared(db, 'INSERT INTO research_runs (kind, created_at, title, strategy_hash, first_date, last_date, simulated, settings, metrics, report_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    }
    this.list = prepared(db, 'SELECT * FROM research_runs ORDER BY id DESC LIMIT ?');
    this.one = prepared(db, 'SELECT * FROM research_runs WHERE id = ?');
  }

  record(run: Omit<ResearchRun, 'id'>): number {
    if (!this.insert) throw new Error('ResearchStore: the store was opened read-only');
    const res = this.insert.run(run.kind, run.createdAt, run.title, run.strategyHash, run.firstDate, run.lastDate, run.simulated ? 1 : 0, JSON.stringify(run.settings), JSON.stringify(run.metrics, finite), run.reportPath);
    return Number(res.lastInsertRowid);
  }

  recent(limit = 100): ResearchRun[] {
    return (this.list.all(limit) as Row[]).map(toRun);
  }

  get(id: number): ResearchRun | undefined {
    const r = this.one.get(id) as Row | undefined;
    return r ? toRun(r) : undefined;
  }
}
