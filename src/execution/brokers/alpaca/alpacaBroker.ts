import { AtlasError, TransientError } from '../../../core/errors.js';
import { toAlpaca } from '../../../data/providers/symbols.js';
import {
  isTerminal,
  OrderRejectedError,
  type Account,
  type Asset,
  type Broker,
  type MarketClock,
  type Order,
  type OrderQuery,
  type OrderRequest,
  type Position,
  type WaitForFillOptions,
} from '../broker.js';
import { makeAlpacaKeys, resolveAlpacaBaseUrl, resolveAlpacaKeys, type AlpacaAccountName, type AlpacaKeys } from './config.js';
import {
  parsePayload,
  rawAccountSchema,
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
  type TradingDay,
} from './schemas.js';
import {
  AlpacaApiError,
  AlpacaTransport,
  DEFAULT_RETRY_POLICY,
  realSleep,
  type AlpacaEvent,
  type AlpacaRetryPolicy,
  type FetchFn,
  type Sleep,
} from './transport.js';

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
  /** Injectable for tests: sleep between retries and polls, and the clock waitForFill measures with. */
  sleep?: Sleep;
  now?: () => number;
  fetch?: FetchFn;
  /** Observer for requests, retries and submit recovery steps (no keys, no bodies). */
  onEvent?: (e: AlpacaEvent) => void;
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
  private readonly http: AlpacaTransport;
  private readonly maxSubmitAttempts: number;
  private readonly allowFractional: boolean;

  constructor(opts: AlpacaBrokerOptions) {
    this.baseUrl = resolveAlpacaBaseUrl(opts.baseUrl, { allowLocal: opts.allowLocal === true });
    const keys = 'source' in opts.keys ? opts.keys : makeAlpacaKeys(opts.keys.keyId, opts.keys.secretKey);
    if (keys.keyId.trim() === '' || keys.secretKey.trim() === '') {
      throw new AtlasError(`Alpaca key id and secret must both be non-empty (${keys.source.keyVar}, ${keys.source.secretVar}).`, { code: 'ALPACA_KEYS_MISSING' });
    }
    this.name = opts.name ?? 'alpaca-paper';
    this.maxSubmitAttempts = Math.max(1, opts.maxSubmitAttempts ?? 3);
    this.allowFractional = opts.allowFractional === true;
    this.http = new AlpacaTransport({
      baseUrl: this.baseUrl,
      keys,
      timeoutMs: opts.timeoutMs ?? 10_000,
      retry: { ...DEFAULT_RETRY_POLICY, ...opts.retry },
      sleep: opts.sleep ?? realSleep,
      now: opts.now ?? Date.now,
      fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    this.http.sourceHint = `${keys.source.keyVar} and ${keys.source.secretVar}`;
  }

  /** Builds a broker for one of the paper accounts from environment variables (see resolveAlpacaKeys). */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, account: AlpacaAccountName, opts: Omit<AlpacaBrokerOptions, 'keys'> = {}): AlpacaBroker {
    return new AlpacaBroker({ ...opts, keys: resolveAlpacaKeys(env, account), name: opts.name ?? `alpaca-paper-${account.toLowerCase()}` });
  }

  async connect(): Promise<void> {
    const account = await this.getAccount();
    if (account.status !== 'ACTIVE') {
      throw new AtlasError(`Alpaca paper account ${account.id} is ${account.status}, not ACTIVE; check it on the Alpaca dashboard.`, { code: 'ALPACA_ACCOUNT_INACTIVE' });
    }
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

  async getOrder(id: string): Promise<Order> {
    const path = `/v2/orders/${encodeURIComponent(id)}`;
    try {
      const raw = await this.http.request('GET', path);
      return toOrder(parsePayload(rawOrderSchema, raw, `GET ${path}`));
    } catch (err) {
      if (err instanceof AlpacaApiError && (err.httpStatus === 404 || err.httpStatus === 422)) {
        throw new AtlasError(`Alpaca has no order with id ${id.slice(0, 64)} (HTTP ${err.httpStatus}: ${err.apiMessage}).`, { code: 'ORDER_NOT_FOUND', cause: err });
      }
      throw err;
    }
  }

  async getOrderByClientId(clientOrderId: string): Promise<Order | undefined> {
    const path = '/v2/orders:by_client_order_id';
    try {
      const raw = await this.http.request('GET', path, { query: { client_order_id: clientOrderId } });
      return toOrder(parsePayload(rawOrderSchema, raw, `GET ${path}`));
    } catch (err) {
      if (err instanceof AlpacaApiError && err.httpStatus === 404) return undefined;
      throw err;
    }
  }

  async listOpenOrders(): Promise<Order[]> {
    const raw = await this.http.request('GET', '/v2/orders', { query: { status: 'open', limit: '500', direction: 'asc' } });
    return parsePayload(rawOrderSchema.array(), raw, 'GET /v2/orders').map(toOrder);
  }

  async listOrders(q: OrderQuery): Promise<Order[]> {
    const query: Record<string, string> = { status: q.status, limit: String(q.limit ?? 500), direction: 'asc' };
    if (q.after) query.after = q.after.toISOString();
    const raw = await this.http.request('GET', '/v2/orders', { query });
    return parsePayload(rawOrderSchema.array(), raw, 'GET /v2/orders').map(toOrder);
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
    const start = this.http.now();
    const pollMs = Math.max(1, opts.pollMs);
    for (;;) {
      const order = await this.getOrder(id);
      if (isTerminal(order.status)) return order;
      const left = start + opts.timeoutMs - this.http.now();
      if (left <= 0) return order;
      await this.http.sleep(Math.min(pollMs, left));
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
        return toOrder(parsePayload(rawOrderSchema, raw, `POST ${path}`));
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
          // The outcome is unknown: the order may exist. Look before trying again.
          this.http.emit({ kind: 'submit-lookup', method: 'POST', path, attempt, message: err.message });
          const existing = await this.lookupAfterSubmit(cid, err);
          if (existing) return existing;
          if (attempt < this.maxSubmitAttempts) await this.http.sleep(this.http.backoffMs(attempt, err.retryAfterMs));
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
