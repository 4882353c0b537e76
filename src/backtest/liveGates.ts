/**
 * The seven live gates as the backtest evaluates them on each rebalance batch (reported, not
 * enforced). The context is the one a live run on that date would have seen: the regime the model
 * gave on that date, the strategy's own allocation for it, and the RAW (as traded) close for the
 * $5 floor of gate 6. Every verdict keeps its reason so a FAIL never appears without one.
 *
 * Off the hot path: a backtest computes the verdicts with liveGateVerdicts (the gates' arithmetic
 * on this fixed context, no text) and attaches the reasons lazily: evaluateLiveGates, the real
 * gates of execution/gates, runs only when a reason is read (printed, exported). A property test
 * holds the two to the same verdicts.
 */
import { NO_REGIME_ALLOCATION, type RegimeMode } from '../portfolio/targetWeights.js';
import { REGIMES, type AllocationMatrix, type Regime } from '../portfolio/allocation.js';
import type { PlannedOrder } from '../execution/orderPlan.js';
import { DEFAULT_GATE_LIMITS, SYMBOL_PATTERN, validateBatch, type GateAsset, type GateResult, type GateVerdict } from '../execution/gates/index.js';

/** Raw (as traded) closes for gate 6, in the panel's layout (symbol-major, NaN = unknown). */
export interface RawPrices {
  close: Float64Array;
  /** Symbols whose stored closes may be split-adjusted with no split history to undo it. */
  basisUnknown: ReadonlySet<string>;
}

export interface LiveGateInput {
  orders: readonly PlannedOrder[];
  /** Valuation prices (adjusted basis) of every held and targeted symbol. */
  prices: ReadonlyMap<string, number>;
  holdings: ReadonlyMap<string, number>;
  cash: number;
  wholeShares: boolean;
  /** The regime the model gave on the decision date (null = none known yet). */
  regime: Regime | null;
  mode: RegimeMode;
  allocation: AllocationMatrix;
  /** Raw close of each ordered symbol on the decision date (undefined = no bar). */
  rawClose: (symbol: string) => number | undefined;
  basisUnknown?: ReadonlySet<string>;
  /** Remainder-sleeve symbols counted as cash by gates 3 and 7 (GateContext.cashLike). */
  cashLike?: ReadonlySet<string>;
}

export interface LiveGateOutcome {
  verdicts: GateVerdict[];
  reasons: string[];
}

const RANK: Record<GateVerdict, number> = { PASS: 0, WARN: 1, FAIL: 2 };

/** The matrix of the regime layer off: NO_REGIME_ALLOCATION in every regime (one object, the gates only read it). */
const UNIFORM: Readonly<AllocationMatrix> = Object.fromEntries(REGIMES.map((r) => [r, NO_REGIME_ALLOCATION])) as AllocationMatrix;

export function evaluateLiveGates(input: LiveGateInput): LiveGateOutcome {
  const positions = new Map<string, { qty: number; price: number }>();
  let equity = input.cash;
  for (const [sym, qty] of input.holdings) {
    const price = input.prices.get(sym)!;
    positions.set(sym, { qty, price });
    equity += qty * price;
  }
  const assets = new Map<string, GateAsset>();
  for (const o of input.orders) assets.set(o.symbol, { active: true, tradable: true, lastPrice: input.rawClose(o.symbol) });
  // The regime layer off targets 100% whatever the regime; with no regime known a regime mode
  // does the same. The gate still sees the real regime when there is one (CRASH refuses buys live).
  const matrix = input.mode === 'off' || input.regime === null ? UNIFORM : input.allocation;
  const v = validateBatch(
    input.orders.map((o) => ({ symbol: o.symbol, side: o.side, qty: o.qty, type: 'market' as const, timeInForce: 'day' as const, refPrice: o.refPrice })),
    {
      equity, cash: input.cash, buyingPower: input.cash, allowFractional: !input.wholeShares, positions, openOrders: [], assets,
      regime: input.regime ?? 'TREND_BULL',
      allocation: matrix,
      marketOpen: true, marketDetail: 'backtest: filled at the next session', force: false, strict: false,
      ...(input.cashLike?.size ? { cashLike: input.cashLike } : {}),
    },
  );
  const gates = v.gates.map((g) => (g.gate === 6 && input.basisUnknown?.size ? unknownBasis(g, input.basisUnknown) : g));
  const reasons = gates.map((g) => g.reason);
  if (input.regime === null) reasons[6] = `no regime known yet (target 100%): ${reasons[6].replace(/^regime TREND_BULL: /, '')}`;
  else if (input.mode === 'off') reasons[6] = `${reasons[6]} (regime layer off: target 100% in every regime)`;
  return { verdicts: gates.map((g) => g.result), reasons };
}

/**
 * A $5-floor FAIL on a symbol whose stored closes may be split-adjusted (a CSV without split
 * history) is not evidence of a penny stock: it becomes a WARN that says why it cannot be checked.
 */
function unknownBasis(g: GateResult, unknown: ReadonlySet<string>): GateResult {
  if (g.result !== 'FAIL' || !g.perOrder) return g;
  const perOrder = g.perOrder.map((p) =>
    p.result === 'FAIL' && unknown.has(p.symbol) && /penny stock/.test(p.reason)
      ? { ...p, result: 'WARN' as const, reason: `${p.reason.replace(/ \(penny stock\)$/, '')}, but the stored closes of ${p.symbol} may be split-adjusted (no split history in the store), so the $5 floor cannot be checked` }
      : p,
  );
  const result = perOrder.reduce<GateVerdict>((w, p) => (RANK[p.result] > RANK[w] ? p.result : w), 'PASS');
  return { ...g, result, perOrder, reason: perOrder.filter((p) => p.result !== 'PASS').map((p) => p.reason).join('; ') };
}

/** a <= b forgiving float noise, as the gates compare (execution/gates/common.ts le). */
function le(a: number, b: number): boolean {
  return a <= b + 1e-9 * Math.max(1, Math.abs(b));
}

const posFinite = (x: number | undefined): x is number => typeof x === 'number' && x > 0 && x < Infinity;

/**
 * One rebalance batch on integer symbol indices, as the engine holds it: no maps, no strings.
 * Positions in held order; orders in batch order, each with its raw close (NaN = unknown).
 */
export interface GateBatch {
  symbols: readonly string[];
  heldSym: Int32Array;
  heldQty: Float64Array;
  heldPx: Float64Array;
  /** Valuation prices of targeted names that are not held (for the reasons' context only). */
  targetSym: Int32Array;
  targetPx: Float64Array;
  orderSym: Int32Array;
  orderQty: Float64Array;
  orderRef: Float64Array;
  orderIntent: readonly PlannedOrder['intent'][];
  /** 1 = sell, 0 = buy. */
  orderSell: Uint8Array;
  rawClose: Float64Array;
  cash: number;
  wholeShares: boolean;
  regime: Regime | null;
  mode: RegimeMode;
  allocation: AllocationMatrix;
  basisUnknown?: ReadonlySet<string>;
  cashLike?: ReadonlySet<string>;
}

/** The map-based input of evaluateLiveGates for a batch (built when the reasons are read). */
export function batchInput(b: GateBatch): LiveGateInput {
  const orders: PlannedOrder[] = [];
  const raw = new Map<string, number>();
  for (let i = 0; i < b.orderSym.length; i++) {
    const symbol = b.symbols[b.orderSym[i]];
    orders.push({ symbol, side: b.orderSell[i] === 1 ? 'sell' : 'buy', qty: b.orderQty[i], intent: b.orderIntent[i], refPrice: b.orderRef[i], notional: b.orderQty[i] * b.orderRef[i] });
    if (posFinite(b.rawClose[i])) raw.set(symbol, b.rawClose[i]);
  }
  const holdings = new Map<string, number>();
  const prices = new Map<string, number>();
  for (let i = 0; i < b.heldSym.length; i++) {
    holdings.set(b.symbols[b.heldSym[i]], b.heldQty[i]);
    prices.set(b.symbols[b.heldSym[i]], b.heldPx[i]);
  }
  for (let i = 0; i < b.targetSym.length; i++) prices.set(b.symbols[b.targetSym[i]], b.targetPx[i]);
  return {
    orders, prices, holdings, cash: b.cash, wholeShares: b.wholeShares, regime: b.regime, mode: b.mode, allocation: b.allocation,
    rawClose: (sym) => raw.get(sym), basisUnknown: b.basisUnknown, ...(b.cashLike ? { cashLike: b.cashLike } : {}),
  };
}

/** A batch for a map-based input (tests and callers outside the engine). */
export function inputBatch(input: LiveGateInput): GateBatch {
  const symbols: string[] = [];
  const index = new Map<string, number>();
  const idx = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const held = [...input.holdings];
  const orders = input.orders;
  const targets = [...input.prices].filter(([s]) => !input.holdings.has(s));
  return {
    symbols,
    heldSym: Int32Array.from(held, ([s]) => idx(s)),
    heldQty: Float64Array.from(held, ([, q]) => q),
    heldPx: Float64Array.from(held, ([s]) => input.prices.get(s)!),
    targetSym: Int32Array.from(targets, ([s]) => idx(s)),
    targetPx: Float64Array.from(targets, ([, p]) => p),
    orderSym: Int32Array.from(orders, (o) => idx(o.symbol)),
    orderQty: Float64Array.from(orders, (o) => o.qty),
    orderRef: Float64Array.from(orders, (o) => o.refPrice),
    orderIntent: orders.map((o) => o.intent),
    orderSell: Uint8Array.from(orders, (o) => (o.side === 'sell' ? 1 : 0)),
    rawClose: Float64Array.from(orders, (o) => input.rawClose(o.symbol) ?? NaN),
    cash: input.cash, wholeShares: input.wholeShares, regime: input.regime, mode: input.mode, allocation: input.allocation, basisUnknown: input.basisUnknown,
    ...(input.cashLike ? { cashLike: input.cashLike } : {}),
  };
}

/**
 * The verdicts evaluateLiveGates gives, without building a reason or a map: the backtest context
 * fixes most of the gates' inputs (market orders, time in force day, market open, cash account
 * with buying power = cash, not strict, default limits), so each gate reduces to a few sums over
 * the batch's symbol indices.
 */
export function batchVerdicts(b: GateBatch): GateVerdict[] {
  const limits = DEFAULT_GATE_LIMITS;
  const nH = b.heldSym.length;
  const nO = b.orderSym.length;
  let equity = b.cash;
  for (let i = 0; i < nH; i++) equity += b.heldQty[i] * b.heldPx[i];
  const equityOk = Number.isFinite(equity) && equity > 0;
  const applicable = (i: number) => b.symbols[b.orderSym[i]] !== '' && posFinite(b.orderQty[i]) && posFinite(b.orderRef[i]);
  const isSell = (i: number) => b.orderSell[i] === 1;
  const heldOf = (s: number): number => {
    for (let i = 0; i < nH; i++) if (b.heldSym[i] === s) return b.heldQty[i];
    return 0;
  };
  // The valuation price of a symbol: the last applicable order's refPrice, else the position's price.
  const pxOf = (s: number): number => {
    for (let i = nO - 1; i >= 0; i--) if (b.orderSym[i] === s && applicable(i)) return b.orderRef[i];
    for (let i = 0; i < nH; i++) if (b.heldSym[i] === s) return b.heldPx[i];
    return 0;
  };
  const afterOf = (s: number): number => {
    let q = heldOf(s);
    for (let i = 0; i < nO; i++) if (b.orderSym[i] === s && applicable(i)) q += isSell(i) ? -b.orderQty[i] : b.orderQty[i];
    return q;
  };

  const isCash = (s: number): boolean => b.cashLike?.has(b.symbols[s]) === true;
  // Gate 1: well formed, one order per symbol and side.
  let g1: GateVerdict = 'PASS';
  let riskBuys = 0;
  for (let i = 0; i < nO; i++) {
    if (!isSell(i) && !isCash(b.orderSym[i])) riskBuys++;
    const q = b.orderQty[i];
    if (!SYMBOL_PATTERN.test(b.symbols[b.orderSym[i]]) || !posFinite(q) || (b.wholeShares && !Number.isInteger(q)) || !posFinite(b.orderRef[i])) g1 = 'FAIL';
    for (let j = 0; j < i; j++) if (b.orderSym[j] === b.orderSym[i] && isSell(j) === isSell(i)) g1 = 'FAIL';
  }

  // Gate 2: buys within cash + sell proceeds; no short sale.
  let buyCost = 0;
  let proceeds = 0;
  let short = false;
  for (let i = 0; i < nO; i++) {
    if (!applicable(i)) continue;
    if (!isSell(i)) buyCost += b.orderQty[i] * b.orderRef[i];
    else {
      const h = Math.max(0, heldOf(b.orderSym[i]));
      proceeds += Math.min(b.orderQty[i], h) * b.orderRef[i];
      if (b.orderQty[i] > h) short = true;
    }
  }
  const g2: GateVerdict = !Number.isFinite(b.cash) || short || !le(buyCost, b.cash + proceeds) ? 'FAIL' : 'PASS';

  // Gross exposure before and after the batch, at the batch's valuation prices; gate 7's leaves
  // out the symbols counted as cash.
  let before = 0;
  let exposure = 0;
  let riskBefore = 0;
  let riskExposure = 0;
  for (let i = 0; i < nH; i++) {
    const s = b.heldSym[i];
    const p = pxOf(s);
    const vb = Math.abs(b.heldQty[i] * p);
    const va = Math.abs(afterOf(s) * p);
    before += vb;
    exposure += va;
    if (!isCash(s)) {
      riskBefore += vb;
      riskExposure += va;
    }
  }
  for (let i = 0; i < nO; i++) {
    const s = b.orderSym[i];
    if (!applicable(i) || b.heldSym.includes(s)) continue;
    let first = true;
    for (let j = 0; j < i; j++) if (b.orderSym[j] === s && applicable(j)) first = false;
    if (!first) continue;
    const va = Math.abs(afterOf(s) * pxOf(s));
    exposure += va;
    if (!isCash(s)) riskExposure += va;
  }

  // Gate 3: position size (WARN, never FAIL, outside strict mode).
  let g3: GateVerdict = equityOk ? 'PASS' : 'FAIL';
  if (equityOk) {
    const cap = limits.maxPositionPct * equity;
    for (let i = 0; i < nO; i++) if (applicable(i) && !isCash(b.orderSym[i]) && !le(Math.abs(afterOf(b.orderSym[i]) * pxOf(b.orderSym[i])), cap)) g3 = 'WARN';
  }
  // Gate 4: total allocation.
  const g4: GateVerdict = !equityOk ? 'FAIL' : le(exposure, limits.maxGrossPct * equity) ? 'PASS' : le(exposure, before) ? 'WARN' : 'FAIL';

  // Gate 6: symbol validity on the raw close ($5 floor); unknown split basis turns a penny FAIL into WARN.
  let g6: GateVerdict = 'PASS';
  for (let i = 0; i < nO; i++) {
    const last = b.rawClose[i];
    const hasLast = posFinite(last);
    const price = hasLast ? last : b.orderRef[i];
    let v: GateVerdict;
    if (!posFinite(price)) v = 'FAIL';
    else if (price < limits.minPrice) v = isSell(i) || b.basisUnknown?.has(b.symbols[b.orderSym[i]]) ? 'WARN' : 'FAIL';
    else v = hasLast ? 'PASS' : 'WARN';
    if (RANK[v] > RANK[g6]) g6 = v;
  }

  // Gate 7: regime compliance, with the matrix evaluateLiveGates passes.
  const regime = b.regime ?? 'TREND_BULL';
  const target = b.mode === 'off' || b.regime === null ? NO_REGIME_ALLOCATION : b.allocation[regime];
  let g7: GateVerdict;
  if (regime === 'CRASH' && riskBuys > 0) g7 = 'FAIL';
  else if (!equityOk) g7 = riskBuys === 0 ? 'WARN' : 'FAIL';
  else if (le(riskExposure / equity, target + limits.regimeTolerance)) g7 = 'PASS';
  else g7 = riskBuys === 0 || le(riskExposure, riskBefore) ? 'WARN' : 'FAIL';

  return [g1, g2, g3, g4, 'PASS', g6, g7];
}

/** batchVerdicts for a map-based input. */
export function liveGateVerdicts(input: LiveGateInput): GateVerdict[] {
  return batchVerdicts(inputBatch(input));
}

const batches = new WeakMap<object, GateBatch>();
const reasonsOf = new WeakMap<object, string[]>();

/** The batch and context a record's gates were evaluated on (for re-evaluation and checks). */
export function gateInputOf(record: object): LiveGateInput | undefined {
  const b = batches.get(record);
  return b && batchInput(b);
}

/**
 * One accessor pair for every record: V8 then gives all records one hidden class, where a pair of
 * closures per record made each its own (slow to create, to read and to JSON.stringify).
 */
const LAZY_REASONS: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: object): string[] {
    let reasons = reasonsOf.get(this);
    if (!reasons) reasonsOf.set(this, (reasons = evaluateLiveGates(batchInput(batches.get(this)!)).reasons));
    return reasons;
  },
  set(this: object, v: string[]) {
    reasonsOf.set(this, v);
  },
};

/**
 * Sets `gates` (the verdicts) on a rebalance record now and `gateReasons` as a property that runs
 * the real gates the first time it is read, then keeps the result.
 */
export function attachLiveGates(record: { gates?: GateVerdict[]; gateReasons?: string[] }, batch: GateBatch): void {
  record.gates = batchVerdicts(batch);
  batches.set(record, batch);
  Object.defineProperty(record, 'gateReasons', LAZY_REASONS);
}
