/** Shared arithmetic and formatting for the gates. Pure functions only. */
import { fixed2, twoDecimals } from '../../core/dollars.js';
import { DEFAULT_ALLOCATION, type AllocationMatrix } from '../../portfolio/allocation.js';
import {
  DEFAULT_GATE_LIMITS,
  type GateContext,
  type GateLimits,
  type GateOrder,
  type GateVerdict,
  type GateWorkingOrder,
  type PerOrderResult,
  type ResultingPosition,
  type ResultingState,
} from './types.js';

const RANK: Record<GateVerdict, number> = { PASS: 0, WARN: 1, FAIL: 2 };

export function worst(verdicts: Iterable<GateVerdict>): GateVerdict {
  let w: GateVerdict = 'PASS';
  for (const v of verdicts) if (RANK[v] > RANK[w]) w = v;
  return w;
}

export function worstOf(perOrder: readonly PerOrderResult[]): GateVerdict {
  return worst(perOrder.map((p) => p.result));
}

/** a <= b, forgiving float noise (1e-9 relative), so "exactly at the limit" passes. */
export function le(a: number, b: number): boolean {
  return a <= b + 1e-9 * Math.max(1, Math.abs(b));
}

/** a > b beyond float noise. */
export function gt(a: number, b: number): boolean {
  return !le(a, b);
}

/** "$1,234.57", "-$5.00" (core/dollars.ts: Intl's digits without Intl's cost; the gates write thousands). */
export function money(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const sign = x < 0 ? '-' : '';
  return `${sign}$${twoDecimals(Math.abs(x))}`;
}

export function pct(fraction: number): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  return `${fixed2(fraction * 100)}%`;
}

/** The defaults themselves when the context sets no limit (every backtest batch): no copy per gate. */
export function limitsOf(ctx: GateContext): Readonly<GateLimits> {
  return ctx.limits === undefined ? DEFAULT_GATE_LIMITS : { ...DEFAULT_GATE_LIMITS, ...ctx.limits };
}

export function allocationOf(ctx: GateContext): AllocationMatrix {
  return ctx.allocation ?? DEFAULT_ALLOCATION;
}

export function isPositiveFinite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/**
 * An order the arithmetic gates (2, 3, 4, 7) can apply: a known side, a positive finite qty and
 * refPrice. Anything else is gate 1's business and is left out of the "resulting" computation.
 */
export function isApplicable(o: GateOrder): boolean {
  return (
    typeof o.symbol === 'string' &&
    o.symbol !== '' &&
    (o.side === 'buy' || o.side === 'sell') &&
    isPositiveFinite(o.qty) &&
    isPositiveFinite(o.refPrice)
  );
}

export function applicable(orders: readonly GateOrder[]): GateOrder[] {
  // Within validateBatch every gate asks for the same batch's list: filtered once (callers only read it).
  const m = memo !== undefined && memo.orders === orders ? memo : undefined;
  if (m) return (m.applicable ??= orders.filter(isApplicable));
  return orders.filter(isApplicable);
}

/** Working orders with a known side and a positive qty but no usable price (their value is unknown). */
export function unpricedWorkingOrders(ctx: GateContext): GateWorkingOrder[] {
  return (ctx.workingOrders ?? []).filter(
    (w) => typeof w.symbol === 'string' && w.symbol !== '' && (w.side === 'buy' || w.side === 'sell') && isPositiveFinite(w.qty) && !isPositiveFinite(w.price),
  );
}

/** Working orders the arithmetic can use: a known side, positive finite qty and price. */
export function workingOrdersOf(ctx: GateContext): GateWorkingOrder[] {
  return (ctx.workingOrders ?? []).filter(
    (w) => typeof w.symbol === 'string' && w.symbol !== '' && (w.side === 'buy' || w.side === 'sell') && isPositiveFinite(w.qty) && isPositiveFinite(w.price),
  );
}

/** What a working order reserves: a limit buy its limit, a market buy its price plus the headroom. */
export function workingCost(w: GateWorkingOrder, buyPriceBuffer: number): number {
  return w.qty * w.price * (w.type === 'limit' ? 1 : 1 + buyPriceBuffer);
}

export interface WorkingTotals {
  count: number;
  /** Cash the working buys will take (market buys with the headroom). */
  buyCost: number;
  /** Working buys and sells at their prices, no headroom. */
  buyValue: number;
  sellValue: number;
  /** Remaining shares per symbol: buys minus sells. */
  netQty: Map<string, number>;
  /** Shares already promised to working sells, per symbol. */
  sellQty: Map<string, number>;
}

export function workingTotals(ctx: GateContext, buyPriceBuffer = limitsOf(ctx).buyPriceBuffer): WorkingTotals {
  const t: WorkingTotals = { count: 0, buyCost: 0, buyValue: 0, sellValue: 0, netQty: new Map(), sellQty: new Map() };
  for (const w of workingOrdersOf(ctx)) {
    t.count++;
    const signed = w.side === 'buy' ? w.qty : -w.qty;
    t.netQty.set(w.symbol, (t.netQty.get(w.symbol) ?? 0) + signed);
    if (w.side === 'buy') {
      t.buyCost += workingCost(w, buyPriceBuffer);
      t.buyValue += w.qty * w.price;
    } else {
      t.sellValue += w.qty * w.price;
      t.sellQty.set(w.symbol, (t.sellQty.get(w.symbol) ?? 0) + w.qty);
    }
  }
  // An unpriced working sell still promises its shares.
  for (const w of unpricedWorkingOrders(ctx)) if (w.side === 'sell') t.sellQty.set(w.symbol, (t.sellQty.get(w.symbol) ?? 0) + w.qty);
  return t;
}

/** ", incl. 2 working order(s) at the broker (buys $x, sells $y)" or '' when there are none. */
export function workingNote(ctx: GateContext): string {
  if (!ctx.workingOrders?.length) return ''; // a backtest batch: no totals to build
  const t = workingTotals(ctx);
  if (t.count === 0) return '';
  return `, incl. ${t.count} working order(s) at the broker (buys ${money(t.buyValue)}, sells ${money(t.sellValue)})`;
}

/** Per symbol: " (incl. working buy 10, sell 5)" or ''. */
export function workingNoteFor(ctx: GateContext, symbol: string): string {
  if (!ctx.workingOrders?.length) return '';
  let buy = 0;
  let sell = 0;
  for (const w of workingOrdersOf(ctx)) {
    if (w.symbol !== symbol) continue;
    if (w.side === 'buy') buy += w.qty;
    else sell += w.qty;
  }
  const parts = [buy > 0 ? `working buy ${buy}` : '', sell > 0 ? `working sell ${sell}` : ''].filter((x) => x !== '');
  return parts.length === 0 ? '' : ` (incl. ${parts.join(', ')})`;
}

/**
 * Valuation price per symbol: the batch's refPrice for traded symbols, else the position's
 * price, else a working order's price.
 */
export function valuationPrices(orders: readonly GateOrder[], ctx: GateContext): Map<string, number> {
  const m = memoFor(orders, ctx);
  if (m) return (m.prices ??= valuationPricesOf(orders, ctx));
  return valuationPricesOf(orders, ctx);
}

function valuationPricesOf(orders: readonly GateOrder[], ctx: GateContext): Map<string, number> {
  const prices = new Map<string, number>();
  for (const [sym, p] of ctx.positions) prices.set(sym, p.price);
  for (const w of workingOrdersOf(ctx)) if (!prices.has(w.symbol)) prices.set(w.symbol, w.price);
  for (const o of applicable(orders)) prices.set(o.symbol, o.refPrice);
  return prices;
}

function stateOf(qtys: Map<string, number>, prices: Map<string, number>, equity: number): ResultingState {
  const positions = new Map<string, ResultingPosition>();
  let exposure = 0;
  for (const [sym, qty] of qtys) {
    const price = prices.get(sym) ?? 0;
    const value = qty * price;
    positions.set(sym, { qty, price, value });
    exposure += Math.abs(value);
  }
  return { exposure, exposurePct: equity > 0 ? exposure / equity : Number.NaN, positions };
}

/** Positions plus every working order: where the account is headed before the batch. */
function committedQtys(ctx: GateContext): Map<string, number> {
  const qtys = new Map<string, number>();
  for (const [sym, p] of ctx.positions) qtys.set(sym, p.qty);
  for (const w of workingOrdersOf(ctx)) qtys.set(w.symbol, (qtys.get(w.symbol) ?? 0) + (w.side === 'buy' ? w.qty : -w.qty));
  return qtys;
}

/**
 * The state before the batch: positions plus working orders, valued at the same prices as the
 * resulting state.
 */
export function currentState(orders: readonly GateOrder[], ctx: GateContext): ResultingState {
  const m = memoFor(orders, ctx);
  if (m) return (m.current ??= stateOf(committedQtys(ctx), valuationPrices(orders, ctx), ctx.equity));
  return stateOf(committedQtys(ctx), valuationPrices(orders, ctx), ctx.equity);
}

/** Positions plus working orders plus every applicable order of the batch at its refPrice. */
export function resultingState(orders: readonly GateOrder[], ctx: GateContext): ResultingState {
  const m = memoFor(orders, ctx);
  if (m) return (m.resulting ??= resultingStateOf(orders, ctx));
  return resultingStateOf(orders, ctx);
}

function resultingStateOf(orders: readonly GateOrder[], ctx: GateContext): ResultingState {
  const qtys = committedQtys(ctx);
  for (const o of applicable(orders)) {
    const q = qtys.get(o.symbol) ?? 0;
    qtys.set(o.symbol, o.side === 'buy' ? q + o.qty : q - o.qty);
  }
  return stateOf(qtys, valuationPrices(orders, ctx), ctx.equity);
}

/**
 * The states before and after one batch, shared by the gates of one validateBatch call (gates 3,
 * 4 and 7 and the batch result each ask for them): set by withBatchMemo for the duration of the
 * call only, so a caller that changes its positions between two calls is never served stale ones.
 */
interface BatchMemo {
  orders: readonly GateOrder[];
  ctx: GateContext;
  current?: ResultingState;
  resulting?: ResultingState;
  applicable?: GateOrder[];
  prices?: Map<string, number>;
}

let memo: BatchMemo | undefined;

function memoFor(orders: readonly GateOrder[], ctx: GateContext): BatchMemo | undefined {
  return memo !== undefined && memo.orders === orders && memo.ctx === ctx ? memo : undefined;
}

/** Runs `f` with the states of (orders, ctx) computed at most once each. */
export function withBatchMemo<T>(orders: readonly GateOrder[], ctx: GateContext, f: () => T): T {
  const outer = memo;
  memo = { orders, ctx };
  try {
    return f();
  } finally {
    memo = outer;
  }
}
