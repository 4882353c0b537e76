/**
 * @module Walk-forward analysis: choose the best configuration of a grid on each training window,
 * trade it on the following test window, and stitch the test windows into one out-of-sample
 * equity curve. Windows are laid on the calendar from the first session: test window k starts
 * train + k x test months after it; a rolling training window is the `train` months before its
 * test window, an anchored one starts at the first session. The choice for window k reads only
 * sessions before its test start (each training run ends the session before). docs/backtest.md
 * describes the report: in-sample vs out-of-sample degradation, the configuration chosen per
 * window, stability, and the overfitting statistics of docs/overfitting.md.
 */
import { AtlasError } from '../core/errors.js';
import type { Panel } from '../data/panel.js';
import { computeMetrics, type BacktestMetrics } from './metrics.js';
import { deflatedSharpeOf, overfittingReport, timingLuck, type DeflatedSharpeReport, type OverfittingReport, type TimingLuckReport } from './overfitting.js';
import { runJobs, type SweepFixed, type SweepJob, type SweepOptions, type SweepPoint, type SweepRegimes } from './sweep.js';

export type Objective = 'sharpe' | 'calmar' | 'cagr';
export const OBJECTIVES: readonly Objective[] = ['sharpe', 'calmar', 'cagr'];

/** "5y", "18m" -> months. */
export function parseDuration(raw: string, flag: string): number {
  const m = /^(\d+)\s*(y|m)$/i.exec(raw.trim());
  const months = m ? Number(m[1]) * (m[2].toLowerCase() === 'y' ? 12 : 1) : NaN;
  if (!(months >= 1)) throw new AtlasError(`${flag} must be a whole number of years or months such as 5y or 18m, got "${raw}".`, { code: 'BAD_FLAG' });
  return months;
}

/** ISO date plus whole months (the day clamped to the month's length). */
export function addMonths(iso: string, months: number): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7)) - 1 + months;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(yy, mm + 1, 0)).getUTCDate();
  const dd = Math.min(Number(iso.slice(8, 10)), last);
  return `${String(yy).padStart(4, '0')}-${String(mm + 1).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

export interface WalkForwardWindow {
  index: number;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
}

export interface WindowOptions {
  trainMonths: number;
  testMonths: number;
  anchored: boolean;
  from?: string;
  to?: string;
  /** Keep at most this many windows (the first ones). */
  maxWindows?: number;
}

/** The windows over the panel's sessions (see the module comment); a last partial test window is kept. */
export function walkForwardWindows(dates: readonly string[], o: WindowOptions): WalkForwardWindow[] {
  const from = o.from ?? dates[0];
  const to = o.to ?? dates[dates.length - 1];
  const first = dates.findIndex((d) => d >= from);
  if (first < 0) return [];
  const onOrAfter = (iso: string): number => {
    const i = dates.findIndex((d) => d >= iso);
    return i < 0 ? dates.length : i;
  };
  const out: WalkForwardWindow[] = [];
  for (let k = 0; ; k++) {
    if (o.maxWindows !== undefined && out.length >= o.maxWindows) break;
    const nominal = addMonths(dates[first], o.trainMonths + k * o.testMonths);
    const testStart = onOrAfter(nominal);
    if (testStart >= dates.length || dates[testStart] > to) break;
    const nextStart = onOrAfter(addMonths(dates[first], o.trainMonths + (k + 1) * o.testMonths));
    let testEnd = nextStart - 1;
    while (testEnd >= testStart && dates[testEnd] > to) testEnd--;
    const trainStart = o.anchored ? first : Math.max(first, onOrAfter(addMonths(nominal, -o.trainMonths)));
    if (testStart - 1 < trainStart) continue;
    out.push({ index: out.length, trainFrom: dates[trainStart], trainTo: dates[testStart - 1], testFrom: dates[testStart], testTo: dates[testEnd] });
  }
  return out;
}

/** The objective's value (higher is better); NaN ranks last. */
export function objectiveValue(m: BacktestMetrics, objective: Objective): number {
  const v = objective === 'sharpe' ? m.sharpe : objective === 'calmar' ? m.calmar : m.cagr;
  return Number.isFinite(v) ? v : -Infinity;
}

/** Grid index of the best configuration (ties: the first in grid order). */
export function bestIndex(metrics: readonly BacktestMetrics[], objective: Objective): number {
  let best = 0;
  for (let i = 1; i < metrics.length; i++) if (objectiveValue(metrics[i], objective) > objectiveValue(metrics[best], objective)) best = i;
  return best;
}

export interface WindowResult extends WalkForwardWindow {
  chosen: number;
  point: SweepPoint;
  /** The objective of the chosen configuration in sample (training) and out of sample (test). */
  inSample: number;
  outOfSample: number;
  /** Where the chosen configuration ranked among all on the test window: 1 = best, N = worst. */
  outOfSampleRank: number;
  test: BacktestMetrics;
}

export interface WalkForwardReport {
  objective: Objective;
  anchored: boolean;
  trainMonths: number;
  testMonths: number;
  configurations: number;
  windows: WindowResult[];
  /** The test windows chained: each starts where the previous ended (its returns compounded). */
  stitched: { dates: string[]; equity: Float64Array; metrics: BacktestMetrics };
  degradation: {
    meanInSample: number;
    meanOutOfSample: number;
    /** meanOutOfSample / meanInSample (1 = no degradation; NaN when in-sample is not positive). */
    efficiency: number;
    /** Mean of (rank - 1) / (N - 1) of the chosen configuration on the test windows (0 = always best, 0.5 = a coin). */
    meanOutOfSampleRankPct: number;
  };
  stability: {
    /** Windows whose choice differs from the previous window's. */
    changes: number;
    /** The configuration chosen most often (ties: the first in grid order) and its share of the windows. */
    modal: SweepPoint;
    modalShare: number;
    /** Distinct values chosen per parameter. */
    distinct: { topN: number; minDistance: number; rebalance: number; regimeMode: number };
  };
  /** DSR and PBO of the grid over the whole span (first training start to last test end). */
  overfitting: OverfittingReport;
  /** DSR of the stitched out-of-sample returns against the grid's trials over the same span. */
  outOfSampleDeflatedSharpe: DeflatedSharpeReport | null;
  /** The modal configuration at every rebalance-day offset over the whole span. */
  timingLuck: TimingLuckReport | null;
}

export interface WalkForwardOptions extends WindowOptions {
  objective: Objective;
  /** false skips rebalance timing luck. */
  timingLuck?: boolean;
  /** false skips the whole-span runs behind the deflated Sharpe ratio and PBO. */
  statistics?: boolean;
}

export async function walkForward(
  panel: Panel,
  regimes: SweepRegimes,
  points: readonly SweepPoint[],
  fixed: SweepFixed,
  o: WalkForwardOptions,
  run: SweepOptions = {},
): Promise<WalkForwardReport> {
  if (points.length === 0) throw new AtlasError('The grid has no configurations.', { code: 'BAD_GRID' });
  const windows = walkForwardWindows(panel.dates, o);
  if (windows.length === 0) {
    throw new AtlasError(`No walk-forward window fits: the data needs more than ${o.trainMonths} months of training before a test window; shorten --train or load more history.`, { code: 'NO_WINDOWS' });
  }
  const n = points.length;
  // Every configuration on every training and test window, plus the whole span (for DSR and PBO).
  const jobs: SweepJob[] = [];
  for (const w of windows) for (const point of points) jobs.push({ point, from: w.trainFrom, to: w.trainTo });
  for (const w of windows) for (const point of points) jobs.push({ point, from: w.testFrom, to: w.testTo });
  const spanFrom = windows[0].trainFrom;
  const spanTo = windows[windows.length - 1].testTo;
  const results = await runJobs(panel, regimes, jobs, fixed, run);
  const span = o.statistics === false ? [] : await runJobs(panel, regimes, points.map((point) => ({ point, from: spanFrom, to: spanTo })), fixed, { ...run, onProgress: undefined, returns: true });

  const rows: WindowResult[] = windows.map((w, k) => {
    const train = results.slice(k * n, (k + 1) * n).map((r) => r.metrics);
    const test = results.slice((windows.length + k) * n, (windows.length + k + 1) * n).map((r) => r.metrics);
    const chosen = bestIndex(train, o.objective);
    const oos = objectiveValue(test[chosen], o.objective);
    let better = 0;
    for (const m of test) if (objectiveValue(m, o.objective) > oos) better++;
    return { ...w, chosen, point: points[chosen], inSample: objectiveValue(train[chosen], o.objective), outOfSample: oos, outOfSampleRank: better + 1, test: test[chosen] };
  });

  // Stitch: the chosen configuration's fresh test run, compounded window after window.
  const stitchedDates: string[] = [];
  const stitchedEquity: number[] = [];
  const oosReturns: number[] = [];
  let level = 1;
  const testRuns = await runJobs(panel, regimes, rows.map((row) => ({ point: row.point, from: row.testFrom, to: row.testTo })), fixed, { workers: 0, returns: true });
  for (const [k, row] of rows.entries()) {
    const ret = testRuns[k].returns!;
    const dates = panel.dates.slice(panel.dates.indexOf(row.testFrom), panel.dates.indexOf(row.testTo) + 1);
    // The first session of a test window holds cash until its first fill: it continues the curve flat.
    stitchedDates.push(dates[0]);
    stitchedEquity.push(level);
    if (stitchedEquity.length > 1) oosReturns.push(0);
    for (let i = 0; i < ret.length; i++) {
      level *= 1 + ret[i];
      stitchedDates.push(dates[i + 1]);
      stitchedEquity.push(level);
      oosReturns.push(ret[i]);
    }
  }
  const equity = Float64Array.from(stitchedEquity);

  const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const meanIn = mean(finite(rows.map((r) => r.inSample)));
  const meanOut = mean(finite(rows.map((r) => r.outOfSample)));
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.chosen, (counts.get(r.chosen) ?? 0) + 1);
  let modal = rows[0].chosen;
  for (const [c, k] of counts) if (k > counts.get(modal)! || (k === counts.get(modal)! && c < modal)) modal = c;
  const distinct = (key: keyof SweepPoint) => new Set(rows.map((r) => r.point[key])).size;
  const spanReturns = span.map((r) => r.returns!);

  return {
    objective: o.objective,
    anchored: o.anchored,
    trainMonths: o.trainMonths,
    testMonths: o.testMonths,
    configurations: n,
    windows: rows,
    stitched: { dates: stitchedDates, equity, metrics: computeMetrics({ dates: stitchedDates, equity }, { rfAnnual: fixed.rfAnnual ?? 0 }) },
    degradation: {
      meanInSample: meanIn,
      meanOutOfSample: meanOut,
      efficiency: meanIn > 0 ? meanOut / meanIn : NaN,
      meanOutOfSampleRankPct: n > 1 ? mean(rows.map((r) => (r.outOfSampleRank - 1) / (n - 1))) : 0,
    },
    stability: {
      changes: rows.filter((r, k) => k > 0 && r.chosen !== rows[k - 1].chosen).length,
      modal: points[modal],
      modalShare: counts.get(modal)! / rows.length,
      distinct: { topN: distinct('topN'), minDistance: distinct('minDistance'), rebalance: distinct('rebalance'), regimeMode: distinct('regimeMode') },
    },
    overfitting: o.statistics === false ? { deflatedSharpe: null, pbo: null } : overfittingReport(spanReturns),
    outOfSampleDeflatedSharpe: o.statistics === false ? null : deflatedSharpeOf(Float64Array.from(oosReturns), spanReturns),
    timingLuck: o.timingLuck === false ? null : await timingLuck(panel, regimes, points[modal], { ...fixed, from: spanFrom, to: spanTo }, { ...run, onProgress: undefined }),
  };
}
