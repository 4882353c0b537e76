import { annualVolatility, cagr, calmarRatio, dailyReturns, maxDrawdown, sharpeRatio, totalReturn, type Drawdown } from '../analytics/metrics.js';
import { summariseRegimes, type RegimeCounts } from './summary.js';
import type { RegimeHistory } from './types.js';

export interface CurveStats {
  totalReturn: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  maxDrawdown: Drawdown;
  calmar: number;
}

export interface RegimeEvaluation {
  from: string;
  to: string;
  sessions: number;
  /** Sessions in the window whose exposure came from a day without a regime (held at 100%). */
  unclassifiedExposureDays: number;
  exposureChanges: number;
  averageExposure: number;
  strategy: CurveStats;
  buyAndHold: CurveStats;
  timeInRegime: RegimeCounts;
  byYear: Record<string, RegimeCounts>;
  /** Daily equity curves (start 1.0) for charts. */
  dates: string[];
  strategyEquity: number[];
  buyAndHoldEquity: number[];
}

function stats(equity: Float64Array, dates: string[], rfAnnual: number): CurveStats {
  const r = dailyReturns(equity);
  const dd = maxDrawdown(equity, dates);
  const c = cagr(equity, dates[0], dates[dates.length - 1]);
  return { totalReturn: totalReturn(equity), cagr: c, volatility: annualVolatility(r), sharpe: sharpeRatio(r, rfAnnual), maxDrawdown: dd, calmar: calmarRatio(c, dd.maxDrawdown) };
}

/**
 * The regime-scaled SPY strategy against buy-and-hold. The allocation known at the close of day
 * t is the exposure for the return from t to t+1 (applied from the next session: no look-ahead);
 * the rest is cash earning nothing. Gross of costs. A day without a regime keeps 100% exposure.
 */
export function evaluateRegime(history: RegimeHistory, spyAdjClose: ArrayLike<number>, from: string, to: string, options: { rfAnnual?: number } = {}): RegimeEvaluation {
  const idx: number[] = [];
  for (let i = 0; i < history.dates.length; i++) if (history.dates[i] >= from && history.dates[i] <= to) idx.push(i);
  const n = idx.length;
  const strat = new Float64Array(n);
  const bh = new Float64Array(n);
  strat[0] = bh[0] = 1;
  let unclassified = 0;
  let changes = 0;
  let expSum = 0;
  let prevExp = NaN;
  for (let k = 1; k < n; k++) {
    const i = idx[k];
    const a = history.allocation[i - 1];
    const exposure = a ?? 1;
    if (a === null) unclassified++;
    if (k > 1 && exposure !== prevExp) changes++;
    prevExp = exposure;
    expSum += exposure;
    const r = spyAdjClose[i] / spyAdjClose[i - 1] - 1;
    strat[k] = strat[k - 1] * (1 + exposure * r);
    bh[k] = bh[k - 1] * (1 + r);
  }
  const dates = idx.map((i) => history.dates[i]);
  const s = summariseRegimes(history, from, to);
  const rf = options.rfAnnual ?? 0;
  return {
    from: dates[0], to: dates[n - 1], sessions: n, unclassifiedExposureDays: unclassified, exposureChanges: changes,
    averageExposure: n > 1 ? expSum / (n - 1) : NaN,
    strategy: stats(strat, dates, rf), buyAndHold: stats(bh, dates, rf),
    timeInRegime: s.counts, byYear: s.byYear,
    dates, strategyEquity: Array.from(strat), buyAndHoldEquity: Array.from(bh),
  };
}
