/**
 * The seven live gates as the backtest evaluates them on each rebalance batch (reported, not
 * enforced). The context is the one a live run on that date would have seen: the regime the model
 * gave on that date, the strategy's own allocation for it, and the RAW (as traded) close for the
 * $5 floor of gate 6. Every verdict keeps its reason so a FAIL never appears without one.
 */
import { NO_REGIME_ALLOCATION, type RegimeMode } from '../portfolio/targetWeights.js';
import { REGIMES, type AllocationMatrix, type Regime } from '../portfolio/allocation.js';
import type { PlannedOrder } from '../execution/orderPlan.js';
import { validateBatch, type GateAsset, type GateResult, type GateVerdict } from '../execution/gates/index.js';

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
