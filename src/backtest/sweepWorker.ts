import { parentPort, workerData } from 'node:worker_threads';
import type { Panel } from '../data/panel.js';
import { precomputeMomentum } from '../selection/momentum52w.js';
import { runBacktest } from './engine.js';
import { computeMetrics } from './metrics.js';
import type { SweepPoint, WorkerInit } from './sweep.js';

const init = workerData as WorkerInit;
const panel: Panel = { dates: init.panel.dates, symbols: init.panel.symbols, dayNumbers: init.panel.dayNumbers, ...init.panel.fields };
const precomputed = precomputeMomentum(panel, 252);
const nDates = panel.dates.length;
const symbolIndex = new Map(panel.symbols.map((s, i) => [s, i] as const));
const dateIndex = new Map(panel.dates.map((d, i) => [d, i] as const));
const membership = init.membership;
const universe = membership
  ? { name: 'membership', symbols: panel.symbols, isMember: (sym: string, date: string) => membership[symbolIndex.get(sym)! * nDates + dateIndex.get(date)!] === 1 }
  : null;

parentPort!.on('message', (msg: { i: number; point: SweepPoint }) => {
  try {
    const { point } = msg;
    const f = init.fixed;
    const result = runBacktest(panel, point.regimeMode === 'off' ? null : init.regimes, {
      topN: point.topN, minDistance: point.minDistance, rebalance: point.rebalance, regimeMode: point.regimeMode,
      from: f.from, to: f.to, commissionBps: f.commissionBps, slippageBps: f.slippageBps, wholeShares: f.wholeShares, fill: f.fill,
      ...(point.config ?? {}),
      precomputed, universe,
      // Ranking configurations needs the metrics, not the per-rebalance gate report.
      liveGates: false,
    });
    const metrics = computeMetrics({ dates: result.dates, equity: result.equity, exposure: result.exposure, trades: result.trades, closedPositions: result.closedPositions }, { rfAnnual: f.rfAnnual ?? 0 });
    parentPort!.postMessage({ i: msg.i, result: { ...point, metrics } });
  } catch (err) {
    parentPort!.postMessage({ i: msg.i, error: err instanceof Error ? err.message : String(err) });
  }
});
