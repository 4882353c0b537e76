import type { Clock } from '../../../src/core/clock.js';

/** @module The fake Alpaca's types: its state, fill policies, routes, faults and request log. */

export type FillPolicy =
  /** Filled at creation: the POST response already says filled. */
  | { kind: 'immediate' }
  /** 'new' until the order has been read (GET by id or by client id) `polls` times, then filled. */
  | { kind: 'afterPolls'; polls: number }
  /** First read: partially_filled with floor(qty * fraction); read number `fullAfterPolls`: filled. */
  | { kind: 'partial'; fraction: number; fullAfterPolls: number }
  /** Stays 'new' forever (until canceled). */
  | { kind: 'never' }
  /** Accepted, then rejected by the "venue" on read number `polls`. */
  | { kind: 'rejectAfterPolls'; polls: number }
  /**
   * Shows a status word Atlas may not know (Alpaca's 'pending_review', or a made-up one) until it
   * has been read `polls` times, then fills.
   */
  | { kind: 'oddStatus'; status: string; polls: number };

export type RouteKey =
  | 'GET /v2/account'
  | 'GET /v2/positions'
  | 'GET /v2/assets/:symbol'
  | 'GET /v2/clock'
  | 'GET /v2/calendar'
  | 'POST /v2/orders'
  | 'GET /v2/orders'
  | 'GET /v2/orders/:id'
  | 'GET /v2/orders:by_client_order_id'
  | 'DELETE /v2/orders/:id'
  | 'GET /v2/stocks/trades/latest';

export type FaultKind =
  /** 429 with Retry-After (seconds) and Alpaca's X-RateLimit-* headers. */
  | 'rate_limit'
  /** 500 (or `status`) with Alpaca's error JSON. */
  | 'server_error'
  /** Never answers; the client must time out. */
  | 'hang'
  /** Destroys the socket without answering. */
  | 'drop'
  /** Same as { kind: 'drop', afterAccept: true }: the order is created, then the socket is destroyed. */
  | 'drop_after_accept'
  /** Answers 404 {"code":40410000,"message":"order not found"} (a stale read). */
  | 'not_found';

export interface Fault {
  route: RouteKey | '*';
  kind: FaultKind;
  /** How many matching requests this fault hits; default 1. */
  times?: number;
  /** For rate_limit (default 1) and server_error (default none). */
  retryAfterSeconds?: number;
  /** For server_error; default 500. */
  status?: number;
  /** Process the request (create the order, cancel, ...) before failing the answer. */
  afterAccept?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  route: RouteKey | 'unknown';
  query: Record<string, string>;
  /** Parsed JSON body (POST), exactly as the client sent it. */
  body: unknown;
  /** The APCA-API-KEY-ID header; the secret is checked, never stored. */
  keyId: string | undefined;
  secretOk: boolean;
  /** HTTP status sent, or what happened instead. */
  outcome: number | 'hang' | 'dropped' | 'pending';
  fault?: FaultKind;
  at: Date;
}

export interface FakeAsset {
  id: string;
  symbol: string;
  name: string;
  exchange: string;
  status: 'active' | 'inactive';
  tradable: boolean;
  fractionable: boolean;
  marginable: boolean;
  shortable: boolean;
}

export interface FakeOrder {
  id: string;
  client_order_id: string;
  asset_id: string;
  symbol: string;
  qty: number;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  time_in_force: string;
  limit_price: number | null;
  status: string;
  filled_qty: number;
  filled_avg_price: number | null;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date;
  filled_at: Date | null;
  canceled_at: Date | null;
  failed_at: Date | null;
  polls: number;
  policy: FillPolicy;
  /** Sent while the market was closed: waits (status accepted) for this session open. */
  queuedUntil: Date | null;
}

export interface FakeAccount {
  id: string;
  accountNumber: string;
  status: string;
  currency: string;
  cash: number;
  /** 1 = cash account; buying power is cash * multiplier minus open buy orders. */
  multiplier: number;
  tradingBlocked: boolean;
  accountBlocked: boolean;
  tradeSuspendedByUser: boolean;
  patternDayTrader: boolean;
  daytradeCount: number;
}

export interface FakeState {
  account: FakeAccount;
  positions: Map<string, { qty: number; costBasis: number }>;
  prices: Map<string, number>;
  assets: Map<string, FakeAsset>;
  orders: FakeOrder[];
  /** New York dates (YYYY-MM-DD) on which the market is closed besides weekends. */
  holidays: Set<string>;
  defaultFillPolicy: FillPolicy;
  fillPolicies: Map<string, FillPolicy>;
  /** The price queued orders fill at when the session opens (else the current price). */
  openPrices: Map<string, number>;
}

export interface FakeAlpacaOptions {
  keyId?: string;
  secretKey?: string;
  cash?: number;
  /** Fixed start time (advance it with setNow) or a function read on every request. */
  now?: Date | (() => Date);
  /** The simulated clock (share it with the client under test); wins over `now`. */
  clock?: Clock;
  fillPolicy?: FillPolicy;
  prices?: Record<string, number>;
  holidays?: string[];
  /** Requests allowed per simulated minute before a 429; false turns the limit off. Default 200. */
  rateLimitPerMinute?: number | false;
  /** Copy the request headers into every error body (a secrets canary: the client must redact them). */
  echoHeadersInErrors?: boolean;
}

export interface FakeAlpaca {
  /** http://127.0.0.1:PORT */
  url: string;
  keyId: string;
  secretKey: string;
  state: FakeState;
  requests: LoggedRequest[];
  setPrice(symbol: string, price: number): void;
  /** Policy for orders created from now on, for one symbol or (no symbol) the default. */
  setFillPolicy(policy: FillPolicy, symbol?: string): void;
  injectFault(fault: Fault): void;
  /** Faults not yet used up. */
  pendingFaults(): Fault[];
  /** Needs a ManualClock (the default unless `now` was a function or `clock` something else). */
  setNow(now: Date): void;
  now(): Date;
  /** The simulated clock the fake reads. */
  clock: Clock;
  /** The price queued orders fill at when the market next opens. */
  setOpenPrice(symbol: string, price: number): void;
  /** Requests counted per simulated minute (key: the minute's start, ms since epoch). */
  requestsPerMinute(): Map<number, number>;
  addAsset(asset: Partial<FakeAsset> & { symbol: string }): FakeAsset;
  setPosition(symbol: string, qty: number, avgEntryPrice: number): void;
  ordersByClientId(clientOrderId: string): FakeOrder[];
  /** Requests that reached a route, e.g. count('POST /v2/orders'). */
  count(route: RouteKey): number;
  close(): Promise<void>;
}

