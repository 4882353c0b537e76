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
}

export interface LiveGateOutcome {
  verdicts: GateVerdict[];
  reasons: string[];
}

const RANK: Record<GateVerdict, number> = { PASS: 0, WARN: 1, FAIL: 2 };

function uniform(a: number): AllocationMatrix {
  return Object.fromEntries(REGIMES.map((r) => [r, a])) as AllocationMatrix;
}

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
  const matrix = input.mode === 'off' || input.regime === null ? uniform(NO_REGIME_ALLOCATION) : input.allocation;
  const v = validateBatch(
    input.orders.map((o) => ({ symbol: o.symbol, side: o.side, qty: o.qty, type: 'market' as const, timeInForce: 'day' as const, refPrice: o.refPrice })),
    {
      equity, cash: input.cash, buyingPower: input.cash, allowFractional: !input.wholeShares, positions, openOrders: [], assets,
      regime: input.regime ?? 'TREND_BULL',
      allocation: matrix,
      marketOpen: true, marketDetail: 'backtest: filled at the next session', force: false, strict: false,
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
 * The verdicts evaluateLiveGates gives, without building a reason: the backtest context fixes
 * most of the gates' inputs (market orders, time in force day, market open, cash account with
 * buying power = cash, not strict, default limits), so each gate reduces to a few sums.
 */
export function liveGateVerdicts(input: LiveGateInput): GateVerdict[] {
  const { orders, holdings, prices, cash } = input;
  const limits = DEFAULT_GATE_LIMITS;
  let equity = cash;
  for (const [sym, q] of holdings) equity += q * prices.get(sym)!;
  const equityOk = Number.isFinite(equity) && equity > 0;

  // Gate 1: well-formed, one order per symbol and side.
  let g1: GateVerdict = 'PASS';
  const seen = new Set<string>();
  for (const o of orders) {
    const key = `${o.symbol}|${o.side}`;
    const badQty = !posFinite(o.qty) || (!Number.isInteger(o.qty) && input.wholeShares);
    if (!SYMBOL_PATTERN.test(o.symbol) || badQty || !posFinite(o.refPrice) || seen.has(key)) g1 = 'FAIL';
    seen.add(key);
  }
  if (g1 === 'PASS' && seen.size < orders.length) g1 = 'FAIL';

  // Resulting positions at the batch's prices (gates 2, 3, 4, 7 use applicable orders only).
  const after = new Map<string, number>(holdings);
  const px = new Map<string, number>(prices);
  let buyCost = 0;
  let sellProceeds = 0;
  let short = false;
  let buys = 0;
  for (const o of orders) {
    if (o.side === 'buy') buys++;
    if (!(typeof o.symbol === 'string' && o.symbol !== '' && posFinite(o.qty) && posFinite(o.refPrice))) continue;
    px.set(o.symbol, o.refPrice);
    const h = Math.max(0, holdings.get(o.symbol) ?? 0);
    if (o.side === 'buy') buyCost += o.qty * o.refPrice;
    else {
      sellProceeds += Math.min(o.qty, h) * o.refPrice;
      if (o.qty > h) short = true;
    }
    const q = after.get(o.symbol) ?? 0;
    after.set(o.symbol, o.side === 'buy' ? q + o.qty : q - o.qty);
  }
  const g2: GateVerdict = !Number.isFinite(cash) || short || !le(buyCost, cash + sellProceeds) ? 'FAIL' : 'PASS';

  let before = 0;
  for (const [sym, q] of holdings) before += Math.abs(q * (px.get(sym) ?? 0));
  let exposure = 0;
  for (const [sym, q] of after) exposure += Math.abs(q * (px.get(sym) ?? 0));

  // Gate 3: position size (WARN, never FAIL, outside strict mode).
  let g3: GateVerdict = equityOk ? 'PASS' : 'FAIL';
  if (equityOk) {
    const cap = limits.maxPositionPct * equity;
    for (const o of orders) {
      const res = Math.abs((after.get(o.symbol) ?? 0) * (px.get(o.symbol) ?? 0));
      if (!le(res, cap)) g3 = 'WARN';
    }
  }
  // Gate 4: total allocation.
  const g4: GateVerdict = !equityOk ? 'FAIL' : le(exposure, limits.maxGrossPct * equity) ? 'PASS' : le(exposure, before) ? 'WARN' : 'FAIL';

  // Gate 6: symbol validity on the raw close ($5 floor); unknown split basis turns a penny FAIL into WARN.
  let g6: GateVerdict = 'PASS';
  for (const o of orders) {
    const last = input.rawClose(o.symbol);
    const hasLast = posFinite(last);
    const price = hasLast ? last : o.refPrice;
    let v: GateVerdict;
    if (!posFinite(price)) v = 'FAIL';
    else if (price < limits.minPrice) v = o.side === 'sell' || input.basisUnknown?.has(o.symbol) ? 'WARN' : 'FAIL';
    else v = hasLast ? 'PASS' : 'WARN';
    if (RANK[v] > RANK[g6]) g6 = v;
  }

  // Gate 7: regime compliance, with the matrix evaluateLiveGates passes.
  const regime = input.regime ?? 'TREND_BULL';
  const target = input.mode === 'off' || input.regime === null ? NO_REGIME_ALLOCATION : input.allocation[regime];
  let g7: GateVerdict;
  if (regime === 'CRASH' && buys > 0) g7 = 'FAIL';
  else if (!equityOk) g7 = buys === 0 ? 'WARN' : 'FAIL';
  else if (le(exposure / equity, target + limits.regimeTolerance)) g7 = 'PASS';
  else g7 = buys === 0 || le(exposure, before) ? 'WARN' : 'FAIL';

  return [g1, g2, g3, g4, 'PASS', g6, g7];
}

const inputs = new WeakMap<object, LiveGateInput>();

/** The batch and context a record's gates were evaluated on (for re-evaluation and checks). */
export function gateInputOf(record: object): LiveGateInput | undefined {
  return inputs.get(record);
}

/**
 * Sets `gates` (the verdicts) on a rebalance record now and `gateReasons` as a property that runs
 * the real gates the first time it is read, then keeps the result.
 */
export function attachLiveGates(record: { gates?: GateVerdict[]; gateReasons?: string[] }, input: LiveGateInput): void {
  record.gates = liveGateVerdicts(input);
  inputs.set(record, input);
  let reasons: string[] | undefined;
  Object.defineProperty(record, 'gateReasons', {
    enumerable: true,
    configurable: true,
    get: () => (reasons ??= evaluateLiveGates(input).reasons),
    set: (v: string[]) => {
      reasons = v;
    },
  });
}
