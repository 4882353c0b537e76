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
 * One 52-week-high algorithm (precomputeMomentumAt: one pass over each symbol's bars and the van
 * Herk / Gil-Werman block scheme) serves every entry point: scanMomentum (the CLI "scan" and live
 * signal) computes the highs of one date with it, precomputeMomentum of every date, and a
 * backtest of its decision dates only. The engine ranks with rankCandidates / selectTopPrecomputed:
 * integer tie-breaks (symbolRanks) instead of string comparisons.
 */
import { hasBar, type Panel } from '../data/panel.js';

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

/** True when the bar of cell k exists (panel.ts hasBar: close, adjClose and high finite and positive). */
export function hasBarAt(panel: Panel, k: number): boolean {
  return hasBar(panel, k);
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
  const pre = precomputeMomentumAt(panel, o.lookback, [t]);
  return scanWith(panel, t, o, isMember, (s) => high52At(pre, s, t));
}

/** Whole-panel precomputation for the scanner (see the module comment). */
export interface MomentumPrecomp {
  panel: Panel;
  lookback: number;
  /**
   * The adjusted 52-week high, one row per computed date: index slotOf[t] * symbols + s; NaN
   * without a bar or with fewer than `lookback` bars. Read it with high52At.
   */
  high52: Float64Array;
  /** Date index -> row in high52, -1 when the date was not computed. */
  slotOf: Int32Array;
}

/** The 52-week high of symbol index s on date index t from a full or partial precomputation. */
export function high52At(pre: MomentumPrecomp, s: number, t: number): number {
  return pre.high52[pre.slotOf[t] * pre.panel.symbols.length + s];
}

/** The 52-week high of every cell: precomputeMomentumAt on every date of the panel. */
export function precomputeMomentum(panel: Panel, lookback: number = DEFAULT_LOOKBACK): MomentumPrecomp {
  const all = new Int32Array(panel.dates.length);
  for (let d = 0; d < all.length; d++) all[d] = d;
  return precomputeMomentumAt(panel, lookback, all);
}

/** The rows of a precomputation on `dateIndices`: each distinct date in order of first mention. */
export function momentumSlots(n: number, dateIndices: ArrayLike<number>): { slotOf: Int32Array; slots: number } {
  const slotOf = new Int32Array(n).fill(-1);
  let slots = 0;
  for (let i = 0; i < dateIndices.length; i++) if (slotOf[dateIndices[i]] < 0) slotOf[dateIndices[i]] = slots++;
  return { slotOf, slots };
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
  /** The panel's bar mask (1 where hasBar), when the caller has it (backtest/prepared.ts panelMasks). */
  barMask?: Uint8Array,
): MomentumPrecomp {
  const n = panel.dates.length;
  const m = panel.symbols.length;
  const { slotOf, slots } = momentumSlots(n, dateIndices);
  let lastDate = -1;
  let firstDate = n;
  for (let i = 0; i < dateIndices.length; i++) {
    const d = dateIndices[i];
    if (d > lastDate) lastDate = d;
    if (d < firstDate) firstDate = d;
  }
  const high52 = new Float64Array(slots * m).fill(NaN);
  const vals = new Float64Array(n);
  const fwd = new Float64Array(n);
  const bwd = new Float64Array(n);
  const wantPos = new Int32Array(n); // bar position of each wanted date that has a bar
  const wantSlot = new Int32Array(n);
  const { close, adjClose, high } = panel;
  const count = symbolIndices ? symbolIndices.length : m;
  if (slots === 0) return { panel, lookback, high52, slotOf };
  // The loops below visit millions of cells: the bar test and the reads are written out in them
  // (no closure, each array read once), which made this pass about a third faster.
  const mask = barMask;
  for (let x = 0; x < count; x++) {
    const s = symbolIndices ? symbolIndices[x] : x;
    const base = s * n;
    // Bars before the window of the first wanted date cannot reach any wanted window: start at
    // the (lookback - 1)th bar before it. Positions j then count from there, and a wanted date has
    // a full window exactly when j >= lookback - 1 either way (all of the history before it was
    // short, or lookback - 1 bars precede it from the start).
    let from = firstDate;
    for (let seen = 0; from > 0 && seen < lookback - 1; ) {
      from--;
      if (mask !== undefined ? mask[base + from] === 1 : hasBar(panel, base + from)) seen++;
    }
    let j = 0;
    let w = 0;
    for (let d = from; d <= lastDate; d++) {
      const k = base + d;
      if (mask !== undefined ? mask[k] !== 1 : !hasBar(panel, k)) continue;
      vals[j] = high[k] * (adjClose[k] / close[k]);
      const slot = slotOf[d];
      if (slot >= 0) {
        wantPos[w] = j;
        wantSlot[w] = slot;
        w++;
      }
      j++;
    }
    if (w === 0 || j < lookback) continue;
    // Running maxima inside blocks [b0, b0 + lookback): forward into fwd, backward into bwd.
    for (let b0 = 0; b0 < j; b0 += lookback) {
      const e = b0 + lookback < j ? b0 + lookback : j;
      let mx = -Infinity;
      for (let i = b0; i < e; i++) {
        const v = vals[i];
        if (v > mx) mx = v;
        fwd[i] = mx;
      }
      mx = -Infinity;
      for (let i = e - 1; i >= b0; i--) {
        const v = vals[i];
        if (v > mx) mx = v;
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
  if (pre.slotOf[t] < 0) {
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
 * Each symbol's position in code-unit order (the scanner's tie-break), so rankings compare
 * integers instead of strings.
 */
export function symbolRanks(symbols: readonly string[]): Int32Array {
  const order = symbols.map((_, i) => i).sort((a, b) => (symbols[a] < symbols[b] ? -1 : symbols[a] > symbols[b] ? 1 : a - b));
  const rank = new Int32Array(symbols.length);
  order.forEach((s, r) => (rank[s] = r));
  return rank;
}

/**
 * Every candidate eligible on date index t with a distance >= `floor`, in rank order (distance
 * descending, ties by symbol): written into outSyms / outDist, returns the count. The ranking of
 * a date does not depend on topN or on any minDistance >= floor (those take a prefix of it), so
 * a sweep computes it once per decision date. Same rules as scanMomentum.
 *
 * With `depth`, only the first `depth` of that ranking (the most any run reads: its topN) are
 * written, picked in one pass instead of sorting every eligible name (hundreds a date on a broad
 * universe); they are the full ranking's prefix exactly.
 */
export function rankCandidates(
  pre: MomentumPrecomp,
  t: number,
  candidates: ArrayLike<number>,
  options: { floor: number; volumeFilter: boolean; volumeMultiplier: number; volumeWindow: number; depth?: number },
  ranks: Int32Array,
  isMember: ((s: number, t: number) => boolean) | undefined,
  outSyms: Int32Array,
  outDist: Float64Array,
): number {
  const depth = options.depth ?? Infinity;
  const panel = pre.panel;
  const n = panel.dates.length;
  let count = 0;
  for (let i = 0; i < candidates.length; i++) {
    const s = candidates[i];
    const k = s * n + t;
    const h = high52At(pre, s, t);
    if (!(h > 0)) continue; // NaN: no bar or insufficient history
    const distance = panel.adjClose[k] / h;
    if (!(distance >= options.floor)) continue;
    // With the prefix full, a name that would not enter it needs no volume or membership check
    // (both only remove names, so the order of the tests does not change the result).
    const full = count >= depth;
    if (full && !(distance > outDist[count - 1] || (distance === outDist[count - 1] && ranks[s] < ranks[outSyms[count - 1]]))) continue;
    if (options.volumeFilter) {
      const avg = volumeAverageBefore(panel, s, t, options.volumeWindow);
      if (Number.isNaN(avg) || !(panel.volume[k] > options.volumeMultiplier * avg)) continue;
    }
    if (isMember && !isMember(s, t)) continue;
    if (!full) {
      outSyms[count] = s;
      outDist[count] = distance;
      count++;
      // Kept in rank order once the prefix is full, so a later name only has to beat the last.
      if (count === depth) sortRanked(outSyms, outDist, count, ranks);
      continue;
    }
    // The prefix is full and sorted, and s ranks above its last: insert s, dropping the last.
    let j = count - 1;
    while (j > 0 && (distance > outDist[j - 1] || (distance === outDist[j - 1] && ranks[s] < ranks[outSyms[j - 1]]))) {
      outSyms[j] = outSyms[j - 1];
      outDist[j] = outDist[j - 1];
      j--;
    }
    outSyms[j] = s;
    outDist[j] = distance;
  }
  if (count < depth) sortRanked(outSyms, outDist, count, ranks);
  return count;
}

/** Sorts the first `count` entries of outSyms / outDist into rank order (distance descending, ties by symbol rank). */
function sortRanked(outSyms: Int32Array, outDist: Float64Array, count: number, ranks: Int32Array): void {
  if (count > 1) {
    const idx = new Int32Array(count);
    for (let i = 0; i < count; i++) idx[i] = i;
    const syms = outSyms.slice(0, count);
    const dist = outDist.slice(0, count);
    idx.sort((a, b) => dist[b] - dist[a] || ranks[syms[a]] - ranks[syms[b]]);
    for (let i = 0; i < count; i++) {
      outSyms[i] = syms[idx[i]];
      outDist[i] = dist[idx[i]];
    }
  }
}

/** The top-N picks on date index t among the candidate symbol indices, in rank order. */
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
  const syms = new Int32Array(candidates.length);
  const dist = new Float64Array(candidates.length);
  const member = isMember ? (s: number, d: number) => isMember(panel.symbols[s], panel.dates[d]) : undefined;
  const count = rankCandidates(pre, t, candidates, { floor: o.minDistance, volumeFilter: o.volumeFilter, volumeMultiplier: o.volumeMultiplier, volumeWindow: o.volumeWindow }, symbolRanks(panel.symbols), member, syms, dist);
  const picks: Pick[] = [];
  for (let i = 0; i < Math.min(count, o.topN); i++) picks.push({ s: syms[i], distance: dist[i] });
  return picks;
}
