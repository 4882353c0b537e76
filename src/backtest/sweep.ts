/**
 * @module Parameter sweeps: a grid of configurations (or walk-forward jobs: a configuration over a
 * session range) run on worker threads that share one copy of the price columns and one
 * preparation (rankings per decision date, see prepared.ts).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AtlasError } from '../core/errors.js';
import type { Panel } from '../data/panel.js';
import type { RegimeMode } from '../portfolio/targetWeights.js';
import type { AllocationMatrix } from '../portfolio/allocation.js';
import { computeMetrics, dailyReturns, type BacktestMetrics } from './metrics.js';
import { fillPrices, resolveBacktestConfig, runBacktestLean, type BacktestConfig, type FillPrices, type RebalanceFrequency, type RegimeSeries } from './engine.js';
import { discardSweepThreads, returnSweepThreads, takeSweepThreads } from './sweepPool.js';
import { decisionDates, prepareBacktest, toShared, type PreparedPanel, type SharedPrepared, type UniverseLike } from './prepared.js';

/** One point of the grid: the parameters a sweep varies. */
export interface SweepPoint {
  topN: number;
  minDistance: number;
  rebalance: RebalanceFrequency;
  regimeMode: RegimeMode;
  /**
   * The regime model whose series the point runs on, when the sweep's regimes are given per
   * model (RegimesByModel); ignored when one series is given.
   */
  regimeModel?: string;
  /** The rest of the point's backtest config (a strategy variant's fields); overrides `fixed`. */
  config?: SweepPointConfig;
}

/** Regime series per regime model, each computed once and shared by every point that names it. */
export interface RegimesByModel {
  byModel: Readonly<Record<string, RegimeSeries | null>>;
}

/** What a sweep runs its points on: one regime series (or none) for all, or one per regime model. */
export type SweepRegimes = RegimeSeries | null | RegimesByModel;

/** The regime series a point runs on. */
export function regimesFor(regimes: SweepRegimes, point: SweepPoint): RegimeSeries | null {
  if (regimes === null || !('byModel' in regimes)) return regimes;
  const model = point.regimeModel;
  if (model === undefined || !Object.hasOwn(regimes.byModel, model)) {
    throw new AtlasError(`No regime series was computed for regime model "${model ?? '(none)'}"; the sweep has ${Object.keys(regimes.byModel).join(', ') || 'none'}.`, { code: 'BAD_GRID' });
  }
  return regimes.byModel[model];
}

/** Backtest settings a point may carry besides the four above (plain data: it crosses to the workers). */
export type SweepPointConfig = Partial<Pick<BacktestConfig, 'lookback' | 'volumeFilter' | 'volumeMultiplier' | 'volumeWindow' | 'allocation' | 'fill' | 'commissionBps' | 'slippageBps' | 'wholeShares' | 'minNotional' | 'sleeve'>>;

export interface SweepGrid {
  topN: number[];
  minDistance: number[];
  rebalance: RebalanceFrequency[];
  regimeMode: RegimeMode[];
}

/** The settings every configuration of a sweep shares (engine defaults when absent). */
export interface SweepFixed {
  from?: string;
  to?: string;
  commissionBps?: number;
  slippageBps?: number;
  wholeShares?: boolean;
  fill?: 'open' | 'close';
  rfAnnual?: number;
  lookback?: number;
  volumeFilter?: boolean;
  volumeMultiplier?: number;
  volumeWindow?: number;
  allocation?: AllocationMatrix;
  /** The remainder sleeve (its symbols must be columns of the panel: sleeveData.ts). Default cash. */
  sleeve?: BacktestConfig['sleeve'];
  minNotional?: number;
  initialCash?: number;
}

export interface SweepResult extends SweepPoint {
  metrics: BacktestMetrics;
}

const REBALANCES: RebalanceFrequency[] = ['semiannual', 'quarterly', 'monthly'];
const MODES: RegimeMode[] = ['off', 'rebalance', 'daily'];

/** Validates a grid file's JSON: each key a non-empty array (or a single value); a missing key takes `defaults`. */
export function parseGrid(raw: unknown, label = 'grid', defaults: Partial<SweepPoint> = {}): SweepGrid {
  if (typeof raw !== 'object' || raw === null) throw new AtlasError(`${label} must be a JSON object such as {"topN":[5,10],"minDistance":[0.9],"rebalance":["semiannual"],"regimeMode":["off","daily"]}.`, { code: 'BAD_GRID' });
  const o = raw as Record<string, unknown>;
  const known = new Set(['topN', 'minDistance', 'rebalance', 'regimeMode']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new AtlasError(`${label} has an unknown key "${k}"; use topN, minDistance, rebalance and regimeMode.`, { code: 'BAD_GRID' });
  const list = <T>(key: string, def: T[], ok: (v: unknown) => v is T, what: string): T[] => {
    const v = o[key];
    if (v === undefined) return def;
    const arr = Array.isArray(v) ? v : [v];
    if (arr.length === 0 || !arr.every(ok)) throw new AtlasError(`${label}: "${key}" must be a non-empty list of ${what}.`, { code: 'BAD_GRID' });
    return [...new Set(arr as T[])];
  };
  return {
    topN: list('topN', [defaults.topN ?? 10], (v): v is number => Number.isInteger(v) && (v as number) >= 1, 'whole numbers >= 1'),
    minDistance: list('minDistance', [defaults.minDistance ?? 0.9], (v): v is number => typeof v === 'number' && v > 0 && v <= 1, 'numbers in (0, 1]'),
    rebalance: list('rebalance', [defaults.rebalance ?? 'semiannual'], (v): v is RebalanceFrequency => REBALANCES.includes(v as RebalanceFrequency), `values of ${REBALANCES.join(', ')}`),
    regimeMode: list('regimeMode', [defaults.regimeMode ?? 'off'], (v): v is RegimeMode => MODES.includes(v as RegimeMode), `values of ${MODES.join(', ')}`),
  };
}

export function gridPoints(g: SweepGrid): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const topN of g.topN) for (const minDistance of g.minDistance) for (const rebalance of g.rebalance) for (const regimeMode of g.regimeMode) {
    out.push({ topN, minDistance, rebalance, regimeMode });
  }
  return out;
}

/**
 * What a worker's runs read of the panel besides the preparation: its dates and symbols and the
 * fill prices of every cell (engine.ts fillPrices), in SharedArrayBuffers so every worker reads
 * one copy. The raw price columns stay in the parent.
 */
export interface SharedPanel {
  dates: string[];
  symbols: string[];
  dayNumbers: Int32Array;
  fills: Pick<FillPrices, 'open'>;
}

export function sharePanel(p: Panel): SharedPanel {
  return { dates: p.dates, symbols: p.symbols, dayNumbers: p.dayNumbers, fills: { open: fillPrices(p).open } };
}

/** One job for a worker: a grid point over a session range (walk-forward windows vary the range). */
export interface SweepJob {
  point: SweepPoint;
  from?: string;
  to?: string;
  /** Rebalance-day offset (timing luck runs every one). */
  offset?: number;
}

export interface WorkerInit {
  panel: SharedPanel;
  prepared: SharedPrepared;
  regimes: SweepRegimes;
  fixed: SweepFixed;
  /** Send each run's daily returns back (for the deflated Sharpe ratio and PBO). */
  returns: boolean;
}

/** What a worker sends back per job. */
export interface JobResult {
  i: number;
  metrics: BacktestMetrics;
  returns?: Float64Array;
}

/** Grid points running on the sweep's common settings (the engine defaults for everything not varied). */
export function sweepConfig(point: SweepPoint, fixed: SweepFixed, range: { from?: string; to?: string; offset?: number } = {}): BacktestConfig {
  return {
    topN: point.topN, minDistance: point.minDistance, rebalance: point.rebalance, regimeMode: point.regimeMode, rebalanceOffset: range.offset ?? 0,
    from: range.from ?? fixed.from, to: range.to ?? fixed.to,
    commissionBps: fixed.commissionBps, slippageBps: fixed.slippageBps, wholeShares: fixed.wholeShares, fill: fixed.fill,
    lookback: fixed.lookback, volumeFilter: fixed.volumeFilter, volumeMultiplier: fixed.volumeMultiplier, volumeWindow: fixed.volumeWindow,
    allocation: fixed.allocation, minNotional: fixed.minNotional, initialCash: fixed.initialCash, sleeve: fixed.sleeve,
    // A strategy variant's own fields (costs, sizing, allocation) override the shared ones.
    ...(point.config ?? {}),
    // Ranking configurations needs the metrics, not the per-rebalance gate report.
    liveGates: false,
  };
}

/** Fields the shared preparation (rankings per decision date) is built for: points that differ in them are prepared apart. */
export const PREPARED_FIELDS = ['lookback', 'volumeFilter', 'volumeMultiplier', 'volumeWindow'] as const;

function assertSharedPreparation(jobs: readonly SweepJob[], fixed: SweepFixed): void {
  for (const j of jobs) {
    for (const f of PREPARED_FIELDS) {
      const v = j.point.config?.[f];
      if (v !== undefined && v !== fixed[f]) {
        throw new AtlasError(`This sweep varies ${f}, which the shared ranking is built for; sweep it in separate runs (one value each) for now.`, { code: 'BAD_GRID' });
      }
    }
  }
}

/**
 * The preparation every job of a sweep shares: rankings on the decision dates of every rebalance
 * frequency of the grid over every job's range, kept down to the grid's lowest minDistance.
 */
export function prepareSweep(panel: Panel, jobs: readonly SweepJob[], fixed: SweepFixed, universe: UniverseLike | null): PreparedPanel {
  assertSharedPreparation(jobs, fixed);
  const dates = new Set<number>();
  let floor = 1;
  const seen = new Set<string>();
  for (const j of jobs) {
    floor = Math.min(floor, j.point.minDistance);
    const key = `${j.point.rebalance}|${j.from ?? fixed.from ?? ''}|${j.to ?? fixed.to ?? ''}|${j.offset ?? 0}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cfg = resolveBacktestConfig(panel, sweepConfig(j.point, fixed, j));
    let start = 0;
    while (start < panel.dates.length && panel.dates[start] < cfg.from) start++;
    let end = panel.dates.length - 1;
    while (end >= 0 && panel.dates[end] > cfg.to) end--;
    for (const d of decisionDates(panel.dates, start, end, cfg.rebalance, cfg.rebalanceOffset)) dates.add(d);
  }
  const base = resolveBacktestConfig(panel, sweepConfig(jobs[0].point, fixed));
  return prepareBacktest(panel, {
    lookback: base.lookback, volumeFilter: base.volumeFilter, volumeMultiplier: base.volumeMultiplier, volumeWindow: base.volumeWindow,
    distanceFloor: floor, dates: [...dates], universe,
  });
}

/**
 * One job on a shared preparation: the worker's loop body, also run in-process (workers: 0).
 * `fills` (made for `panel`) only saves time: the results are the same without.
 */
export function runJob(panel: Panel, prepared: PreparedPanel, regimes: SweepRegimes, fixed: SweepFixed, job: SweepJob, i: number, withReturns: boolean, fills?: FillPrices): JobResult {
  const r = runBacktestLean(panel, job.point.regimeMode === 'off' ? null : regimesFor(regimes, job.point), { ...sweepConfig(job.point, fixed, job), universe: prepared.universe, prepared, requirePrepared: true, fillPrices: fills });
  const dates = panel.dates.slice(r.start, r.end + 1);
  const metrics = computeMetrics({ dates, equity: r.equity, exposure: r.exposure, totals: r.totals }, { rfAnnual: fixed.rfAnnual ?? 0 });
  return withReturns ? { i, metrics, returns: dailyReturns(r.equity) } : { i, metrics };
}

export interface SweepOptions {
  /** Worker threads (default one per core); 0 runs every job in this thread. */
  workers?: number;
  /** Point-in-time membership (default: every panel symbol always). */
  universe?: UniverseLike | null;
  isMember?: (symbol: string, date: string) => boolean;
  onProgress?: (done: number, total: number) => void;
  /** Runs the jobs elsewhere instead of on this machine's threads (a queue: src/distributed/). */
  runner?: JobRunner;
}

/** What runJobs hands a runner: the jobs of one preparation, with the universe already resolved. */
export interface RunnerRequest {
  panel: Panel;
  regimes: SweepRegimes;
  jobs: readonly SweepJob[];
  fixed: SweepFixed;
  universe: UniverseLike | null;
  returns: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Results in job order, each equal to runJob's for the same job (the queued sweep's contract). */
export type JobRunner = (request: RunnerRequest) => Promise<JobResult[]>;

/**
 * Runs jobs across worker threads (default: one per core). The parent prepares the rankings once
 * (prepareSweep) and shares them and the panel's price columns with every worker; a worker
 * simulates each job on arrays without records. Results come back in job order, so the output
 * is deterministic whatever the scheduling.
 */
export async function runJobs(
  panel: Panel,
  regimes: SweepRegimes,
  jobs: readonly SweepJob[],
  fixed: SweepFixed,
  options: SweepOptions & { returns?: boolean } = {},
): Promise<JobResult[]> {
  if (jobs.length === 0) return [];
  const universe = options.universe ?? (options.isMember ? { name: 'membership', symbols: panel.symbols, isMember: options.isMember } : null);
  if (options.runner) return options.runner({ panel, regimes, jobs, fixed, universe, returns: options.returns ?? false, onProgress: options.onProgress });
  if (options.workers === 0) {
    const prepared = prepareSweep(panel, jobs, fixed, universe);
    const fills = fillPrices(panel);
    return jobs.map((job, i) => {
      const r = runJob(panel, prepared, regimes, fixed, job, i, options.returns ?? false, fills);
      options.onProgress?.(i + 1, jobs.length);
      return r;
    });
  }
  const nWorkers = Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs.length));
  // Threads start (or come back from the pool) while this thread prepares the shared data; the
  // data follows as their first message.
  const workers = takeSweepThreads(nWorkers);
  const returns = options.returns ?? false;
  const ready = (async (): Promise<WorkerInit> => {
    const prepared = prepareSweep(panel, jobs, fixed, universe);
    return { panel: sharePanel(panel), prepared: toShared(prepared), regimes, fixed, returns };
  })();
  // Most expensive first, so the last chunks are the short runs and no thread waits on a long one.
  const order = costOrder(jobs);
  const results: JobResult[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  let failed = false;
  const runWorker = (w: Worker) =>
    new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        failed = true;
        cleanup();
        reject(err);
      };
      const feed = () => {
        if (failed || next >= order.length) {
          cleanup();
          resolve();
          return;
        }
        // Chunks shrink as the sweep ends (a quarter of each thread's share of what is left, at
        // most CHUNK), so the threads finish together.
        const size = Math.max(1, Math.min(CHUNK, Math.ceil((order.length - next) / (nWorkers * 4))));
        const ids = order.slice(next, next + size);
        next += size;
        w.postMessage({ ids, jobs: ids.map((i) => jobs[i]) });
      };
      const onMessage = (msg: { results?: JobResult[]; error?: string; i?: number }) => {
        if (msg.error !== undefined) {
          fail(new AtlasError(`Sweep configuration ${(msg.i ?? 0) + 1} failed: ${msg.error}`, { code: 'SWEEP_FAILED' }));
          return;
        }
        for (const r of msg.results!) results[r.i] = r;
        done += msg.results!.length;
        options.onProgress?.(done, jobs.length);
        feed();
      };
      const onExit = (code: number) => fail(new AtlasError(`A sweep worker thread stopped (exit code ${code}) before its configurations were done.`, { code: 'SWEEP_FAILED' }));
      const cleanup = () => {
        w.off('message', onMessage);
        w.off('error', fail);
        w.off('exit', onExit);
      };
      w.on('message', onMessage);
      w.on('error', fail);
      w.on('exit', onExit);
      ready.then(
        (init) => {
          if (failed) return feed();
          w.postMessage({ init });
          feed();
        },
        fail,
      );
    });
  try {
    await Promise.all(workers.map(runWorker));
  } catch (err) {
    await discardSweepThreads(workers);
    throw err;
  }
  returnSweepThreads(workers);
  return results;
}

/** Jobs per message at most: messaging then costs nothing against the runs. */
const CHUNK = 16;

const FREQUENCY_COST: Record<RebalanceFrequency, number> = { monthly: 3, quarterly: 2, semiannual: 1 };

/** Job indices by expected run time, longest first (more decisions, longer range), ties in job order. */
function costOrder(jobs: readonly SweepJob[]): number[] {
  const cost = jobs.map((j) => FREQUENCY_COST[j.point.rebalance] ?? 0);
  return jobs.map((_, i) => i).sort((a, b) => cost[b] - cost[a] || a - b);
}

/** Runs every grid point over the sweep's range; results in grid order. */
export async function runSweep(panel: Panel, regimes: SweepRegimes, points: readonly SweepPoint[], fixed: SweepFixed, options: SweepOptions = {}): Promise<SweepResult[]> {
  const out = await runJobs(panel, regimes, points.map((point) => ({ point })), fixed, options);
  return out.map((r, i) => ({ ...points[i], metrics: r.metrics }));
}

/** runSweep plus each configuration's daily returns (grid order), for the overfitting statistics. */
/** `fixed` with the point's own values of the prepared fields (to run one point, e.g. for timing luck). */
export function fixedFor(point: SweepPoint, fixed: SweepFixed): SweepFixed {
  const out: SweepFixed = { ...fixed };
  for (const f of PREPARED_FIELDS) if (point.config?.[f] !== undefined) (out as Record<string, unknown>)[f] = point.config[f];
  return out;
}

export async function runSweepWithReturns(panel: Panel, regimes: SweepRegimes, points: readonly SweepPoint[], fixed: SweepFixed, options: SweepOptions = {}): Promise<{ results: SweepResult[]; returns: Float64Array[] }> {
  // Points that differ in a field the shared ranking is built for (lookback, the volume filter)
  // run as separate groups, each with its own preparation; results come back in grid order.
  const groups = new Map<string, number[]>();
  for (let i = 0; i < points.length; i++) {
    const key = JSON.stringify(PREPARED_FIELDS.map((f) => points[i].config?.[f] ?? fixed[f] ?? null));
    const list = groups.get(key) ?? [];
    list.push(i);
    groups.set(key, list);
  }
  const results: SweepResult[] = new Array(points.length);
  const returns: Float64Array[] = new Array(points.length);
  let done = 0;
  for (const idx of groups.values()) {
    const first = points[idx[0]].config ?? {};
    const groupFixed: SweepFixed = { ...fixed };
    for (const f of PREPARED_FIELDS) if (first[f] !== undefined) (groupFixed as Record<string, unknown>)[f] = first[f];
    const offset = done;
    const out = await runJobs(panel, regimes, idx.map((i) => ({ point: points[i] })), groupFixed, {
      ...options,
      returns: true,
      ...(options.onProgress ? { onProgress: (d: number) => options.onProgress!(offset + d, points.length) } : {}),
    });
    out.forEach((r, k) => {
      results[idx[k]] = { ...points[idx[k]], metrics: r.metrics };
      returns[idx[k]] = r.returns!;
    });
    done += idx.length;
  }
  return { results, returns };
}

export function rankResults(results: readonly SweepResult[], by: keyof BacktestMetrics = 'sharpe'): SweepResult[] {
  const key = (r: SweepResult) => {
    const v = r.metrics[by];
    return typeof v === 'number' && Number.isFinite(v) ? v : -Infinity;
  };
  // Stable: ties keep grid order.
  return results.map((r, i) => ({ r, i })).sort((a, b) => key(b.r) - key(a.r) || a.i - b.i).map((x) => x.r);
}
