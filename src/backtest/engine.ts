/**
 * The backtest engine: 52-week-high momentum, regime-scaled exposure, honest fills.
 * Pure (no I/O, no clock, no randomness): the same panel, regime series and config always give
 * the same result. docs/backtest.md explains every rule; the short version:
 *
 * Day loop, for each session d in [from, to]:
 *   1. interest: cash > 0 earns cashRate / 252 (simple daily rate per session, not on day 1);
 *   2. delisting: a held symbol past its last bar in the panel is sold at its last price;
 *   3. pending orders (decided at close d-1, fill 'open') execute at the open of d;
 *   4. held positions are marked at d's adjusted close (a symbol with no bar keeps its last price);
 *   5. decision at the close of d: a rebalance date scans and re-targets; in regime mode 'daily'
 *      a change of allocation re-targets the last chosen names. Orders come from planOrders at
 *      close-d prices and fill at the next open (fill 'open') or at once at close d ('close');
 *   6. equity = cash + sum(qty x last adjusted price) is recorded.
 *
 * Price space: the simulation runs on ADJUSTED prices (adjClose, and open x adjClose / close for
 * opens), so dividends and splits show up as total return without cash-flow bookkeeping.
 * Quantities are therefore "adjusted shares"; whole-share rounding is an approximation of real
 * share counts (they differ by the adjustment factor).
 */
import { AtlasError } from '../core/errors.js';
import type { Panel } from '../data/panel.js';
import { rebalancePeriodKey, type RebalanceFrequency } from '../calendar/rebalanceSchedule.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix, type Regime } from '../portfolio/allocation.js';
import type { RegimeMode } from '../portfolio/targetWeights.js';
import { buyScaleFactor, regimeRoom, regimeScaleFactor, scaleBuyQty } from '../portfolio/buyScaling.js';
import { DEFAULT_GATE_LIMITS } from '../execution/gates/types.js';
import type { OrderIntent, OrderSide } from '../execution/orderPlan.js';
import type { GateVerdict } from '../execution/gates/index.js';
import { CASH_SLEEVE, sleeveRemainder, type Sleeve } from '../portfolio/sleeve.js';
import { sleeveSetup, sleeveWarnings, type SleeveReport } from './sleeveRun.js';
import { attachLiveGates, type GateBatch, type RawPrices } from './liveGates.js';
import { decisionDates, panelMasks, prepareBacktest, preparedDecisionDates, type PreparedPanel, type UniverseLike } from './prepared.js';
import {
  DEFAULT_LOOKBACK,
  DEFAULT_MIN_DISTANCE,
  DEFAULT_TOP_N,
  DEFAULT_VOLUME_MULTIPLIER,
  DEFAULT_VOLUME_WINDOW,
  type MomentumPrecomp,
  type ResolvedMomentumOptions,
} from '../selection/momentum52w.js';

export { rebalancePeriodKey, type RebalanceFrequency };
export type { UniverseLike };
export type FillModel = 'open' | 'close';

export interface RegimeSeries {
  dates: string[]; // ascending ISO dates
  regimes: (Regime | null)[]; // null = no regime known (insufficient history)
}

export interface BacktestConfig {
  /** Default: every panel symbol on every date. */
  universe?: UniverseLike | null;
  topN?: number; // 10
  minDistance?: number; // 0.90
  volumeFilter?: boolean; // false
  volumeMultiplier?: number; // 1.25
  lookback?: number; // 252 bars (tests use smaller values)
  volumeWindow?: number; // 20 bars
  rebalance?: RebalanceFrequency; // 'semiannual'
  /**
   * Decide this many sessions after the first session of each period (0 = the first session; the
   * run's first session always decides). Rebalance timing luck runs every offset.
   */
  rebalanceOffset?: number; // 0
  from?: string; // first session on or after; default first panel date
  to?: string; // last session on or before; default last panel date
  initialCash?: number; // 100,000
  regimeMode?: RegimeMode; // 'off'
  allocation?: AllocationMatrix; // DEFAULT_ALLOCATION
  fill?: FillModel; // 'open'
  commissionBps?: number; // 10
  slippageBps?: number; // 10
  wholeShares?: boolean; // false (fractional)
  minNotional?: number; // 0
  cashRate?: number; // 0 (annual)
  /** Evaluate the seven live gates on every rebalance batch (reported, not enforced). Default true; sweeps turn it off. */
  liveGates?: boolean;
  /**
   * Raw (as traded) closes for gate 6's $5 floor (loadStrategyData rebuilds them from the store's
   * split history). Default: the panel's close. Gates only: fills and equity never read them.
   */
  rawPrices?: RawPrices;
  /**
   * A precomputeMomentum(panel, lookback) result to reuse across runs on the same panel object
   * (ignored when panel or lookback differ). A partial precomputeMomentumAt result must cover
   * this run's decision dates and universe symbols. Without one the run computes what it needs.
   */
  precomputed?: MomentumPrecomp;
  /**
   * A prepareBacktest result to reuse (a sweep's shared rankings). Used when it was made for this
   * panel, lookback, volume settings and universe object, its distance floor is at most this
   * run's minDistance and it ranks every decision date of this run; otherwise ignored.
   */
  prepared?: PreparedPanel;
  /** Fail instead of preparing privately when `prepared` does not fit (sweep workers hold no high/volume columns). */
  requirePrepared?: boolean;
  /**
   * The fill prices of every cell, computed once (fillPrices): a sweep's runs read one array per
   * fill instead of the bar mask and three price columns. Used when made for this panel.
   */
  fillPrices?: FillPrices;
  /**
   * Where the remainder goes (portfolio/sleeve.ts): default cash. Sleeve symbols trade from the
   * panel's columns (backtest/sleeveData.ts adds them); a day without a bar keeps the share in cash.
   */
  sleeve?: Sleeve;
  /**
   * Gate 7's slack above the regime's allocation (default 0.005, the live default): the BUYs of a
   * plan, and again at their fill, are scaled so the exposure never passes allocation +
   * tolerance, as live trading must (orderPlan.ts capExposure). Binds only below allocation 1.
   */
  regimeTolerance?: number;
}

export interface ResolvedBacktestConfig extends ResolvedMomentumOptions {
  universeName: string;
  rebalance: RebalanceFrequency;
  rebalanceOffset: number;
  from: string;
  to: string;
  initialCash: number;
  regimeMode: RegimeMode;
  allocation: AllocationMatrix;
  fill: FillModel;
  commissionBps: number;
  slippageBps: number;
  wholeShares: boolean;
  minNotional: number;
  cashRate: number;
  liveGates: boolean;
  sleeve: Sleeve;
  regimeTolerance: number;
}

export type TradeIntent = OrderIntent | 'LIQUIDATE';

export interface Trade {
  date: string;
  symbol: string;
  side: OrderSide;
  qty: number; // adjusted shares
  /** Fill price on the adjusted basis, slippage included. */
  price: number;
  /** qty x price */
  notional: number;
  commission: number;
  /** qty x reference price x slippage rate: what slippage cost versus the reference price. */
  slippage: number;
  cost: number; // commission + slippage
  intent: TradeIntent;
}

export interface RebalanceRecord {
  date: string;
  /** 'rebalance' = scheduled scan; 'regime' = daily-mode re-target after an allocation change. */
  kind: 'rebalance' | 'regime';
  regime: Regime | null;
  allocation: number;
  /** The names targeted, with their distance to the 52-week high at the scan that chose them. */
  chosen: { symbol: string; distance: number }[];
  /**
   * The seven live gates evaluated on this rebalance's order batch, PASS/WARN/FAIL per gate
   * (index 0 = gate 1). Reported, not enforced: backtest fills do not depend on them.
   */
  gates?: GateVerdict[];
  /** Why each gate gave its verdict (index 0 = gate 1), so no FAIL is shown without a reason. */
  gateReasons?: string[];
  /** The remainder sleeve's target weights (symbols with a price that day; absent with a cash sleeve). */
  sleeve?: Record<string, number>;
}

export interface ClosedPosition {
  symbol: string;
  entryDate: string;
  exitDate: string;
  /** Cash paid over the round trip (buys incl. costs). */
  invested: number;
  /** Cash received over the round trip (sells net of costs). */
  proceeds: number;
  pnl: number;
  returnPct: number; // pnl / invested
}

export interface UnfilledOrder {
  date: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  reason: 'no bar' | 'insufficient cash' | 'below minNotional';
}

export interface BacktestResult {
  config: ResolvedBacktestConfig;
  dates: string[];
  equity: Float64Array;
  cash: Float64Array;
  /** Stock value / equity at the close (the remainder sleeve's holdings are not in it). */
  exposure: Float64Array;
  /** Remainder-sleeve value / equity at the close (all 0 with a cash sleeve). */
  sleeveExposure: Float64Array;
  /** The sleeve and its price coverage (cash days): backtest/sleeveRun.ts. */
  sleeve: SleeveReport;
  /** Allocation of the latest decision taken at or before the close of each day. */
  allocation: Float64Array;
  /** Regime of that decision (null in mode 'off' or when no regime was known). */
  regime: (Regime | null)[];
  trades: Trade[];
  rebalances: RebalanceRecord[];
  closedPositions: ClosedPosition[];
  openPositions: { symbol: string; qty: number; price: number; value: number }[];
  unfilled: UnfilledOrder[];
  /** Days whose applied decision had no regime known while a regime mode was on (allocation 1.0). */
  daysWithoutRegime: number;
  warnings: string[];
}

const CASH_DUST = 1e-6;

/**
 * What an order on cell k fills against at the open before slippage, on the adjusted basis (the
 * open x adjClose / close); NaN where the cell has no bar or no usable open. Symbol-major like the
 * panel's columns. (At the close it is the mark of a cell with a bar: no column of its own.)
 */
export interface FillPrices {
  panel: Panel;
  open: Float64Array;
}

/** The adjusted open of a cell with a bar (NaN without a usable open): the one rule for both paths. */
function adjustedOpen(o: number, adjClose: number, close: number): number {
  return o > 0 && o < Infinity ? o * (adjClose / close) : NaN;
}

/**
 * Every cell's fill prices, in shared memory so a sweep hands one copy to all its worker threads;
 * computed once per panel. Costs a column: worth it when many runs share a panel (a sweep), not
 * for one backtest.
 */
export function fillPrices(panel: Panel): FillPrices {
  const hit = fillCache.get(panel);
  if (hit && hit.columns[0] === panel.open && hit.columns[1] === panel.close && hit.columns[2] === panel.adjClose && hit.columns[3] === panel.high) return hit.fills;
  const { bar } = panelMasks(panel);
  const cells = panel.dates.length * panel.symbols.length;
  const open = new Float64Array(new SharedArrayBuffer(cells * 8));
  for (let k = 0; k < cells; k++) open[k] = bar[k] === 0 ? NaN : adjustedOpen(panel.open[k], panel.adjClose[k], panel.close[k]);
  const fills = { panel, open };
  fillCache.set(panel, { columns: [panel.open, panel.close, panel.adjClose, panel.high], fills });
  return fills;
}

/** fillPrices per panel object (again if its columns were replaced): every sweep on a panel shares them. */
const fillCache = new WeakMap<Panel, { columns: Float64Array[]; fills: FillPrices }>();

function bad(msg: string): never {
  throw new AtlasError(msg, { code: 'BAD_BACKTEST_CONFIG' });
}

export function resolveBacktestConfig(panel: Panel, config: BacktestConfig): ResolvedBacktestConfig {
  const r: ResolvedBacktestConfig = {
    universeName: config.universe?.name ?? (config.universe ? 'custom' : 'all panel symbols'),
    topN: config.topN ?? DEFAULT_TOP_N,
    minDistance: config.minDistance ?? DEFAULT_MIN_DISTANCE,
    volumeFilter: config.volumeFilter ?? false,
    volumeMultiplier: config.volumeMultiplier ?? DEFAULT_VOLUME_MULTIPLIER,
    lookback: config.lookback ?? DEFAULT_LOOKBACK,
    volumeWindow: config.volumeWindow ?? DEFAULT_VOLUME_WINDOW,
    rebalance: config.rebalance ?? 'semiannual',
    rebalanceOffset: config.rebalanceOffset ?? 0,
    from: config.from ?? panel.dates[0],
    to: config.to ?? panel.dates[panel.dates.length - 1],
    initialCash: config.initialCash ?? 100_000,
    regimeMode: config.regimeMode ?? 'off',
    allocation: config.allocation ?? DEFAULT_ALLOCATION,
    fill: config.fill ?? 'open',
    commissionBps: config.commissionBps ?? 10,
    slippageBps: config.slippageBps ?? 10,
    wholeShares: config.wholeShares ?? false,
    minNotional: config.minNotional ?? 0,
    cashRate: config.cashRate ?? 0,
    liveGates: config.liveGates ?? true,
    sleeve: config.sleeve ?? CASH_SLEEVE,
    regimeTolerance: config.regimeTolerance ?? DEFAULT_GATE_LIMITS.regimeTolerance,
  };
  if (!Number.isInteger(r.topN) || r.topN < 1) bad(`topN must be a whole number of at least 1, got ${r.topN}.`);
  if (!(r.minDistance > 0 && r.minDistance <= 1)) bad(`minDistance must be in (0, 1], got ${r.minDistance}.`);
  if (!(r.volumeMultiplier > 0)) bad(`volumeMultiplier must be positive, got ${r.volumeMultiplier}.`);
  if (!Number.isInteger(r.lookback) || r.lookback < 1) bad(`lookback must be a whole number of bars, got ${r.lookback}.`);
  if (!Number.isInteger(r.volumeWindow) || r.volumeWindow < 1) bad(`volumeWindow must be a whole number of bars, got ${r.volumeWindow}.`);
  if (!['semiannual', 'quarterly', 'monthly'].includes(r.rebalance)) bad(`rebalance must be semiannual, quarterly or monthly, got ${r.rebalance}.`);
  if (!Number.isInteger(r.rebalanceOffset) || r.rebalanceOffset < 0) bad(`rebalanceOffset must be a whole number of sessions, got ${r.rebalanceOffset}.`);
  if (!['off', 'rebalance', 'daily'].includes(r.regimeMode)) bad(`regime mode must be off, rebalance or daily, got ${r.regimeMode}.`);
  if (!['open', 'close'].includes(r.fill)) bad(`fill must be open or close, got ${r.fill}.`);
  if (!(r.initialCash > 0 && Number.isFinite(r.initialCash))) bad(`initialCash must be a positive amount, got ${r.initialCash}.`);
  if (!(r.commissionBps >= 0 && r.commissionBps < 10_000)) bad(`commissionBps must be between 0 and 10000, got ${r.commissionBps}.`);
  if (!(r.slippageBps >= 0 && r.slippageBps < 10_000)) bad(`slippageBps must be between 0 and 10000, got ${r.slippageBps}.`);
  if (!(r.minNotional >= 0)) bad(`minNotional must be zero or more, got ${r.minNotional}.`);
  if (!(r.cashRate > -1 && r.cashRate < 1)) bad(`cashRate is an annual rate such as 0.02, got ${r.cashRate}.`);
  for (const reg of Object.keys(r.allocation) as Regime[]) {
    const a = r.allocation[reg];
    if (!(a >= 0 && a <= 1)) bad(`The allocation for ${reg} must be between 0 and 1, got ${a}.`);
  }
  if (!(r.regimeTolerance >= 0 && r.regimeTolerance < 1)) bad(`regimeTolerance must be between 0 and 1, got ${r.regimeTolerance}.`);
  if (r.from > r.to) bad(`The backtest start ${r.from} is after its end ${r.to}.`);
  return r;
}

/** As-of join: the regime of the latest regime date on or before each panel date (null before the first). */
export function alignRegimes(panelDates: readonly string[], series: RegimeSeries): (Regime | null)[] {
  if (series.dates.length !== series.regimes.length) {
    throw new AtlasError('The regime series has a different number of dates and regimes.', { code: 'BAD_REGIME_SERIES' });
  }
  for (let i = 1; i < series.dates.length; i++) {
    if (!(series.dates[i - 1] < series.dates[i])) {
      throw new AtlasError(`The regime series dates must ascend without repeats (see ${series.dates[i]}).`, {
        code: 'BAD_REGIME_SERIES',
      });
    }
  }
  const out: (Regime | null)[] = new Array(panelDates.length).fill(null);
  let j = -1;
  for (let d = 0; d < panelDates.length; d++) {
    while (j + 1 < series.dates.length && series.dates[j + 1] <= panelDates[d]) j++;
    out[d] = j >= 0 ? series.regimes[j] : null;
  }
  return out;
}

/** Allocation per panel date under a matrix (NaN where no regime is known), per aligned series and matrix. */
const allocations = new WeakMap<(Regime | null)[], WeakMap<AllocationMatrix, Float64Array>>();

function allocationsFor(regimeAt: (Regime | null)[], matrix: AllocationMatrix): Float64Array {
  let byMatrix = allocations.get(regimeAt);
  if (!byMatrix) {
    byMatrix = new WeakMap();
    allocations.set(regimeAt, byMatrix);
  }
  let a = byMatrix.get(matrix);
  if (!a) {
    a = Float64Array.from(regimeAt, (r) => (r === null ? NaN : matrix[r]));
    byMatrix.set(matrix, a);
  }
  return a;
}

/** As-of regimes for a preparation's panel, aligned once per regime series object. */
function alignedRegimes(prep: PreparedPanel, series: RegimeSeries): (Regime | null)[] {
  prep.regimeCache ??= new WeakMap();
  let a = prep.regimeCache.get(series);
  if (!a) {
    a = alignRegimes(prep.panel.dates, series);
    prep.regimeCache.set(series, a);
  }
  return a;
}

function sessionRange(panel: Panel, cfg: ResolvedBacktestConfig): { start: number; end: number } {
  const n = panel.dates.length;
  let start = 0;
  while (start < n && panel.dates[start] < cfg.from) start++;
  let end = n - 1;
  while (end >= 0 && panel.dates[end] > cfg.to) end--;
  if (start > end) bad(`No sessions between ${cfg.from} and ${cfg.to} in the price data.`);
  return { start, end };
}

function usablePrep(prep: PreparedPanel | undefined, panel: Panel, cfg: ResolvedBacktestConfig, universe: UniverseLike | null, decisions: readonly number[]): PreparedPanel | undefined {
  if (!prep || prep.panel !== panel || prep.universe !== universe || prep.lookback !== cfg.lookback) return undefined;
  if (prep.volumeFilter !== cfg.volumeFilter || prep.distanceFloor > cfg.minDistance || prep.depth < cfg.topN) return undefined;
  if (cfg.volumeFilter && (prep.volumeMultiplier !== cfg.volumeMultiplier || prep.volumeWindow !== cfg.volumeWindow)) return undefined;
  return decisions.every((d) => prep.rankSlot[d] >= 0) ? prep : undefined;
}

/** What every run counts, records or not: enough for the metrics of a sweep. */
export interface RunTotals {
  orders: number;
  tradedNotional: number;
  closedPositions: number;
  wins: number;
}

interface Recorder {
  trades: Trade[];
  rebalances: RebalanceRecord[];
  closed: ClosedPosition[];
  unfilled: UnfilledOrder[];
  regime: (Regime | null)[];
  /** Regime a live run would see on each date (for the gate report), or null = no gate report. */
  gateRegimeAt: (Regime | null)[] | null;
  rawClose: Float64Array;
  basisUnknown?: ReadonlySet<string>;
}

interface SimOutput {
  equity: Float64Array;
  cash: Float64Array;
  exposure: Float64Array;
  sleeveExposure: Float64Array;
  allocation: Float64Array;
  totals: RunTotals;
  daysWithoutRegime: number;
  qty: Float64Array;
  held: Int32Array;
  heldCount: number;
}

const INTENTS: readonly OrderIntent[] = ['OPEN', 'CLOSE', 'ADJUST'];
const OPEN = 0;
const CLOSE = 1;
const ADJUST = 2;
const WHOLE_SHARE_TOLERANCE = 1e-9;
const DUST_NOTIONAL = 1e-6;

/**
 * The day loop on integer-indexed arrays. State lives in typed arrays sized by the panel's symbols
 * and allocated once per run; the loop allocates nothing unless `rec` asks for records. Order
 * planning follows execution/orderPlan.ts planOrders rule for rule (symbol order, whole-share
 * rounding, minNotional, costs, the shared buy scaling), so the reference simulator, which calls
 * planOrders, agrees with it.
 */
function simulate(
  prep: PreparedPanel,
  cfg: ResolvedBacktestConfig,
  start: number,
  end: number,
  decisions: readonly number[],
  regimeAt: (Regime | null)[] | null,
  allocAt: Float64Array | null,
  fills: FillPrices | null,
  rec: Recorder | null,
): SimOutput {
  const { panel, bar, lastBar, mark, symRank, rankSlot, rankStart, rankSyms, rankDist } = prep;
  const { dates, symbols, open, close, adjClose } = panel;
  const fillOpen = fills?.open;
  const n = dates.length;
  const m = symbols.length;
  const slip = cfg.slippageBps / 10_000;
  const comm = cfg.commissionBps / 10_000;
  const planCost = (((1 + slip) * (1 + comm) - 1) * 10_000) / 10_000;
  const dailyRate = cfg.cashRate / 252;
  const { topN, minDistance, wholeShares, minNotional, regimeMode, allocation: matrix } = cfg;
  const atClose = cfg.fill === 'close';

  const len = end - start + 1;
  const equityArr = new Float64Array(len);
  const cashArr = new Float64Array(len);
  const exposureArr = new Float64Array(len);
  const sleeveArr = new Float64Array(len);
  const allocArr = new Float64Array(len);
  const totals: RunTotals = { orders: 0, tradedNotional: 0, closedPositions: 0, wins: 0 };

  let cash = cfg.initialCash;
  const qty = new Float64Array(m);
  const held = new Int32Array(m); // held symbols in the order they were opened
  let heldCount = 0;
  const entryDay = new Int32Array(m);
  const invested = new Float64Array(m);
  const proceeds = new Float64Array(m);
  const chosen = new Int32Array(topN);
  let chosenCount = 0;
  let lastPicks: { symbol: string; distance: number }[] = [];
  // Orders of the last plan: sells [0, nSells), buys [nSells, nOrders), each in symbol order.
  const oSym = new Int32Array(m);
  const oQty = new Float64Array(m);
  const oRef = new Float64Array(m);
  const oIntent = new Uint8Array(m);
  const bSym = new Int32Array(m);
  const bQty = new Float64Array(m);
  const bRef = new Float64Array(m);
  const bIntent = new Uint8Array(m);
  const buyPx = new Float64Array(m);
  // Target weight per symbol of the plan being made (stocks, plus the sleeve's remainder).
  const targetW = new Float64Array(m);
  const { idx: sleeveIdx, cashLike } = sleeveSetup(panel, cfg.sleeve);
  const asCash = new Uint8Array(m); // gate 7 counts a cash-like sleeve as cash
  for (const s of sleeveIdx) if (cashLike.has(symbols[s])) asCash[s] = 1;
  const sleevePx = new Float64Array(sleeveIdx.length);
  const union = new Int32Array(m);
  let nSells = 0;
  let nOrders = 0;
  let pending = false;
  let appliedAlloc = 1;
  let appliedRegime: Regime | null = null;
  let appliedKnown = true;
  let daysWithoutRegime = 0;

  // The earliest last bar among the holdings (recomputed after a change of holdings), so most
  // days skip the delisting walk.
  let minLast = Infinity;
  let minLastStale = false;
  const minLastBar = (): number => {
    if (minLastStale) {
      minLastStale = false;
      minLast = Infinity;
      for (let h = 0; h < heldCount; h++) if (lastBar[held[h]] < minLast) minLast = lastBar[held[h]];
    }
    return minLast;
  };
  const removeHeld = (s: number): void => {
    minLastStale = true;
    let i = 0;
    while (held[i] !== s) i++;
    for (; i < heldCount - 1; i++) held[i] = held[i + 1];
    heldCount--;
  };

  // Valuation by segments: the book (qty, held) changes only on days with fills, so the days from
  // one change to the next are valued together, holding by holding over consecutive cells (each
  // holding's marks are one run of memory), instead of day by day across the holdings. Each day's
  // sum still adds the holdings in book order, so the figures are the day-by-day ones exactly.
  // equityArr and sleeveArr collect the stock and sleeve values until the days are finished.
  let segStart = start;
  const valueDays = (a: number, b: number): void => {
    const i0 = a - start;
    const i1 = b - start;
    for (let i = i0; i <= i1; i++) {
      equityArr[i] = 0;
      sleeveArr[i] = 0;
    }
    // Four holdings per pass: ((v + x0) + x1) + ... adds in book order as four passes would.
    const shift = a - i0;
    let h = 0;
    for (; h + 4 <= heldCount; h += 4) {
      const s0 = held[h];
      const s1 = held[h + 1];
      const s2 = held[h + 2];
      const s3 = held[h + 3];
      const q0 = qty[s0];
      const q1 = qty[s1];
      const q2 = qty[s2];
      const q3 = qty[s3];
      const k0 = s0 * n + shift;
      const k1 = s1 * n + shift;
      const k2 = s2 * n + shift;
      const k3 = s3 * n + shift;
      for (let i = i0; i <= i1; i++) equityArr[i] = equityArr[i] + q0 * mark[k0 + i] + q1 * mark[k1 + i] + q2 * mark[k2 + i] + q3 * mark[k3 + i];
    }
    for (; h < heldCount; h++) {
      const s = held[h];
      const q = qty[s];
      for (let i = i0, k = s * n + a; i <= i1; i++, k++) equityArr[i] += q * mark[k];
    }
    for (let j = 0; j < sleeveIdx.length; j++) {
      const s = sleeveIdx[j];
      const q = qty[s];
      if (q > 0) for (let i = i0, k = s * n + a; i <= i1; i++, k++) sleeveArr[i] += q * mark[k];
    }
    for (let i = i0; i <= i1; i++) {
      const stocks = equityArr[i];
      const sleeveValue = sleeveArr[i];
      const equity = cashArr[i] + stocks;
      equityArr[i] = equity;
      exposureArr[i] = equity > 0 ? (stocks - sleeveValue) / equity : 0;
      sleeveArr[i] = equity > 0 ? sleeveValue / equity : 0;
    }
  };
  /** Values the days before d on the book as it stands: called before the book changes on day d. */
  const valueUpTo = (d: number): void => {
    if (segStart < d) {
      valueDays(segStart, d - 1);
      segStart = d;
    }
  };

  const sellFill = (d: number, s: number, q: number, refPx: number, intent: TradeIntent): void => {
    valueUpTo(d);
    const h = qty[s];
    const price = refPx * (1 - slip);
    const notional = q * price;
    const commission = notional * comm;
    cash += notional - commission;
    totals.orders++;
    totals.tradedNotional += notional;
    proceeds[s] += notional - commission;
    if (rec) {
      const slippage = q * refPx * slip;
      rec.trades.push({ date: dates[d], symbol: symbols[s], side: 'sell', qty: q, price, notional, commission, slippage, cost: commission + slippage, intent });
    }
    if (q >= h) {
      qty[s] = 0;
      removeHeld(s);
      const pnl = proceeds[s] - invested[s];
      totals.closedPositions++;
      if (pnl > 0) totals.wins++;
      rec?.closed.push({ symbol: symbols[s], entryDate: dates[entryDay[s]], exitDate: dates[d], invested: invested[s], proceeds: proceeds[s], pnl, returnPct: pnl / invested[s] });
    } else {
      qty[s] = h - q;
    }
  };

  const refPrice = (s: number, d: number, atOpen: boolean): number => {
    const k = s * n + d;
    if (atOpen && fillOpen !== undefined) return fillOpen[k];
    if (bar[k] === 0) return NaN;
    // On a day with a bar the mark is that day's adjusted close (prepared.ts panelMasks).
    return atOpen ? adjustedOpen(open[k], adjClose[k], close[k]) : mark[k];
  };

  /** The planned BUYs' value at `px` (index-aligned with the orders), a cash-like sleeve left out. */
  const buyValue = (from: number, px: Float64Array): number => {
    let v = 0;
    for (let i = from; i < nOrders; i++) if (!asCash[oSym[i]] && !Number.isNaN(px[i])) v += oQty[i] * px[i];
    return v;
  };
  /** The book at d's fill prices (the last close where there is none): all of it, or (risky = 1) without a cash-like sleeve. */
  const heldValue = (d: number, atOpen: boolean, risky: 0 | 1): number => {
    let v = 0;
    for (let h = 0; h < heldCount; h++) {
      const s = held[h];
      if (risky && asCash[s]) continue;
      const px = refPrice(s, d, atOpen);
      v += qty[s] * (Number.isNaN(px) ? mark[s * n + d] : px);
    }
    return v;
  };
  /** orderPlan.ts capExposure on the plan's buffers: BUYs scaled so held - sells + buys <= cap x equity. */
  const capPlanned = (cap: number, equity: number, priceOf: (s: number) => number): void => {
    let committed = 0;
    for (let h = 0; h < heldCount; h++) {
      const s = held[h];
      if (asCash[s]) continue;
      let q = qty[s];
      for (let i = 0; i < nSells; i++) if (oSym[i] === s) q -= oQty[i];
      committed += Math.abs(q * priceOf(s));
    }
    const k = regimeScaleFactor(buyValue(nSells, oRef), regimeRoom(cap, equity, committed));
    if (k >= 1) return;
    let j = nSells;
    for (let i = nSells; i < nOrders; i++) {
      const q = scaleBuyQty(oQty[i], k, wholeShares);
      if (!(q > 0) || q * oRef[i] < minNotional) continue;
      oSym[j] = oSym[i]; oQty[j] = q; oRef[j] = oRef[i]; oIntent[j] = oIntent[i]; j++;
    }
    nOrders = j;
  };

  /** Executes the planned orders on date index d: sells first, then buys scaled to the cash on hand. */
  const execute = (d: number, atOpen: boolean): void => {
    for (let i = 0; i < nSells; i++) {
      const s = oSym[i];
      const h = qty[s];
      if (h <= 0) continue;
      const px = refPrice(s, d, atOpen);
      if (Number.isNaN(px)) {
        rec?.unfilled.push({ date: dates[d], symbol: symbols[s], side: 'sell', qty: oQty[i], reason: 'no bar' });
        continue;
      }
      sellFill(d, s, oIntent[i] === CLOSE ? h : Math.min(oQty[i], h), px, INTENTS[oIntent[i]]);
    }
    let total = 0;
    for (let i = nSells; i < nOrders; i++) {
      const px = refPrice(oSym[i], d, atOpen);
      buyPx[i] = px;
      if (Number.isNaN(px)) {
        rec?.unfilled.push({ date: dates[d], symbol: symbols[oSym[i]], side: 'buy', qty: oQty[i], reason: 'no bar' });
        continue;
      }
      const notional = oQty[i] * (px * (1 + slip));
      total += notional + notional * comm;
    }
    // Gate 7's room at the fill prices, as the live BUY phase re-sizes at the open (rebalance/resize.ts).
    const k = Math.min(buyScaleFactor(total, cash), regimeScaleFactor(buyValue(nSells, buyPx), regimeRoom(appliedAlloc + cfg.regimeTolerance, cash + heldValue(d, atOpen, 0), heldValue(d, atOpen, 1))));
    for (let i = nSells; i < nOrders; i++) {
      const px = buyPx[i];
      if (Number.isNaN(px)) continue;
      const s = oSym[i];
      const q = scaleBuyQty(oQty[i], k, wholeShares);
      if (!(q > 0)) {
        rec?.unfilled.push({ date: dates[d], symbol: symbols[s], side: 'buy', qty: oQty[i], reason: 'insufficient cash' });
        continue;
      }
      if (q * px < minNotional) {
        rec?.unfilled.push({ date: dates[d], symbol: symbols[s], side: 'buy', qty: oQty[i], reason: 'below minNotional' });
        continue;
      }
      valueUpTo(d);
      const price = px * (1 + slip);
      const notional = q * price;
      const commission = notional * comm;
      cash -= notional + commission;
      totals.orders++;
      totals.tradedNotional += notional;
      if (rec) {
        const slippage = q * px * slip;
        rec.trades.push({ date: dates[d], symbol: symbols[s], side: 'buy', qty: q, price, notional, commission, slippage, cost: commission + slippage, intent: INTENTS[oIntent[i]] });
      }
      const h = qty[s];
      if (h === 0) {
        held[heldCount++] = s;
        minLastStale = true;
        entryDay[s] = d;
        invested[s] = notional + commission;
        proceeds[s] = 0;
      } else {
        invested[s] += notional + commission;
      }
      qty[s] = h + q;
    }
    if (cash < 0 && cash > -CASH_DUST) cash = 0;
  };

  /** planOrders on arrays: targets = the chosen names at allocation / topN each, prices at close d. */
  const plan = (d: number, alloc: number): void => {
    const w = alloc / topN;
    let u = 0;
    for (let i = 0; i < heldCount; i++) union[u++] = held[i];
    const addTarget = (s: number, wt: number): void => {
      if (!(wt > 0)) return;
      if (targetW[s] === 0 && qty[s] === 0) union[u++] = s;
      targetW[s] += wt;
    };
    for (let i = 0; i < chosenCount; i++) addTarget(chosen[i], w);
    if (sleeveIdx.length > 0) {
      // The sleeve's remainder, split over its symbols with a price today (sleeve.ts withSleeve).
      let k = 0;
      for (const s of sleeveIdx) if (qty[s] > 0 || bar[s * n + d] === 1) sleevePx[k++] = s;
      const sw = sleeveRemainder(alloc, topN, chosenCount) / k;
      for (let i = 0; i < k; i++) addTarget(sleevePx[i], sw);
      if (rec) {
        const weights: Record<string, number> = {};
        for (let i = 0; i < k; i++) if (sw > 0) weights[symbols[sleevePx[i]]] = sw;
        rec.rebalances[rec.rebalances.length - 1].sleeve = weights;
      }
    }
    // Symbol (code-unit) order, as planOrders sorts: a small insertion sort on integer ranks.
    for (let i = 1; i < u; i++) {
      const s = union[i];
      const r = symRank[s];
      let j = i - 1;
      while (j >= 0 && symRank[union[j]] > r) {
        union[j + 1] = union[j];
        j--;
      }
      union[j + 1] = s;
    }
    // A holding is valued at its mark (last close on or before d); a new name needs a bar on d.
    const priceOf = (s: number): number => (qty[s] > 0 ? mark[s * n + d] : refPrice(s, d, false));
    let equity = cash;
    for (let i = 0; i < u; i++) {
      const s = union[i];
      if (qty[s] > 0) equity += qty[s] * priceOf(s);
    }
    nSells = 0;
    let nBuys = 0;
    for (let i = 0; i < u; i++) {
      const s = union[i];
      const q = qty[s];
      const p = priceOf(s);
      const tw = targetW[s];
      if (tw === 0) {
        if (q > 0 && !(q * p < minNotional)) {
          oSym[nSells] = s; oQty[nSells] = q; oRef[nSells] = p; oIntent[nSells] = CLOSE; nSells++;
        }
        continue;
      }
      if (!(p > 0 && p < Infinity)) continue; // no price: planOrders skips it
      const targetQty = equity > 0 ? (tw * equity) / p : 0;
      const delta = targetQty - q;
      if (delta > 0) {
        const bq = wholeShares ? Math.floor(delta + WHOLE_SHARE_TOLERANCE) : delta;
        if (bq <= 0 || bq * p < Math.max(minNotional, DUST_NOTIONAL)) continue;
        bSym[nBuys] = s; bQty[nBuys] = bq; bRef[nBuys] = p; bIntent[nBuys] = q > 0 ? ADJUST : OPEN; nBuys++;
      } else if (delta < 0) {
        const partial = wholeShares ? Math.floor(-delta + WHOLE_SHARE_TOLERANCE) : -delta;
        const sq = targetQty <= 0 ? q : Math.min(partial, q);
        if (sq <= 0 || sq * p < minNotional) continue;
        oSym[nSells] = s; oQty[nSells] = sq; oRef[nSells] = p; oIntent[nSells] = sq >= q ? CLOSE : ADJUST; nSells++;
      }
    }
    for (let i = 0; i < u; i++) targetW[union[i]] = 0;
    let available = cash;
    {
      let got = 0;
      for (let i = 0; i < nSells; i++) got += oQty[i] * oRef[i] * (1 - planCost);
      available = cash + got;
    }
    let spend = 0;
    for (let i = 0; i < nBuys; i++) spend += bQty[i] * bRef[i] * (1 + planCost);
    const k = buyScaleFactor(spend, available);
    nOrders = nSells;
    for (let i = 0; i < nBuys; i++) {
      const bq = scaleBuyQty(bQty[i], k, wholeShares);
      const notional = bq * bRef[i];
      if (k < 1 && (bq <= 0 || notional < minNotional || notional === 0)) continue;
      oSym[nOrders] = bSym[i]; oQty[nOrders] = bq; oRef[nOrders] = bRef[i]; oIntent[nOrders] = bIntent[i]; nOrders++;
    }
    capPlanned(alloc + cfg.regimeTolerance, equity, priceOf);
    // The same seven gates a live rebalance must pass, on the same batch: reported with the
    // rebalance so a backtest shows what live trading would have warned about or refused.
    if (rec?.gateRegimeAt) attachLiveGates(rec.rebalances[rec.rebalances.length - 1], gateBatch(d));
    if (atClose) execute(d, false);
    else if (d < end) pending = true;
  };

  /** The batch just planned on date d, copied out of the run's buffers for the gate report. */
  const gateBatch = (d: number): GateBatch => {
    const orderSym = oSym.slice(0, nOrders);
    const rawClose = new Float64Array(nOrders);
    const orderSell = new Uint8Array(nOrders);
    const orderIntent: OrderIntent[] = [];
    for (let i = 0; i < nOrders; i++) {
      const k = orderSym[i] * n + d;
      const px = rec!.rawClose[k];
      rawClose[i] = bar[k] === 1 && px > 0 && px < Infinity ? px : NaN;
      orderSell[i] = i < nSells ? 1 : 0;
      orderIntent.push(INTENTS[oIntent[i]]);
    }
    const heldSym = held.slice(0, heldCount);
    const heldQty = new Float64Array(heldCount);
    const heldPx = new Float64Array(heldCount);
    for (let i = 0; i < heldCount; i++) {
      heldQty[i] = qty[heldSym[i]];
      heldPx[i] = mark[heldSym[i] * n + d];
    }
    const targets: number[] = [];
    for (let i = 0; i < chosenCount; i++) if (qty[chosen[i]] === 0 && bar[chosen[i] * n + d] === 1) targets.push(chosen[i]);
    for (const s of sleeveIdx) if (qty[s] === 0 && bar[s * n + d] === 1 && !targets.includes(s)) targets.push(s);
    // Plain loops: TypedArray.from takes the iterator path (slow in code this cold).
    const targetSym = new Int32Array(targets.length);
    const targetPx = new Float64Array(targets.length);
    for (let i = 0; i < targets.length; i++) {
      targetSym[i] = targets[i];
      targetPx[i] = adjClose[targets[i] * n + d];
    }
    return {
      symbols, heldSym, heldQty, heldPx,
      targetSym, targetPx,
      orderSym, orderQty: oQty.slice(0, nOrders), orderRef: oRef.slice(0, nOrders), orderIntent, orderSell, rawClose,
      cash, wholeShares, regime: rec!.gateRegimeAt![d], mode: regimeMode, allocation: matrix, basisUnknown: rec!.basisUnknown,
      ...(cashLike.size > 0 ? { cashLike } : {}),
    };
  };

  let nextDecision = 0;
  while (nextDecision < decisions.length && decisions[nextDecision] < start) nextDecision++;
  for (let d = start; d <= end; d++) {
    const i = d - start;
    if (i > 0 && dailyRate !== 0 && cash > 0) cash += cash * dailyRate;

    // Delisting: past the last bar the panel will ever have -> sell at the last price. Only a day
    // past the earliest last bar of the book needs the walk over the holdings.
    if (d > minLastBar()) {
      for (let h = 0; h < heldCount; ) {
        const s = held[h];
        if (d > lastBar[s]) sellFill(d, s, qty[s], mark[s * n + d], 'LIQUIDATE');
        else h++;
      }
    }

    if (pending) {
      pending = false;
      execute(d, true);
    }

    const decide = nextDecision < decisions.length && decisions[nextDecision] === d;
    // allocationForDay without its result object (this runs every day in mode 'daily'): the
    // allocation per day was looked up once per series and matrix (NaN = no regime known).
    const known = allocAt !== null && !Number.isNaN(allocAt[d]);
    const alloc = regimeMode === 'off' || !known ? 1 : allocAt[d];
    const retarget = !decide && regimeMode === 'daily' && alloc !== appliedAlloc;

    // Most days only the closing marks change: the book is valued with its segment (valueDays).
    if (decide || retarget) {
      const regimeToday = regimeAt ? regimeAt[d] : null;
      if (decide) {
        nextDecision++;
        const slot = rankSlot[d];
        if (slot < 0) throw new RangeError(`the preparation does not rank ${dates[d]}`);
        chosenCount = 0;
        for (let j = rankStart[slot]; j < rankStart[slot + 1] && chosenCount < topN && rankDist[j] >= minDistance; j++) chosen[chosenCount++] = rankSyms[j];
        appliedAlloc = alloc;
        appliedRegime = regimeToday;
        appliedKnown = known;
        if (rec) {
          lastPicks = [];
          for (let j = 0; j < chosenCount; j++) lastPicks.push({ symbol: symbols[chosen[j]], distance: rankDist[rankStart[slot] + j] });
          rec.rebalances.push({ date: dates[d], kind: 'rebalance', regime: regimeToday, allocation: alloc, chosen: lastPicks });
        }
      } else {
        appliedAlloc = alloc;
        appliedRegime = regimeToday;
        appliedKnown = known;
        rec?.rebalances.push({ date: dates[d], kind: 'regime', regime: regimeToday, allocation: alloc, chosen: lastPicks });
      }
      plan(d, alloc);
    }

    cashArr[i] = cash;
    allocArr[i] = appliedAlloc;
    if (rec) rec.regime[i] = regimeMode === 'off' ? null : appliedRegime;
    if (regimeMode !== 'off' && !appliedKnown) daysWithoutRegime++;
  }
  valueDays(segStart, end);
  return { equity: equityArr, cash: cashArr, exposure: exposureArr, sleeveExposure: sleeveArr, allocation: allocArr, totals, daysWithoutRegime, qty, held, heldCount };
}

/** The last preparation made alongside each reused precomputation (config.precomputed). */
const reusedPreps = new WeakMap<MomentumPrecomp, PreparedPanel>();

interface RunSetup {
  cfg: ResolvedBacktestConfig;
  prep: PreparedPanel;
  start: number;
  end: number;
  decisions: number[];
  regimeAt: (Regime | null)[] | null;
  allocAt: Float64Array | null;
  fills: FillPrices | null;
}

function setUp(panel: Panel, regimeSeries: RegimeSeries | null, config: BacktestConfig): RunSetup {
  const cfg = resolveBacktestConfig(panel, config);
  const { start, end } = sessionRange(panel, cfg);
  if (cfg.regimeMode !== 'off' && !regimeSeries) bad(`Regime mode ${cfg.regimeMode} needs a regime series; pass one or use regime mode off.`);
  const universe = config.universe ?? null;
  const decisions =
    config.prepared?.panel === panel
      ? preparedDecisionDates(config.prepared, start, end, cfg.rebalance, cfg.rebalanceOffset)
      : decisionDates(panel.dates, start, end, cfg.rebalance, cfg.rebalanceOffset);
  const fits = usablePrep(config.prepared, panel, cfg, universe, decisions) ?? usablePrep(config.precomputed && reusedPreps.get(config.precomputed), panel, cfg, universe, decisions);
  if (!fits && config.requirePrepared) bad(`The shared preparation does not cover ${cfg.rebalance} decisions from ${cfg.from} to ${cfg.to} at minDistance ${cfg.minDistance}.`);
  let prep = fits;
  if (!prep) {
    prep = prepareBacktest(panel, {
      lookback: cfg.lookback, volumeFilter: cfg.volumeFilter, volumeMultiplier: cfg.volumeMultiplier, volumeWindow: cfg.volumeWindow,
      distanceFloor: cfg.minDistance, dates: decisions, universe, precomputed: config.precomputed, depth: cfg.topN,
    });
    // A caller that passes a precomputation runs again on the same panel: keep the rankings with it.
    if (config.precomputed) reusedPreps.set(config.precomputed, prep);
  }
  const regimeAt = cfg.regimeMode === 'off' || !regimeSeries ? null : alignedRegimes(prep, regimeSeries);
  const allocAt = regimeAt ? allocationsFor(regimeAt, cfg.allocation) : null;
  const fills = config.fillPrices?.panel === panel ? config.fillPrices : null;
  return { cfg, prep, start, end, decisions, regimeAt, allocAt, fills };
}

/**
 * The preparation one configuration's runs can share (the rankings on its decision dates), e.g.
 * across the regime modes of a comparison, which decide on the same dates.
 */
export function prepareFor(panel: Panel, config: BacktestConfig): PreparedPanel {
  const cfg = resolveBacktestConfig(panel, config);
  const { start, end } = sessionRange(panel, cfg);
  return prepareBacktest(panel, {
    lookback: cfg.lookback, volumeFilter: cfg.volumeFilter, volumeMultiplier: cfg.volumeMultiplier, volumeWindow: cfg.volumeWindow,
    distanceFloor: cfg.minDistance, dates: decisionDates(panel.dates, start, end, cfg.rebalance, cfg.rebalanceOffset),
    universe: config.universe ?? null, precomputed: config.precomputed, depth: cfg.topN,
  });
}

export function runBacktest(panel: Panel, regimeSeries: RegimeSeries | null, config: BacktestConfig = {}): BacktestResult {
  const { cfg, prep, start, end, decisions, regimeAt, allocAt, fills } = setUp(panel, regimeSeries, config);
  const len = end - start + 1;
  // The regime a live run on the decision date would see (the model's, in every mode).
  const gateRegimeAt = !cfg.liveGates || !regimeSeries ? null : (regimeAt ?? alignedRegimes(prep, regimeSeries));
  const rec: Recorder = {
    trades: [], rebalances: [], closed: [], unfilled: [], regime: new Array<Regime | null>(len).fill(null),
    gateRegimeAt: cfg.liveGates ? (gateRegimeAt ?? new Array<Regime | null>(panel.dates.length).fill(null)) : null,
    rawClose: config.rawPrices?.close ?? panel.close,
    basisUnknown: config.rawPrices?.basisUnknown,
  };
  const sim = simulate(prep, cfg, start, end, decisions, regimeAt, allocAt, fills, rec);
  const sleeve = sleeveWarnings(prep, cfg.sleeve, start, end);
  const warnings = [...prep.warnings, ...sleeve.warnings];
  if (sim.daysWithoutRegime > 0) {
    warnings.push(`${sim.daysWithoutRegime} days ran with no regime known (allocation 1.0, as with the regime layer off).`);
  }
  const openPositions: BacktestResult['openPositions'] = [];
  for (let h = 0; h < sim.heldCount; h++) {
    const s = sim.held[h];
    const price = prep.mark[s * panel.dates.length + end];
    openPositions.push({ symbol: panel.symbols[s], qty: sim.qty[s], price, value: sim.qty[s] * price });
  }
  openPositions.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  return {
    config: cfg,
    dates: panel.dates.slice(start, end + 1),
    equity: sim.equity,
    cash: sim.cash,
    exposure: sim.exposure,
    sleeveExposure: sim.sleeveExposure,
    sleeve: sleeve.report,
    allocation: sim.allocation,
    regime: rec.regime,
    trades: rec.trades,
    rebalances: rec.rebalances,
    closedPositions: rec.closed,
    openPositions,
    unfilled: rec.unfilled,
    daysWithoutRegime: sim.daysWithoutRegime,
    warnings,
  };
}

/** A run without records (no trades, rebalances or gate report): what a sweep ranks configurations by. */
export interface LeanResult {
  config: ResolvedBacktestConfig;
  /** Panel date indices of the first and last session. */
  start: number;
  end: number;
  equity: Float64Array;
  exposure: Float64Array;
  totals: RunTotals;
}

/** runBacktest's simulation without building trade, position or rebalance objects. */
export function runBacktestLean(panel: Panel, regimeSeries: RegimeSeries | null, config: BacktestConfig = {}): LeanResult {
  const { cfg, prep, start, end, decisions, regimeAt, allocAt, fills } = setUp(panel, regimeSeries, config);
  const sim = simulate(prep, cfg, start, end, decisions, regimeAt, allocAt, fills, null);
  return { config: cfg, start, end, equity: sim.equity, exposure: sim.exposure, totals: sim.totals };
}
