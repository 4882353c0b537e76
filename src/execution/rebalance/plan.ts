/**
 * Pure planning pieces of the rebalancer: broker snapshot + signal -> order plan (planOrders, the
 * backtester's function), the gate context for validateBatch, and the buy re-sizing after the
 * SELL phase. No I/O here; the orchestrator fetches and passes everything in.
 */
import { isMarketOpenAt, nextOpenAfter, nyDateOf, sessionTimes, isTradingDay } from '../../calendar/nyse.js';
import { AtlasError } from '../../core/errors.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix, type Regime } from '../../portfolio/allocation.js';
import type { Account, Asset, Order, Position } from '../brokers/broker.js';
import type { GateAsset, GateContext, GateOpenOrder, GateOrder, GatePosition } from '../gates/types.js';
import { planOrders, type OrderPlan, type PlannedOrder, type SkippedOrder } from '../orderPlan.js';
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

export interface PlanFromSnapshotInput {
  snapshot: BrokerSnapshot;
  targets: Readonly<Record<string, number>>;
  /** Raw closes of the target symbols (from the signal). */
  targetPrices: Readonly<Record<string, number>>;
  /** Price of a held symbol that is not a target: the latest raw close in the store, if any. */
  priceOf: (symbol: string) => number | undefined;
  minNotional: number;
  wholeShares?: boolean;
}

export interface SnapshotPlan {
  plan: OrderPlan;
  /** Every price used (targets and holdings) and where each came from. */
  prices: Map<string, number>;
  priceSources: Record<string, 'store' | 'broker'>;
}

/** planOrders on the broker's holdings and cash with store prices (broker's price as a fallback). */
export function planFromSnapshot(input: PlanFromSnapshotInput): SnapshotPlan {
  const holdings = holdingsOf(input.snapshot.positions);
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
  const plan = planOrders({
    holdings,
    prices,
    cash: input.snapshot.account.cash,
    targetWeights: new Map(Object.entries(input.targets)),
    wholeShares: input.wholeShares ?? true,
    minNotional: input.minNotional,
  });
  return { plan, prices, priceSources };
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
  /** Open orders to leave out of gate 1's "open order exists" check (this run's own orders). */
  ownClientOrderIds?: ReadonlySet<string>;
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
    positions,
    openOrders,
    assets,
    regime: input.regime,
    allocation: input.allocation ?? DEFAULT_ALLOCATION,
    marketOpen: market.open,
    marketDetail: market.detail,
    force: input.force,
    strict: input.strict,
  };
}

/** Cash a cash account can spend now: min(cash, buying power), never negative. */
export function spendableCash(account: Account): number {
  const v = Math.min(account.cash, account.buyingPower);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

export interface BuyBudget {
  /** min(cash, buying power). */
  cash: number;
  /** Gross exposure of the current positions at the valuation prices. */
  exposure: number;
  /** (allocation + tolerance) x equity - exposure: what gate 7 lets the buys add. */
  regimeRoom: number;
  /** min(cash, regimeRoom). */
  budget: number;
}

/**
 * What the BUY phase may spend: the cash actually available (a sell that did not fill, an open
 * order reserving buying power, a fill below the reference price all shrink it) and no more than
 * gate 7 allows on top of what is still held (an unsold position keeps its exposure).
 */
export function buyBudget(account: Account, positions: ReadonlyMap<string, GatePosition>, allocation: number, tolerance: number): BuyBudget {
  let exposure = 0;
  for (const p of positions.values()) exposure += Math.abs(p.qty * p.price);
  const cash = spendableCash(account);
  const equity = Number.isFinite(account.equity) ? account.equity : 0;
  const regimeRoom = Math.max(0, (allocation + tolerance) * equity - exposure);
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
  cost: number;
}

/**
 * Re-sizes the planned buys to a cash budget, never above the planned quantities: when their cost
 * at refPrice exceeds the budget, every buy is scaled by the same factor (whole shares floored),
 * as planOrders does; buys that end below minNotional or at zero are skipped ('insufficient cash').
 */
export function resizeBuys<T extends ResizeInput>(buys: readonly T[], budget: number, minNotional: number, wholeShares = true): ResizeResult<T> {
  let cost = 0;
  for (const b of buys) cost += b.qty * b.refPrice;
  if (cost <= budget + 1e-9) return { kept: buys.map((b) => ({ ...b })), skipped: [], scale: 1, budget, cost };
  const scale = budget > 0 ? (budget / cost) * (1 - 1e-12) : 0;
  const kept: (T & { qty: number })[] = [];
  const skipped: { order: T; reason: SkippedOrder['reason'] }[] = [];
  for (const b of buys) {
    const raw = b.qty * scale;
    const qty = Math.min(b.qty, wholeShares ? Math.floor(raw) : raw);
    if (!(qty > 0) || qty * b.refPrice < minNotional) {
      skipped.push({ order: b, reason: 'insufficient cash' });
      continue;
    }
    kept.push({ ...b, qty });
  }
  return { kept, skipped, scale, budget, cost };
}
