/**
 * Pure planning pieces of the rebalancer: broker snapshot + signal -> order plan (planOrders, the
 * backtester's function), the gate context for validateBatch, and the buy re-sizing after the
 * SELL phase. All of them plan against the account's resulting state: positions plus every order
 * still working at the broker (docs/gates.md, "Working orders"). No I/O here; the orchestrator
 * fetches and passes everything in.
 */
import { fmt } from '../../core/format.js';
import { isMarketOpenAt, nextOpenAfter, nyDateOf, sessionTimes, isTradingDay } from '../../calendar/nyse.js';
import { AtlasError } from '../../core/errors.js';
import { buyScaleFactor, regimeRoom as roomUnder, regimeScaleFactor, scaleBuyQty } from '../../portfolio/buyScaling.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix, type Regime } from '../../portfolio/allocation.js';
import { isTerminal, type Account, type Asset, type Order, type Position } from '../brokers/broker.js';
import { workingCost } from '../gates/common.js';
import {
  DEFAULT_BUY_PRICE_BUFFER,
  DEFAULT_GATE_LIMITS,
  type GateAsset,
  type GateContext,
  type GateLimits,
  type GateOpenOrder,
  type GateOrder,
  type GatePosition,
  type GateWorkingOrder,
} from '../gates/types.js';
import { capExposure, planOrders, type OrderPlan, type PlannedOrder, type SkippedOrder } from '../orderPlan.js';
import { DateTime } from 'luxon';

export interface BrokerSnapshot {
  account: Account;
  positions: Position[];
  openOrders: Order[];
}

/** Long holdings by symbol (short positions are refused: the strategy is long only). */
export function holdingsOf(positions: readonly Position[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of positions) {
    if (p.qty < 0) {
      throw new AtlasError(`The account holds a short position in ${p.symbol} (${p.qty}); Atlas rebalances long-only books, so close it by hand first.`, {
        code: 'SHORT_POSITION',
      });
    }
    if (p.qty > 0) out.set(p.symbol, (out.get(p.symbol) ?? 0) + p.qty);
  }
  return out;
}

/**
 * The broker's open orders as working orders for the gates and the plan: remaining quantity
 * (qty - filled), valued at the order's limit price, else at `referencePrice`. Orders whose id
 * is in `exclude` (the batch being validated) and orders with nothing left are left out. An order
 * that cannot be valued (no limit price and no reference price) is refused with an AtlasError
 * (code WORKING_ORDER_UNPRICED), or with `unpriced: 'keep'` kept with price NaN: gate 2 then
 * FAILs on it, since without its value the account's funds and exposure are unknown.
 */
export function workingOrdersFrom(
  openOrders: readonly Order[],
  referencePrice: (symbol: string) => number | undefined,
  exclude: ReadonlySet<string> = new Set(),
  unpriced: 'throw' | 'keep' = 'throw',
): GateWorkingOrder[] {
  const out: GateWorkingOrder[] = [];
  for (const o of openOrders) {
    if (exclude.has(o.clientOrderId)) continue;
    if (o.status !== undefined && isTerminal(o.status)) continue;
    const remaining = o.qty - (o.filledQty ?? 0);
    if (!(Number.isFinite(remaining) && remaining > 0)) continue;
    const limit = o.limitPrice !== null && o.limitPrice !== undefined && o.limitPrice > 0 && (o.type === 'limit' || o.type === 'stop_limit') ? o.limitPrice : undefined;
    const ref = referencePrice(o.symbol);
    const price = limit ?? (ref !== undefined && Number.isFinite(ref) && ref > 0 ? ref : undefined);
    if (price === undefined && unpriced === 'keep') {
      out.push({ symbol: o.symbol, side: o.side, qty: remaining, price: Number.NaN, type: 'market', clientOrderId: o.clientOrderId });
      continue;
    }
    if (price === undefined) {
      throw new AtlasError(
        `The working ${o.side} order ${o.clientOrderId} for ${remaining} ${o.symbol} has no limit price and no price in the store to value it; run \`atlas data sync\` for ${o.symbol} or cancel the order, then rerun.`,
        { code: 'WORKING_ORDER_UNPRICED' },
      );
    }
    out.push({ symbol: o.symbol, side: o.side, qty: remaining, price, type: limit !== undefined ? 'limit' : 'market', clientOrderId: o.clientOrderId });
  }
  return out;
}

/** One working order as a dry run prints it. */
export interface WorkingOrderRow {
  symbol: string;
  side: 'buy' | 'sell';
  /** Remaining shares. */
  qty: number;
  price: number;
  /** qty x price. */
  value: number;
  clientOrderId: string;
}

/** The working orders a plan or a gate context counted, sorted by symbol then side. */
export function listWorkingOrders(working: readonly GateWorkingOrder[]): WorkingOrderRow[] {
  return working
    .map((w) => ({ symbol: w.symbol, side: w.side, qty: w.qty, price: w.price, value: w.qty * w.price, clientOrderId: w.clientOrderId }))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.side < b.side ? -1 : a.side > b.side ? 1 : 0));
}

/** Lines for a dry run: "working orders counted: 2" then "  buy 10 AAPL @ $180.00 = $1,800.00 (atlas-...)". */
export function formatWorkingOrders(working: readonly GateWorkingOrder[]): string[] {
  const rows = listWorkingOrders(working);
  if (rows.length === 0) return ['working orders counted: none'];
  const usd = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const total = (side: 'buy' | 'sell') => rows.filter((r) => r.side === side).reduce((a, r) => a + r.value, 0);
  return [
    `working orders counted: ${rows.length} (buys ${usd(total('buy'))}, sells ${usd(total('sell'))})`,
    ...rows.map((r) => `  ${r.side} ${fmt.shares(r.qty)} ${r.symbol} @ ${usd(r.price)} = ${usd(r.value)} (${r.clientOrderId})`),
  ];
}

export interface PlanFromSnapshotInput {
  snapshot: BrokerSnapshot;
  targets: Readonly<Record<string, number>>;
  /** Raw closes of the target symbols (from the signal). */
  targetPrices: Readonly<Record<string, number>>;
  /** Price of a held symbol that is not a target: the latest raw close in the store, if any. */
  priceOf: (symbol: string) => number | undefined;
  minNotional: number;
  wholeShares?: boolean;
  /** Headroom on market buys against the cash (default DEFAULT_BUY_PRICE_BUFFER, 3%). */
  buyPriceBuffer?: number;
  /** Expected cost of a SELL in bps of its notional: the buys count on its proceeds net of it (default 0). */
  sellCostBps?: number;
  /**
   * An extra cap on what the buys may spend besides the sell proceeds, a broker figure already
   * net of its working orders (e.g. the pre-flight cash/margin budget: non-marginable buying
   * power). The buys never spend more than min(cash - working buys, buying power, cashBudget).
   */
  cashBudget?: number;
  /** Size from the broker's buying power instead of the cash (margin accounts, when configured). */
  marginAllowed?: boolean;
  /**
   * Largest resulting gross exposure as a fraction of equity (the regime allocation + gate 7's
   * tolerance). When set, the buys are scaled down so that holdings + working orders + the plan
   * stay within it: working buys on names the plan can no longer sell would otherwise push the
   * book over the regime's allocation. Skipped buys carry reason 'exposure cap'.
   */
  exposureCap?: number;
  /** Symbols the exposure cap counts as cash (a cash-like remainder sleeve, as gate 7 does). */
  cashLike?: ReadonlySet<string>;
  /** Open orders that are this batch's own (a resumed run's): not counted as working. */
  ownClientOrderIds?: ReadonlySet<string>;
}

export interface SnapshotPlan {
  plan: OrderPlan;
  /** Every price used (targets, holdings, working orders) and where each came from. */
  prices: Map<string, number>;
  priceSources: Record<string, 'store' | 'broker'>;
  /** The working orders planned around (print them with formatWorkingOrders). */
  working: GateWorkingOrder[];
  /** What the buys could spend before sell proceeds: min(cash - working buys, buying power, cashBudget); may be < 0. */
  buyCash: number;
}

/**
 * planOrders on the account's resulting state, with store prices (broker's price as a fallback):
 * holdings plus every working order (a working BUY of 10 AAPL means the plan buys 10 fewer); the
 * cash is moved by the working orders at the valuation prices so equity is unchanged, while the
 * buys may only spend the budget minus what working buys reserve (working sells are not credited:
 * they may not fill first). Sells never take shares not yet held or already in a working sell.
 */
export function planFromSnapshot(input: PlanFromSnapshotInput): SnapshotPlan {
  const held = holdingsOf(input.snapshot.positions);
  const prices = new Map<string, number>();
  const priceSources: Record<string, 'store' | 'broker'> = {};
  for (const [sym, p] of Object.entries(input.targetPrices)) {
    prices.set(sym, p);
    priceSources[sym] = 'store';
  }
  for (const pos of input.snapshot.positions) {
    if (prices.has(pos.symbol)) continue;
    const stored = input.priceOf(pos.symbol);
    if (stored !== undefined && stored > 0) {
      prices.set(pos.symbol, stored);
      priceSources[pos.symbol] = 'store';
    } else if (Number.isFinite(pos.currentPrice) && pos.currentPrice > 0) {
      prices.set(pos.symbol, pos.currentPrice);
      priceSources[pos.symbol] = 'broker';
    }
  }
  const working = workingOrdersFrom(input.snapshot.openOrders, (sym) => prices.get(sym) ?? positive(input.priceOf(sym)), input.ownClientOrderIds);
  for (const w of working) {
    if (prices.has(w.symbol)) continue;
    const stored = positive(input.priceOf(w.symbol));
    prices.set(w.symbol, stored ?? w.price);
    priceSources[w.symbol] = stored !== undefined ? 'store' : 'broker';
  }

  const buffer = input.buyPriceBuffer ?? DEFAULT_BUY_PRICE_BUFFER;
  const holdings = new Map(held);
  const workingSells = new Map<string, number>();
  let cash = input.snapshot.account.cash;
  let reserved = 0;
  for (const w of working) {
    const p = prices.get(w.symbol)!;
    const q = holdings.get(w.symbol) ?? 0;
    if (w.side === 'buy') {
      holdings.set(w.symbol, q + w.qty);
      cash -= w.qty * p;
      reserved += workingCost(w, buffer);
    } else {
      // A working sell beyond the holding cannot shrink it below zero (it would be refused).
      const sold = Math.min(q, w.qty);
      holdings.set(w.symbol, q - sold);
      cash += sold * p;
      workingSells.set(w.symbol, (workingSells.get(w.symbol) ?? 0) + w.qty);
    }
  }
  for (const [sym, q] of holdings) if (!(q > 0)) holdings.delete(sym);
  const sellable = new Map<string, number>();
  for (const [sym, q] of held) sellable.set(sym, Math.max(0, q - (workingSells.get(sym) ?? 0)));
  for (const sym of holdings.keys()) if (!sellable.has(sym)) sellable.set(sym, 0);

  const account = input.snapshot.account;
  let buyCash = Math.min(
    input.marginAllowed ? Number.POSITIVE_INFINITY : account.cash - reserved,
    Number.isFinite(account.buyingPower) ? account.buyingPower : Number.POSITIVE_INFINITY,
    input.cashBudget ?? Number.POSITIVE_INFINITY,
  );
  if (!Number.isFinite(buyCash)) buyCash = account.cash - reserved;
  const planned = planOrders({
    holdings,
    prices,
    cash,
    targetWeights: new Map(Object.entries(input.targets)),
    wholeShares: input.wholeShares ?? true,
    minNotional: input.minNotional,
    buyCash,
    buyPriceBuffer: buffer,
    ...(input.sellCostBps === undefined ? {} : { sellCostBps: input.sellCostBps }),
    sellable,
  });
  const plan = input.exposureCap === undefined ? planned : capExposure(planned, holdings, prices, input.exposureCap, input.minNotional, input.wholeShares ?? true, input.cashLike);
  return { plan, prices, priceSources, working, buyCash };
}

function positive(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : undefined;
}

/** Market day orders: what the rebalancer sends. */
export function toGateOrders(orders: readonly Pick<PlannedOrder, 'symbol' | 'side' | 'qty' | 'refPrice'>[]): GateOrder[] {
  return orders.map((o) => ({ symbol: o.symbol, side: o.side, qty: o.qty, type: 'market', timeInForce: 'day', refPrice: o.refPrice }));
}

/** Whether the NYSE regular session is open at `now`, with a sentence for the gate report. */
export function marketStatus(now: Date): { open: boolean; detail: string } {
  const fmt = (d: Date) => DateTime.fromJSDate(d, { zone: 'America/New_York' }).toFormat("yyyy-MM-dd HH:mm 'ET'");
  if (isMarketOpenAt(now)) {
    const { close } = sessionTimes(nyDateOf(now));
    return { open: true, detail: `NYSE open until ${fmt(close)}` };
  }
  const date = nyDateOf(now);
  const why = !isTradingDay(date) ? `${date} is not a trading day` : 'outside 09:30-16:00 ET';
  return { open: false, detail: `NYSE closed (${why}); next open ${fmt(nextOpenAfter(now))}` };
}

export interface GateContextInput {
  snapshot: BrokerSnapshot;
  /** Broker assets by symbol (undefined = the broker does not know it). */
  assets: ReadonlyMap<string, Asset | undefined>;
  /** Last price per symbol for gate 6 (the latest raw close in the store). */
  lastPrices: ReadonlyMap<string, number>;
  /** Valuation prices of held symbols (plan prices; broker price otherwise). */
  prices: ReadonlyMap<string, number>;
  regime: Regime;
  allocation?: AllocationMatrix;
  now: Date;
  force: boolean;
  strict: boolean;
  /**
   * This batch's own orders: left out of gate 1's "open order exists" check and not counted as
   * working orders (a resumed batch's orders already at the broker).
   */
  ownClientOrderIds?: ReadonlySet<string>;
  /**
   * Price of a symbol for valuing a working market order when `prices` has none (e.g. the
   * latest close in the store). Default: lastPrices, then the position's price.
   */
  referencePrice?: (symbol: string) => number | undefined;
  /**
   * Fill `workingOrders` from the snapshot's open orders (minus ownClientOrderIds), so gates 2, 3,
   * 4 and 7 see the account's resulting state. Default false only so that a caller that does not
   * yet size its buys around working orders keeps its old behaviour; the rebalancer passes true.
   */
  countWorkingOrders?: boolean;
  /**
   * Headroom on market buys in gate 2. Default 0 for the same reason; the rebalancer passes
   * DEFAULT_BUY_PRICE_BUFFER (3%) or the configured value, and sizes its buys with the same one.
   */
  buyPriceBuffer?: number;
  /** Other limits (position size, gross, min price, tolerance); buyPriceBuffer wins over limits.buyPriceBuffer. */
  limits?: Partial<GateLimits>;
  /** Margin account sized from buying power (default false: cash rules). */
  marginAllowed?: boolean;
  /** Symbols gates 3 and 7 count as cash (the strategy's cash-like remainder sleeve). */
  cashLike?: ReadonlySet<string>;
}

export function buildGateContext(input: GateContextInput): GateContext {
  const { snapshot } = input;
  const positions = new Map<string, GatePosition>();
  for (const p of snapshot.positions) {
    const price = input.prices.get(p.symbol) ?? (p.currentPrice > 0 ? p.currentPrice : p.qty !== 0 ? p.marketValue / p.qty : 0);
    positions.set(p.symbol, { qty: p.qty, price });
  }
  const own = input.ownClientOrderIds ?? new Set<string>();
  const openOrders: GateOpenOrder[] = snapshot.openOrders.filter((o) => !own.has(o.clientOrderId)).map((o) => ({ symbol: o.symbol, side: o.side }));
  const workingOrders = !input.countWorkingOrders ? [] : workingOrdersFrom(
    snapshot.openOrders,
    (sym) => positive(input.prices.get(sym)) ?? positive(input.referencePrice?.(sym)) ?? positive(input.lastPrices.get(sym)) ?? positive(positions.get(sym)?.price),
    own,
    'keep',
  );
  const assets = new Map<string, GateAsset>();
  for (const [sym, a] of input.assets) {
    if (!a) continue;
    assets.set(sym, { active: a.status === 'active', tradable: a.tradable, lastPrice: input.lastPrices.get(sym) });
  }
  const market = marketStatus(input.now);
  return {
    equity: snapshot.account.equity,
    cash: snapshot.account.cash,
    buyingPower: snapshot.account.buyingPower,
    ...(input.marginAllowed === undefined ? {} : { marginAllowed: input.marginAllowed }),
    positions,
    openOrders,
    workingOrders,
    assets,
    regime: input.regime,
    allocation: input.allocation ?? DEFAULT_ALLOCATION,
    marketOpen: market.open,
    marketDetail: market.detail,
    force: input.force,
    strict: input.strict,
    limits: { ...(input.limits ?? {}), buyPriceBuffer: input.buyPriceBuffer ?? input.limits?.buyPriceBuffer ?? 0 },
    ...(input.cashLike?.size ? { cashLike: input.cashLike } : {}),
  };
}

/** Cash a cash account can spend now: min(cash, buying power), never negative. */
export function spendableCash(account: Account): number {
  const v = Math.min(account.cash, account.buyingPower);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

export interface BuyBudget {
  /** min(cash - what working buys take, buying power), never negative. */
  cash: number;
  /** Gross exposure of the current positions plus working orders at the valuation prices. */
  exposure: number;
  /** (allocation + tolerance) x equity - exposure: what gate 7 lets the buys add. */
  regimeRoom: number;
  /** min(cash, regimeRoom). */
  budget: number;
}

export interface BuyBudgetOptions {
  /** Orders working at the broker (other runs', or this run's sells still working): they count. */
  workingOrders?: readonly GateWorkingOrder[];
  /** Headroom on working market buys (default DEFAULT_BUY_PRICE_BUFFER). */
  buyPriceBuffer?: number;
  /** Symbols gate 7 counts as cash: left out of the exposure (a cash-like remainder sleeve). */
  cashLike?: ReadonlySet<string>;
  /**
   * Gate 4's cap on gross exposure as a fraction of equity (default 1.0): the room is never more
   * than it leaves, so BUYs re-sized to the room pass gate 4 as well as gate 7 (whose tolerance
   * alone would allow 100.5% in TREND_BULL).
   */
  maxGrossPct?: number;
}

/**
 * What the BUY phase may spend: the cash actually available (a sell that did not fill, an open
 * order reserving buying power, a fill below the reference price all shrink it) and no more than
 * gate 7 allows on top of what is still held and still working (an unsold position keeps its
 * exposure; a working buy adds to it and takes its cash).
 */
export function buyBudget(
  account: Account,
  positions: ReadonlyMap<string, GatePosition>,
  allocation: number,
  tolerance: number,
  opts: BuyBudgetOptions = {},
): BuyBudget {
  const buffer = opts.buyPriceBuffer ?? DEFAULT_BUY_PRICE_BUFFER;
  const qtys = new Map<string, number>();
  const prices = new Map<string, number>();
  for (const [sym, p] of positions) {
    qtys.set(sym, p.qty);
    prices.set(sym, p.price);
  }
  let reserved = 0;
  for (const w of opts.workingOrders ?? []) {
    if (!(w.qty > 0 && w.price > 0)) continue;
    qtys.set(w.symbol, (qtys.get(w.symbol) ?? 0) + (w.side === 'buy' ? w.qty : -w.qty));
    if (!prices.has(w.symbol)) prices.set(w.symbol, w.price);
    if (w.side === 'buy') reserved += workingCost(w, buffer);
  }
  let exposure = 0;
  let gross = 0;
  for (const [sym, q] of qtys) {
    const value = Math.abs(q * (prices.get(sym) ?? 0));
    gross += value;
    if (!opts.cashLike?.has(sym)) exposure += value;
  }
  const net = Math.min(account.cash - reserved, account.buyingPower);
  const cash = Number.isFinite(net) && net > 0 ? net : 0;
  const equity = Number.isFinite(account.equity) ? account.equity : 0;
  const grossRoom = (opts.maxGrossPct ?? DEFAULT_GATE_LIMITS.maxGrossPct) * equity - gross;
  const regimeRoom = Math.max(0, Math.min(roomUnder(allocation + tolerance, equity, exposure), grossRoom));
  return { cash, exposure, regimeRoom, budget: Math.min(cash, regimeRoom) };
}

export interface ResizeInput {
  symbol: string;
  qty: number;
  refPrice: number;
}

export interface ResizeResult<T extends ResizeInput> {
  kept: (T & { qty: number })[];
  skipped: { order: T; reason: SkippedOrder['reason'] }[];
  /** Factor applied (1 = unchanged). */
  scale: number;
  budget: number;
  /** What the planned buys cost against the budget: qty x refPrice x (1 + buyPriceBuffer). */
  cost: number;
}

export interface ResizeOptions {
  /**
   * Market buys cost refPrice x (1 + buyPriceBuffer) against the budget. Default 0 so that a
   * caller passing min(cash, regime room) as one budget keeps the room exact; the rebalancer
   * passes DEFAULT_BUY_PRICE_BUFFER with the cash as budget and the room as valueCap.
   */
  buyPriceBuffer?: number;
  /**
   * A second cap on the buys' value at refPrice, without headroom (gate 7's regime room): pass
   * the cash as `budget` and the room here to use the room exactly.
   */
  valueCap?: number;
  /** Symbols whose value the valueCap does not count (a cash-like sleeve: gate 7's room is for exposure). */
  cashLike?: ReadonlySet<string>;
}

/**
 * Re-sizes the planned buys to a cash budget, never above the planned quantities: when their cost
 * at refPrice plus the headroom exceeds the budget (or their value the valueCap), every buy is
 * scaled by the same factor (whole shares floored), as planOrders does; buys that end below
 * minNotional or at zero are skipped ('insufficient cash').
 */
export function resizeBuys<T extends ResizeInput>(
  buys: readonly T[],
  budget: number,
  minNotional: number,
  wholeShares = true,
  opts: ResizeOptions = {},
): ResizeResult<T> {
  const buffer = opts.buyPriceBuffer ?? 0;
  let value = 0;
  let capped = 0;
  for (const b of buys) {
    value += b.qty * b.refPrice;
    if (!opts.cashLike?.has(b.symbol)) capped += b.qty * b.refPrice;
  }
  const cost = value * (1 + buffer);
  const cap = opts.valueCap ?? Number.POSITIVE_INFINITY;
  // The binding one of the two limits scales every buy (buyScaling.ts, as the planner and the engine do);
  // cash-like sleeve buys do not count toward gate 7's value cap.
  const scale = Math.min(buyScaleFactor(cost, budget, 1e-9), regimeScaleFactor(capped, cap));
  if (scale >= 1) return { kept: buys.map((b) => ({ ...b })), skipped: [], scale: 1, budget, cost };
  const kept: (T & { qty: number })[] = [];
  const skipped: { order: T; reason: SkippedOrder['reason'] }[] = [];
  for (const b of buys) {
    const qty = scaleBuyQty(b.qty, scale, wholeShares);
    if (!(qty > 0) || qty * b.refPrice < minNotional) {
      skipped.push({ order: b, reason: 'insufficient cash' });
      continue;
    }
    kept.push({ ...b, qty });
  }
  return { kept, skipped, scale, budget, cost };
}
