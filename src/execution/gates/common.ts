/** Shared arithmetic and formatting for the gates. Pure functions only. */
import { DEFAULT_ALLOCATION, type AllocationMatrix } from '../../portfolio/allocation.js';
import {
  DEFAULT_GATE_LIMITS,
  type GateContext,
  type GateLimits,
  type GateOrder,
  type GateVerdict,
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

// One formatter for the process: toLocaleString with options builds a new one on every call,
// which made the gates ~20x slower (they run on every backtest rebalance).
const DOLLARS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function money(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const sign = x < 0 ? '-' : '';
  return `${sign}$${DOLLARS.format(Math.abs(x))}`;
}

export function pct(fraction: number): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  return `${(fraction * 100).toFixed(2)}%`;
}

export function limitsOf(ctx: GateContext): GateLimits {
  return { ...DEFAULT_GATE_LIMITS, ...(ctx.limits ?? {}) };
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
  return orders.filter(isApplicable);
}

/** Valuation price per symbol: the batch's refPrice for traded symbols, else the position's price. */
export function valuationPrices(orders: readonly GateOrder[], ctx: GateContext): Map<string, number> {
  const prices = new Map<string, number>();
  for (const [sym, p] of ctx.positions) prices.set(sym, p.price);
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

/** Positions before the batch, valued at the same prices as the resulting state. */
export function currentState(orders: readonly GateOrder[], ctx: GateContext): ResultingState {
  const prices = valuationPrices(orders, ctx);
  const qtys = new Map<string, number>();
  for (const [sym, p] of ctx.positions) qtys.set(sym, p.qty);
  return stateOf(qtys, prices, ctx.equity);
}

/** Positions after applying every applicable order of the batch at its refPrice. */
export function resultingState(orders: readonly GateOrder[], ctx: GateContext): ResultingState {
  const prices = valuationPrices(orders, ctx);
  const qtys = new Map<string, number>();
  for (const [sym, p] of ctx.positions) qtys.set(sym, p.qty);
  for (const o of applicable(orders)) {
    const q = qtys.get(o.symbol) ?? 0;
    qtys.set(o.symbol, o.side === 'buy' ? q + o.qty : q - o.qty);
  }
  return stateOf(qtys, prices, ctx.equity);
}
