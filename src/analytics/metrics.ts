/**
 * Pure performance metrics of an equity curve or a return series, shared by the backtester and the
 * regime evaluation (both sit above this folder). Every formula is written out in docs/metrics.md.
 * Conventions: daily simple returns r_i = E_i / E_{i-1} - 1 (i = 1..N), 252 sessions a year,
 * calendar years = (last date - first date in days) / 365.25. A ratio whose denominator is zero
 * or undefined is NaN, never Infinity.
 */
import { toDayNumber } from '../core/dates.js';

export const TRADING_DAYS = 252;
export const DAYS_PER_YEAR = 365.25;

export function dailyReturns(equity: ArrayLike<number>): Float64Array {
  const r = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) r[i - 1] = equity[i] / equity[i - 1] - 1;
  return r;
}

export function mean(x: ArrayLike<number>): number {
  if (x.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample standard deviation (divisor n - 1); NaN with fewer than 2 values. */
export function sampleStd(x: ArrayLike<number>): number {
  if (x.length < 2) return NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (x.length - 1));
}

export function totalReturn(equity: ArrayLike<number>): number {
  return equity.length === 0 ? NaN : equity[equity.length - 1] / equity[0] - 1;
}

export function calendarYears(firstDate: string, lastDate: string): number {
  return (toDayNumber(lastDate) - toDayNumber(firstDate)) / DAYS_PER_YEAR;
}

/** (E_N / E_0)^(1 / years) - 1 with years = calendar days / 365.25. */
export function cagr(equity: ArrayLike<number>, firstDate: string, lastDate: string): number {
  const years = calendarYears(firstDate, lastDate);
  if (!(years > 0) || equity.length === 0) return NaN;
  const growth = equity[equity.length - 1] / equity[0];
  return growth > 0 ? growth ** (1 / years) - 1 : -1;
}

/** Sample std of daily returns x sqrt(252). */
export function annualVolatility(returns: ArrayLike<number>): number {
  return sampleStd(returns) * Math.sqrt(TRADING_DAYS);
}

/** mean(r - rf/252) / sampleStd(r - rf/252) x sqrt(252). */
export function sharpeRatio(returns: ArrayLike<number>, rfAnnual = 0): number {
  const rf = rfAnnual / TRADING_DAYS;
  // A plain loop: Float64Array.from with a map function costs more than the rest of the metrics.
  const ex = new Float64Array(returns.length);
  for (let i = 0; i < ex.length; i++) ex[i] = returns[i] - rf;
  const sd = sampleStd(ex);
  return sd > 0 ? (mean(ex) / sd) * Math.sqrt(TRADING_DAYS) : NaN;
}

/**
 * Downside deviation DD = sqrt( (1/N) x sum over ALL N days of min(0, r_i - rf/252)^2 )
 * (target = the daily risk-free rate; up days count as zero, the divisor is all days).
 * Sortino = mean(r - rf/252) / DD x sqrt(252).
 */
export function sortinoRatio(returns: ArrayLike<number>, rfAnnual = 0): number {
  const rf = rfAnnual / TRADING_DAYS;
  if (returns.length === 0) return NaN;
  let s = 0;
  let m = 0;
  for (let i = 0; i < returns.length; i++) {
    const e = returns[i] - rf;
    m += e;
    if (e < 0) s += e * e;
  }
  const dd = Math.sqrt(s / returns.length);
  return dd > 0 ? (m / returns.length / dd) * Math.sqrt(TRADING_DAYS) : NaN;
}

export interface Drawdown {
  /** Most negative E_i / max_{j<=i} E_j - 1 (0 when the curve never falls). */
  maxDrawdown: number;
  peakDate: string | null;
  troughDate: string | null;
  /** First date after the trough with equity >= the peak's; null when not recovered. */
  recoveryDate: string | null;
}

export function maxDrawdown(equity: ArrayLike<number>, dates: readonly string[]): Drawdown {
  let peak = -Infinity;
  let peakI = -1;
  let worst = 0;
  let wPeak = -1;
  let wTrough = -1;
  for (let i = 0; i < equity.length; i++) {
    if (equity[i] > peak) {
      peak = equity[i];
      peakI = i;
    }
    const dd = equity[i] / peak - 1;
    if (dd < worst) {
      worst = dd;
      wPeak = peakI;
      wTrough = i;
    }
  }
  if (wTrough < 0) return { maxDrawdown: 0, peakDate: null, troughDate: null, recoveryDate: null };
  let rec: string | null = null;
  for (let i = wTrough + 1; i < equity.length; i++) {
    if (equity[i] >= equity[wPeak]) {
      rec = dates[i];
      break;
    }
  }
  return { maxDrawdown: worst, peakDate: dates[wPeak], troughDate: dates[wTrough], recoveryDate: rec };
}

/** CAGR / |max drawdown|; NaN without a drawdown. */
export function calmarRatio(cagrValue: number, maxDd: number): number {
  return maxDd < 0 ? cagrValue / Math.abs(maxDd) : NaN;
}

/** Sum of traded notional / mean equity / calendar years: the share of the book traded per year. */
export function annualTurnover(tradedNotional: number, equity: ArrayLike<number>, firstDate: string, lastDate: string): number {
  const years = calendarYears(firstDate, lastDate);
  const avg = mean(equity);
  return years > 0 && avg > 0 ? tradedNotional / avg / years : NaN;
}
