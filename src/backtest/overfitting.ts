/**
 * @module How much of a sweep's best result is luck (docs/overfitting.md): the deflated Sharpe ratio
 * of the best configuration and the probability of backtest overfitting over the daily returns of
 * every configuration (src/analytics), and rebalance timing luck: one configuration run at every
 * rebalance-day offset, with the spread of its outcomes.
 */
import { deflatedSharpe, deflatedSharpeOfBest, moments } from '../analytics/deflatedSharpe.js';
import { probabilityOfBacktestOverfitting } from '../analytics/pbo.js';
import type { Panel } from '../data/panel.js';
import { rebalancePeriodKey } from '../calendar/rebalanceSchedule.js';
import { runJobs, type SweepFixed, type SweepOptions, type SweepPoint, type SweepRegimes } from './sweep.js';

export interface DeflatedSharpeReport {
  /** Grid index of the configuration with the best per-period Sharpe ratio. */
  best: number;
  trials: number;
  observations: number;
  /** Per-period (daily) Sharpe ratio of the best configuration and the luck threshold SR0. */
  sharpe: number;
  expectedMaxSharpe: number;
  skew: number;
  kurtosis: number;
  /** Probability that the best configuration's true Sharpe ratio exceeds SR0. */
  dsr: number;
}

export interface PboReport {
  pbo: number;
  probabilityOfLoss: number;
  /** S: blocks of the CSCV split, and C(S, S/2) splits. */
  blocks: number;
  splits: number;
}

export interface OverfittingReport {
  deflatedSharpe: DeflatedSharpeReport | null;
  /** null with fewer than two configurations or too few sessions. */
  pbo: PboReport | null;
}

/**
 * Work budget of the CSCV (splits x configurations x blocks): analytics/pbo.ts sums per-block
 * sums, so a split costs O(N·S) whatever the number of sessions; S = 16 (12,870 splits) fits for
 * up to about 1,450 configurations (a 1,008-point sweep takes well under a second), and larger
 * sweeps step down to 14 or 12.
 */
const PBO_BUDGET = 3e8;

/** The largest even S in [4, 16] whose C(S, S/2) splits fit the budget for N configurations (and T >= 2S sessions). */
export function pboBlocks(configurations: number, sessions: number): number {
  let best = 0;
  for (let s = 4; s <= 16; s += 2) {
    if (sessions < 2 * s) break;
    if (combinationsCount(s, s / 2) * configurations * s <= PBO_BUDGET || s === 4) best = s;
  }
  return best;
}

function combinationsCount(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

export function overfittingReport(returns: readonly Float64Array[]): OverfittingReport {
  if (returns.length === 0 || returns[0].length < 3) return { deflatedSharpe: null, pbo: null };
  const d = deflatedSharpeOfBest(returns);
  const deflated: DeflatedSharpeReport = {
    best: d.best, trials: d.trials, observations: d.observations, sharpe: d.sharpe, expectedMaxSharpe: d.expectedMax, skew: d.skew, kurtosis: d.kurtosis, dsr: d.dsr,
  };
  const blocks = returns.length >= 2 ? pboBlocks(returns.length, returns[0].length) : 0;
  if (blocks === 0) return { deflatedSharpe: deflated, pbo: null };
  const p = probabilityOfBacktestOverfitting(returns, blocks);
  return { deflatedSharpe: deflated, pbo: { pbo: p.pbo, probabilityOfLoss: p.probabilityOfLoss, blocks: p.blocks, splits: p.splits } };
}

/**
 * The deflated Sharpe ratio of one chosen return series (a walk-forward's stitched out-of-sample
 * returns) against the trials it was chosen from: their count and the variance of their Sharpe ratios.
 */
export function deflatedSharpeOf(chosen: Float64Array, trials: readonly Float64Array[]): DeflatedSharpeReport | null {
  if (chosen.length < 3 || trials.length === 0) return null;
  const srs = trials.map((r) => {
    const m = moments(r);
    return m.std > 0 ? m.mean / m.std : Number.NaN;
  }).filter((x) => Number.isFinite(x));
  const mu = srs.reduce((a, b) => a + b, 0) / Math.max(1, srs.length);
  const v = srs.length > 1 ? srs.reduce((a, b) => a + (b - mu) ** 2, 0) / (srs.length - 1) : 0;
  const m = moments(chosen);
  const sr = m.std > 0 ? m.mean / m.std : Number.NaN;
  const d = deflatedSharpe({ sharpe: sr, trials: trials.length, varianceOfTrialSharpes: v, observations: m.n, skew: m.skew, kurtosis: m.kurtosis });
  return { best: -1, trials: d.trials, observations: d.observations, sharpe: d.sharpe, expectedMaxSharpe: d.expectedMax, skew: d.skew, kurtosis: d.kurtosis, dsr: d.dsr };
}

export interface Spread {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface TimingLuckReport {
  point: SweepPoint;
  /** Offsets 0..K-1 sessions after each period's first session; K = the shortest complete period. */
  offsets: { offset: number; cagr: number; sharpe: number; maxDrawdown: number; totalReturn: number }[];
  cagr: Spread;
  sharpe: Spread;
  maxDrawdown: Spread;
}

function spread(xs: readonly number[]): Spread {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { min: Math.min(...v), max: Math.max(...v), mean, std };
}

/** Sessions in the shortest period of `freq` that lies wholly inside [from, to] (the whole range when none does). */
export function offsetCount(dates: readonly string[], from: string, to: string, freq: SweepPoint['rebalance']): number {
  const idx: number[] = [];
  dates.forEach((d, i) => {
    if (d >= from && d <= to) idx.push(i);
  });
  let shortest = Infinity;
  let runStart = -1;
  for (let j = 1; j < idx.length; j++) {
    if (rebalancePeriodKey(dates[idx[j]], freq) === rebalancePeriodKey(dates[idx[j - 1]], freq)) continue;
    if (runStart >= 0) shortest = Math.min(shortest, j - runStart);
    runStart = j;
  }
  return Number.isFinite(shortest) ? shortest : Math.max(1, idx.length);
}

/** One configuration at every rebalance-day offset over [from, to]. */
export async function timingLuck(
  panel: Panel,
  regimes: SweepRegimes,
  point: SweepPoint,
  fixed: SweepFixed,
  options: SweepOptions = {},
): Promise<TimingLuckReport> {
  const from = fixed.from ?? panel.dates[0];
  const to = fixed.to ?? panel.dates[panel.dates.length - 1];
  const k = offsetCount(panel.dates, from, to, point.rebalance);
  const jobs = Array.from({ length: k }, (_, offset) => ({ point, offset }));
  const out = await runJobs(panel, regimes, jobs, fixed, { ...options, onProgress: undefined });
  const offsets = out.map((r, offset) => ({ offset, cagr: r.metrics.cagr, sharpe: r.metrics.sharpe, maxDrawdown: r.metrics.maxDrawdown, totalReturn: r.metrics.totalReturn }));
  return { point, offsets, cagr: spread(offsets.map((o) => o.cagr)), sharpe: spread(offsets.map((o) => o.sharpe)), maxDrawdown: spread(offsets.map((o) => o.maxDrawdown)) };
}
