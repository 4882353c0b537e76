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
import { listSome } from '../core/text.js';
import type { Panel } from '../data/panel.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix, type Regime } from '../portfolio/allocation.js';
import { allocationForDay, targetWeights, type RegimeMode } from '../portfolio/targetWeights.js';
import { planOrders, type OrderIntent, type OrderSide, type PlannedOrder } from '../execution/orderPlan.js';
import type { GateVerdict } from '../execution/gates/index.js';
import { evaluateLiveGates, type RawPrices } from './liveGates.js';
import {
  DEFAULT_LOOKBACK,
  DEFAULT_MIN_DISTANCE,
  DEFAULT_TOP_N,
  DEFAULT_VOLUME_MULTIPLIER,
  DEFAULT_VOLUME_WINDOW,
  precomputeMomentumAt,
  selectTopPrecomputed,
  type MomentumPrecomp,
  type ResolvedMomentumOptions,
} from '../selection/momentum52w.js';

export type RebalanceFrequency = 'semiannual' | 'quarterly' | 'monthly';
export type FillModel = 'open' | 'close';

export interface RegimeSeries {
  dates: string[]; // ascending ISO dates
  regimes: (Regime | null)[]; // null = no regime known (insufficient history)
}

/** The part of a Universe the engine needs. */
export interface UniverseLike {
  name?: string;
  symbols: readonly string[];
  isMember(symbol: string, date: string): boolean;
  survivorshipWarning?: string;
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
}

export interface ResolvedBacktestConfig extends ResolvedMomentumOptions {
  universeName: string;
  rebalance: RebalanceFrequency;
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
  /** Stock value / equity at the close. */
  exposure: Float64Array;
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
const SAFETY = 1 - 1e-12;

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
  };
  if (!Number.isInteger(r.topN) || r.topN < 1) bad(`topN must be a whole number of at least 1, got ${r.topN}.`);
  if (!(r.minDistance > 0 && r.minDistance <= 1)) bad(`minDistance must be in (0, 1], got ${r.minDistance}.`);
  if (!(r.volumeMultiplier > 0)) bad(`volumeMultiplier must be positive, got ${r.volumeMultiplier}.`);
  if (!Number.isInteger(r.lookback) || r.lookback < 1) bad(`lookback must be a whole number of bars, got ${r.lookback}.`);
  if (!Number.isInteger(r.volumeWindow) || r.volumeWindow < 1) bad(`volumeWindow must be a whole number of bars, got ${r.volumeWindow}.`);
  if (!['semiannual', 'quarterly', 'monthly'].includes(r.rebalance)) bad(`rebalance must be semiannual, quarterly or monthly, got ${r.rebalance}.`);
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
  if (r.from > r.to) bad(`The backtest start ${r.from} is after its end ${r.to}.`);
  return r;
}

/** Period key of a date for a rebalance frequency; a rebalance happens when the key changes. */
export function rebalancePeriodKey(date: string, freq: RebalanceFrequency): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  if (freq === 'monthly') return y * 12 + (m - 1);
  if (freq === 'quarterly') return y * 4 + Math.floor((m - 1) / 3);
  // semiannual: periods start Feb 1 and Aug 1; January belongs to the previous August period.
  if (m >= 8) return y * 2 + 1;
  if (m >= 2) return y * 2;
  return (y - 1) * 2 + 1;
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

interface OpenLot {
  entryDate: string;
  invested: number;
  proceeds: number;
}

export function runBacktest(panel: Panel, regimeSeries: RegimeSeries | null, config: BacktestConfig = {}): BacktestResult {
  const cfg = resolveBacktestConfig(panel, config);
  const n = panel.dates.length;
  const { dates, symbols, open, close, adjClose, high } = panel;
  let start = 0;
  while (start < n && dates[start] < cfg.from) start++;
  let end = n - 1;
  while (end >= 0 && dates[end] > cfg.to) end--;
  if (start > end) bad(`No sessions between ${cfg.from} and ${cfg.to} in the price data.`);
  if (cfg.regimeMode !== 'off' && !regimeSeries) bad(`Regime mode ${cfg.regimeMode} needs a regime series; pass one or use regime mode off.`);

  const warnings: string[] = [];
  const symIndex = new Map<string, number>();
  symbols.forEach((s, i) => symIndex.set(s, i));
  let candidates: number[];
  const universe = config.universe ?? null;
  if (universe) {
    candidates = [];
    const missing: string[] = [];
    for (const s of universe.symbols) {
      const i = symIndex.get(s);
      if (i === undefined) missing.push(s);
      else candidates.push(i);
    }
    if (missing.length > 0) warnings.push(`${missing.length} universe symbols have no price data and were left out: ${listSome(missing)}.`);
    if (universe.survivorshipWarning) warnings.push(universe.survivorshipWarning);
  } else {
    candidates = symbols.map((_, i) => i);
  }
  const isMember = universe ? (s: string, d: string) => universe.isMember(s, d) : undefined;

  // Decision dates of the schedule: the first session, then every change of period.
  const isRebalance = new Uint8Array(n);
  const rebalanceDates: number[] = [];
  for (let d = start; d <= end; d++) {
    if (d === start || rebalancePeriodKey(dates[d], cfg.rebalance) !== rebalancePeriodKey(dates[d - 1], cfg.rebalance)) {
      isRebalance[d] = 1;
      rebalanceDates.push(d);
    }
  }
  // Reuse a caller's precomputation when it fits this panel, lookback and these dates; otherwise
  // compute the 52-week highs on the decision dates of the candidates only.
  let pre = config.precomputed;
  if (pre && (pre.panel !== panel || pre.lookback !== cfg.lookback || (pre.slotOf && rebalanceDates.some((d) => pre!.slotOf![d] < 0)))) {
    pre = undefined;
  }
  pre ??= precomputeMomentumAt(panel, cfg.lookback, rebalanceDates, candidates);
  const scanOpts = {
    topN: cfg.topN,
    minDistance: cfg.minDistance,
    volumeFilter: cfg.volumeFilter,
    volumeMultiplier: cfg.volumeMultiplier,
    lookback: cfg.lookback,
    volumeWindow: cfg.volumeWindow,
  };

  const regimeAt = cfg.regimeMode === 'off' || !regimeSeries ? null : alignRegimes(dates, regimeSeries);
  const slip = cfg.slippageBps / 10_000;
  const comm = cfg.commissionBps / 10_000;
  const planCostBps = ((1 + slip) * (1 + comm) - 1) * 10_000;
  const dailyRate = cfg.cashRate / 252;

  const hasBar = (k: number): boolean => {
    const c = close[k];
    const a = adjClose[k];
    const h = high[k];
    return c > 0 && a > 0 && h > 0 && Number.isFinite(c) && Number.isFinite(a) && Number.isFinite(h);
  };
  const lastBarCache = new Int32Array(symbols.length).fill(-2);
  const lastBar = (s: number): number => {
    if (lastBarCache[s] === -2) {
      let d = n - 1;
      while (d >= 0 && !hasBar(s * n + d)) d--;
      lastBarCache[s] = d;
    }
    return lastBarCache[s];
  };

  const len = end - start + 1;
  const equityArr = new Float64Array(len);
  const cashArr = new Float64Array(len);
  const exposureArr = new Float64Array(len);
  const allocArr = new Float64Array(len);
  const regimeArr: (Regime | null)[] = new Array(len).fill(null);
  const trades: Trade[] = [];
  const rebalances: RebalanceRecord[] = [];
  const closed: ClosedPosition[] = [];
  const unfilled: UnfilledOrder[] = [];

  let cash = cfg.initialCash;
  const holdings = new Map<string, number>();
  const lastPx = new Map<string, number>();
  const lots = new Map<string, OpenLot>();
  let pending: PlannedOrder[] | null = null;
  let lastChosen: string[] = [];
  let lastPicks: { symbol: string; distance: number }[] = [];
  let appliedAlloc = 1;
  let appliedRegime: Regime | null = null;
  let appliedKnown = true;
  let daysWithoutRegime = 0;

  const sellFill = (date: string, sym: string, qty: number, refPx: number, intent: TradeIntent): void => {
    const held = holdings.get(sym) ?? 0;
    const price = refPx * (1 - slip);
    const notional = qty * price;
    const commission = notional * comm;
    cash += notional - commission;
    const slippage = qty * refPx * slip;
    trades.push({ date, symbol: sym, side: 'sell', qty, price, notional, commission, slippage, cost: commission + slippage, intent });
    const lot = lots.get(sym)!;
    lot.proceeds += notional - commission;
    if (qty >= held) {
      holdings.delete(sym);
      lastPx.delete(sym);
      lots.delete(sym);
      const pnl = lot.proceeds - lot.invested;
      closed.push({ symbol: sym, entryDate: lot.entryDate, exitDate: date, invested: lot.invested, proceeds: lot.proceeds, pnl, returnPct: pnl / lot.invested });
    } else {
      holdings.set(sym, held - qty);
    }
  };

  /** Executes planned orders on date index d at `field` prices: sells first, then buys re-sized to the cash on hand. */
  const execute = (orders: PlannedOrder[], d: number, atOpen: boolean): void => {
    const date = dates[d];
    const refPrice = (sym: string): number => {
      const s = symIndex.get(sym)!;
      const k = s * n + d;
      if (!hasBar(k)) return NaN;
      if (!atOpen) return adjClose[k];
      const o = open[k];
      return o > 0 && Number.isFinite(o) ? o * (adjClose[k] / close[k]) : NaN;
    };
    for (const o of orders) {
      if (o.side !== 'sell') continue;
      const held = holdings.get(o.symbol) ?? 0;
      if (held <= 0) continue;
      const px = refPrice(o.symbol);
      if (Number.isNaN(px)) {
        unfilled.push({ date, symbol: o.symbol, side: 'sell', qty: o.qty, reason: 'no bar' });
        continue;
      }
      const qty = o.intent === 'CLOSE' ? held : Math.min(o.qty, held);
      sellFill(date, o.symbol, qty, px, o.intent);
    }
    const buys: { o: PlannedOrder; px: number }[] = [];
    let total = 0;
    for (const o of orders) {
      if (o.side !== 'buy') continue;
      const px = refPrice(o.symbol);
      if (Number.isNaN(px)) {
        unfilled.push({ date, symbol: o.symbol, side: 'buy', qty: o.qty, reason: 'no bar' });
        continue;
      }
      buys.push({ o, px });
      const notional = o.qty * (px * (1 + slip));
      total += notional + notional * comm;
    }
    const k = total > cash ? (cash > 0 ? (cash / total) * SAFETY : 0) : 1;
    for (const { o, px } of buys) {
      let qty = o.qty;
      if (k < 1) qty = cfg.wholeShares ? Math.floor(o.qty * k) : o.qty * k;
      if (!(qty > 0)) {
        unfilled.push({ date, symbol: o.symbol, side: 'buy', qty: o.qty, reason: 'insufficient cash' });
        continue;
      }
      if (qty * px < cfg.minNotional) {
        unfilled.push({ date, symbol: o.symbol, side: 'buy', qty: o.qty, reason: 'below minNotional' });
        continue;
      }
      const price = px * (1 + slip);
      const notional = qty * price;
      const commission = notional * comm;
      cash -= notional + commission;
      const slippage = qty * px * slip;
      trades.push({ date, symbol: o.symbol, side: 'buy', qty, price, notional, commission, slippage, cost: commission + slippage, intent: o.intent });
      const held = holdings.get(o.symbol) ?? 0;
      holdings.set(o.symbol, held + qty);
      if (!lastPx.has(o.symbol)) lastPx.set(o.symbol, px);
      const lot = lots.get(o.symbol);
      if (lot) lot.invested += notional + commission;
      else lots.set(o.symbol, { entryDate: date, invested: notional + commission, proceeds: 0 });
    }
    if (cash < 0 && cash > -CASH_DUST) cash = 0;
  };

  // The regime a live run on the decision date would see (the model's, in every mode).
  const gateRegimeAt = !cfg.liveGates || !regimeSeries ? null : (regimeAt ?? alignRegimes(dates, regimeSeries));
  const rawClose = config.rawPrices?.close ?? close;
  const liveGates = (orders: readonly PlannedOrder[], prices: ReadonlyMap<string, number>, d: number): { gates: GateVerdict[]; gateReasons: string[] } => {
    const { verdicts, reasons } = evaluateLiveGates({
      orders, prices, holdings, cash, wholeShares: cfg.wholeShares,
      regime: gateRegimeAt ? gateRegimeAt[d] : null, mode: cfg.regimeMode, allocation: cfg.allocation,
      rawClose: (sym) => {
        const k = symIndex.get(sym)! * n + d;
        const px = rawClose[k];
        return hasBar(k) && px > 0 && Number.isFinite(px) ? px : undefined;
      },
      basisUnknown: config.rawPrices?.basisUnknown,
    });
    return { gates: verdicts, gateReasons: reasons };
  };

  const decide = (d: number, weights: Map<string, number>): void => {
    const prices = new Map<string, number>();
    for (const [sym] of holdings) prices.set(sym, lastPx.get(sym)!);
    for (const [sym] of weights) {
      const k = symIndex.get(sym)! * n + d;
      if (hasBar(k)) prices.set(sym, adjClose[k]);
    }
    const plan = planOrders({
      holdings,
      prices,
      cash,
      targetWeights: weights,
      wholeShares: cfg.wholeShares,
      minNotional: cfg.minNotional,
      costBps: planCostBps,
    });
    // The same seven gates a live rebalance must pass, on the same batch: reported with the
    // rebalance so a backtest shows what live trading would have warned about or refused.
    if (cfg.liveGates) Object.assign(rebalances[rebalances.length - 1], liveGates(plan.orders, prices, d));
    if (cfg.fill === 'close') execute(plan.orders, d, false);
    else if (d < end) pending = plan.orders;
  };

  for (let d = start; d <= end; d++) {
    const i = d - start;
    const date = dates[d];
    if (i > 0 && dailyRate !== 0 && cash > 0) cash += cash * dailyRate;

    // Delisting: past the last bar the panel will ever have -> sell at the last price.
    for (const [sym, qty] of holdings) {
      const s = symIndex.get(sym)!;
      if (d > lastBar(s)) sellFill(date, sym, qty, lastPx.get(sym)!, 'LIQUIDATE');
    }

    if (pending) {
      const orders = pending;
      pending = null;
      execute(orders, d, true);
    }

    for (const [sym] of holdings) {
      const k = symIndex.get(sym)! * n + d;
      if (hasBar(k)) lastPx.set(sym, adjClose[k]);
    }

    const regimeToday = regimeAt ? regimeAt[d] : null;
    if (isRebalance[d] === 1) {
      const { allocation, regimeKnown } = allocationForDay(regimeToday, cfg.regimeMode, cfg.allocation);
      const picks = selectTopPrecomputed(pre, d, candidates, scanOpts, isMember);
      lastChosen = picks.map((p) => symbols[p.s]);
      lastPicks = picks.map((p) => ({ symbol: symbols[p.s], distance: p.distance }));
      appliedAlloc = allocation;
      appliedRegime = regimeToday;
      appliedKnown = regimeKnown;
      rebalances.push({ date, kind: 'rebalance', regime: regimeToday, allocation, chosen: lastPicks });
      decide(d, targetWeights(lastChosen, allocation, cfg.topN));
    } else if (cfg.regimeMode === 'daily') {
      const { allocation, regimeKnown } = allocationForDay(regimeToday, cfg.regimeMode, cfg.allocation);
      if (allocation !== appliedAlloc) {
        appliedAlloc = allocation;
        appliedRegime = regimeToday;
        appliedKnown = regimeKnown;
        rebalances.push({ date, kind: 'regime', regime: regimeToday, allocation, chosen: lastPicks });
        decide(d, targetWeights(lastChosen, allocation, cfg.topN));
      }
    }

    let stocks = 0;
    for (const [sym, qty] of holdings) stocks += qty * lastPx.get(sym)!;
    const equity = cash + stocks;
    equityArr[i] = equity;
    cashArr[i] = cash;
    exposureArr[i] = equity > 0 ? stocks / equity : 0;
    allocArr[i] = appliedAlloc;
    regimeArr[i] = cfg.regimeMode === 'off' ? null : appliedRegime;
    if (cfg.regimeMode !== 'off' && !appliedKnown) daysWithoutRegime++;
  }

  if (daysWithoutRegime > 0) {
    warnings.push(`${daysWithoutRegime} days ran with no regime known (allocation 1.0, as with the regime layer off).`);
  }
  const openPositions = [...holdings.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([symbol, qty]) => {
      const price = lastPx.get(symbol)!;
      return { symbol, qty, price, value: qty * price };
    });
  return {
    config: cfg,
    dates: dates.slice(start, end + 1),
    equity: equityArr,
    cash: cashArr,
    exposure: exposureArr,
    allocation: allocArr,
    regime: regimeArr,
    trades,
    rebalances,
    closedPositions: closed,
    openPositions,
    unfilled,
    daysWithoutRegime,
    warnings,
  };
}
