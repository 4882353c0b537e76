/**
 * End-to-end benchmarks: a 500-symbol store on the demo market's sessions (with the demo's SPY and
 * VIX, so the regime layer runs), then
 * - `atlas backtest` from the CLI, store load included, in a fresh process (the whole process, as a
 *   user waits for it), once per regime mode: off, daily and compare (all three modes in one run);
 *   then the same commands again with `atlas resident` serving the store (cli/resident);
 * - a 1,000-configuration sweep on worker threads sharing one loaded panel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStrategyData } from '../backtest/strategyData.js';
import { gridPoints, runSweep } from '../backtest/sweep.js';
import { buildDemoMarket } from '../data/demo/market.js';
import type { DailyBar } from '../data/bar.js';
import { BarStore } from '../data/store/barStore.js';
import { openDatabase } from '../data/store/database.js';
import { staticUniverse } from '../selection/universes.js';
import { median, type BenchResult } from './timing.js';

const SYMBOLS = 500;

function buildStore(dir: string): string[] {
  const store = new BarStore(openDatabase(dir));
  const demo = buildDemoMarket();
  for (const s of demo.series.filter((x) => x.symbol === 'SPY' || x.symbol === 'VIX')) store.replaceBars(s.symbol, 'demo', s.bars);
  const dates = demo.series[0].bars.map((b) => b.date);
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const names: string[] = [];
  for (let s = 0; s < SYMBOLS; s++) {
    const name = `B${String(s).padStart(3, '0')}`;
    names.push(name);
    const start = s % 5 === 0 ? Math.floor(rand() * 3000) : 0;
    const drift = (rand() - 0.45) * 0.001;
    let p = 20 + rand() * 100;
    const bars: DailyBar[] = [];
    for (let i = start; i < dates.length; i++) {
      const o = p;
      p *= 1 + drift + (rand() - 0.5) * 0.04;
      bars.push({ date: dates[i], open: o, high: Math.max(o, p) * 1.005, low: Math.min(o, p) * 0.995, close: p, adjClose: p, volume: 1e6 });
    }
    store.replaceBars(name, 'bench', bars);
  }
  store.db.close();
  return names;
}

export async function benchPipeline(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-pipe-'));
  try {
    const names = buildStore(dir);
    const list = join(dir, 'universe.txt');
    writeFileSync(list, names.join('\n'));
    const bin = fileURLToPath(new URL('../../bin/atlas.js', import.meta.url));
    // Issue 13's targets for the whole process, per --regime-mode.
    const modes = [
      { mode: 'off', targetMs: 250 },
      { mode: 'daily', targetMs: 350 },
      { mode: 'compare', targetMs: 600 },
    ] as const;
    const backtest = (mode: string, env: NodeJS.ProcessEnv) => {
      const t0 = performance.now();
      execFileSync(process.execPath, [bin, '--data-dir', dir, 'backtest', '--universe-file', list, '--rebalance', 'monthly', '--regime-mode', mode, '--json'], { stdio: ['ignore', 'ignore', 'inherit'], env });
      return performance.now() - t0;
    };
    const local = { ...process.env, ATLAS_RESIDENT: 'off' };
    const cli = modes.map(({ mode, targetMs }) => ({ mode, targetMs, ms: median(Array.from({ length: 5 }, () => backtest(mode, local))) }));
    // The same commands with `atlas resident` serving the store (one run per mode to warm it first).
    execFileSync(process.execPath, [bin, '--data-dir', dir, 'resident', 'start', '--idle', '10'], { stdio: 'ignore' });
    let resident: { mode: string; targetMs: number; ms: number }[];
    try {
      for (const { mode } of modes) backtest(mode, process.env);
      resident = modes.map(({ mode, targetMs }) => ({ mode, targetMs, ms: median(Array.from({ length: 5 }, () => backtest(mode, process.env))) }));
    } finally {
      execFileSync(process.execPath, [bin, '--data-dir', dir, 'resident', 'stop'], { stdio: 'ignore' });
    }

    const store = new BarStore(openDatabase(dir));
    const universe = staticUniverse('bench', names, 'bench');
    const data = loadStrategyData(store, universe);
    const points = gridPoints({
      topN: [3, 5, 8, 10, 12, 15, 20, 25, 30, 40],
      minDistance: [0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 1.0],
      rebalance: ['semiannual', 'quarterly', 'monthly', 'semiannual', 'quarterly'].slice(0, 5) as ('semiannual' | 'quarterly' | 'monthly')[],
      regimeMode: ['off', 'daily'],
    }).slice(0, 1000);
    const t0 = performance.now();
    await runSweep(data.panel, data.regimes, points, {}, { workers: availableParallelism() });
    const sweepS = (performance.now() - t0) / 1000;
    store.db.close();
    return [
      ...cli.map(({ mode, targetMs, ms }) => ({
        name: `atlas backtest --regime-mode ${mode} (whole process)`,
        ms,
        detail: `${SYMBOLS} symbols x ${data.panel.dates.length} sessions, monthly, store load and JSON output included, median of 5; target <= ${targetMs} ms`,
      })),
      ...resident.map(({ mode, targetMs, ms }) => ({
        name: `atlas backtest --regime-mode ${mode} (whole process, atlas resident serving)`,
        ms,
        detail: `the same command while \`atlas resident\` holds the CLI and the panel in memory, median of 5 after one warm-up run; target <= ${targetMs} ms`,
      })),
      { name: `sweep of ${points.length} configurations`, ms: sweepS * 1000, detail: `${(points.length / sweepS).toFixed(1)} configurations/s on ${availableParallelism()} worker threads (${SYMBOLS} symbols)` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
