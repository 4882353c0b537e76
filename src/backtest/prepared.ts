/**
 * @module What every configuration of a sweep (and every window of a walk-forward) shares, computed
 * once per panel: the bar mask, each symbol's last bar, the code-unit order of the symbols, the
 * 52-week highs on the decision dates and, per decision date, the ranking of every eligible
 * candidate (distance descending, ties by symbol). A configuration's picks on a date are a prefix
 * of that ranking (its topN names at or above its minDistance), so a run reads them instead of
 * scanning. Everything is typed arrays, so a sweep can hand one copy to every worker thread
 * (toShared / fromShared).
 */
import { createHash } from 'node:crypto';
import { listSome } from '../core/text.js';
import { hasBar, type Panel } from '../data/panel.js';
import { rebalancePeriodKey, type RebalanceFrequency } from '../calendar/rebalanceSchedule.js';
import type { Regime } from '../portfolio/allocation.js';
import { momentumSlots, precomputeMomentumAt, rankCandidates, symbolRanks, type MomentumPrecomp } from '../selection/momentum52w.js';
import { bytesOf } from '../data/store/fileBytes.js';
import { panelSidecar } from '../data/store/panelSidecar.js';

/** The part of a Universe the engine needs. */
export interface UniverseLike {
  name?: string;
  symbols: readonly string[];
  isMember(symbol: string, date: string): boolean;
  survivorshipWarning?: string;
}

export interface PrepareOptions {
  lookback: number;
  volumeFilter: boolean;
  volumeMultiplier: number;
  volumeWindow: number;
  /** The lowest minDistance a run on this preparation may use: rankings keep names at or above it. */
  distanceFloor: number;
  /** Date indices to rank (decision dates); others cannot be decided on. */
  dates: ArrayLike<number>;
  universe?: UniverseLike | null;
  /** Highs to reuse (a precomputeMomentum result for this panel and lookback). */
  precomputed?: MomentumPrecomp;
  /** The longest prefix of a ranking any run on this preparation reads (its topN); default all. */
  depth?: number;
}

export interface PreparedPanel {
  panel: Panel;
  lookback: number;
  volumeFilter: boolean;
  volumeMultiplier: number;
  volumeWindow: number;
  distanceFloor: number;
  /** Each ranking holds its first `depth` names only (Infinity: all); runs with a larger topN cannot use it. */
  depth: number;
  universe: UniverseLike | null;
  /** Symbol indices the universe can ever pick. */
  candidates: Int32Array;
  warnings: string[];
  /** 1 where the bar of cell k exists (panel.ts hasBar). */
  bar: Uint8Array;
  /** Last date index with a bar per symbol (-1: none). */
  lastBar: Int32Array;
  /**
   * The mark of cell k: the adjusted close of the latest bar on or before that date (NaN before
   * the first), i.e. the price a holding is valued at. One read per holding per day.
   */
  mark: Float64Array;
  /** Position of each symbol in code-unit order (the planner's and the scanner's order). */
  symRank: Int32Array;
  /** Date index -> ranking slot (-1 = not ranked). */
  rankSlot: Int32Array;
  /** Slot r's ranking is rankSyms / rankDist [rankStart[r], rankStart[r + 1]). */
  rankStart: Int32Array;
  rankSyms: Int32Array;
  rankDist: Float64Array;
  /** Regime series aligned to panel dates, per series object (one model = one series). */
  regimeCache?: WeakMap<object, (Regime | null)[]>;
  /** decisionDates results by frequency, range and offset (every run of a sweep asks again). */
  decisionCache?: Map<string, number[]>;
}

/** The first session of the run, then the session `offset` sessions after each new period's first (capped at the period's last). */
export function decisionDates(dates: readonly string[], start: number, end: number, freq: RebalanceFrequency, offset = 0): number[] {
  const out: number[] = [];
  if (start > end) return out;
  out.push(start);
  let prevKey = rebalancePeriodKey(dates[start], freq);
  let periodStart = -1;
  for (let d = start + 1; d <= end + 1; d++) {
    const key = d <= end ? rebalancePeriodKey(dates[d], freq) : NaN;
    if (key === prevKey) continue;
    // d starts a new period (or d = end + 1 closes the run): place the previous period's decision,
    // capped at its last session; the run's last period may end before its offset session.
    if (periodStart >= 0 && (d <= end || periodStart + offset <= end)) out.push(Math.min(periodStart + offset, d - 1));
    periodStart = d;
    prevKey = key;
  }
  return out;
}

interface PanelMasks {
  close: Float64Array;
  adjClose: Float64Array;
  high: Float64Array;
  symbols: readonly string[];
  bar: Uint8Array;
  lastBar: Int32Array;
  mark: Float64Array;
  symRank: Int32Array;
}

const masks = new WeakMap<Panel, PanelMasks>();

/**
 * The bar mask, last bars and symbol order of a panel: the same for every run on it, so they are
 * computed once per panel object (and again if its columns or symbols were replaced).
 */
export function panelMasks(panel: Panel): PanelMasks {
  const hit = masks.get(panel);
  if (hit && hit.close === panel.close && hit.adjClose === panel.adjClose && hit.high === panel.high && hit.symbols === panel.symbols) return hit;
  const n = panel.dates.length;
  const m = panel.symbols.length;
  // In shared memory from the start, so a sweep hands them to its workers without a copy.
  const bar = new Uint8Array(new SharedArrayBuffer(n * m));
  const lastBar = new Int32Array(m).fill(-1);
  const mark = new Float64Array(new SharedArrayBuffer(n * m * 8));
  const adjClose = panel.adjClose;
  // A saved panel keeps its bar mask beside it: reading 1 byte a cell instead of testing 3 columns.
  const side = panelSidecar(panel);
  const saved = side?.read(BAR_SIDECAR, bar) === true;
  // The three columns hasBar reads, as one small object: this loop visits every cell of the panel.
  const cols = { close: panel.close, adjClose, high: panel.high };
  for (let s = 0; s < m; s++) {
    let px = NaN;
    let last = -1;
    for (let d = 0, k = s * n; d < n; d++, k++) {
      if (saved ? bar[k] === 1 : hasBar(cols, k)) {
        bar[k] = 1;
        last = d;
        px = adjClose[k];
      }
      mark[k] = px;
    }
    lastBar[s] = last;
  }
  if (!saved) side?.write(BAR_SIDECAR, bar);
  const out = { close: panel.close, adjClose: panel.adjClose, high: panel.high, symbols: panel.symbols, bar, lastBar, mark, symRank: symbolRanks(panel.symbols) };
  masks.set(panel, out);
  return out;
}

/** The bar mask's sidecar name: bump the version when hasBar's definition changes. */
const BAR_SIDECAR = 'bar-v1';

/**
 * precomputeMomentumAt, or its 52-week highs as saved beside the panel by an earlier run on the same
 * dates and symbols (the file name holds the lookback and a hash of both; bump its version when the
 * algorithm's results change).
 */
function savedPrecompute(panel: Panel, lookback: number, wanted: readonly number[], candidates: Int32Array, bar: Uint8Array): MomentumPrecomp {
  const side = panelSidecar(panel);
  if (!side) return precomputeMomentumAt(panel, lookback, wanted, candidates, bar);
  const dates = Int32Array.from(wanted);
  const hash = createHash('sha1').update(bytesOf(dates)).update('|').update(bytesOf(candidates)).digest('hex').slice(0, 24);
  const name = `high52-v1-${lookback}-${hash}`;
  const { slotOf, slots } = momentumSlots(panel.dates.length, dates);
  const high52 = new Float64Array(slots * panel.symbols.length);
  if (side.read(name, bytesOf(high52))) return { panel, lookback, high52, slotOf };
  const pre = precomputeMomentumAt(panel, lookback, dates, candidates, bar);
  side.write(name, bytesOf(pre.high52));
  return pre;
}

/** decisionDates, remembered on the preparation. */
export function preparedDecisionDates(prep: PreparedPanel, start: number, end: number, freq: RebalanceFrequency, offset = 0): number[] {
  prep.decisionCache ??= new Map();
  const key = `${freq}|${start}|${end}|${offset}`;
  let out = prep.decisionCache.get(key);
  if (!out) {
    out = decisionDates(prep.panel.dates, start, end, freq, offset);
    prep.decisionCache.set(key, out);
  }
  return out;
}

export function prepareBacktest(panel: Panel, o: PrepareOptions): PreparedPanel {
  const n = panel.dates.length;
  const m = panel.symbols.length;
  const warnings: string[] = [];
  const universe = o.universe ?? null;
  let candidates: Int32Array;
  if (universe) {
    const index = new Map(panel.symbols.map((s, i) => [s, i] as const));
    const list: number[] = [];
    const missing: string[] = [];
    for (const s of universe.symbols) {
      const i = index.get(s);
      if (i === undefined) missing.push(s);
      else list.push(i);
    }
    if (missing.length > 0) warnings.push(`${missing.length} universe symbols have no price data and were left out: ${listSome(missing)}.`);
    if (universe.survivorshipWarning) warnings.push(universe.survivorshipWarning);
    candidates = Int32Array.from(list);
  } else {
    candidates = new Int32Array(m);
    for (let s = 0; s < m; s++) candidates[s] = s;
  }
  const { bar, lastBar, mark, symRank } = panelMasks(panel);

  const wanted = [...new Set(Array.from(o.dates))].sort((a, b) => a - b);
  let pre = o.precomputed;
  if (pre && (pre.panel !== panel || pre.lookback !== o.lookback || wanted.some((d) => pre!.slotOf[d] < 0))) pre = undefined;
  pre ??= savedPrecompute(panel, o.lookback, wanted, candidates, bar);

  const isMember = universe ? (s: number, d: number) => universe.isMember(panel.symbols[s], panel.dates[d]) : undefined;
  const rankSlot = new Int32Array(n).fill(-1);
  const rankStart = new Int32Array(wanted.length + 1);
  const syms = new Int32Array(candidates.length);
  const dist = new Float64Array(candidates.length);
  const chunksS: Int32Array[] = [];
  const chunksD: Float64Array[] = [];
  let total = 0;
  const depth = o.depth ?? Infinity;
  const rankOpts = { floor: o.distanceFloor, volumeFilter: o.volumeFilter, volumeMultiplier: o.volumeMultiplier, volumeWindow: o.volumeWindow, depth };
  wanted.forEach((d, slot) => {
    rankSlot[d] = slot;
    rankStart[slot] = total;
    const count = rankCandidates(pre, d, candidates, rankOpts, symRank, isMember, syms, dist);
    chunksS.push(syms.slice(0, count));
    chunksD.push(dist.slice(0, count));
    total += count;
  });
  rankStart[wanted.length] = total;
  const rankSyms = new Int32Array(total);
  const rankDist = new Float64Array(total);
  chunksS.forEach((c, i) => rankSyms.set(c, rankStart[i]));
  chunksD.forEach((c, i) => rankDist.set(c, rankStart[i]));
  return {
    panel, lookback: o.lookback, volumeFilter: o.volumeFilter, volumeMultiplier: o.volumeMultiplier, volumeWindow: o.volumeWindow,
    distanceFloor: o.distanceFloor, depth, universe, candidates, warnings, bar, lastBar, mark, symRank, rankSlot, rankStart, rankSyms, rankDist,
  };
}

/** The typed arrays of a preparation, copied into shared memory for worker threads. */
export interface SharedPrepared {
  lookback: number;
  volumeFilter: boolean;
  volumeMultiplier: number;
  volumeWindow: number;
  distanceFloor: number;
  /** PreparedPanel.depth (Infinity for a sweep's: a structured clone keeps it). */
  depth: number;
  universeName: string | null;
  warnings: string[];
  arrays: Pick<PreparedPanel, 'candidates' | 'bar' | 'lastBar' | 'mark' | 'symRank' | 'rankSlot' | 'rankStart' | 'rankSyms' | 'rankDist'>;
}

function share<T extends Int32Array | Uint8Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

export function toShared(p: PreparedPanel): SharedPrepared {
  return {
    lookback: p.lookback, volumeFilter: p.volumeFilter, volumeMultiplier: p.volumeMultiplier, volumeWindow: p.volumeWindow,
    distanceFloor: p.distanceFloor, depth: p.depth, universeName: p.universe?.name ?? (p.universe ? 'custom' : null), warnings: p.warnings,
    arrays: {
      candidates: share(p.candidates), bar: share(p.bar), lastBar: share(p.lastBar), mark: share(p.mark), symRank: share(p.symRank),
      rankSlot: share(p.rankSlot), rankStart: share(p.rankStart), rankSyms: share(p.rankSyms), rankDist: share(p.rankDist),
    },
  };
}

/** A worker's view of a shared preparation; `universe` is the worker's own object for the same membership. */
export function fromShared(panel: Panel, s: SharedPrepared, universe: UniverseLike | null): PreparedPanel {
  return {
    panel, lookback: s.lookback, volumeFilter: s.volumeFilter, volumeMultiplier: s.volumeMultiplier, volumeWindow: s.volumeWindow,
    distanceFloor: s.distanceFloor, depth: s.depth, universe, warnings: s.warnings, ...s.arrays,
  };
}
