import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AtlasError } from '../core/errors.js';
import type { Panel } from '../data/panel.js';
import type { RegimeMode } from '../portfolio/targetWeights.js';
import type { BacktestMetrics } from './metrics.js';
import type { BacktestConfig, RebalanceFrequency, RegimeSeries } from './engine.js';

/** One point of the grid: the parameters a sweep varies. */
export interface SweepPoint {
  topN: number;
  minDistance: number;
  rebalance: RebalanceFrequency;
  regimeMode: RegimeMode;
  /** The rest of the point's backtest config (a strategy variant's fields); overrides `fixed`. */
  config?: SweepPointConfig;
}

/** Backtest settings a point may carry besides the four above (plain data: it crosses to the workers). */
export type SweepPointConfig = Partial<Pick<BacktestConfig, 'lookback' | 'volumeFilter' | 'volumeMultiplier' | 'volumeWindow' | 'allocation' | 'fill' | 'commissionBps' | 'slippageBps' | 'wholeShares' | 'minNotional'>>;

export interface SweepGrid {
  topN: number[];
  minDistance: number[];
  rebalance: RebalanceFrequency[];
  regimeMode: RegimeMode[];
}

export interface SweepFixed {
  from?: string;
  to?: string;
  commissionBps?: number;
  slippageBps?: number;
  wholeShares?: boolean;
  fill?: 'open' | 'close';
  rfAnnual?: number;
}

export interface SweepResult extends SweepPoint {
  metrics: BacktestMetrics;
}

const REBALANCES: RebalanceFrequency[] = ['semiannual', 'quarterly', 'monthly'];
const MODES: RegimeMode[] = ['off', 'rebalance', 'daily'];

/** Validates a grid file's JSON: each key a non-empty array (or a single value). */
export function parseGrid(raw: unknown, label = 'grid'): SweepGrid {
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
    topN: list('topN', [10], (v): v is number => Number.isInteger(v) && (v as number) >= 1, 'whole numbers >= 1'),
    minDistance: list('minDistance', [0.9], (v): v is number => typeof v === 'number' && v > 0 && v <= 1, 'numbers in (0, 1]'),
    rebalance: list('rebalance', ['semiannual'], (v): v is RebalanceFrequency => REBALANCES.includes(v as RebalanceFrequency), `values of ${REBALANCES.join(', ')}`),
    regimeMode: list('regimeMode', ['off'], (v): v is RegimeMode => MODES.includes(v as RegimeMode), `values of ${MODES.join(', ')}`),
  };
}

export function gridPoints(g: SweepGrid): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const topN of g.topN) for (const minDistance of g.minDistance) for (const rebalance of g.rebalance) for (const regimeMode of g.regimeMode) {
    out.push({ topN, minDistance, rebalance, regimeMode });
  }
  return out;
}

/** The panel with its numeric columns copied into SharedArrayBuffers, so workers read one copy. */
export interface SharedPanel {
  dates: string[];
  symbols: string[];
  dayNumbers: Int32Array;
  fields: Record<'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume', Float64Array>;
}

export function sharePanel(p: Panel): SharedPanel {
  const share = (a: Float64Array) => {
    const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  return {
    dates: p.dates, symbols: p.symbols, dayNumbers: p.dayNumbers,
    fields: { open: share(p.open), high: share(p.high), low: share(p.low), close: share(p.close), adjClose: share(p.adjClose), volume: share(p.volume) },
  };
}

export interface WorkerInit {
  panel: SharedPanel;
  regimes: RegimeSeries | null;
  fixed: SweepFixed;
  /** Point-in-time membership as a symbol-major 0/1 matrix (shared), or null = every symbol always. */
  membership: Uint8Array | null;
}

/** Evaluates a universe's isMember once per cell, into shared memory a worker can read. */
export function membershipMatrix(panel: Panel, isMember: (symbol: string, date: string) => boolean): Uint8Array {
  const n = panel.dates.length;
  const m = new Uint8Array(new SharedArrayBuffer(n * panel.symbols.length));
  panel.symbols.forEach((sym, s) => {
    for (let d = 0; d < n; d++) m[s * n + d] = isMember(sym, panel.dates[d]) ? 1 : 0;
  });
  return m;
}

/**
 * Runs every grid point across worker threads (default: one per core). Each worker receives the
 * shared panel once, precomputes the 52-week highs once, then runs the points it is handed.
 * Results come back in grid order, so the output is deterministic whatever the scheduling.
 */
export async function runSweep(
  panel: Panel,
  regimes: RegimeSeries | null,
  points: readonly SweepPoint[],
  fixed: SweepFixed,
  options: { workers?: number; isMember?: (symbol: string, date: string) => boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<SweepResult[]> {
  const nWorkers = Math.max(1, Math.min(options.workers ?? availableParallelism(), points.length));
  const init: WorkerInit = { panel: sharePanel(panel), regimes, fixed, membership: options.isMember ? membershipMatrix(panel, options.isMember) : null };
  const results: (SweepResult | undefined)[] = new Array(points.length);
  let next = 0;
  let done = 0;
  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './sweepWorker.ts' : './sweepWorker.js', import.meta.url);
  // From source (tests), the worker needs the TypeScript loader the parent runs under.
  const execArgv = import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(workerUrl, { workerData: init, execArgv });
      const feed = () => {
        if (next >= points.length) {
          void w.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        w.postMessage({ i, point: points[i] });
      };
      w.on('message', (msg: { i: number; result?: SweepResult; error?: string }) => {
        if (msg.error) {
          void w.terminate();
          reject(new AtlasError(`Sweep point ${msg.i + 1} failed: ${msg.error}`, { code: 'SWEEP_FAILED' }));
          return;
        }
        results[msg.i] = msg.result;
        done++;
        options.onProgress?.(done, points.length);
        feed();
      });
      w.on('error', reject);
      w.once('online', feed);
    });
  await Promise.all(Array.from({ length: nWorkers }, runWorker));
  return results as SweepResult[];
}

export function rankResults(results: readonly SweepResult[], by: keyof BacktestMetrics = 'sharpe'): SweepResult[] {
  const key = (r: SweepResult) => {
    const v = r.metrics[by];
    return typeof v === 'number' && Number.isFinite(v) ? v : -Infinity;
  };
  // Stable: ties keep grid order.
  return results.map((r, i) => ({ r, i })).sort((a, b) => key(b.r) - key(a.r) || a.i - b.i).map((x) => x.r);
}
