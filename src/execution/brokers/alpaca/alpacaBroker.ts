import { systemClock, type Clock } from '../../../core/clock.js';
import { AtlasError, TransientError } from '../../../core/errors.js';
import { fromAlpaca, toAlpaca } from '../../../data/providers/symbols.js';
import {
  isTerminal,
  OrderRejectedError,
  type Account,
  type Asset,
  type Broker,
  type LatestTrade,
  type MarketClock,
  type Order,
  type OrderQuery,
  type OrderRequest,
  type Position,
  type TradeUpdate,
  type TradeUpdateStream,
  type WaitForFillOptions,
} from '../broker.js';
import { accountRefusal } from './accountChecks.js';
import {
  alpacaStreamUrl,
  makeAlpacaKeys,
  resolveAlpacaBaseUrl,
  resolveAlpacaDataUrl,
  resolveAlpacaKeys,
  type AlpacaAccountName,
  type AlpacaKeys,
} from './config.js';
import {
  parsePayload,
  rawAccountSchema,
  rawLatestTradesSchema,
  rawAssetSchema,
  rawCalendarDaySchema,
  rawClockSchema,
  rawOrderSchema,
  rawPositionSchema,
  toAccount,
  toAsset,
  toClock,
  toOrder,
  toPosition,
  toTradingDay,
  type RawOrder,
  type TradingDay,
} from './schemas.js';
import type { SocketFactory } from './socket.js';
import { AlpacaTradeStream } from './tradeStream.js';
import { AlpacaApiError, AlpacaTransport, DEFAULT_RETRY_POLICY, type AlpacaEvent, type AlpacaRetryPolicy, type FetchFn } from './transport.js';
import { loadWsSocketFactory } from './wsSocket.js';

export interface AlpacaBrokerOptions {
  /** From resolveAlpacaKeys (preferred: error messages then name the variables) or a plain pair. */
  keys: AlpacaKeys | { keyId: string; secretKey: string };
  /** Default https://paper-api.alpaca.markets. The live endpoint is always refused. */
  baseUrl?: string;
  /** Accept http://127.0.0.1:PORT / localhost as the base URL (tests and local fakes only). */
  allowLocal?: boolean;
  /** Broker name, default 'alpaca-paper'. */
  name?: string;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Backoff for idempotent requests; defaults in DEFAULT_RETRY_POLICY. */
  retry?: Partial<AlpacaRetryPolicy>;
  /** Total POST /v2/orders attempts for one submitOrder, each preceded by a lookup; default 3. */
  maxSubmitAttempts?: number;
  /** Allow non-integer quantities (Alpaca fractional shares: market/day only). Default false. */
  allowFractional?: boolean;
  /** The one clock: retry and poll waits, rate-limit pacing, waitForFill's timeout. Default systemClock. */
  clock?: Clock;
  /** In [0, 1): backoff jitter; tests inject a seeded one. Default Math.random. */
  random?: () => number;
  /** Market data host for getLatestTrades; default https://data.alpaca.markets (loopback with allowLocal). */
  dataUrl?: string;
  fetch?: FetchFn;
  /** The trade_updates websocket; default the `ws` package (see wsSocket.ts). */
  socket?: SocketFactory;
  /** Observer for requests, retries and submit recovery steps (no keys, no bodies). */
  onEvent?: (e: AlpacaEvent) => void;
  /** Notes for the operator (an unknown order status, once per word; stream reconnects). Default: stderr. */
  log?: (msg: string) => void;
}

/** Orders per page of GET /v2/orders (Alpaca's maximum). */
const ORDER_PAGE = 500;
/** Symbols per GET /v2/stocks/trades/latest (keeps the URL short). */
const LATEST_TRADES_CHUNK = 100;

function isNotFound(err: unknown): err is AlpacaApiError {
  return err instanceof AlpacaApiError && (err.httpStatus === 404 || err.httpStatus === 422);
}

/** Alpaca's answer to a reused client_order_id: HTTP 422, code 40010001, "client_order_id must be unique". */
export function isDuplicateClientOrderId(err: unknown): boolean {
  if (!(err instanceof AlpacaApiError)) return false;
  if (err.httpStatus !== 422 && err.httpStatus !== 409) return false;
  return /client[\s_-]?order[\s_-]?id/i.test(err.apiMessage) && /unique|exist|duplicate/i.test(err.apiMessage);
}

/** Decimal string with at most `maxDecimals` places and no exponent: 10 -> "10", 0.1 + 0.2 -> "0.3". */
export function toDecimalString(n: number, maxDecimals: number): string {
  if (!Number.isFinite(n)) throw new AtlasError(`${n} is not a finite number.`, { code: 'INVALID_ORDER' });
  const s = n.toFixed(maxDecimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function hasAtMostDecimals(n: number, decimals: number): boolean {
  const scaled = n * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

const CLIENT_ORDER_ID_MAX = 128;

/**
 * Alpaca v2 trading API client implementing Broker, paper only. Reads retry transient failures
 * with backoff; order submission is made safe by client_order_id instead of blind retries:
 *
 *   submit -> success                                   : return the order
 *   submit -> refused (403/422)                         : throw OrderRejectedError with Alpaca's reason
 *   submit -> "client_order_id must be unique"          : fetch and return the existing order
 *   submit -> timeout / dropped connection / 429 / 5xx  : look the order up by client_order_id;
 *             found -> return it; not found -> resubmit the same body (same client_order_id),
 *             at most maxSubmitAttempts POSTs in all, then throw a TransientError.
 *
 * Because every resubmission carries the same client_order_id, Alpaca itself refuses a second
 * order even if a lookup raced the first one; that refusal is answered with the existing order.
 */
export class AlpacaBroker implements Broker {
  readonly name: string;
  readonly baseUrl: string;
  readonly dataUrl: string;
  private readonly http: AlpacaTransport;
  private readonly data: AlpacaTransport;
  private readonly maxSubmitAttempts: number;
  private readonly allowFractional: boolean;
  private readonly keys: AlpacaKeys;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly socket: SocketFactory | undefined;
  private readonly log: (msg: string) => void;
  /** Order id -> client order id of every order seen, so a 404 on a poll can be looked up by client id. */
  private readonly clientIds = new Map<string, string>();
  /** Status words Atlas does not list that were already logged (once per word). */
  private readonly unknownStatusesLogged = new Set<string>();

  constructor(opts: AlpacaBrokerOptions) {
    this.baseUrl = resolveAlpacaBaseUrl(opts.baseUrl, { allowLocal: opts.allowLocal === true });
    this.dataUrl = resolveAlpacaDataUrl(opts.dataUrl, { allowLocal: opts.allowLocal === true });
    const keys = 'source' in opts.keys ? opts.keys : makeAlpacaKeys(opts.keys.keyId, opts.keys.secretKey);
    if (keys.keyId.trim() === '' || keys.secretKey.trim() === '') {
      throw new AtlasError(`Alpaca key id and secret must both be non-empty (${keys.source.keyVar}, ${keys.source.secretVar}).`, { code: 'ALPACA_KEYS_MISSING' });
    }
    this.name = opts.name ?? 'alpaca-paper';
    this.maxSubmitAttempts = Math.max(1, opts.maxSubmitAttempts ?? 3);
    this.allowFractional = opts.allowFractional === true;
    this.keys = keys;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.socket = opts.socket;
    this.log = opts.log ?? ((msg) => process.stderr.write(`atlas: ${msg}\n`));
    const common = {
      keys,
      timeoutMs: opts.timeoutMs ?? 10_000,
      retry: { ...DEFAULT_RETRY_POLICY, ...opts.retry },
      clock: this.clock,
      random: this.random,
      fetch: opts.fetch ?? ((input: string, init: RequestInit) => fetch(input, init)),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    };
    this.http = new AlpacaTransport({ ...common, baseUrl: this.baseUrl });
    // The data host keeps its own rate-limit window, so it gets its own governor.
    this.data = new AlpacaTransport({ ...common, baseUrl: this.dataUrl, label: 'Alpaca market data' });
    this.http.sourceHint = `${keys.source.keyVar} and ${keys.source.secretVar}`;
    this.data.sourceHint = this.http.sourceHint;
  }

  /** Maps a raw order, remembering its client id and logging an unknown status once per word. */
  private order(raw: RawOrder): Order {
    const o = toOrder(raw);
    this.clientIds.set(o.id, o.clientOrderId);
    if (o.status === 'unknown') {
      const word = o.rawStatus ?? '?';
      if (!this.unknownStatusesLogged.has(word)) {
        this.unknownStatusesLogged.add(word);
        this.http.emit({ kind: 'unknown-status', method: 'GET', path: '/v2/orders', attempt: 1, message: word });
        this.log(`Alpaca reported order status '${word}', which Atlas does not know; such orders are treated as working.`);
      }
    }
    return o;
  }

  /** Builds a broker for one of the paper accounts from environment variables (see resolveAlpacaKeys). */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, account: AlpacaAccountName, opts: Omit<AlpacaBrokerOptions, 'keys'> = {}): AlpacaBroker {
    return new AlpacaBroker({ ...opts, keys: resolveAlpacaKeys(env, account), name: opts.name ?? `alpaca-paper-${account.toLowerCase()}` });
  }

  /** Checks the keys and that the account can trade: ACTIVE, not blocked, not suspended (see accountRefusal). */
  async connect(): Promise<void> {
    const refusal = accountRefusal(await this.getAccount());
    if (refusal) throw refusal;
  }

  async getAccount(): Promise<Account> {
    const raw = await this.http.request('GET', '/v2/account');
    return toAccount(parsePayload(rawAccountSchema, raw, 'GET /v2/account'));
  }

  async getPositions(): Promise<Position[]> {
    const raw = await this.http.request('GET', '/v2/positions');
    return parsePayload(rawPositionSchema.array(), raw, 'GET /v2/positions').map(toPosition);
  }

  async getAsset(symbol: string): Promise<Asset | undefined> {
    const path = `/v2/assets/${encodeURIComponent(toAlpaca(symbol))}`;
    try {
      const raw = await this.http.request('GET', path);
      return toAsset(parsePayload(rawAssetSchema, raw, `GET ${path}`));
    } catch (err) {
      if (err instanceof AlpacaApiError && err.httpStatus === 404) return undefined;
      throw err;
    }
  }

  async getClock(): Promise<MarketClock> {
    const raw = await this.http.request('GET', '/v2/clock');
    return toClock(parsePayload(rawClockSchema, raw, 'GET /v2/clock'));
  }

  /** Trading sessions between two New York dates (YYYY-MM-DD), inclusive. Not part of Broker. */
  async getCalendar(start: string, end: string): Promise<TradingDay[]> {
    for (const d of [start, end]) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new AtlasError(`Calendar dates must be YYYY-MM-DD; got '${d.slice(0, 20)}'.`, { code: 'INVALID_DATE' });
    }
    const raw = await this.http.request('GET', '/v2/calendar', { query: { start, end } });
    return parsePayload(rawCalendarDaySchema.array(), raw, 'GET /v2/calendar').map(toTradingDay);
  }

  /**
   * GET /v2/orders/{id}. A 404 (Alpaca's reads can lag its writes) is not final: when the order
   * was seen before (submitted, listed or streamed by this broker) it is looked up by its client
   * order id first, and only when that finds nothing does this throw ORDER_NOT_FOUND.
   */
  async getOrder(id: string): Promise<Order> {
    const found = await this.findOrder(id, this.clientIds.get(id));
    if (found) return found;
    throw new AtlasError(`Alpaca has no order with id ${id.slice(0, 64)}; it was not found by id or by client order id.`, { code: 'ORDER_NOT_FOUND' });
  }

  /** The order by id, else (on a 404) by client order id; undefined when neither finds it. */
  async findOrder(id: string, clientOrderId: string | undefined): Promise<Order | undefined> {
    const path = `/v2/orders/${encodeURIComponent(id)}`;
    try {
      const raw = await this.http.request('GET', path);
      return this.order(parsePayload(rawOrderSchema, raw, `GET ${path}`));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (clientOrderId === undefined) return undefined;
      this.http.emit({ kind: 'not-found-lookup', method: 'GET', path, attempt: 1, status: err.httpStatus });
      return this.getOrderByClientId(clientOrderId);
    }
  }

  async getOrderByClientId(clientOrderId: string): Promise<Order | undefined> {
    const path = '/v2/orders:by_client_order_id';
    try {
      const raw = await this.http.request('GET', path, { query: { client_order_id: clientOrderId } });
      return this.order(parsePayload(rawOrderSchema, raw, `GET ${path}`));
    } catch (err) {
      if (err instanceof AlpacaApiError && err.httpStatus === 404) return undefined;
      throw err;
    }
  }

  async listOpenOrders(): Promise<Order[]> {
    return this.listOrders({ status: 'open' });
  }

  /**
   * GET /v2/orders?status=&after=&limit=&direction=asc&nested=false: one request per poll cycle
   * for all working orders. Without an explicit limit, a full page (500) is followed by the next
   * one (after = the last order's submission time), so no order is silently cut off.
   */
  async listOrders(q: OrderQuery): Promise<Order[]> {
    const explicit = q.limit !== undefined;
    const limit = Math.max(1, Math.min(ORDER_PAGE, q.limit ?? ORDER_PAGE));
    const out = new Map<string, Order>();
    let after = q.after;
    for (;;) {
      const query: Record<string, string> = { status: q.status, limit: String(limit), direction: 'asc', nested: 'false' };
      if (after) query.after = after.toISOString();
      const raw = await this.http.request('GET', '/v2/orders', { query });
      const page = parsePayload(rawOrderSchema.array(), raw, 'GET /v2/orders').map((r) => this.order(r));
      let added = 0;
      for (const o of page) {
        if (!out.has(o.id)) added += 1;
        out.set(o.id, o);
      }
      if (explicit || page.length < limit || added === 0) break;
      // `after` is exclusive: step back 1 ms so orders sharing the last timestamp are not skipped.
      after = new Date(page[page.length - 1].submittedAt.getTime() - 1);
    }
    return [...out.values()];
  }

  /** The latest trade per symbol from the market data host (one request per 100 symbols). */
  async getLatestTrades(symbols: readonly string[]): Promise<Map<string, LatestTrade>> {
    const out = new Map<string, LatestTrade>();
    const unique = [...new Set(symbols.map((s) => toAlpaca(s)))];
    for (let i = 0; i < unique.length; i += LATEST_TRADES_CHUNK) {
      const chunk = unique.slice(i, i + LATEST_TRADES_CHUNK);
      const path = '/v2/stocks/trades/latest';
      const raw = await this.data.request('GET', path, { query: { symbols: chunk.join(',') } });
      const parsed = parsePayload(rawLatestTradesSchema, raw, `GET ${path}`);
      for (const [sym, t] of Object.entries(parsed.trades ?? {})) out.set(fromAlpaca(sym), { price: t.p, at: t.t });
    }
    return out;
  }

  /**
   * Opens the trade_updates stream. Resolves once it listens (or, when the first connection
   * fails, with `connected` false while it keeps reconnecting); rejects with ALPACA_AUTH on a
   * refused key and ALPACA_STREAM_UNAVAILABLE without the `ws` package: callers then poll.
   */
  async subscribeTradeUpdates(listener: (update: TradeUpdate) => void): Promise<TradeUpdateStream> {
    const socket = this.socket ?? (await loadWsSocketFactory());
    const stream = new AlpacaTradeStream({
      url: alpacaStreamUrl(this.baseUrl),
      keys: this.keys,
      socket,
      clock: this.clock,
      random: this.random,
      log: (m) => this.log(this.http.redact(m)),
      listener: (u) => {
        this.clientIds.set(u.order.id, u.order.clientOrderId);
        listener(u);
      },
    });
    await stream.start();
    return stream;
  }

  async cancelOrder(id: string): Promise<void> {
    const path = `/v2/orders/${encodeURIComponent(id)}`;
    try {
      await this.http.request('DELETE', path);
    } catch (err) {
      if (err instanceof AlpacaApiError && err.httpStatus === 404) {
        throw new AtlasError(`Cannot cancel order ${id.slice(0, 64)}: Alpaca has no such order (HTTP 404: ${err.apiMessage}).`, { code: 'ORDER_NOT_FOUND', cause: err });
      }
      if (err instanceof AlpacaApiError && err.httpStatus === 422) {
        throw new AtlasError(`Cannot cancel order ${id.slice(0, 64)}: Alpaca says it is no longer cancelable (${err.apiMessage}); it is probably filled, canceled or expired.`, {
          code: 'ORDER_NOT_CANCELABLE',
          cause: err,
        });
      }
      throw err;
    }
  }

  async waitForFill(id: string, opts: WaitForFillOptions): Promise<Order> {
    const start = this.clock.now().getTime();
    const pollMs = Math.max(1, opts.pollMs);
    for (;;) {
      const order = await this.getOrder(id);
      if (isTerminal(order.status)) return order;
      const left = start + opts.timeoutMs - this.clock.now().getTime();
      if (left <= 0) return order;
      await this.clock.sleep(Math.min(pollMs, left));
    }
  }

  /** The JSON body POST /v2/orders receives for `req` (exported through the class for tests and audit). */
  buildOrderBody(req: OrderRequest): Record<string, string> {
    const cid = req.clientOrderId;
    if (typeof cid !== 'string' || cid.trim() === '' || cid.length > CLIENT_ORDER_ID_MAX) {
      throw new AtlasError(`Order clientOrderId must be 1 to ${CLIENT_ORDER_ID_MAX} characters; it is the key that keeps a retried order from trading twice.`, {
        code: 'INVALID_ORDER',
      });
    }
    if (!Number.isFinite(req.qty) || req.qty <= 0) {
      throw new AtlasError(`Order ${cid} has quantity ${req.qty}; it must be a positive number of shares.`, { code: 'INVALID_ORDER' });
    }
    if (!Number.isInteger(req.qty)) {
      if (!this.allowFractional) {
        throw new AtlasError(`Order ${cid} has fractional quantity ${req.qty}; whole shares only unless the broker is created with allowFractional.`, { code: 'INVALID_ORDER' });
      }
      if (req.type !== 'market' || req.timeInForce !== 'day') {
        throw new AtlasError(`Order ${cid} is fractional (${req.qty}); Alpaca takes fractional quantities only on market day orders.`, { code: 'INVALID_ORDER' });
      }
    }
    const body: Record<string, string> = {
      symbol: toAlpaca(req.symbol),
      qty: toDecimalString(req.qty, 9),
      side: req.side,
      type: req.type,
      time_in_force: req.timeInForce,
      client_order_id: cid,
    };
    if (req.type === 'limit') {
      const p = req.limitPrice;
      if (p === undefined || !Number.isFinite(p) || p <= 0) {
        throw new AtlasError(`Limit order ${cid} needs a positive limitPrice.`, { code: 'INVALID_ORDER' });
      }
      const decimals = p >= 1 ? 2 : 4;
      if (!hasAtMostDecimals(p, decimals)) {
        throw new AtlasError(`Limit order ${cid} has limit price ${p}; Alpaca accepts at most ${decimals} decimals at this price, so round it first.`, { code: 'INVALID_ORDER' });
      }
      body.limit_price = toDecimalString(p, decimals);
    } else if (req.limitPrice !== undefined) {
      throw new AtlasError(`Market order ${cid} must not carry a limitPrice.`, { code: 'INVALID_ORDER' });
    }
    return body;
  }

  async submitOrder(req: OrderRequest): Promise<Order> {
    const body = this.buildOrderBody(req);
    const cid = body.client_order_id;
    const path = '/v2/orders';
    let lastTransient: TransientError | undefined;
    for (let attempt = 1; attempt <= this.maxSubmitAttempts; attempt++) {
      if (attempt > 1) {
        this.http.emit({ kind: 'submit-resubmit', method: 'POST', path, attempt });
      }
      try {
        const raw = await this.http.once('POST', path, { body }, attempt);
        return this.order(parsePayload(rawOrderSchema, raw, `POST ${path}`));
      } catch (err) {
        if (isDuplicateClientOrderId(err)) {
          this.http.emit({ kind: 'submit-duplicate', method: 'POST', path, attempt });
          const existing = await this.lookupAfterSubmit(cid, err);
          if (existing) return existing;
          throw new AtlasError(`Alpaca says client_order_id ${cid} is already used, but no order with it can be found; choose a new clientOrderId after checking the account.`, {
            code: 'DUPLICATE_CLIENT_ORDER_ID',
            cause: err,
          });
        }
        if (err instanceof TransientError) {
          lastTransient = err;
          // The wait is measured from the failure: the lookup below may itself have waited for the
          // rate-limit reset, and that time counts.
          const resubmitAt = this.clock.now().getTime() + this.http.backoffMs(attempt, err.retryAfterMs);
          // The outcome is unknown: the order may exist. Look before trying again.
          this.http.emit({ kind: 'submit-lookup', method: 'POST', path, attempt, message: err.message });
          const existing = await this.lookupAfterSubmit(cid, err);
          if (existing) return existing;
          const wait = resubmitAt - this.clock.now().getTime();
          if (attempt < this.maxSubmitAttempts && wait > 0) await this.clock.sleep(wait);
          continue;
        }
        if (err instanceof AlpacaApiError && !(err.code === 'ALPACA_AUTH') && (err.httpStatus === 403 || err.httpStatus === 422 || err.httpStatus === 400)) {
          throw new OrderRejectedError(
            `Alpaca rejected order ${cid} (${req.side} ${req.qty} ${req.symbol}): ${err.apiMessage} (HTTP ${err.httpStatus}${err.alpacaCode === undefined ? '' : `, code ${err.alpacaCode}`}).`,
            {
              clientOrderId: cid,
              reason: err.apiMessage,
              httpStatus: err.httpStatus,
              ...(err.alpacaCode === undefined ? {} : { brokerCode: err.alpacaCode }),
              cause: err,
            },
          );
        }
        throw err;
      }
    }
    throw new TransientError(
      `Alpaca did not confirm order ${cid} after ${this.maxSubmitAttempts} attempts and no order with that client_order_id exists; the order was not placed (last error: ${lastTransient?.message ?? 'unknown'}).`,
      { code: 'ALPACA_SUBMIT_UNCONFIRMED' },
    );
  }

  /** getOrderByClientId, but a failure says plainly that the order's fate is unknown. */
  private async lookupAfterSubmit(cid: string, submitError: unknown): Promise<Order | undefined> {
    try {
      return await this.getOrderByClientId(cid);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const first = submitError instanceof Error ? submitError.message : String(submitError);
      throw new TransientError(
        this.http.redact(
          `Order ${cid} may or may not exist at Alpaca: the submit failed (${first}) and looking it up by client_order_id failed too (${why}); check with getOrderByClientId before acting, and resubmit only with the same clientOrderId.`,
        ),
        { code: 'ALPACA_SUBMIT_UNKNOWN' },
      );
    }
  }
}
