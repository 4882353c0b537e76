/**
 * `atlas regime compare`: each model's regime-scaled SPY against buy-and-hold, in-sample and on a
 * hold-out period reported separately. The exposure decided at the close of day t-1 (the
 * allocation of its label) earns SPY's return of day t; an exposure change costs costBps per unit
 * of change on the day it takes effect; the rest is cash at 0%. A day whose decision had no regime
 * is held at 100% (counted). Metrics come from src/analytics (checked against quantstats).
 */
import { DEFAULT_BOOTSTRAP, type BootstrapOptions } from '../analytics/bootstrap.js';
import { cagr, calendarYears, calmarRatio, maxDrawdown, sharpeRatio, sortinoRatio } from '../analytics/metrics.js';
import { sharpeDiffBootstrap, type SharpeDiffBootstrap } from './compareBootstrap.js';
import type { Regime, RegimeHistory } from './types.js';

export interface CurveSummary {
  totalReturn: number;
  cagr: number;
  sharpe: number;
  sortino: number;
  maxDrawdown: number;
  calmar: number;
}

export interface PeriodResult {
  from: string;
  to: string;
  sessions: number;
  years: number;
  strategy: CurveSummary;
  buyAndHold: CurveSummary;
  exposureChanges: number;
  exposureChangesPerYear: number;
  averageExposure: number;
  /** Sessions whose exposure came from a day without a regime (held at 100%). */
  unclassifiedDays: number;
  daysPerLabel: Record<Regime | 'none', number>;
  crashDaysByYear: Record<string, number>;
  /** Sharpe(strategy) - Sharpe(buy-and-hold), and its block-bootstrap 90% interval. */
  sharpeDiff: number;
  sharpeDiffCI90: [number, number];
}

export interface ModelResult {
  model: string;
  inSample: PeriodResult | null;
  holdout: PeriodResult | null;
  /** March 2020 when it is in range: CRASH sessions of all sessions, and the month's returns. */
  march2020: { sessions: number; crash: number; strategyReturn: number; buyAndHoldReturn: number } | null;
}

export interface RegimeComparison {
  from: string;
  to: string;
  holdoutFrom: string | null;
  costBps: number;
  bootstrap: BootstrapOptions;
  /** How many models were compared on the hold-out: the more, the larger the selection bias of picking the best. */
  modelsComparedOnHoldout: number;
  models: ModelResult[];
}

export interface CompareOptions {
  from: string;
  to: string;
  holdoutFrom?: string;
  costBps?: number;
  bootstrap?: BootstrapOptions;
}

function summary(ret: Float64Array, dates: string[]): CurveSummary {
  const eq = new Float64Array(ret.length + 1);
  eq[0] = 1;
  for (let i = 0; i < ret.length; i++) eq[i + 1] = eq[i] * (1 + ret[i]);
  const c = cagr(eq, dates[0], dates[dates.length - 1]);
  const dd = maxDrawdown(eq, dates).maxDrawdown;
  return { totalReturn: eq[eq.length - 1] - 1, cagr: c, sharpe: sharpeRatio(ret), sortino: sortinoRatio(ret), maxDrawdown: dd, calmar: calmarRatio(c, dd) };
}

/** Daily exposure (decided the previous close), strategy and buy-and-hold returns on history days i0+1..i1. */
export function scaledReturns(h: RegimeHistory, spyAdjClose: ArrayLike<number>, i0: number, i1: number, costBps: number) {
  const n = i1 - i0;
  const strat = new Float64Array(n);
  const bh = new Float64Array(n);
  const exposure = new Float64Array(n);
  let unclassified = 0;
  let changes = 0;
  for (let k = 0; k < n; k++) {
    const i = i0 + 1 + k;
    const a = h.allocation[i - 1];
    if (a === null) unclassified++;
    const e = a ?? 1;
    exposure[k] = e;
    const r = spyAdjClose[i] / spyAdjClose[i - 1] - 1;
    const delta = k > 0 ? Math.abs(e - exposure[k - 1]) : 0;
    if (delta > 0) changes++;
    strat[k] = e * r - (costBps / 10000) * delta;
    bh[k] = r;
  }
  return { strat, bh, exposure, unclassified, changes };
}

/** The bootstrap of one period, shared by every model (buy-and-hold and the draws are the same for all). */
type BootstrapFor = (i0: number, i1: number, bh: Float64Array) => SharpeDiffBootstrap;

function period(h: RegimeHistory, spy: ArrayLike<number>, i0: number, i1: number, costBps: number, bootstrapFor: BootstrapFor): PeriodResult {
  const dates = h.dates.slice(i0, i1 + 1);
  const { strat, bh, exposure, unclassified, changes } = scaledReturns(h, spy, i0, i1, costBps);
  const years = calendarYears(dates[0], dates[dates.length - 1]);
  const daysPerLabel = { TREND_BULL: 0, TREND_NEUTRAL: 0, TREND_BEAR: 0, CRASH: 0, none: 0 } as Record<Regime | 'none', number>;
  const crashDaysByYear: Record<string, number> = {};
  for (let i = i0; i <= i1; i++) {
    const r = h.regime[i];
    daysPerLabel[r ?? 'none']++;
    const y = h.dates[i].slice(0, 4);
    crashDaysByYear[y] = (crashDaysByYear[y] ?? 0) + (r === 'CRASH' ? 1 : 0);
  }
  let expSum = 0;
  for (let k = 0; k < exposure.length; k++) expSum += exposure[k];
  const s = summary(strat, dates);
  const b = summary(bh, dates);
  return {
    from: dates[0], to: dates[dates.length - 1], sessions: dates.length, years,
    strategy: s, buyAndHold: b,
    exposureChanges: changes, exposureChangesPerYear: years > 0 ? changes / years : NaN,
    averageExposure: exposure.length ? expSum / exposure.length : NaN, unclassifiedDays: unclassified,
    daysPerLabel, crashDaysByYear,
    sharpeDiff: s.sharpe - b.sharpe,
    sharpeDiffCI90: bootstrapFor(i0, i1, bh).interval(strat, 0.9),
  };
}

function range(dates: readonly string[], from: string, to: string): [number, number] | null {
  let i0 = -1;
  let i1 = -1;
  for (let i = 0; i < dates.length; i++) {
    if (dates[i] < from || dates[i] > to) continue;
    if (i0 < 0) i0 = i;
    i1 = i;
  }
  return i0 >= 0 && i1 > i0 ? [i0, i1] : null;
}

/**
 * Compares models that were computed on the same SPY sessions. spyAdjClose is aligned with the
 * histories' dates. The hold-out period starts at holdoutFrom; the in-sample period ends the session before.
 */
export function compareRegimeModels(histories: readonly RegimeHistory[], spyAdjClose: ArrayLike<number>, opts: CompareOptions): RegimeComparison {
  if (histories.length === 0) throw new RangeError('compareRegimeModels: no models');
  const dates = histories[0].dates;
  for (const h of histories) {
    if (h.dates.length !== dates.length || h.dates[h.dates.length - 1] !== dates[dates.length - 1]) throw new RangeError(`compareRegimeModels: ${h.model} was computed on other sessions`);
  }
  if (spyAdjClose.length !== dates.length) throw new RangeError('compareRegimeModels: SPY closes not aligned with the histories');
  const costBps = opts.costBps ?? 5;
  const boot = opts.bootstrap ?? { ...DEFAULT_BOOTSTRAP };
  const ho = opts.holdoutFrom ?? null;
  const inRange = range(dates, opts.from, ho !== null ? prevDay(dates, ho) : opts.to);
  const hoRange = ho !== null ? range(dates, ho, opts.to) : null;
  const marchRange = range(dates, '2020-03-01', '2020-03-31');
  const boots = new Map<string, SharpeDiffBootstrap>();
  const bootstrapFor: BootstrapFor = (i0, i1, bh) => {
    const key = `${i0}:${i1}`;
    let b = boots.get(key);
    if (!b) boots.set(key, (b = sharpeDiffBootstrap(bh, boot)));
    return b;
  };
  const models = histories.map((h): ModelResult => {
    let march2020: ModelResult['march2020'] = null;
    if (marchRange && marchRange[0] > 0 && dates[marchRange[0]] >= opts.from && dates[marchRange[1]] <= opts.to) {
      const [m0, m1] = marchRange;
      const { strat, bh } = scaledReturns(h, spyAdjClose, m0 - 1, m1, costBps);
      const grow = (r: Float64Array) => r.reduce((g, x) => g * (1 + x), 1) - 1;
      let crash = 0;
      for (let i = m0; i <= m1; i++) if (h.regime[i] === 'CRASH') crash++;
      march2020 = { sessions: m1 - m0 + 1, crash, strategyReturn: grow(strat), buyAndHoldReturn: grow(bh) };
    }
    return {
      model: h.model,
      inSample: inRange ? period(h, spyAdjClose, inRange[0], inRange[1], costBps, bootstrapFor) : null,
      holdout: hoRange ? period(h, spyAdjClose, hoRange[0], hoRange[1], costBps, bootstrapFor) : null,
      march2020,
    };
  });
  return { from: opts.from, to: opts.to, holdoutFrom: ho, costBps, bootstrap: boot, modelsComparedOnHoldout: hoRange ? histories.length : 0, models };
}

/** The last session date before `date` ('' when none). */
function prevDay(dates: readonly string[], date: string): string {
  let out = '';
  for (const d of dates) if (d < date) out = d;
  return out;
}

