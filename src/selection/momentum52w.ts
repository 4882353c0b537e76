/**
 * The 52-week-high momentum scanner (George & Hwang, 2004, "The 52-Week High and Momentum
 * Investing"): stocks trading close to their 52-week high keep outperforming.
 *
 * On date index t, using data up to the close of t only:
 * - A symbol "has a bar" on a date when its close, adjClose and high are finite and positive.
 * - Price basis: everything is compared on the ADJUSTED basis. The adjusted high of a bar is
 *   high * (adjClose / close) and the current price is adjClose. With split-adjusted files
 *   (the shared data) this equals raw high vs raw close up to the dividend factor, which is the
 *   same on both sides of a bar; with raw data that contains splits it stays correct, where raw
 *   high vs raw close would see a 2:1 split as a 50% drawdown.
 * - 52-week high = max of the adjusted high over the symbol's last `lookback` (252) bars up to and
 *   including t. The window counts the symbol's own bars (a gap day is skipped, not counted);
 *   fewer than `lookback` bars, or no bar on t -> ineligible ('insufficient history' / 'no bar').
 * - distance = adjClose_t / high52; passes when distance >= minDistance (default 0.90).
 * - Volume filter (off by default; multiplier 1.25 when on): volume_t > multiplier x the average
 *   volume of the `volumeWindow` (20) bars BEFORE t. The average excludes t so that today's spike
 *   does not raise its own bar. Fewer than 20 earlier bars -> 'insufficient volume history'.
 *   The average is summed oldest-first and divided by the window in both code paths below, so
 *   they agree bit for bit. With the filter off, passedVolume is true.
 * - Eligible names are ranked by distance descending, ties by symbol ascending (code-unit
 *   order); the top N (default 10) are selected.
 *
 * scanMomentum scans one date directly (used by the CLI "scan" and as the specification);
 * precomputeMomentum + scanMomentumPrecomputed / selectTopPrecomputed do the same from a
 * whole-panel precomputation (rolling max via a monotonic deque, O(T) per symbol) that callers
 * compute once and pass to every backtest on the same panel (sweeps, strategy comparisons).
 * precomputeMomentumAt computes the highs on a list of dates only (a backtest's decision dates);
 * the engine uses it when it is given no precomputation.
 */
import type { Panel } from '../data/panel.js';

export const DEFAULT_LOOKBACK = 252;
export const DEFAULT_VOLUME_WINDOW = 20;
export const DEFAULT_MIN_DISTANCE = 0.9;
export const DEFAULT_TOP_N = 10;
export const DEFAULT_VOLUME_MULTIPLIER = 1.25;

export interface MomentumOptions {
  topN?: number;
  minDistance?: number;
  volumeFilter?: boolean;
  volumeMultiplier?: number;
  /** Bars in the high window (252 = one year). Smaller values are for tests. */
  lookback?: number;
  volumeWindow?: number;
}

export type IneligibleReason =
  | 'not a member'
  | 'no bar'
  | 'insufficient history'
  | 'below minDistance'
  | 'insufficient volume history'
  | 'volume filter';

export interface MomentumRow {
  symbol: string;
  /** Raw close of t (NaN without a bar). */
  close: number;
  /** Adjusted close of t, the price compared with high52. */
  adjClose: number;
  /** 52-week high on the adjusted basis (NaN when not computable). */
  high52: number;
  distance: number;
  passedDistance: boolean;
  passedVolume: boolean;
  volume: number;
  /** Average volume of the 20 bars before t (NaN when the filter is off or history is short). */
  volumeAvg: number;
  eligible: boolean;
  reason: IneligibleReason | null;
  /** 1-based rank among eligible names; null when ineligible. */
  rank: number | null;
  selected: boolean;
}

export interface MomentumScan {
  date: string;
  /** Eligible rows by rank, then ineligible rows by symbol. Non-members are left out. */
  rows: MomentumRow[];
  /** Selected symbols in rank order. */
  selected: string[];
}

/** MomentumOptions with every default filled in. */
export interface ResolvedMomentumOptions {
  topN: number;
  minDistance: number;
  volumeFilter: boolean;
  volumeMultiplier: number;
  lookback: number;
  volumeWindow: number;
}

export function resolveMomentumOptions(o: MomentumOptions = {}): ResolvedMomentumOptions {
  return {
    topN: o.topN ?? DEFAULT_TOP_N,
    minDistance: o.minDistance ?? DEFAULT_MIN_DISTANCE,
    volumeFilter: o.volumeFilter ?? false,
    volumeMultiplier: o.volumeMultiplier ?? DEFAULT_VOLUME_MULTIPLIER,
    lookback: o.lookback ?? DEFAULT_LOOKBACK,
    volumeWindow: o.volumeWindow ?? DEFAULT_VOLUME_WINDOW,
  };
}

/** True when the bar of cell k exists (close, adjClose and high finite and positive). */
export function hasBarAt(panel: Panel, k: number): boolean {
  const c = panel.close[k];
  const a = panel.adjClose[k];
  const h = panel.high[k];
  return c > 0 && a > 0 && h > 0 && Number.isFinite(c) && Number.isFinite(a) && Number.isFinite(h);
}

/** The adjusted high of cell k: high * (adjClose / close). */
export function adjustedHigh(panel: Panel, k: number): number {
  return panel.high[k] * (panel.adjClose[k] / panel.close[k]);
}

function rankRows(rows: MomentumRow[], topN: number): MomentumScan['rows'] {
  const eligible = rows.filter((r) => r.eligible);
  eligible.sort((a, b) => b.distance - a.distance || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  eligible.forEach((r, i) => {
    r.rank = i + 1;
    r.selected = i < topN;
  });
  const rest = rows.filter((r) => !r.eligible).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return [...eligible, ...rest];
}

function finishRow(
  row: MomentumRow,
  high52: number,
  volumeAvg: number,
  volumeHistoryOk: boolean,
  o: ResolvedMomentumOptions,
): MomentumRow {
  row.high52 = high52;
  row.distance = row.adjClose / high52;
  row.passedDistance = row.distance >= o.minDistance;
  if (o.volumeFilter) {
    row.volumeAvg = volumeAvg;
    row.passedVolume = volumeHistoryOk && row.volume > o.volumeMultiplier * volumeAvg;
  } else {
    row.passedVolume = true;
  }
  if (!row.passedDistance) row.reason = 'below minDistance';
  else if (o.volumeFilter && !volumeHistoryOk) row.reason = 'insufficient volume history';
  else if (!row.passedVolume) row.reason = 'volume filter';
  row.eligible = row.reason === null;
  return row;
}

function emptyRow(panel: Panel, s: number, k: number): MomentumRow {
  return {
    symbol: panel.symbols[s],
    close: panel.close[k],
    adjClose: panel.adjClose[k],
    high52: NaN,
    distance: NaN,
    passedDistance: false,
    passedVolume: false,
    volume: panel.volume[k],
    volumeAvg: NaN,
    eligible: false,
    reason: null,
    rank: null,
    selected: false,
  };
}

/**
 * The scan loop both entry points share; `high52` gives symbol s's 52-week high at t (NaN with
 * too little history), which is the only thing the walk-back and the precomputed scans differ in.
 */
function scanWith(
  panel: Panel,
  t: number,
  o: ResolvedMomentumOptions,
  isMember: ((symbol: string, date: string) => boolean) | undefined,
  high52: (s: number) => number,
): MomentumScan {
  const n = panel.dates.length;
  const date = panel.dates[t];
  const rows: MomentumRow[] = [];
  for (let s = 0; s < panel.symbols.length; s++) {
    if (isMember && !isMember(panel.symbols[s], date)) continue;
    const k = s * n + t;
    const row = emptyRow(panel, s, k);
    rows.push(row);
    if (!hasBarAt(panel, k)) {
      row.reason = 'no bar';
      continue;
    }
    const high = high52(s);
    if (Number.isNaN(high)) {
      row.reason = 'insufficient history';
      continue;
    }
    const avg = o.volumeFilter ? volumeAverageBefore(panel, s, t, o.volumeWindow) : NaN;
    finishRow(row, high, avg, !Number.isNaN(avg), o);
  }
  const ranked = rankRows(rows, o.topN);
  return { date, rows: ranked, selected: ranked.filter((r) => r.selected).map((r) => r.symbol) };
}

/** Scans date index t directly from the panel (walks back over each symbol's bars). */
export function scanMomentum(
  panel: Panel,
  t: number,
  options: MomentumOptions = {},
  isMember?: (symbol: string, date: string) => boolean,
): MomentumScan {
  const o = resolveMomentumOptions(options);
  const n = panel.dates.length;
  return scanWith(panel, t, o, isMember, (s) => {
    // Walk back over the symbol's last `lookback` bars (the high window).
    let count = 0;
    let high = -Infinity;
    for (let d = t; d >= 0 && count < o.lookback; d--) {
      const kk = s * n + d;
      if (!hasBarAt(panel, kk)) continue;
      const h = adjustedHigh(panel, kk);
      if (h > high) high = h;
      count++;
    }
    return count < o.lookback ? NaN : high;
  });
}

/** Whole-panel precomputation for the scanner (see the module comment). */
export interface MomentumPrecomp {
  panel: Panel;
  lookback: number;
  /**
   * Full precomputation: the adjusted 52-week high per cell (symbol-major, index s * T + t), NaN
   * without a bar or with fewer than `lookback` bars. Partial precomputation (slotOf set): one
   * row per wanted date, index slotOf[t] * symbols + s. Read it with high52At.
   */
  high52: Float64Array;
  /** Partial precomputations only: date index -> row in high52, -1 when the date was not computed. */
  slotOf?: Int32Array;
}

/** The 52-week high of symbol index s on date index t from a full or partial precomputation. */
export function high52At(pre: MomentumPrecomp, s: number, t: number): number {
  if (pre.slotOf) return pre.high52[pre.slotOf[t] * pre.panel.symbols.length + s];
  return pre.high52[s * pre.panel.dates.length + t];
}

/** O(T) per symbol: one pass with a monotonic deque of bar positions with decreasing adjusted highs. */
export function precomputeMomentum(panel: Panel, lookback: number = DEFAULT_LOOKBACK): MomentumPrecomp {
  const n = panel.dates.length;
  const m = panel.symbols.length;
  const high52 = new Float64Array(n * m);
  const vals = new Float64Array(n);
  const dq = new Int32Array(n);
  const { close, adjClose, high } = panel;
  for (let s = 0; s < m; s++) {
    const base = s * n;
    let j = 0; // bars seen
    let head = 0;
    let tail = 0; // deque = dq[head..tail), bar positions with strictly decreasing values
    for (let d = 0; d < n; d++) {
      const k = base + d;
      const c = close[k];
      const a = adjClose[k];
      const h = high[k];
      // NaN fails every comparison; Infinity is excluded explicitly.
      if (!(c > 0 && a > 0 && h > 0 && c < Infinity && a < Infinity && h < Infinity)) {
        high52[k] = NaN;
        continue;
      }
      const v = h * (a / c);
      vals[j] = v;
      while (tail > head && vals[dq[tail - 1]] <= v) tail--;
      dq[tail++] = j;
      if (dq[head] <= j - lookback) head++;
      high52[k] = j >= lookback - 1 ? vals[dq[head]] : NaN;
      j++;
    }
  }
  return { panel, lookback, high52 };
}

/**
 * The 52-week highs on a few date indices only (the backtest's decision dates), for the given
 * symbol indices (default all): one pass over each symbol's bars plus the van Herk / Gil-Werman
 * block scheme (running maxima forward and backward inside blocks of `lookback` bars, so a
 * window max is max(backward[first], forward[last])). Same values as precomputeMomentum on those
 * dates (a max is exact), several times cheaper when the dates are few. Symbols not listed read as
 * NaN ('insufficient history') on the wanted dates; other dates are marked invalid, so a scan on
 * them throws instead of silently finding nothing.
 */
export function precomputeMomentumAt(
  panel: Panel,
  lookback: number,
  dateIndices: ArrayLike<number>,
  symbolIndices?: ArrayLike<number>,
): MomentumPrecomp {
  const n = panel.dates.length;
  const m = panel.symbols.length;
  const slotOf = new Int32Array(n).fill(-1);
  let slots = 0;
  let lastDate = -1;
  for (let i = 0; i < dateIndices.length; i++) {
    const d = dateIndices[i];
    if (slotOf[d] < 0) slotOf[d] = slots++;
    if (d > lastDate) lastDate = d;
  }
  const high52 = new Float64Array(slots * m).fill(NaN);
  const vals = new Float64Array(n);
  const fwd = new Float64Array(n);
  const bwd = new Float64Array(n);
  const wantPos = new Int32Array(n); // bar position of each wanted date that has a bar
  const wantSlot = new Int32Array(n);
  const { close, adjClose, high } = panel;
  const count = symbolIndices ? symbolIndices.length : m;
  for (let x = 0; x < count; x++) {
    const s = symbolIndices ? symbolIndices[x] : x;
    const base = s * n;
    let j = 0;
    let w = 0;
    for (let d = 0; d <= lastDate; d++) {
      const k = base + d;
      const c = close[k];
      const a = adjClose[k];
      const h = high[k];
      if (!(c > 0 && a > 0 && h > 0 && c < Infinity && a < Infinity && h < Infinity)) continue;
      vals[j] = h * (a / c);
      if (slotOf[d] >= 0) {
        wantPos[w] = j;
        wantSlot[w] = slotOf[d];
        w++;
      }
      j++;
    }
    if (w === 0 || j < lookback) continue;
    // Running maxima inside blocks [b0, b0 + lookback): forward into fwd, backward into bwd.
    for (let b0 = 0; b0 < j; b0 += lookback) {
      const e = Math.min(b0 + lookback, j);
      let mx = -Infinity;
      for (let i = b0; i < e; i++) {
        if (vals[i] > mx) mx = vals[i];
        fwd[i] = mx;
      }
      mx = -Infinity;
      for (let i = e - 1; i >= b0; i--) {
        if (vals[i] > mx) mx = vals[i];
        bwd[i] = mx;
      }
    }
    for (let q = 0; q < w; q++) {
      const last = wantPos[q];
      if (last >= lookback - 1) high52[wantSlot[q] * m + s] = Math.max(bwd[last - lookback + 1], fwd[last]);
    }
  }
  return { panel, lookback, high52, slotOf };
}

/**
 * Average volume of the `window` bars before date index t (t excluded), summed oldest first;
 * NaN when the symbol has fewer than `window` earlier bars.
 */
export function volumeAverageBefore(panel: Panel, s: number, t: number, window: number): number {
  const n = panel.dates.length;
  let found = 0;
  let d = t - 1;
  for (; d >= 0; d--) {
    if (hasBarAt(panel, s * n + d) && ++found === window) break;
  }
  if (found < window) return NaN;
  let sum = 0;
  for (let e = d; e < t; e++) {
    const k = s * n + e;
    if (hasBarAt(panel, k)) sum += panel.volume[k];
  }
  return sum / window;
}

function checkPrecomp(pre: MomentumPrecomp, o: ResolvedMomentumOptions, t: number): void {
  if (pre.lookback !== o.lookback) {
    throw new RangeError(`precomputation lookback ${pre.lookback} does not match the scan's lookback ${o.lookback}`);
  }
  if (pre.slotOf && pre.slotOf[t] < 0) {
    throw new RangeError(`the partial precomputation does not cover ${pre.panel.dates[t]}`);
  }
}

/** The same scan as scanMomentum, read from a precomputation. */
export function scanMomentumPrecomputed(
  pre: MomentumPrecomp,
  t: number,
  options: MomentumOptions = {},
  isMember?: (symbol: string, date: string) => boolean,
): MomentumScan {
  const o = resolveMomentumOptions(options);
  checkPrecomp(pre, o, t);
  return scanWith(pre.panel, t, o, isMember, (s) => high52At(pre, s, t));
}

export interface Pick {
  s: number; // symbol index in the panel
  distance: number;
}

/**
 * The engine's hot path: the top-N picks on date index t among the candidate symbol indices, in
 * rank order, with no per-row allocation. Same rules as scanMomentum.
 */
export function selectTopPrecomputed(
  pre: MomentumPrecomp,
  t: number,
  candidates: ArrayLike<number>,
  options: MomentumOptions = {},
  isMember?: (symbol: string, date: string) => boolean,
): Pick[] {
  const o = resolveMomentumOptions(options);
  checkPrecomp(pre, o, t);
  const panel = pre.panel;
  const n = panel.dates.length;
  const date = panel.dates[t];
  const picks: Pick[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const s = candidates[i];
    const k = s * n + t;
    const h = high52At(pre, s, t);
    if (!(h > 0)) continue; // NaN: no bar or insufficient history
    const distance = panel.adjClose[k] / h;
    if (!(distance >= o.minDistance)) continue;
    if (o.volumeFilter) {
      const avg = volumeAverageBefore(panel, s, t, o.volumeWindow);
      if (Number.isNaN(avg) || !(panel.volume[k] > o.volumeMultiplier * avg)) continue;
    }
    if (isMember && !isMember(panel.symbols[s], date)) continue;
    picks.push({ s, distance });
  }
  const syms = panel.symbols;
  picks.sort((a, b) => b.distance - a.distance || (syms[a.s] < syms[b.s] ? -1 : syms[a.s] > syms[b.s] ? 1 : 0));
  if (picks.length > o.topN) picks.length = o.topN;
  return picks;
}
