/**
 * Public types and default parameters of the regime layer (see docs/regime.md).
 */

import { DEFAULT_ALLOCATION, type Regime } from '../portfolio/allocation.js';

// One definition of the four regimes, shared with the allocation matrix and the gates.
export { REGIMES, type Regime } from '../portfolio/allocation.js';
export type JumpState = 'bull' | 'bear';

/** Why a day has no regime. */
export type NoRegimeReason = 'insufficient history' | 'feature undefined';

export interface RegimeParams {
  /** Annual risk-free rate; daily rf = (1 + rfAnnual)^(1/tradingDaysPerYear) - 1. */
  rfAnnual: number;
  tradingDaysPerYear: number;
  /** EWM half-lives (in returns) of DD, S20 and S60. */
  ddHalflife: number;
  s20Halflife: number;
  s60Halflife: number;
  /** Jump penalty lambda of the offline fit. */
  jumpPenalty: number;
  /** Switching penalty of the online greedy step. */
  onlinePenalty: number;
  /** k-means++ starts per fit, PRNG seed (mulberry32), iteration cap and objective tolerance. */
  nStarts: number;
  seed: number;
  maxIter: number;
  tol: number;
  /** Feature days in each training window; trading days between refits. */
  trainWindow: number;
  refitEvery: number;
  /** Expanding-window z-scores of DD and S20 need at least this many observations. */
  zMinObs: number;
  /** CRASH: bear state and ddZ > crashDdZ and s20Z < crashS20Z. */
  crashDdZ: number;
  crashS20Z: number;
  /** TREND_BULL: bull state and s20Z > bullS20Z. */
  bullS20Z: number;
  /** VIX layer: CRASH when VIX 1-session change > vixJump1d or 3-session change > vixJump3d. */
  vixJump1d: number;
  vixJump3d: number;
  /** Optional VIX level floor: the VIX layer fires only when VIX >= vixFloor. null = off. */
  vixFloor: number | null;
  /** Target equity exposure per regime. */
  allocation: Record<Regime, number>;
}

export const DEFAULT_REGIME_PARAMS: Readonly<RegimeParams> = Object.freeze({
  rfAnnual: 0.03,
  tradingDaysPerYear: 252,
  ddHalflife: 10,
  s20Halflife: 20,
  s60Halflife: 60,
  jumpPenalty: 15,
  onlinePenalty: 1.5,
  nStarts: 10,
  seed: 20240601,
  maxIter: 100,
  tol: 1e-6,
  trainWindow: 1000,
  refitEvery: 126,
  zMinObs: 60,
  crashDdZ: 2.5,
  crashS20Z: -0.9,
  bullS20Z: 0,
  vixJump1d: 0.2,
  vixJump3d: 0.5,
  // A floor of 20 removes the calm-market false alarms (Jan 2020: +25% from 14.6 to 18.2) without
  // costing a single March 2020 CRASH day; docs/regime.md has the measurements. null = off.
  vixFloor: 20,
  allocation: Object.freeze({ ...DEFAULT_ALLOCATION }),
});

export type RegimeParamsInput = Partial<Omit<RegimeParams, 'allocation'>> & { allocation?: Partial<Record<Regime, number>> };

export function resolveParams(p?: RegimeParamsInput): RegimeParams {
  const out: RegimeParams = { ...DEFAULT_REGIME_PARAMS, ...(p ?? {}), allocation: { ...DEFAULT_REGIME_PARAMS.allocation, ...(p?.allocation ?? {}) } };
  const posInt = (name: keyof RegimeParams, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`regime params: ${name} must be a positive integer, got ${v}`);
  };
  posInt('ddHalflife', out.ddHalflife);
  posInt('s20Halflife', out.s20Halflife);
  posInt('s60Halflife', out.s60Halflife);
  posInt('nStarts', out.nStarts);
  posInt('maxIter', out.maxIter);
  posInt('trainWindow', out.trainWindow);
  posInt('refitEvery', out.refitEvery);
  posInt('zMinObs', out.zMinObs);
  if (out.trainWindow < 3) throw new RangeError('regime params: trainWindow must be at least 3');
  if (!(out.jumpPenalty >= 0) || !(out.onlinePenalty >= 0)) throw new RangeError('regime params: penalties must be >= 0');
  return out;
}

/** One fit of the jump model. Centroids are in the fit's z-score units, row 0 = bull, row 1 = bear. */
export interface FitRecord {
  /** Day index and date of the fit (the last training day; the fit is used from this day on). */
  index: number;
  date: string;
  /** First and last training day (day indices / dates); trainDays feature days in between. */
  trainFromIndex: number;
  trainFrom: string;
  trainTo: string;
  trainDays: number;
  /** Training mean and sample std per feature [DD, S20, S60]. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Centroids in z units: bull = higher S20 centroid. */
  bull: [number, number, number];
  bear: [number, number, number];
  objective: number;
  iterations: number;
  /** Which of the k-means++ starts won (0-based). */
  bestStart: number;
  /** Number of state switches in the fitted training sequence. */
  switches: number;
}

export interface RegimeHistory {
  params: RegimeParams;
  dates: string[];
  regime: (Regime | null)[];
  /** Why regime is null (null when a regime exists). */
  reason: (NoRegimeReason | null)[];
  state: (JumpState | null)[];
  /** Regime of the jump model + z-score rules, before the VIX layer. */
  modelRegime: (Regime | null)[];
  allocation: (number | null)[];
  /** Daily excess return (NaN on day 0). */
  excessReturn: Float64Array;
  dd: Float64Array;
  s20: Float64Array;
  s60: Float64Array;
  ddZ: Float64Array;
  s20Z: Float64Array;
  vix: Float64Array;
  vixChange1d: Float64Array;
  vixChange3d: Float64Array;
  vixTrigger: boolean[];
  /** Index into fits of the fit in force on each day (-1 before the first fit). */
  fitIndex: Int32Array;
  fits: FitRecord[];
}
