/**
 * @module Dashboard benchmark (issue 11's figures): the dashboard's start (token, read-only store,
 * listen) on a store holding 3 accounts x 10 years of daily snapshots; the server time of the
 * overview page on that store, cold (first render after a snapshot is written) and warm; the first
 * contentful paint of that page in chromium (when one is installed); and the size of the HTML
 * report of a 25-year, 3-strategy backtest on a synthetic 500-symbol panel (limit 2 MB).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareStrategies } from '../backtest/compare.js';
import { renderReport } from '../backtest/report/html.js';
import { syntheticPanel, syntheticRegimes } from '../backtest/synthetic.js';
import { sessionsBetween } from '../calendar/nyse.js';
import { systemClock } from '../core/clock.js';
import { startDashboard } from '../dashboard/server.js';
import { openDatabase } from '../data/store/database.js';
import { buildSnapshot } from '../operations/snapshots/snapshot.js';
import { SnapshotStore } from '../operations/snapshots/snapshotStore.js';
import { median, type BenchResult } from './timing.js';

function seedSnapshots(dir: string): number {
  const db = openDatabase(dir);
  const store = new SnapshotStore(db);
  const sessions = sessionsBetween('2015-01-02', '2024-12-31');
  const symbols = Array.from({ length: 10 }, (_, i) => `S${i}`);
  const prices = new Map(symbols.map((s, i) => [s, 50 + i]));
  const targets = Object.fromEntries(symbols.map((s) => [s, 0.09]));
  db.transaction(() => {
    for (const account of ['LARGE', 'MID', 'SMALL']) {
      sessions.forEach((session, k) => {
        store.write(buildSnapshot({ account, broker: 'paper', session, takenAt: new Date(`${session}T21:30:00Z`), source: 'history', strategyHash: null, cash: 10_000 + k, holdings: symbols.map((symbol) => ({ symbol, qty: 100 })), prices, targets, regime: k % 300 < 200 ? 'TREND_BULL' : 'TREND_BEAR', allocation: 1, spyClose: 400 }));
      });
    }
  })();
  db.close();
  return sessions.length;
}

/** Chromium for the first-paint figure: CHROMIUM_PATH or Debian's; none means the figure is skipped. */
function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
}

/** First contentful paint of `url` in headless chromium (the Performance API's own figure), median of `runs`. */
async function firstPaint(url: string, token: string, runs: number): Promise<number | string> {
  const executablePath = chromiumPath();
  if (!executablePath) return 'skipped: no chromium (set CHROMIUM_PATH)';
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch {
    return 'skipped: playwright-core is not installed';
  }
  const browser = await pw.chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    const paints: number[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await ctx.newPage();
      await page.goto(url, { waitUntil: 'load' });
      // Runs in the page; `globalThis.performance` is the page's.
      paints.push(await page.evaluate(() => globalThis.performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN));
      await page.close();
    }
    return median(paints);
  } finally {
    await browser.close();
  }
}

/** Start, overview server time (cold and warm) and first paint on 3 accounts x 10 years of snapshots. */
export async function benchDashboardServer(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-dash-'));
  const out: BenchResult[] = [];
  try {
    const sessions = seedSnapshots(dir);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const d = await startDashboard({ dataDir: dir, port: 0, clock: systemClock, strategyFiles: [] });
      starts.push(performance.now() - t0);
      await d.close();
    }
    out.push({ name: 'dashboard start', ms: median(starts), detail: 'token, read-only store, listen on 127.0.0.1 (limit 300 ms)' });

    const d = await startDashboard({ dataDir: dir, port: 0, clock: systemClock, strategyFiles: [] });
    const get = async () => {
      const t0 = performance.now();
      const r = await fetch(`${d.url}/`, { headers: { Authorization: `Bearer ${d.token}` } });
      await r.text();
      return performance.now() - t0;
    };
    await get(); // the first request of a process also compiles the page code
    // Cold: the first render after a snapshot was written (the page data is rebuilt).
    const writer = openDatabase(dir);
    const store = new SnapshotStore(writer);
    const next = sessionsBetween('2025-01-02', '2025-03-31');
    const cold: number[] = [];
    for (let i = 0; i < 9; i++) {
      store.write(buildSnapshot({ account: 'MID', broker: 'paper', session: next[i], takenAt: new Date(`${next[i]}T21:30:00Z`), source: 'live', strategyHash: null, cash: 20_000 + i, holdings: [], prices: new Map(), targets: {}, regime: 'TREND_BULL', allocation: 1, spyClose: 400 }));
      cold.push(await get());
    }
    writer.close();
    const warm: number[] = [];
    for (let i = 0; i < 9; i++) warm.push(await get());
    const paint = await firstPaint(`${d.url}/`, d.token, 5);
    await d.close();
    out.push({ name: 'dashboard overview (cold)', ms: median(cold), detail: `3 accounts x ${sessions} sessions of snapshots, first render after a snapshot is written (limit 50 ms)` });
    out.push({ name: 'dashboard overview (warm)', ms: median(warm), detail: 'same page again, store unchanged' });
    out.push(typeof paint === 'number'
      ? { name: 'dashboard overview first paint', ms: paint, detail: 'first-contentful-paint in headless chromium (limit 1 s)' }
      : { name: 'dashboard overview first paint', ms: Number.NaN, detail: paint });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Size of the HTML report of a 25-year, 3-strategy backtest on a synthetic 500-symbol panel. */
export function benchReportSize(): BenchResult[] {
  const panel = syntheticPanel({ symbols: 500, sessions: 6300, seed: 20240601, gapProb: 0.001, lateListingProb: 0.2, delistProb: 0.1 });
  const regimes = syntheticRegimes(panel.dates, 7, 252);
  const spy = Float64Array.from(panel.dates, (_, i) => 100 * Math.exp(i * 0.0003));
  const cmp = compareStrategies(panel, regimes, spy, ['off', 'rebalance', 'daily'], { rebalance: 'monthly' });
  const t0 = performance.now();
  const html = renderReport(cmp, { title: 'bench', universe: { name: 'synthetic', description: '500 symbols', missing: [] }, settings: {} });
  const ms = performance.now() - t0;
  const mb = Buffer.byteLength(html) / 1e6;
  return [{ name: 'report, 25 years x 3 strategies', ms, detail: `${mb.toFixed(2)} MB (limit 2 MB); ${cmp.runs.reduce((a, r) => a + r.result.trades.length, 0)} trades` }];
}

export async function benchDashboard(): Promise<BenchResult[]> {
  return [...(await benchDashboardServer()), ...benchReportSize()];
}
