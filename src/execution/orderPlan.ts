/**
 * Order planning: from current holdings, reference prices, cash and target weights to a list of
 * orders. Pure and broker-agnostic; the backtester and live trading both call it.
 *
 * Rules (docs/backtest.md repeats them):
 * - equity = cash + sum(qty x refPrice) over holdings. Every held symbol needs a price.
 * - Per symbol in the union of holdings and targets (symbol order):
 *   held, not targeted (or weight 0)  -> CLOSE: sell the whole holding;
 *   targeted, not held                -> OPEN: buy;
 *   held and targeted                 -> ADJUST: buy or sell the difference
 *   (an ADJUST that would sell the whole holding is reported as CLOSE).
 * - Target quantity T = weight x equity / refPrice. With wholeShares every trade quantity is
 *   rounded DOWN (towards zero, with a 1e-9 share tolerance for floating-point noise): a buy of
 *   floor(T - held), a partial sell of floor(held - T). So a trade never overshoots its target,
 *   each position ends within one share of it (below after a buy, above after a sell), and no
 *   share is traded back and forth around a fractional target. A CLOSE (weight 0, or T = 0)
 *   sells the holding as held.
 * - An order whose notional (qty x refPrice) is below minNotional is not placed and is listed in
 *   `skipped` (this includes a dust CLOSE: brokers reject such orders too).
 * - Costs: costBps (default 0) is the all-in cost per unit of notional at refPrice (commission
 *   plus expected slippage): sells yield notional x (1 - c), buys cost notional x (1 + c),
 *   c = costBps / 10,000. sellCostBps (default costBps) sets the sells' c alone: live trading
 *   costs its buys with buyPriceBuffer and counts the sells net of the strategy's costs, as
 *   the backtest's plan does.
 * - Never spends cash it does not have: if the buys cost more than cash + net sell proceeds, every
 *   buy is scaled by the same factor k < 1 (whole shares floored again; buys that fall under
 *   minNotional or to zero are skipped with reason 'insufficient cash'). k carries a 1e-12 safety
 *   margin so floating-point sums never overdraw. For this check a buy costs
 *   notional x (1 + c) x (1 + buyPriceBuffer): the headroom a broker reserves above the last price
 *   for a market buy (default 0).
 * - Working orders (live trading): `holdings` may include shares still in working orders at the
 *   broker, and `sellable` then caps each sell at the shares really held and not already promised
 *   to a working sell; a sell capped to nothing is listed in `skipped` with reason 'working order'.
 * - Orders: all SELLs first, then all BUYs, each group by symbol (code-unit order).
 * capExposure then fits the BUYs to gate 7's cap (the regime's allocation + tolerance): the live
 * plan and the backtest (engine.ts, on arrays) both apply it.
 */
import { AtlasError } from '../core/errors.js';
import { buyScaleFactor, regimeRoom, regimeScaleFactor, scaleBuyQty } from '../portfolio/buyScaling.js';

export type OrderSide = 'buy' | 'sell';
export type OrderIntent = 'OPEN' | 'CLOSE' | 'ADJUST';

export interface PlannedOrder {
  symbol: string;
  side: OrderSide;
  qty: number;
  intent: OrderIntent;
  refPrice: number;
  /** qty x refPrice */
  notional: number;
}

export interface SkippedOrder {
  symbol: string;
  reason: 'no price' | 'below minNotional' | 'insufficient cash' | 'working order' | 'exposure cap';
  side?: OrderSide;
  qty?: number;
  notional?: number;
}

export interface PlanInput {
  holdings: ReadonlyMap<string, number>;
  prices: ReadonlyMap<string, number>;
  cash: number;
  targetWeights: ReadonlyMap<string, number>;
  wholeShares: boolean;
  minNotional: number;
  costBps?: number;
  /** Cash the buys may spend before the batch's sell proceeds (default: cash). */
  buyCash?: number;
  /** Headroom on buys against the cash: notional x (1 + buyPriceBuffer). Default 0. */
  buyPriceBuffer?: number;
  /** Cost of a sell in bps of its notional: it yields notional x (1 - sellCostBps / 10,000). Default costBps. */
  sellCostBps?: number;
  /** Most shares a sell may take per symbol (default: the holding). */
  sellable?: ReadonlyMap<string, number>;
}

export interface OrderPlan {
  orders: PlannedOrder[];
  skipped: SkippedOrder[];
  /** Cash after every order fills at refPrice with costs. */
  cashAfter: number;
  /** Equity before trading: cash + holdings at refPrice. */
  equity: number;
  /** Factor applied to the buys to fit the cash (1 = none). */
  buyScale: number;
}

const WHOLE_SHARE_TOLERANCE = 1e-9;
/** A buy worth less than a millionth of a dollar is floating-point noise, not a trade. */
const DUST_NOTIONAL = 1e-6;

const bySymbol = (a: { symbol: string }, b: { symbol: string }): number =>
  a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;

function validPrice(p: number | undefined): p is number {
  return p !== undefined && Number.isFinite(p) && p > 0;
}

export function planOrders(input: PlanInput): OrderPlan {
  const { holdings, prices, cash, targetWeights, wholeShares, minNotional } = input;
  const costBps = input.costBps ?? 0;
  const buyCash = input.buyCash ?? cash;
  const buffer = input.buyPriceBuffer ?? 0;
  if (!Number.isFinite(cash)) throw new AtlasError(`Cash must be a finite number, got ${cash}.`, { code: 'BAD_PLAN_INPUT' });
  if (!(minNotional >= 0)) throw new AtlasError(`minNotional must be zero or more, got ${minNotional}.`, { code: 'BAD_PLAN_INPUT' });
  if (!(costBps >= 0 && costBps < 10_000)) {
    throw new AtlasError(`costBps must be between 0 and 10000, got ${costBps}.`, { code: 'BAD_PLAN_INPUT' });
  }
  if (!Number.isFinite(buyCash)) throw new AtlasError(`buyCash must be a finite number, got ${buyCash}.`, { code: 'BAD_PLAN_INPUT' });
  if (!(buffer >= 0 && buffer < 1)) throw new AtlasError(`buyPriceBuffer must be between 0 and 1, got ${buffer}.`, { code: 'BAD_PLAN_INPUT' });
  const c = costBps / 10_000;
  const sellCostBps = input.sellCostBps ?? costBps;
  if (!(sellCostBps >= 0 && sellCostBps < 10_000)) {
    throw new AtlasError(`sellCostBps must be between 0 and 10000, got ${sellCostBps}.`, { code: 'BAD_PLAN_INPUT' });
  }
  const cs = sellCostBps / 10_000;
  const sellableOf = (sym: string, q: number): number => Math.min(q, Math.max(0, input.sellable?.get(sym) ?? q));

  let weightSum = 0;
  for (const [sym, w] of targetWeights) {
    if (!(Number.isFinite(w) && w >= 0 && w <= 1)) {
      throw new AtlasError(`Target weight of ${sym} must be between 0 and 1, got ${w}.`, { code: 'BAD_PLAN_INPUT' });
    }
    weightSum += w;
  }
  if (weightSum > 1 + 1e-9) {
    throw new AtlasError(`Target weights add up to ${weightSum.toFixed(6)}, more than 1: leverage is not supported.`, {
      code: 'BAD_PLAN_INPUT',
    });
  }

  const symbols = [...new Set([...holdings.keys(), ...targetWeights.keys()])].sort();
  let equity = cash;
  for (const sym of symbols) {
    const q = holdings.get(sym) ?? 0;
    if (q === 0) continue;
    if (!(Number.isFinite(q) && q > 0)) {
      throw new AtlasError(`Holding of ${sym} must be a positive quantity, got ${q}: short positions are not supported.`, {
        code: 'BAD_PLAN_INPUT',
      });
    }
    const p = prices.get(sym);
    if (!validPrice(p)) {
      throw new AtlasError(`No usable price for held symbol ${sym}: equity cannot be valued without it.`, {
        code: 'BAD_PLAN_INPUT',
      });
    }
    equity += q * p;
  }

  const sells: PlannedOrder[] = [];
  let buys: PlannedOrder[] = [];
  const skipped: SkippedOrder[] = [];

  for (const sym of symbols) {
    const q = holdings.get(sym) ?? 0;
    const w = targetWeights.get(sym) ?? 0;
    const p = prices.get(sym);
    if (w === 0) {
      if (q > 0) {
        const qty = sellableOf(sym, q);
        const notional = qty * p!;
        if (qty <= 0) skipped.push({ symbol: sym, reason: 'working order', side: 'sell', qty: q, notional: q * p! });
        else if (notional < minNotional) skipped.push({ symbol: sym, reason: 'below minNotional', side: 'sell', qty, notional });
        else sells.push({ symbol: sym, side: 'sell', qty, intent: 'CLOSE', refPrice: p!, notional });
      }
      continue;
    }
    if (!validPrice(p)) {
      skipped.push({ symbol: sym, reason: 'no price' });
      continue;
    }
    const targetQty = equity > 0 ? (w * equity) / p : 0;
    const delta = targetQty - q;
    if (delta > 0) {
      const qty = wholeShares ? Math.floor(delta + WHOLE_SHARE_TOLERANCE) : delta;
      if (qty <= 0) continue;
      const notional = qty * p;
      if (notional < Math.max(minNotional, DUST_NOTIONAL)) {
        skipped.push({ symbol: sym, reason: 'below minNotional', side: 'buy', qty, notional });
        continue;
      }
      buys.push({ symbol: sym, side: 'buy', qty, intent: q > 0 ? 'ADJUST' : 'OPEN', refPrice: p, notional });
    } else if (delta < 0) {
      const partial = wholeShares ? Math.floor(-delta + WHOLE_SHARE_TOLERANCE) : -delta;
      const wanted = targetQty <= 0 ? q : Math.min(partial, q);
      if (wanted <= 0) continue;
      const qty = sellableOf(sym, wanted);
      if (qty <= 0) {
        skipped.push({ symbol: sym, reason: 'working order', side: 'sell', qty: wanted, notional: wanted * p });
        continue;
      }
      const notional = qty * p;
      if (notional < minNotional) {
        skipped.push({ symbol: sym, reason: 'below minNotional', side: 'sell', qty, notional });
        continue;
      }
      sells.push({ symbol: sym, side: 'sell', qty, intent: wanted >= q ? 'CLOSE' : 'ADJUST', refPrice: p, notional });
    }
  }

  let proceeds = 0;
  for (const o of sells) proceeds += o.notional * (1 - cs);
  const available = buyCash + proceeds;
  const reserve = (1 + c) * (1 + buffer);
  let spend = 0;
  for (const o of buys) spend += o.notional * reserve;

  const buyScale = buyScaleFactor(spend, available);
  if (buyScale < 1) {
    const kept: PlannedOrder[] = [];
    for (const o of buys) {
      const qty = scaleBuyQty(o.qty, buyScale, wholeShares);
      const notional = qty * o.refPrice;
      if (qty <= 0 || notional < minNotional || notional === 0) {
        skipped.push({ symbol: o.symbol, reason: 'insufficient cash', side: 'buy', qty: o.qty, notional: o.notional });
        continue;
      }
      kept.push({ ...o, qty, notional });
    }
    buys = kept;
  }
  spend = 0;
  for (const o of buys) spend += o.notional * (1 + c);

  sells.sort(bySymbol);
  buys.sort(bySymbol);
  skipped.sort(bySymbol);
  return { orders: [...sells, ...buys], skipped, cashAfter: cash + proceeds - spend, equity, buyScale };
}

/**
 * Gate 7's cap on a plan: scales its BUYs (portfolio/buyScaling.ts regimeScaleFactor, whole
 * shares floored again) so that what stays held after the SELLs plus the BUYs, at the plan's
 * prices, is at most `cap` x the plan's equity, `cap` being the regime's allocation + tolerance.
 * Symbols in `cashLike` (a cash-like remainder sleeve) count as cash: left out of the exposure
 * and of the BUYs' value, scaled with the others. BUYs that fall to zero or under minNotional are
 * skipped with reason 'exposure cap'. Why it is needed: the SELLs that trim a position round down
 * and leave it up to one share above its target, and the BUYs are sized to their full targets,
 * so together they can pass the cap that gate 7 enforces live. The live plan
 * (rebalance/plan.ts planFromSnapshot) and the backtest (engine.ts plan) both apply it.
 */
export function capExposure(
  plan: OrderPlan,
  holdings: ReadonlyMap<string, number>,
  prices: ReadonlyMap<string, number>,
  cap: number,
  minNotional: number,
  wholeShares: boolean,
  cashLike: ReadonlySet<string> = new Set(),
): OrderPlan {
  const after = new Map(holdings);
  for (const o of plan.orders) if (o.side === 'sell') after.set(o.symbol, (after.get(o.symbol) ?? 0) - o.qty);
  let committed = 0;
  for (const [sym, q] of after) if (!cashLike.has(sym)) committed += Math.abs(q * (prices.get(sym) ?? 0));
  const buys = plan.orders.filter((o) => o.side === 'buy');
  let value = 0;
  let total = 0;
  for (const o of buys) {
    total += o.notional;
    if (!cashLike.has(o.symbol)) value += o.qty * o.refPrice;
  }
  const k = regimeScaleFactor(value, regimeRoom(cap, plan.equity, committed));
  if (k >= 1) return plan;
  const kept: PlannedOrder[] = [];
  const skipped = [...plan.skipped];
  for (const o of buys) {
    const qty = scaleBuyQty(o.qty, k, wholeShares);
    if (!(qty > 0) || qty * o.refPrice < minNotional) {
      skipped.push({ symbol: o.symbol, reason: 'exposure cap', side: 'buy', qty: o.qty, notional: o.notional });
      continue;
    }
    kept.push({ ...o, qty, notional: qty * o.refPrice });
  }
  const keptValue = kept.reduce((a, o) => a + o.notional, 0);
  skipped.sort(bySymbol);
  return {
    ...plan,
    orders: [...plan.orders.filter((o) => o.side === 'sell'), ...kept],
    skipped,
    cashAfter: plan.cashAfter + (total - keptValue),
    buyScale: plan.buyScale * k,
  };
}
