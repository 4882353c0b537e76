/**
 * Public types and default parameters of the regime layer (see docs/regime.md).
 */

import { DEFAULT_ALLOCATION, type Regime } from './labels.js';

// One definition of the four regimes, shared with the allocation matrix and the gates.
export { REGIMES, type Regime } from './labels.js';
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
  // The fields below shape the v2 models (src/regime/models/); the `seed` model ignores them.
  /** Training window: the trailing trainWindow feature days, or every feature day so far (first fit at trainWindow). */
  windowMode: 'rolling' | 'expanding';
  /** 'sessions': refit every refitEvery sessions; 'half-year': refit on the first session of January and July. */
  refitSchedule: 'sessions' | 'half-year';
  /** Clip each feature at mean +/- clipSd sample std of the training window before standardising; 0 = off. */
  clipSd: number;
  /** jm-vote: the jump penalties that vote (bull when at least half say bull). */
  voteLambdas: number[];
  /** sma: SPY above its moving average of smaLength sessions ('days') or month-end closes ('months'). */
  smaLength: number;
  smaUnit: 'days' | 'months';
  /** 'override': a VIX trigger makes any day CRASH (seed); 'bear-only': CRASH needs the bear state. */
  vixMode: 'override' | 'bear-only';
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
  windowMode: 'rolling',
  refitSchedule: 'sessions',
  clipSd: 0,
  voteLambdas: Object.freeze([5, 10, 20, 30, 50, 75, 100, 150]) as unknown as number[],
  smaLength: 200,
  smaUnit: 'days',
  vixMode: 'override',
});

/** The two-level exposure map: bull labels fully invested, bear labels in cash. */
export const TWO_LEVEL_ALLOCATION: Readonly<Record<Regime, number>> = Object.freeze({ TREND_BULL: 1, TREND_NEUTRAL: 1, TREND_BEAR: 0, CRASH: 0 });

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
  const oneOf = (name: keyof RegimeParams, v: unknown, allowed: readonly string[]) => {
    if (!allowed.includes(v as string)) throw new RangeError(`regime params: ${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  };
  oneOf('windowMode', out.windowMode, ['rolling', 'expanding']);
  oneOf('refitSchedule', out.refitSchedule, ['sessions', 'half-year']);
  oneOf('smaUnit', out.smaUnit, ['days', 'months']);
  oneOf('vixMode', out.vixMode, ['override', 'bear-only']);
  posInt('smaLength', out.smaLength);
  if (!(out.clipSd >= 0)) throw new RangeError(`regime params: clipSd must be >= 0, got ${out.clipSd}`);
  if (!Array.isArray(out.voteLambdas) || out.voteLambdas.length === 0 || !out.voteLambdas.every((l) => typeof l === 'number' && l >= 0)) {
    throw new RangeError('regime params: voteLambdas must be a non-empty list of penalties >= 0');
  }
  out.voteLambdas = [...out.voteLambdas];
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
  /** v2 models: the fit's jump penalty and the raw-feature clip bounds applied before z-scoring. */
  lambda?: number;
  clipLo?: [number, number, number];
  clipHi?: [number, number, number];
}

export interface RegimeHistory {
  /** Which registered model produced it (src/regime/models/registry.ts). */
  model: string;
  params: RegimeParams;
  /** jm-vote: how many of the voters say bull on each day (null without a regime); null for other models. */
  votes: (number | null)[] | null;
  voters: number;
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
