/**
 * Backtest benchmark: a seeded synthetic panel of 500 symbols x 6,300 sessions (about 25 years)
 * and a sticky random regime series, then one monthly-rebalance backtest with the regime layer on
 * in 'daily' mode (the most work per day). Reports the median of several runs:
 * - the backtest with the 52-week-high precomputation reused (as a parameter sweep does),
 * - the precomputation alone (rolling max over the whole panel),
 * - both together (a single cold run).
 */
import { runBacktest } from '../backtest/engine.js';
import { syntheticPanel, syntheticRegimes } from '../backtest/synthetic.js';
import { precomputeMomentum } from '../selection/momentum52w.js';
import { median, type BenchResult } from './timing.js';

const SYMBOLS = 500;
const SESSIONS = 6300;
const RUNS = 9;

export async function benchBacktest(): Promise<BenchResult[]> {
  const panel = syntheticPanel({ symbols: SYMBOLS, sessions: SESSIONS, seed: 20240601, gapProb: 0.001, lateListingProb: 0.2, delistProb: 0.1 });
  const regimes = syntheticRegimes(panel.dates, 7, 252);
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
  const reused = time(() => {
    const r = runBacktest(panel, regimes, { ...config, precomputed: pre });
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
    { name: 'backtest (precomputation reused, live gates on)', ms: median(reused), detail: `${shape}; ${trades} trades, final equity ${finalEquity.toFixed(0)}` },
    { name: 'backtest without the live-gate report (as sweeps run)', ms: median(noGates), detail: 'same run, liveGates: false' },
    { name: 'backtest (cold: highs on decision dates computed in the run)', ms: median(cold), detail: shape },
    { name: 'momentum precomputation, whole panel', ms: median(preOnly), detail: `monotonic-deque rolling 252-bar adjusted high over ${SYMBOLS * SESSIONS} cells (for reuse across runs)` },
  ];
}
