/**
 * Input and output types of the seven pre-trade validation gates. Deliberately plain and
 * self-contained: the gates import neither the broker layer nor the calendar; the caller maps
 * its own order/account/asset objects onto these shapes and computes market-hours status.
 */
import type { AllocationMatrix, Regime } from '../../portfolio/allocation.js';

export type GateSide = 'buy' | 'sell';
export type GateOrderType = 'market' | 'limit';
export type GateTimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';

export const TIME_IN_FORCE: readonly GateTimeInForce[] = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'];

/** One order to validate. `refPrice` is the reference (last/close) price used to value it. */
export interface GateOrder {
  symbol: string;
  side: GateSide;
  qty: number;
  type: GateOrderType;
  limitPrice?: number;
  timeInForce: GateTimeInForce;
  refPrice: number;
}

export interface GatePosition {
  /** Signed share count (negative = short). */
  qty: number;
  /** Valuation price used when the batch does not trade the symbol. */
  price: number;
}

export interface GateAsset {
  active: boolean;
  tradable: boolean;
  lastPrice: number | undefined;
}

export interface GateOpenOrder {
  symbol: string;
  side: GateSide;
}

/**
 * An order already working at the broker (any run's, or placed by hand) and not part of the
 * batch: the gates add it to the positions to get the account's resulting state.
 */
export interface GateWorkingOrder {
  symbol: string;
  side: GateSide;
  /** Remaining (unfilled) shares: a partially filled order counts only what is left. */
  qty: number;
  /** Its limit price, or the reference price for a market order. */
  price: number;
  /** 'limit' when `price` is the order's own limit (what the broker reserves); default 'market'. */
  type?: GateOrderType;
  clientOrderId: string;
}

export interface GateLimits {
  /** Largest resulting single-position value as a fraction of equity (0.15 = 15%). */
  maxPositionPct: number;
  /** Largest resulting gross exposure as a fraction of equity (1.0 = 100%). */
  maxGrossPct: number;
  /** Smallest last price accepted for a buy (no penny stocks). */
  minPrice: number;
  /** Slack above the regime allocation before gate 7 fails (0.005 = 0.5 percentage points). */
  regimeTolerance: number;
  /**
   * Headroom on market BUYs: gate 2 costs them at refPrice x (1 + buyPriceBuffer), since a broker
   * reserves buying power for a market buy above the last price. 0 here (the backtest fills at a
   * known price); the live path (`buildGateContext`) sets DEFAULT_BUY_PRICE_BUFFER.
   */
  buyPriceBuffer: number;
}

/** Live default headroom on market BUYs: 3% above the reference price. */
export const DEFAULT_BUY_PRICE_BUFFER = 0.03;

export const DEFAULT_GATE_LIMITS: Readonly<GateLimits> = {
  maxPositionPct: 0.15,
  maxGrossPct: 1.0,
  minPrice: 5,
  regimeTolerance: 0.005,
  buyPriceBuffer: 0,
};

export interface GateContext {
  equity: number;
  cash: number;
  buyingPower: number;
  /** false (default) = cash account: buys are limited to min(cash, buyingPower) and short sales fail. */
  marginAllowed?: boolean;
  /** Accept non-integer quantities (fractional shares; these must be 'day' orders). Default false. */
  allowFractional?: boolean;
  positions: ReadonlyMap<string, GatePosition>;
  openOrders: readonly GateOpenOrder[];
  /**
   * Orders working at the broker outside the batch. Gates 2, 3, 4 and 7 add them to the
   * positions (the account's resulting state); gate 2 also takes the cost of working buys off
   * the spendable cash. Default: none.
   */
  workingOrders?: readonly GateWorkingOrder[];
  assets: ReadonlyMap<string, GateAsset>;
  regime: Regime;
  /** Defaults to DEFAULT_ALLOCATION. */
  allocation?: AllocationMatrix;
  /** Computed by the caller (e.g. from the NYSE calendar). */
  marketOpen: boolean;
  /** Human text for the market status, e.g. 'closed: weekend; next open 2026-11-30 09:30 ET'. */
  marketDetail: string;
  /** Turns a closed market from FAIL into WARN (orders queue for the open). */
  force: boolean;
  /** Turns a position-size breach from WARN into FAIL. */
  strict: boolean;
  limits?: Partial<GateLimits>;
  /**
   * Symbols counted as cash (the strategy's remainder sleeve when it counts as cash, e.g. a
   * T-bill ETF): left out of gate 7's exposure and of gate 3's position cap, and buyable in
   * CRASH. Gate 4 (gross exposure <= 100%) still counts them: they are holdings. Default none.
   */
  cashLike?: ReadonlySet<string>;
}

export type GateVerdict = 'PASS' | 'WARN' | 'FAIL';

export interface PerOrderResult {
  symbol: string;
  result: GateVerdict;
  reason: string;
}

export interface GateResult {
  gate: number;
  name: string;
  result: GateVerdict;
  reason: string;
  perOrder?: PerOrderResult[];
}

export interface ResultingPosition {
  qty: number;
  price: number;
  /** qty * price (signed). */
  value: number;
}

export interface ResultingState {
  /** Gross exposure in dollars: sum of |value| over all resulting positions. */
  exposure: number;
  /** exposure / equity (a fraction; NaN when equity <= 0). */
  exposurePct: number;
  positions: Map<string, ResultingPosition>;
}

export interface BatchValidation {
  /** Always seven results, gate 1 .. gate 7 in order. */
  gates: GateResult[];
  /** true when no gate FAILed (WARNs pass). */
  passed: boolean;
  resulting: ResultingState;
}
