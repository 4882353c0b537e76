import { computeMetrics, type BacktestMetrics } from './metrics.js';
import { prepareFor, runBacktest, type BacktestConfig, type BacktestResult, type RegimeSeries } from './engine.js';
import type { Panel } from '../data/panel.js';
import type { RegimeMode } from '../portfolio/targetWeights.js';

export type StrategyName = 'baseline' | 'regime-rebalance' | 'regime-daily';

export const STRATEGY_OF_MODE: Record<RegimeMode, StrategyName> = { off: 'baseline', rebalance: 'regime-rebalance', daily: 'regime-daily' };

export interface StrategyRun {
  name: StrategyName;
  mode: RegimeMode;
  result: BacktestResult;
  metrics: BacktestMetrics;
}

export interface Comparison {
  runs: StrategyRun[];
  benchmark: { name: 'SPY buy & hold'; dates: string[]; equity: Float64Array; metrics: BacktestMetrics } | null;
}

/**
 * Runs the backtest once per regime mode on the same data and SPY buy-and-hold over the same
 * sessions, with the same initial cash. The modes decide on the same dates, so with more than one
 * they share one preparation (the rankings on those dates); one mode prepares only what it needs.
 */
export function compareStrategies(panel: Panel, regimes: RegimeSeries | null, spy: Float64Array | null, modes: readonly RegimeMode[], config: BacktestConfig, options: { rfAnnual?: number } = {}): Comparison {
  const prepared = config.prepared ?? (modes.length > 1 ? prepareFor(panel, config) : undefined);
  const runs = modes.map((mode): StrategyRun => {
    // The baseline gets the regime series too: it never applies it, but its live-gate checks
    // must see the regime a live run on each rebalance date would have seen.
    const result = runBacktest(panel, regimes, { ...config, regimeMode: mode, prepared });
    // Per-regime returns follow the regime each run APPLIED (result.regime: null on every day of
    // the baseline, so all of it is NONE), not the model's daily regime.
    const metrics = computeMetrics(
      { dates: result.dates, equity: result.equity, exposure: result.exposure, trades: result.trades, closedPositions: result.closedPositions, regime: result.regime },
      options,
    );
    return { name: STRATEGY_OF_MODE[mode], mode, result, metrics };
  });
  let benchmark: Comparison['benchmark'] = null;
  if (spy && runs.length > 0) {
    const dates = runs[0].result.dates;
    const first = panel.dates.indexOf(dates[0]);
    const start = spy[first];
    if (start > 0) {
      const cash = runs[0].result.config.initialCash;
      const equity = new Float64Array(dates.length);
      let last = start;
      for (let i = 0; i < dates.length; i++) {
        const v = spy[first + i];
        if (v > 0) last = v;
        equity[i] = (cash * last) / start;
      }
      benchmark = { name: 'SPY buy & hold', dates, equity, metrics: computeMetrics({ dates, equity }, options) };
    }
  }
  return { runs, benchmark };
}

const GATE_NAMES = ['structure', 'buying power', 'position size', 'total allocation', 'market hours', 'symbol validity', 'regime compliance'];

/** "gate 3 (position size) WARN on 5 of 33 rebalances" lines, or one line saying all passed. */
export function liveGateSummary(run: StrategyRun): string {
  const rebalances = run.result.rebalances.filter((b) => b.gates);
  const parts: string[] = [];
  for (let g = 0; g < 7; g++) {
    for (const verdict of ['FAIL', 'WARN'] as const) {
      const count = rebalances.filter((b) => b.gates![g] === verdict).length;
      if (count > 0) parts.push(`gate ${g + 1} (${GATE_NAMES[g]}) ${verdict} on ${count}`);
    }
  }
  return `${run.name}: ${rebalances.length} rebalances; ${parts.length ? parts.join(', ') : 'every gate passed on every batch'}`;
}

/** One line per gate FAIL of a run, with its date and reason: "2008-10-01 gate 7 (regime compliance) FAIL: ...". */
export function liveGateFailures(run: StrategyRun): string[] {
  const out: string[] = [];
  for (const b of run.result.rebalances) {
    b.gates?.forEach((v, g) => {
      if (v === 'FAIL') out.push(`${b.date} gate ${g + 1} (${GATE_NAMES[g]}) FAIL: ${b.gateReasons?.[g] ?? 'no reason recorded'}`);
    });
  }
  return out;
}
