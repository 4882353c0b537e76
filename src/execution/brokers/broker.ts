import { AtlasError } from '../../core/errors.js';

/**
 * The broker seam. Both the embedded paper broker and the Alpaca client implement `Broker`, and
 * everything above this file (order gates, the rebalancer, the audit log) speaks only these
 * domain types: numbers are numbers, times are Dates, symbols are canonical (BRK-B, never BRK.B).
 *
 * Conventions every implementation follows:
 * - `submitOrder` is idempotent per `clientOrderId`: submitting a request whose clientOrderId the
 *   broker already knows returns the existing order and never creates a second one.
 * - A broker that refuses an order outright (insufficient buying power, inactive asset, invalid
 *   quantity) throws `OrderRejectedError`; an order that is accepted and rejected later comes back
 *   from `getOrder` with status 'rejected' (and `rejectReason` when the broker gives one).
 * - `getOrder` of an unknown id throws an AtlasError with code 'ORDER_NOT_FOUND';
 *   `getOrderByClientId` of an unknown clientOrderId resolves to undefined.
 * - `waitForFill` never throws because of its timeout: it returns the last order it saw, which
 *   may still be open; callers check `isTerminal(order.status)`.
 */

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
/** Types an order read back from a broker may have (orders placed by hand can be stops). */
export type OrderKind = OrderType | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls';
/** Time-in-force values an order read back from a broker may carry. */
export type OrderTimeInForce = TimeInForce | 'ioc' | 'fok';

/** Every status an order can have (Alpaca's set, which is FIX's set with a few additions). */
export const ORDER_STATUSES = [
  'pending_new',
  'accepted',
  'accepted_for_bidding',
  'new',
  'held',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'pending_review',
] as const;

export type KnownOrderStatus = (typeof ORDER_STATUSES)[number];
/**
 * 'unknown' stands for any status a broker reports that Atlas does not list (a venue adds
 * statuses over time): it is treated as working, never as a payload error; `Order.rawStatus`
 * keeps the broker's own word.
 */
export type OrderStatus = KnownOrderStatus | 'unknown';

/** No further updates will ever occur for an order in one of these statuses. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  'filled',
  'canceled',
  'expired',
  'rejected',
  'replaced',
]);

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Still working (or parked until the next session) and so still able to trade. */
export function isOpen(status: OrderStatus): boolean {
  return !isTerminal(status);
}

/**
 * The order state machine (NautilusTrader style): for each status, the statuses an order may move
 * to next. Terminal statuses have no successors. `partially_filled -> partially_filled` is a real
 * transition (another fill); any other self-transition is not a transition and is refused, so a
 * poller must treat an unchanged status as "no event".
 *
 * The table is deliberately permissive where venues are known to skip states (a market order can
 * go from pending_new straight to filled) and strict where a move would be a bug (nothing leaves
 * filled, canceled, expired, rejected or replaced).
 */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_new: ['accepted', 'accepted_for_bidding', 'new', 'held', 'partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired', 'rejected', 'suspended'],
  accepted: ['pending_new', 'accepted_for_bidding', 'new', 'held', 'partially_filled', 'filled', 'pending_cancel', 'pending_replace', 'canceled', 'expired', 'rejected', 'replaced', 'suspended'],
  accepted_for_bidding: ['new', 'partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired', 'rejected'],
  new: ['partially_filled', 'filled', 'done_for_day', 'pending_cancel', 'pending_replace', 'canceled', 'expired', 'rejected', 'replaced', 'stopped', 'suspended', 'calculated'],
  held: ['new', 'accepted', 'pending_new', 'partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired', 'rejected', 'replaced'],
  partially_filled: ['partially_filled', 'filled', 'done_for_day', 'pending_cancel', 'pending_replace', 'canceled', 'expired', 'replaced', 'stopped', 'suspended', 'calculated'],
  done_for_day: ['new', 'partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired', 'calculated'],
  pending_cancel: ['new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired'],
  pending_replace: ['new', 'partially_filled', 'filled', 'done_for_day', 'pending_cancel', 'canceled', 'expired', 'replaced'],
  stopped: ['partially_filled', 'filled', 'canceled', 'expired'],
  suspended: ['new', 'partially_filled', 'pending_cancel', 'canceled', 'expired'],
  calculated: ['filled', 'done_for_day', 'canceled', 'expired'],
  pending_review: ['pending_new', 'accepted', 'new', 'held', 'partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired', 'rejected', 'unknown'],
  unknown: ['pending_new', 'accepted', 'accepted_for_bidding', 'new', 'held', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced', 'pending_cancel', 'pending_replace', 'stopped', 'rejected', 'suspended', 'calculated', 'pending_review', 'unknown'],
  filled: [],
  canceled: [],
  expired: [],
  rejected: [],
  replaced: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses an order in `from` may move to next (empty for terminal statuses). */
export function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

/** Throws an AtlasError (code INVALID_ORDER_TRANSITION) unless `from -> to` is allowed. */
export function assertTransition(from: OrderStatus, to: OrderStatus, orderId = 'order'): void {
  if (!canTransition(from, to)) {
    throw new AtlasError(`${orderId} cannot move from status ${from} to ${to}; the broker's report is out of order or the order is already final.`, {
      code: 'INVALID_ORDER_TRANSITION',
    });
  }
}

export interface Account {
  id: string;
  cash: number;
  buyingPower: number;
  equity: number;
  portfolioValue: number;
  currency: string;
  /** Broker's account status, e.g. 'ACTIVE'. */
  status: string;
  /** Orders refused: Alpaca's trading_blocked. */
  tradingBlocked: boolean;
  /** The whole account is blocked: Alpaca's account_blocked. */
  accountBlocked: boolean;
  /** The owner switched trading off: Alpaca's trade_suspended_by_user. */
  tradeSuspendedByUser: boolean;
  /** 1 = cash account; 2 or 4 = margin (Alpaca's multiplier). */
  multiplier: number;
  /** Buying power for non-marginable securities; a cash account's real limit. */
  nonMarginableBuyingPower: number;
  /** Day trades in the last five sessions (PDT rule). */
  daytradeCount: number;
  patternDayTrader: boolean;
}

export interface Position {
  symbol: string;
  /** Signed: negative for a short position. */
  qty: number;
  avgEntryPrice: number;
  marketValue: number;
  currentPrice: number;
  side: 'long' | 'short';
}

export interface Asset {
  symbol: string;
  tradable: boolean;
  status: 'active' | 'inactive';
  fractionable: boolean;
  exchange: string;
}

export interface MarketClock {
  timestamp: Date;
  isOpen: boolean;
  nextOpen: Date;
  nextClose: Date;
}

export interface OrderRequest {
  symbol: string;
  side: OrderSide;
  /** Shares; must be a whole number unless the broker was configured to allow fractional orders. */
  qty: number;
  type: OrderType;
  /** Required for limit orders, forbidden for market orders. */
  limitPrice?: number;
  timeInForce: TimeInForce;
  /** Caller-chosen idempotency key, unique per order for the life of the account. */
  clientOrderId: string;
}

export interface Order {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  /** Ordered shares (0 for a notional order placed outside Atlas). */
  qty: number;
  filledQty: number;
  filledAvgPrice: number | null;
  type: OrderKind;
  limitPrice: number | null;
  timeInForce: OrderTimeInForce;
  status: OrderStatus;
  submittedAt: Date;
  filledAt: Date | null;
  canceledAt?: Date | null;
  rejectReason?: string;
  /** The broker's own status word when `status` is 'unknown'. */
  rawStatus?: string;
}

/** One list call for many orders (polling all working orders at once stays inside rate limits). */
export interface OrderQuery {
  status: 'open' | 'closed' | 'all';
  /** Only orders submitted after this instant. */
  after?: Date;
  /** At most this many (newest first is not promised; callers match by id). Default 500. */
  limit?: number;
}

export interface LatestTrade {
  price: number;
  at: Date;
}

/** An order event pushed by the broker (Alpaca's trade_updates stream). */
export interface TradeUpdate {
  /** new, fill, partial_fill, canceled, expired, rejected, replaced, pending_new, ... */
  event: string;
  order: Order;
  at: Date;
}

export interface TradeUpdateStream {
  /** False while reconnecting; the caller polls meanwhile. */
  readonly connected: boolean;
  /** Called after every reconnect: updates may have been missed, so the caller reconciles in full. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export interface WaitForFillOptions {
  /** Give up (and return the last order seen) after this long. */
  timeoutMs: number;
  /** Pause between polls. */
  pollMs: number;
}

export interface Broker {
  readonly name: string;
  /** Checks credentials and reachability; call once before trading. */
  connect(): Promise<void>;
  getAccount(): Promise<Account>;
  getPositions(): Promise<Position[]>;
  /** Undefined when the broker does not know the symbol. */
  getAsset(symbol: string): Promise<Asset | undefined>;
  getClock(): Promise<MarketClock>;
  submitOrder(req: OrderRequest): Promise<Order>;
  getOrder(id: string): Promise<Order>;
  getOrderByClientId(clientOrderId: string): Promise<Order | undefined>;
  listOpenOrders(): Promise<Order[]>;
  /** One request for many orders: the poll of a phase's working orders. */
  listOrders(query: OrderQuery): Promise<Order[]>;
  cancelOrder(id: string): Promise<void>;
  waitForFill(id: string, opts: WaitForFillOptions): Promise<Order>;
  /** The broker's latest trade per symbol (price agreement pre-flight); absent symbols are unknown to it. */
  getLatestTrades?(symbols: readonly string[]): Promise<Map<string, LatestTrade>>;
  /** Pushed order events, where the broker has a stream; polling stays the fallback. */
  subscribeTradeUpdates?(listener: (update: TradeUpdate) => void): Promise<TradeUpdateStream>;
}

/** The broker refused an order outright; `reason` is the broker's own explanation. */
export class OrderRejectedError extends AtlasError {
  readonly clientOrderId: string;
  readonly reason: string;
  readonly httpStatus: number | undefined;
  readonly brokerCode: number | undefined;

  constructor(
    message: string,
    details: { clientOrderId: string; reason: string; httpStatus?: number; brokerCode?: number; cause?: unknown },
  ) {
    super(message, { code: 'ORDER_REJECTED', cause: details.cause });
    this.name = 'OrderRejectedError';
    this.clientOrderId = details.clientOrderId;
    this.reason = details.reason;
    this.httpStatus = details.httpStatus;
    this.brokerCode = details.brokerCode;
  }
}
