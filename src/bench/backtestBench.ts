/**
 * Backtest and research benchmarks on a seeded synthetic panel of 500 symbols x 6,300 sessions
 * (about 25 years) and a sticky random regime series:
 * - one monthly-rebalance backtest with the regime layer in 'daily' mode (the most work per day),
 *   in memory with the live-gate verdicts reported (target <= 30 ms), without the gate report,
 *   and cold (highs on the decision dates computed in the run); the whole-panel precomputation;
 * - a sweep of 1,008 configurations on 2 worker threads and on 1 (targets: >= 500 per second,
 *   2 workers >= 1.8x one, peak memory <= 500 MB): timed on threads that a warm-up sweep started
 *   (sweeps keep their threads, src/backtest/sweepPool.ts), with CPU time per configuration, since
 *   wall time on a shared machine says little; and once cold in a process of its own (thread
 *   start-up and JIT included), whose peak resident memory is the sweep's own;
 * - a walk-forward of 16 windows x 200 configurations (5-year training, 1-year test).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { liveGateSummary } from '../backtest/compare.js';
import { runBacktest } from '../backtest/engine.js';
import { gridPoints, runSweep } from '../backtest/sweep.js';
import { syntheticPanel, syntheticRegimes } from '../backtest/synthetic.js';
import { walkForward } from '../backtest/walkforward.js';
import { precomputeMomentum } from '../selection/momentum52w.js';
import { median, type BenchResult } from './timing.js';

const SYMBOLS = 500;
const SESSIONS = 6300;
const RUNS = 9;

/** The 1,008-configuration grid of the sweep target: 14 topN x 8 minDistance x 3 rebalances x 3 regime modes. */
export const SWEEP_GRID = {
  topN: [3, 5, 6, 8, 10, 12, 14, 15, 16, 18, 20, 25, 30, 40],
  minDistance: [0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.95, 0.98],
  rebalance: ['semiannual', 'quarterly', 'monthly'] as ('semiannual' | 'quarterly' | 'monthly')[],
  regimeMode: ['off', 'rebalance', 'daily'] as ('off' | 'rebalance' | 'daily')[],
};

/** 200 configurations for the walk-forward figure: 10 topN x 5 minDistance x 2 rebalances x 2 regime modes. */
export const WALK_FORWARD_GRID = {
  topN: [3, 5, 8, 10, 12, 15, 20, 25, 30, 40],
  minDistance: [0.8, 0.85, 0.9, 0.95, 0.98],
  rebalance: ['quarterly', 'monthly'] as ('quarterly' | 'monthly')[],
  regimeMode: ['off', 'daily'] as ('off' | 'daily')[],
};

export function benchPanel() {
  const panel = syntheticPanel({ symbols: SYMBOLS, sessions: SESSIONS, seed: 20240601, gapProb: 0.001, lateListingProb: 0.2, delistProb: 0.1 });
  return { panel, regimes: syntheticRegimes(panel.dates, 7, 252) };
}

export async function benchBacktest(): Promise<BenchResult[]> {
  const { panel, regimes } = benchPanel();
  const config = { rebalance: 'monthly' as const, regimeMode: 'daily' as const };
  const pre = precomputeMomentum(panel);
  // Warm-up so the JIT has compiled the hot loops.
  for (let i = 0; i < 2; i++) runBacktest(panel, regimes, { ...config, precomputed: pre });

  // Each figure in its own loop so one measurement's garbage does not land in another's.
  const time = (fn: () => void): number[] => {
    const out: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      fn();
      out.push(performance.now() - t0);
    }
    return out;
  };
  let trades = 0;
  let finalEquity = 0;
  let gateLine = '';
  const reported = time(() => {
    const r = runBacktest(panel, regimes, { ...config, precomputed: pre });
    // "Reported": the per-gate verdict counts atlas backtest prints for every run.
    gateLine = liveGateSummary({ name: 'regime-daily', mode: 'daily', result: r, metrics: undefined as never });
    trades = r.trades.length;
    finalEquity = r.equity[r.equity.length - 1];
  });
  await Promise.resolve();
  const noGates = time(() => runBacktest(panel, regimes, { ...config, precomputed: pre, liveGates: false }));
  await Promise.resolve();
  const cold = time(() => runBacktest(panel, regimes, config));
  await Promise.resolve();
  const preOnly = time(() => precomputeMomentum(panel));
  const shape = `${SYMBOLS} symbols x ${SESSIONS} sessions, monthly rebalance, regime daily, median of ${RUNS}`;
  return [
    { name: 'backtest in memory, live gates reported', ms: median(reported), detail: `${shape}; ${trades} trades, final equity ${finalEquity.toFixed(0)}; ${gateLine.slice(0, 80)}; target <= 30 ms` },
    { name: 'backtest without the live-gate report', ms: median(noGates), detail: 'same run, liveGates: false' },
    { name: 'backtest (cold: highs on decision dates computed in the run)', ms: median(cold), detail: shape },
    { name: 'momentum precomputation, whole panel', ms: median(preOnly), detail: `rolling 252-bar adjusted high over ${SYMBOLS * SESSIONS} cells (for reuse across runs)` },
    ...(await benchResearch(panel, regimes)),
  ];
}

/**
 * One sweep of SWEEP_GRID on 2 workers in a new process that builds the bench panel first: the
 * sweep's own peak memory (resident, every thread) and its cold wall time.
 */
function coldSweep(): { ms: number; peakMb: number; panelMb: number } {
  const bench = fileURLToPath(import.meta.url);
  const sweepMod = fileURLToPath(new URL('../backtest/sweep.js', import.meta.url));
  const script = `
    const { benchPanel, SWEEP_GRID } = await import(${JSON.stringify(pathToFileURL(bench).href)});
    const { gridPoints, runSweep } = await import(${JSON.stringify(pathToFileURL(sweepMod).href)});
    const { panel, regimes } = benchPanel();
    const panelMb = process.memoryUsage().rss / 2 ** 20;
    const t0 = performance.now();
    await runSweep(panel, regimes, gridPoints(SWEEP_GRID), {}, { workers: 2 });
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, panelMb, peakMb: process.resourceUsage().maxRSS / 1024 }));`;
  // A file, not `-e`: the sweep's worker threads inherit the process's flags, and `--input-type` is refused for a file.
  const dir = mkdtempSync(join(tmpdir(), 'atlas-sweep-bench-'));
  try {
    const file = join(dir, 'sweep.mjs');
    writeFileSync(file, script);
    return JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' })) as { ms: number; peakMb: number; panelMb: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sweep and walk-forward figures (on the same panel). */
export async function benchResearch(panel = benchPanel().panel, regimes = benchPanel().regimes): Promise<BenchResult[]> {
  const points = gridPoints(SWEEP_GRID);
  // CPU of the whole process (every thread) per configuration: what the sweep costs on a machine
  // whose other jobs stretch the wall time.
  const cpuMs: Record<number, number> = {};
  const sweep = async (workers: number) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await runSweep(panel, regimes, points, {}, { workers });
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    cpuMs[workers] = Math.min(cpuMs[workers] ?? Infinity, (c.user + c.system) / 1000 / points.length);
    return s;
  };
  await sweep(2); // warm-up: worker start-up and the JIT (the threads stay for the next sweeps)
  const two = Math.min(await sweep(2), await sweep(2));
  const one = Math.min(await sweep(1), await sweep(1));
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const cold = coldSweep();

  const wfPoints = gridPoints(WALK_FORWARD_GRID);
  const t0 = performance.now();
  const wf = await walkForward(panel, regimes, wfPoints, {}, { trainMonths: 60, testMonths: 12, anchored: false, objective: 'sharpe', maxWindows: 16 }, { workers: 2 });
  const wfS = (performance.now() - t0) / 1000;
  return [
    { name: `sweep of ${points.length} configurations, 2 workers`, ms: two * 1000, detail: `${(points.length / two).toFixed(0)} configurations/s (target >= 500); best of 2; CPU ${cpuMs[2].toFixed(2)} ms per configuration` },
    { name: `sweep of ${points.length} configurations, 1 worker`, ms: one * 1000, detail: `${(points.length / one).toFixed(0)} configurations/s; 2 workers = ${(one / two).toFixed(2)}x one (target >= 1.8x); CPU ${cpuMs[1].toFixed(2)} ms per configuration` },
    { name: `sweep of ${points.length} configurations, 2 workers, fresh process`, ms: cold.ms, detail: `${(points.length / (cold.ms / 1000)).toFixed(0)} configurations/s cold (thread start-up and JIT included); peak RSS ${cold.peakMb.toFixed(0)} MB with the panel (${cold.panelMb.toFixed(0)} MB before the sweep; target <= 500 MB)` },
    { name: 'bench process peak memory', ms: NaN, detail: `${peakMb.toFixed(0)} MB resident at its peak so far (every figure above, not the sweep alone)` },
    { name: `walk-forward ${wf.windows.length} windows x ${wfPoints.length} configurations`, ms: wfS * 1000, detail: `5y train / 1y test, 2 workers, with DSR, PBO (${wf.overfitting.pbo?.blocks ?? 0} blocks) and timing luck (${wf.timingLuck?.offsets.length ?? 0} offsets)` },
  ];
}
