/** Shared set-up of the replay tests: demo-market and real-data source stores, a daily-regime strategy, the parity of a replay. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { RunStore } from '../../src/execution/rebalance/runStore.js';
import { backtestOfStrategy } from '../../src/operations/parity/backtestOf.js';
import { buildParityReport, fillShortfalls, liveOrdersOf, shareFactorOf, type ParityReport } from '../../src/operations/parity/parity.js';
import { SnapshotStore } from '../../src/operations/snapshots/snapshotStore.js';
import { DecisionStore } from '../../src/operations/daemon/decisions.js';
import { parityStart } from '../../src/operations/parity/start.js';
import { getUniverse } from '../../src/selection/universes.js';
import { loadStrategyFile } from '../../src/strategy/index.js';
import { writeDemoStore } from '../backtest/demoStore.js';
import { loadRealBars } from '../support/realData.js';

/** A daily-regime, whole-share strategy with costs the paper broker charges too (slippage, no commission). */
export function writeReplayStrategy(dir: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'replay.strategy.json');
  writeFileSync(path, JSON.stringify({ name: 'replay-test', universe: 'technology', rebalance: 'monthly', regime: { model: 'sma200', mode: 'daily' }, costs: { commissionBps: 0, slippageBps: 5 }, wholeShares: true, accounts: [{ name: 'REPLAY' }], ...extra }));
  return path;
}

/**
 * The parity tests' strategy settings: live BUYs costed like the backtest's (slippage, not the
 * default 3% buffer), so a buy-only rescale does not hold back cash the backtest invests.
 */
export const PARITY_SETTINGS = { gates: { buyPriceBuffer: 0.0005 } };

export function demoSource(dir: string): string {
  if (!existsSync(join(dir, 'atlas.sqlite'))) writeDemoStore(dir, { from: '2003-01-02', to: '2010-12-31' });
  return dir;
}

/** A source store of the shared real data (ATLAS_REAL_DATA): SPY, VIX and the technology universe, as CSV files import them. */
export function realSource(dir: string): string {
  if (existsSync(join(dir, 'atlas.sqlite'))) return dir;
  const db = openDatabase(dir);
  try {
    const store = new BarStore(db, () => new Date('2025-01-02T00:00:00Z'));
    for (const symbol of ['SPY', 'VIX', ...getUniverse('technology').symbols]) store.replaceBars(symbol, 'csv', loadRealBars(symbol));
  } finally {
    db.close();
  }
  return dir;
}

/** The parity report of a replay directory's account against the backtest of the same strategy file over its snapshots. */
export function parityOf(dir: string, strategyFile: string, account = 'REPLAY'): ParityReport {
  const db = openDatabase(dir);
  try {
    const bars = new BarStore(db, () => new Date('2030-01-01T00:00:00Z'));
    const all = new SnapshotStore(db).between('paper', account, '0000-01-01', '9999-12-31');
    // As `atlas parity` does: from the account's first rebalance when it started between two.
    const snaps = parityStart(all, new DecisionStore(db).list(account).find((d) => d.kind === 'scan')?.session).snapshots;
    const bt = backtestOfStrategy(bars, loadStrategyFile(strategyFile), { from: snaps[0].session, to: snaps.at(-1)!.session, initialCash: snaps[0].equity });
    return buildParityReport({ account, broker: 'paper', snapshots: snaps, fills: fillShortfalls(new RunStore(db), bars, account, 'paper'), backtest: bt, shareFactor: shareFactorOf(bars), liveOrders: liveOrdersOf(new RunStore(db), account, 'paper') });
  } finally {
    db.close();
  }
}

/** One line of figures for the test log. */
export function parityLine(label: string, r: ParityReport, seconds: number): string {
  const within = r.orders.filter((o) => o.verdict === 'same' || o.verdict === 'within one share').length;
  return `${label}: replay ${seconds.toFixed(1)} s; orders within one share ${within}/${r.ordersTotal} (exact ${r.orders.filter((o) => o.verdict === 'same').length}); final equity gap ${((r.finalEquityGap ?? NaN) * 100).toFixed(4)}%; correlation ${r.correlation?.toFixed(6)}`;
}
