/**
 * A demo-market store for the dashboard tests: the simulated market, a DEMO paper account holding
 * two stocks bought at the last session's close, daily snapshots for DEMO (the latest one built
 * from the broker's own positions, so `atlas positions --json` must agree with it) and for SMALL,
 * one alert, one recorded backtest with its report, one recorded sweep, and one completed paper rebalance (account RUN,
 * at the demo's simulated moment so its orders fill) whose `--json` the run page must agree with.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { demoMoment } from '../../src/cli/commands/demo.js';
import { ManualClock } from '../../src/core/clock.js';
import { sessionsBetween } from '../../src/calendar/nyse.js';
import { BarStore } from '../../src/data/store/barStore.js';
import { openDatabase } from '../../src/data/store/database.js';
import { PaperBroker } from '../../src/execution/brokers/paper/index.js';
import { FileAlertJournal } from '../../src/operations/alerts/journal.js';
import { buildSnapshot, type AccountSnapshot } from '../../src/operations/snapshots/snapshot.js';
import { SnapshotStore } from '../../src/operations/snapshots/snapshotStore.js';
import { atlasInProcess } from '../support/cliInProcess.js';
import { copyDemoStore } from '../support/demoFixture.js';

/** Debian's chromium, or undefined (then the browser tests skip and say why). */
export function findChromium(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  try {
    const p = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    return p || undefined;
  } catch {
    return undefined;
  }
}

export interface Fixture {
  dir: string;
  lastSession: string;
  reportPath: string;
  /** `atlas rebalance --json` of the completed run. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI JSON, read field by field in the tests
  run: any;
  /** `atlas sweep --json` of the recorded sweep. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI JSON
  sweep: any;
  /** Two accounts' strategy files naming different regime models (seed, sma200): the Regime page compares them. */
  strategyFiles: string[];
  snapshot(session: string, equityBump: number): AccountSnapshot;
}

export async function buildFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-dash-'));
  // The store `atlas data demo` writes (cached for the whole run), copied.
  await copyDemoStore(dir);
  const db = openDatabase(dir);
  const bars = new BarStore(db);
  const last = bars.symbolInfo('SPY')!.lastDate!;
  const broker = new PaperBroker({ db, bars, account: 'DEMO', initialCash: 100_000, clock: new ManualClock(`${last}T15:00:00Z`) });
  for (const [symbol, qty] of [['AAPL', 40], ['MSFT', 25]] as const) {
    const o = await broker.submitOrder({ symbol, side: 'buy', qty, type: 'market', timeInForce: 'day', clientOrderId: `dash-${symbol}` });
    await broker.waitForFill(o.id, { timeoutMs: 1000, pollMs: 1 });
  }
  const account = await broker.getAccount();
  const positions = await broker.getPositions();
  const snaps = new SnapshotStore(db);
  const sessions = sessionsBetween('2024-10-01', last);
  const spy = new Map(bars.getBars('SPY', sessions[0], last).map((b) => [b.date, b.close]));
  const targets = { AAPL: 0.1, MSFT: 0.08 };
  const make = (account: string, session: string, cash: number, holdings: { symbol: string; qty: number }[], prices: Map<string, number>) =>
    buildSnapshot({ account, broker: 'paper', session, takenAt: new Date(`${session}T21:30:00Z`), source: 'history', strategyHash: 'ab'.repeat(32), cash, holdings, prices, targets, regime: 'TREND_BULL', allocation: 1, spyClose: spy.get(session) ?? null });
  for (const [k, s] of sessions.slice(0, -1).entries()) {
    snaps.write(make('DEMO', s, 100_000 + k * 50, [], new Map()));
    snaps.write(make('SMALL', s, 25_000 + k * 10, [], new Map()));
  }
  const latest = buildSnapshot({
    account: 'DEMO', broker: 'paper', session: last, takenAt: new Date(`${last}T21:30:00Z`), source: 'live', strategyHash: 'ab'.repeat(32),
    cash: account.cash, holdings: positions.map((p) => ({ symbol: p.symbol, qty: p.qty })), prices: new Map(positions.map((p) => [p.symbol, p.currentPrice])),
    targets, regime: 'TREND_BULL', allocation: 1, spyClose: spy.get(last) ?? null,
  });
  snaps.write(latest);
  new FileAlertJournal(dir).append({ at: `${last}T21:40:00Z`, kind: 'snapshot', severity: 'info', title: 'Snapshots written for DEMO and SMALL', channel: 'log', outcome: 'delivered', attempts: 1 });
  db.close();
  const reportPath = join(dir, 'report.html');
  const bt = await atlasInProcess(['--data-dir', dir, 'backtest', '--universe', 'technology', '--regime', 'compare', '--report', reportPath]);
  if (bt.code !== 0) throw new Error(`backtest failed: ${bt.stderr}`);
  const grid = join(dir, 'grid.json');
  writeFileSync(grid, JSON.stringify({ topN: [3, 5], regimeMode: ['off', 'daily'] }));
  const sw = await atlasInProcess(['--data-dir', dir, 'sweep', '--universe', 'technology', '--grid', grid, '--from', '2016-01-04', '--workers', '0', '--json']);
  if (sw.code !== 0) throw new Error(`sweep failed: ${sw.stderr}`);
  const strategyFiles = [['large.strategy.json', 'seed', 'LARGE'], ['small.strategy.json', 'sma200', 'SMALL']].map(([file, model, account]) => {
    const path = join(dir, file);
    writeFileSync(path, JSON.stringify({ regime: { model }, accounts: [{ name: account, broker: 'paper' }] }));
    return path;
  });
  // Half an hour after the open of the session after the last bar, where the demo data is current (pre-flight P4).
  process.env.ATLAS_CLOCK = demoMoment(last).toISOString();
  let rb;
  try {
    rb = await atlasInProcess(['--data-dir', dir, 'rebalance', '--universe', 'technology', '--top-n', '5', '--account', 'RUN', '--yes', '--json', '--fill-timeout', '5']);
  } finally {
    delete process.env.ATLAS_CLOCK;
  }
  if (rb.code !== 0) throw new Error(`rebalance failed: ${rb.stderr}`);
  return {
    dir, lastSession: last, reportPath, run: JSON.parse(rb.stdout), sweep: JSON.parse(sw.stdout), strategyFiles,
    snapshot(session, equityBump) {
      return make('DEMO', session, latest.cash + equityBump, latest.positions.filter((p) => p.qty > 0).map((p) => ({ symbol: p.symbol, qty: p.qty })), new Map(latest.positions.map((p) => [p.symbol, p.price])));
    },
  };
}
