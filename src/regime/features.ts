import { ewm } from './ewm.js';

/**
 * Daily features on day indices 0..n-1 (day 0 has no return).
 *
 * r_t = close_t / close_{t-1} - 1 - rf_d for t >= 1, rf_d = (1 + rfAnnual)^(1/252) - 1.
 * The EWMs run over the return sequence r_1, r_2, ... (return number j = t - 1, 0-based).
 * A feature with half-life h is undefined (NaN) for the first h returns, i.e. on days
 * t = 0..h (day 0 has no return, days 1..h hold returns 0..h-1) and first defined on day h + 1.
 *   DD_t  = sqrt(EWM_10(min(r,0)^2))
 *   S20_t = EWM_20(r) / sqrt(EWM_20(min(r,0)^2))   (NaN when the denominator is 0)
 *   S60_t = EWM_60(r) / sqrt(EWM_60(min(r,0)^2))   (NaN when the denominator is 0)
 */
export interface FeatureParams {
  rfAnnual: number;
  tradingDaysPerYear: number;
  ddHalflife: number;
  s20Halflife: number;
  s60Halflife: number;
}

export interface Features {
  excessReturn: Float64Array;
  dd: Float64Array;
  s20: Float64Array;
  s60: Float64Array;
}

export function dailyRiskFree(rfAnnual: number, daysPerYear: number): number {
  return Math.pow(1 + rfAnnual, 1 / daysPerYear) - 1;
}

export function excessReturns(close: ArrayLike<number>, rfAnnual: number, daysPerYear: number): Float64Array {
  const n = close.length;
  const rf = dailyRiskFree(rfAnnual, daysPerYear);
  const r = new Float64Array(n);
  if (n > 0) r[0] = NaN;
  for (let t = 1; t < n; t++) r[t] = close[t] / close[t - 1] - 1 - rf;
  return r;
}

/** Sortino-like ratio EWM_h(r) / sqrt(EWM_h(min(r,0)^2)) over the returns ret (no day-0 slot). */
function sortino(ret: Float64Array, down2: Float64Array, h: number): Float64Array {
  const num = ewm(ret, h);
  const den = ewm(down2, h);
  const out = new Float64Array(ret.length);
  for (let j = 0; j < ret.length; j++) {
    const d = Math.sqrt(den[j]);
    out[j] = d > 0 ? num[j] / d : NaN; // NaN stays NaN in the warm-up; 0 downside -> undefined
  }
  return out;
}

export function computeFeatures(close: ArrayLike<number>, p: FeatureParams): Features {
  const n = close.length;
  for (let t = 0; t < n; t++) {
    const c = close[t];
    if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`computeFeatures: close[${t}] = ${c} is not a positive number`);
  }
  const excessReturn = excessReturns(close, p.rfAnnual, p.tradingDaysPerYear);
  const m = Math.max(0, n - 1);
  const ret = excessReturn.subarray(1); // return j = day j + 1
  const down2 = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const d = Math.min(ret[j], 0);
    down2[j] = d * d;
  }
  const ddR = ewm(down2, p.ddHalflife);
  const s20R = sortino(ret, down2, p.s20Halflife);
  const s60R = sortino(ret, down2, p.s60Halflife);
  const dd = new Float64Array(n).fill(NaN);
  const s20 = new Float64Array(n).fill(NaN);
  const s60 = new Float64Array(n).fill(NaN);
  for (let j = 0; j < m; j++) {
    dd[j + 1] = Math.sqrt(ddR[j]);
    s20[j + 1] = s20R[j];
    s60[j + 1] = s60R[j];
  }
  return { excessReturn, dd, s20, s60 };
}
