import type Database from 'better-sqlite3';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BarSeries } from '../../src/data/bar.js';
import { buildDemoMarket } from '../../src/data/demo/market.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { EXECUTION_LOG_FILE, readExecutionLog, type ExecutionLogRecord } from '../../src/execution/audit/executionLog.js';
import type { RebalanceSignal } from '../../src/execution/rebalance/signal.js';
import { BUILTIN_UNIVERSES } from '../../src/selection/universes.js';
import type { FakeAlpaca } from '../support/fakeAlpaca.js';
import { srcHash } from '../support/sourceHash.js';

/** A Tuesday, 10:00 New York: the regular session is open. */
export const OPEN_INSTANT = new Date('2026-11-24T15:00:00Z');

let demo: BarSeries[] | undefined;

/** SPY, VIX and the technology names of the simulated demo market (2019..2024), built once per file. */
export function techDemoSeries(): BarSeries[] {
  if (!demo) {
    const want = new Set(['SPY', 'VIX', ...BUILTIN_UNIVERSES.technology]);
    demo = buildDemoMarket({ from: '2019-01-02', to: '2024-12-31' }).series.filter((s) => want.has(s.symbol));
  }
  return demo;
}

/**
 * A store in `dir` holding techDemoSeries(), written at the instant `now()` gives. The store is
 * built once per instant and version of src/ (in the system temp folder, renamed into place when
 * complete) and copied: writing it takes a second, copying milliseconds.
 */
export function seedDemoStore(dir: string, now: () => Date = () => OPEN_INSTANT): { db: Database.Database; store: BarStore } {
  const at = now();
  const cached = join(tmpdir(), `atlas-tech-demo-store-${srcHash()}-${at.getTime()}`);
  if (!existsSync(cached)) {
    const part = mkdtempSync(`${cached}-build-`);
    try {
      const db = openDatabase(part);
      const store = new BarStore(db, () => at);
      for (const s of techDemoSeries()) store.replaceBars(s.symbol, 'demo', s.bars, s.actions ?? []);
      db.close();
      renameSync(part, cached);
    } catch (err) {
      rmSync(part, { recursive: true, force: true });
      if (!existsSync(cached)) throw err; // otherwise another file finished first: use its build
    }
  }
  cpSync(cached, dir, { recursive: true });
  const db = openDatabase(dir);
  return { db, store: new BarStore(db, now) };
}

const OUTCOMES = new Set(['ORDER_FILLED', 'PARTIAL_FILL', 'ORDER_REJECTED', 'ORDER_CANCELED']);

/**
 * The audit invariants: RUN_START and RUN_END pair up, and every ORDER_SUBMITTED has a later
 * outcome event for the same client order id. Returns the problems (empty = fine).
 */
export function auditProblems(dir: string, runId: string): string[] {
  const recs = readExecutionLog(dir, { runId, strict: true });
  const problems: string[] = [];
  const starts = recs.filter((r) => r.event === 'RUN_START').length;
  const ends = recs.filter((r) => r.event === 'RUN_END').length;
  if (starts === 0) problems.push('no RUN_START');
  if (starts !== ends) problems.push(`${starts} RUN_START vs ${ends} RUN_END`);
  recs.forEach((r, i) => {
    if (r.event !== 'ORDER_SUBMITTED') return;
    const later = recs.slice(i + 1).some((x) => x.clientOrderId === r.clientOrderId && OUTCOMES.has(x.event));
    if (!later) problems.push(`ORDER_SUBMITTED ${r.clientOrderId} has no outcome event`);
  });
  return problems;
}

export function events(dir: string, runId: string, event?: string): ExecutionLogRecord[] {
  return readExecutionLog(dir, { runId }).filter((r) => event === undefined || r.event === event);
}

/** Client order ids the fake server holds more than one order for. */
export function duplicateServerOrders(fake: FakeAlpaca): string[] {
  const counts = new Map<string, number>();
  for (const o of fake.state.orders) counts.set(o.client_order_id, (counts.get(o.client_order_id) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([cid]) => cid);
}

/** Whether any of the given secrets appears in the audit files of `dir`. */
export function auditLeaks(dir: string, secrets: readonly string[]): string[] {
  const path = join(dir, EXECUTION_LOG_FILE);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return secrets.filter((s) => s !== '' && text.includes(s));
}

/** A fixed signal for broker tests: TREND_NEUTRAL, top 3 of AAPL/MSFT/NVDA at the given closes. */
export function fixedSignal(prices: Record<string, number> = { AAPL: 190, MSFT: 410, NVDA: 140 }): RebalanceSignal {
  const selected = Object.keys(prices);
  const w = 0.7 / selected.length;
  return {
    universe: { name: 'technology', description: 'test', survivorshipWarning: null, missing: [] },
    dataDate: '2026-11-23',
    regime: 'TREND_NEUTRAL',
    regimeSource: 'override',
    modelRegime: null,
    modelDate: null,
    regimeSummary: null,
    allocation: 0.7,
    topN: selected.length,
    selected,
    scan: selected.map((symbol, i) => ({ rank: i + 1, symbol, close: prices[symbol], high52: prices[symbol], distance: 1, passedDistance: true, passedVolume: true, eligible: true, selected: true, reason: null })),
    targets: Object.fromEntries(selected.map((s) => [s, w])),
    prices: { ...prices },
    notes: [],
  };
}
