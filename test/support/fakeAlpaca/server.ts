import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import { alpacaSpelling, fmt, isOpenStatus, isoMicros, NY, nyNanos } from './format.js';
import { RateWindow } from './rateWindow.js';
import { FakeSession } from './session.js';
import type { FakeAlpaca, FakeAlpacaOptions, FakeAsset, FakeOrder, FakeState, Fault, LoggedRequest, RouteKey } from './types.js';

/**
 * @module A local stand-in for the part of Alpaca's v2 trading and market data APIs that Atlas
 * uses, on 127.0.0.1 and an ephemeral port. It keeps real state (cash, positions, prices, assets,
 * orders with life cycles) on a simulated clock, and speaks Alpaca's wire format: decimal strings
 * for numbers, RFC 3339 timestamps, {"code": ..., "message": ...} errors, X-RateLimit-* headers.
 * See docs/alpaca.md for which behaviours are confirmed from Alpaca's documentation and which
 * are this fake's choices.
 *
 * Symbols are stored in Alpaca's spelling (BRK.B); helpers accept BRK-B too and convert.
 * The session is modelled: an order sent while the market is closed is `accepted` and waits for
 * the next open, where it fills at the open price given with setOpenPrice (or the current price).
 */

function defaultAssets(): FakeAsset[] {
  const mk = (symbol: string, over: Partial<FakeAsset> = {}): FakeAsset => ({
    id: randomUUID(),
    symbol,
    name: `${symbol} Inc`,
    exchange: 'NASDAQ',
    status: 'active',
    tradable: true,
    fractionable: true,
    marginable: true,
    shortable: true,
    ...over,
  });
  return [
    mk('AAPL'),
    mk('MSFT'),
    mk('SPY', { exchange: 'ARCA', name: 'SPDR S&P 500 ETF Trust' }),
    mk('BRK.B', { exchange: 'NYSE', name: 'Berkshire Hathaway Inc. Class B' }),
    mk('DELIST', { status: 'inactive', tradable: false, fractionable: false, name: 'Delisted Corp' }),
    mk('HALTD', { status: 'active', tradable: false, fractionable: false, name: 'Untradable Corp' }),
    mk('WHOLE', { fractionable: false, name: 'Whole Shares Only Corp' }),
  ];
}

class HttpFailure {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {}
}

function fail(status: number, code: number | undefined, message: string, extra: Record<string, unknown> = {}): HttpFailure {
  return new HttpFailure(status, code === undefined ? { message, ...extra } : { code, message, ...extra });
}

function matchRoute(method: string, path: string): { route: RouteKey | 'unknown'; param?: string } {
  if (method === 'GET' && path === '/v2/account') return { route: 'GET /v2/account' };
  if (method === 'GET' && path === '/v2/positions') return { route: 'GET /v2/positions' };
  if (method === 'GET' && path === '/v2/clock') return { route: 'GET /v2/clock' };
  if (method === 'GET' && path === '/v2/calendar') return { route: 'GET /v2/calendar' };
  if (method === 'POST' && path === '/v2/orders') return { route: 'POST /v2/orders' };
  if (method === 'GET' && path === '/v2/orders') return { route: 'GET /v2/orders' };
  if (method === 'GET' && path === '/v2/orders:by_client_order_id') return { route: 'GET /v2/orders:by_client_order_id' };
  if (method === 'GET' && path === '/v2/stocks/trades/latest') return { route: 'GET /v2/stocks/trades/latest' };
  let m = /^\/v2\/assets\/([^/]+)$/.exec(path);
  if (m && method === 'GET') return { route: 'GET /v2/assets/:symbol', param: decodeURIComponent(m[1]) };
  m = /^\/v2\/orders\/([^/]+)$/.exec(path);
  if (m && method === 'GET') return { route: 'GET /v2/orders/:id', param: decodeURIComponent(m[1]) };
  if (m && method === 'DELETE') return { route: 'DELETE /v2/orders/:id', param: decodeURIComponent(m[1]) };
  return { route: 'unknown' };
}

export async function startFakeAlpaca(opts: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const keyId = opts.keyId ?? 'PKTESTKEYID0001';
  const secretKey = opts.secretKey ?? 'fake-secret-Zq8v3Lw1';
  const clockSource: Clock =
    opts.clock ??
    (typeof opts.now === 'function' ? { now: opts.now, sleep: () => Promise.resolve() } : new ManualClock(opts.now ?? new Date('2026-11-24T15:00:00Z')));

  const state: FakeState = {
    account: {
      id: randomUUID(),
      accountNumber: 'PA3FAKE00001',
      status: 'ACTIVE',
      currency: 'USD',
      cash: opts.cash ?? 100_000,
      multiplier: 1,
      tradingBlocked: false,
      accountBlocked: false,
      tradeSuspendedByUser: false,
      patternDayTrader: false,
      daytradeCount: 0,
    },
    positions: new Map(),
    prices: new Map(Object.entries({ AAPL: 190, MSFT: 410, SPY: 560, 'BRK.B': 450, WHOLE: 20, HALTD: 5, DELIST: 1, ...(opts.prices ?? {}) }).map(([k, v]) => [alpacaSpelling(k), v])),
    assets: new Map(defaultAssets().map((a) => [a.symbol, a])),
    orders: [],
    holidays: new Set(opts.holidays ?? ['2026-11-26', '2026-12-25', '2027-01-01']),
    defaultFillPolicy: opts.fillPolicy ?? { kind: 'immediate' },
    fillPolicies: new Map(),
    openPrices: new Map(),
  };
  const faults: (Fault & { left: number })[] = [];
  const requests: LoggedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const session = new FakeSession(state.holidays);
  const rateLimited = opts.rateLimitPerMinute !== false;
  const rateWindow = new RateWindow(opts.rateLimitPerMinute === false ? 200 : (opts.rateLimitPerMinute ?? 200));

  const now = () => clockSource.now();

  // ---- market calendar -------------------------------------------------------------------
  const clock = () => {
    const s = session.at(now());
    return { timestamp: nyNanos(now()), is_open: s.isOpen, next_open: nyNanos(s.nextOpen), next_close: nyNanos(s.nextClose) };
  };
  const calendar = (start: string | undefined, end: string | undefined) => {
    const from = start ? DateTime.fromISO(start, { zone: NY }) : DateTime.fromJSDate(now(), { zone: NY }).startOf('day');
    const to = end ? DateTime.fromISO(end, { zone: NY }) : from.plus({ days: 30 });
    if (!from.isValid || !to.isValid) throw fail(400, 40010000, 'invalid date format');
    return session.calendar(from, to);
  };

  // ---- account ---------------------------------------------------------------------------
  const priceOf = (symbol: string) => state.prices.get(symbol);
  const reservedForBuys = () =>
    state.orders
      .filter((o) => o.side === 'buy' && isOpenStatus(o.status))
      .reduce((sum, o) => sum + (o.qty - o.filled_qty) * (o.limit_price ?? priceOf(o.symbol) ?? 0), 0);
  const marketValues = () => {
    let long = 0;
    let short = 0;
    for (const [sym, p] of state.positions) {
      const mv = p.qty * (priceOf(sym) ?? p.costBasis / p.qty);
      if (p.qty >= 0) long += mv;
      else short += mv;
    }
    return { long, short };
  };
  // Simplified Reg-T: a margin account (multiplier 2 or 4) buys up to cash x multiplier; securities
  // that are not marginable, and every purchase of a cash account, only up to the cash.
  const buyingPower = () => Math.max(0, state.account.cash * state.account.multiplier - reservedForBuys());
  const nonMarginableBuyingPower = () => Math.max(0, state.account.cash - reservedForBuys());
  const accountJson = () => {
    const { long, short } = marketValues();
    const equity = state.account.cash + long + short;
    const bp = buyingPower();
    return {
      id: state.account.id,
      account_number: state.account.accountNumber,
      status: state.account.status,
      crypto_status: 'INACTIVE',
      currency: state.account.currency,
      buying_power: fmt(bp),
      regt_buying_power: fmt(bp),
      daytrading_buying_power: '0',
      non_marginable_buying_power: fmt(nonMarginableBuyingPower()),
      cash: fmt(state.account.cash),
      accrued_fees: '0',
      pending_transfer_in: '0',
      portfolio_value: fmt(equity),
      pattern_day_trader: state.account.patternDayTrader,
      trading_blocked: state.account.tradingBlocked,
      transfers_blocked: false,
      account_blocked: state.account.accountBlocked,
      created_at: '2026-01-05T14:00:00.000000Z',
      trade_suspended_by_user: state.account.tradeSuspendedByUser,
      multiplier: String(state.account.multiplier),
      shorting_enabled: false,
      equity: fmt(equity),
      last_equity: fmt(equity),
      long_market_value: fmt(long),
      short_market_value: fmt(short),
      initial_margin: '0',
      maintenance_margin: '0',
      last_maintenance_margin: '0',
      sma: '0',
      daytrade_count: state.account.daytradeCount,
    };
  };
  const positionJson = (sym: string, p: { qty: number; costBasis: number }) => {
    const asset = state.assets.get(sym);
    const price = priceOf(sym) ?? p.costBasis / p.qty;
    const avg = p.costBasis / p.qty;
    return {
      asset_id: asset?.id ?? randomUUID(),
      symbol: sym,
      exchange: asset?.exchange ?? 'NASDAQ',
      asset_class: 'us_equity',
      asset_marginable: true,
      qty: fmt(p.qty),
      qty_available: fmt(p.qty),
      avg_entry_price: fmt(avg),
      side: p.qty >= 0 ? 'long' : 'short',
      market_value: fmt(p.qty * price),
      cost_basis: fmt(p.costBasis),
      unrealized_pl: fmt(p.qty * price - p.costBasis),
      unrealized_plpc: fmt((p.qty * price - p.costBasis) / Math.abs(p.costBasis)),
      unrealized_intraday_pl: '0',
      unrealized_intraday_plpc: '0',
      current_price: fmt(price),
      lastday_price: fmt(price),
      change_today: '0',
    };
  };
  const assetJson = (a: FakeAsset) => ({
    id: a.id,
    class: 'us_equity',
    exchange: a.exchange,
    symbol: a.symbol,
    name: a.name,
    status: a.status,
    tradable: a.tradable,
    marginable: a.marginable,
    maintenance_margin_requirement: 30,
    shortable: a.shortable,
    easy_to_borrow: a.shortable,
    fractionable: a.fractionable,
    attributes: [],
  });

  // ---- orders ----------------------------------------------------------------------------
  const orderJson = (o: FakeOrder) => ({
    id: o.id,
    client_order_id: o.client_order_id,
    created_at: isoMicros(o.created_at),
    updated_at: isoMicros(o.updated_at),
    submitted_at: isoMicros(o.submitted_at),
    filled_at: isoMicros(o.filled_at),
    expired_at: null,
    canceled_at: isoMicros(o.canceled_at),
    failed_at: isoMicros(o.failed_at),
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: o.asset_id,
    symbol: o.symbol,
    asset_class: 'us_equity',
    notional: null,
    qty: fmt(o.qty),
    filled_qty: fmt(o.filled_qty),
    filled_avg_price: fmt(o.filled_avg_price),
    order_class: '',
    order_type: o.type,
    type: o.type,
    side: o.side,
    position_intent: o.side === 'buy' ? 'buy_to_open' : 'sell_to_close',
    time_in_force: o.time_in_force,
    limit_price: fmt(o.limit_price),
    stop_price: null,
    status: o.status,
    extended_hours: false,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
  });

  const fill = (o: FakeOrder, qty: number, at?: number) => {
    const price = at ?? priceOf(o.symbol);
    if (price === undefined || qty <= 0) return;
    if (o.limit_price !== null && (o.side === 'buy' ? price > o.limit_price : price < o.limit_price)) return; // not marketable
    const t = now();
    const prevNotional = (o.filled_avg_price ?? 0) * o.filled_qty;
    o.filled_qty += qty;
    o.filled_avg_price = (prevNotional + qty * price) / o.filled_qty;
    o.status = o.filled_qty >= o.qty ? 'filled' : 'partially_filled';
    if (o.status === 'filled') o.filled_at = t;
    o.updated_at = t;
    const signed = o.side === 'buy' ? qty : -qty;
    state.account.cash -= signed * price;
    const pos = state.positions.get(o.symbol) ?? { qty: 0, costBasis: 0 };
    if (o.side === 'buy') {
      pos.qty += qty;
      pos.costBasis += qty * price;
    } else {
      const avg = pos.qty !== 0 ? pos.costBasis / pos.qty : price;
      pos.qty -= qty;
      pos.costBasis -= qty * avg;
    }
    if (Math.abs(pos.qty) < 1e-9) state.positions.delete(o.symbol);
    else state.positions.set(o.symbol, pos);
  };

  const partialQty = (o: FakeOrder, fraction: number) => {
    const asset = state.assets.get(o.symbol);
    const raw = o.qty * fraction;
    const q = Number.isInteger(o.qty) || !asset?.fractionable ? Math.floor(raw) : raw;
    return Math.min(o.qty - o.filled_qty, Math.max(q, Math.min(1, o.qty - o.filled_qty)));
  };

  /** One read of the order: polls advance the fill policy. */
  const advance = (o: FakeOrder) => {
    if (!isOpenStatus(o.status) || o.queuedUntil !== null) return;
    o.polls += 1;
    const p = o.policy;
    switch (p.kind) {
      case 'immediate':
        fill(o, o.qty - o.filled_qty);
        break;
      case 'afterPolls':
        if (o.polls >= p.polls) fill(o, o.qty - o.filled_qty);
        break;
      case 'partial':
        if (o.polls >= p.fullAfterPolls) fill(o, o.qty - o.filled_qty);
        else if (o.filled_qty === 0) fill(o, partialQty(o, p.fraction));
        break;
      case 'never':
        break;
      case 'rejectAfterPolls':
        if (o.polls >= p.polls) {
          o.status = 'rejected';
          o.failed_at = now();
          o.updated_at = now();
        }
        break;
      case 'oddStatus':
        if (o.polls >= p.polls) fill(o, o.qty - o.filled_qty);
        break;
    }
  };

  /** The status a live (not queued) order shows before its first fill. */
  const workingStatus = (o: FakeOrder) => (o.policy.kind === 'oddStatus' ? o.policy.status : 'new');

  /** Queued orders whose session has opened go live; an immediate one fills at the open price. */
  const settleSession = () => {
    const t = now().getTime();
    for (const o of state.orders) {
      if (o.queuedUntil === null || o.queuedUntil.getTime() > t || !isOpenStatus(o.status)) continue;
      o.queuedUntil = null;
      o.status = workingStatus(o);
      o.updated_at = now();
      const open = state.openPrices.get(o.symbol);
      if (open !== undefined) state.prices.set(o.symbol, open);
      if (o.policy.kind === 'immediate') fill(o, o.qty - o.filled_qty, open);
    }
  };

  const DECIMAL = /^\d+(\.\d+)?$/;
  const parseDecimalField = (v: unknown, field: string): number => {
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !DECIMAL.test(s)) throw fail(422, 40010001, `invalid ${field}`);
    return Number(s);
  };

  const createOrder = (body: unknown): FakeOrder => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw fail(400, 40010000, 'request body format is invalid');
    const b = body as Record<string, unknown>;
    for (const f of ['symbol', 'side', 'type', 'time_in_force']) {
      if (typeof b[f] !== 'string' || b[f] === '') throw fail(422, 40010001, `${f} is required`);
    }
    if (b.qty === undefined && b.notional === undefined) throw fail(422, 40010001, 'qty or notional is required');
    const side = b.side as string;
    const type = b.type as string;
    const tif = b.time_in_force as string;
    if (side !== 'buy' && side !== 'sell') throw fail(422, 40010001, 'invalid side');
    if (type !== 'market' && type !== 'limit') throw fail(422, 40010001, `invalid order type for this fake: ${type}`);
    if (!['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'].includes(tif)) throw fail(422, 40010001, 'invalid time_in_force');
    const cid = typeof b.client_order_id === 'string' && b.client_order_id !== '' ? b.client_order_id : randomUUID();
    if (cid.length > 128) throw fail(422, 40010001, 'client_order_id must be no more than 128 characters');
    if (state.orders.some((o) => o.client_order_id === cid)) throw fail(422, 40010001, 'client_order_id must be unique');
    const symbol = alpacaSpelling(b.symbol as string);
    const asset = state.assets.get(symbol);
    if (!asset) throw fail(422, 40010001, `asset "${symbol}" not found`);
    if (asset.status !== 'active') throw fail(422, 42210000, `asset ${symbol} is not active`);
    if (!asset.tradable) throw fail(422, 42210000, `asset ${symbol} is not tradable`);
    const qty = parseDecimalField(b.qty, 'qty');
    if (!(qty > 0)) throw fail(422, 40010001, 'qty must be > 0');
    if (!Number.isInteger(qty)) {
      if (!asset.fractionable) throw fail(422, 42210000, `asset ${symbol} is not fractionable`);
      if (type !== 'market' || tif !== 'day') throw fail(422, 42210000, 'fractional orders must be DAY orders');
    }
    let limit: number | null = null;
    if (type === 'limit') {
      if (b.limit_price === undefined || b.limit_price === null) throw fail(422, 40010001, 'limit_price is required for limit orders');
      limit = parseDecimalField(b.limit_price, 'limit_price');
      const decimals = limit >= 1 ? 2 : 4;
      const scaled = limit * 10 ** decimals;
      if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
        throw fail(422, 42210000, `invalid limit_price ${b.limit_price as string}. sub-penny increment does not fulfill minimum pricing criteria`);
      }
    } else if (b.limit_price !== undefined && b.limit_price !== null) {
      throw fail(422, 42210000, 'limit_price is not allowed for market orders');
    }
    if (state.account.tradingBlocked || state.account.accountBlocked || state.account.tradeSuspendedByUser) {
      throw fail(403, 40310000, 'account is not authorized to trade');
    }
    const price = priceOf(symbol);
    if (side === 'buy') {
      const cost = qty * (limit ?? price ?? 0);
      const bp = buyingPower();
      if (cost > bp + 1e-9) throw fail(403, 40310000, 'insufficient buying power', { buying_power: fmt(bp), cost_basis: fmt(cost) });
    } else {
      const held = state.positions.get(symbol)?.qty ?? 0;
      const committed = state.orders
        .filter((o) => o.symbol === symbol && o.side === 'sell' && isOpenStatus(o.status))
        .reduce((s, o) => s + o.qty - o.filled_qty, 0);
      const available = Math.max(0, held - committed);
      if (qty > available + 1e-9) {
        throw fail(403, 40310000, `insufficient qty available for order (requested: ${fmt(qty)}, available: ${fmt(available)})`, {
          symbol,
          requested: fmt(qty),
          available: fmt(available),
        });
      }
    }
    const t = now();
    const o: FakeOrder = {
      id: randomUUID(),
      client_order_id: cid,
      asset_id: asset.id,
      symbol,
      qty,
      side,
      type,
      time_in_force: tif,
      limit_price: limit,
      status: 'accepted',
      filled_qty: 0,
      filled_avg_price: null,
      created_at: t,
      updated_at: t,
      submitted_at: t,
      filled_at: null,
      canceled_at: null,
      failed_at: null,
      polls: 0,
      policy: state.fillPolicies.get(symbol) ?? state.defaultFillPolicy,
      queuedUntil: null,
    };
    state.orders.push(o);
    const s = session.at(t);
    if (!s.isOpen) {
      // Alpaca keeps an order sent outside market hours as `accepted` until the next open.
      o.queuedUntil = s.nextOpen;
      return o;
    }
    o.status = workingStatus(o);
    if (o.policy.kind === 'immediate') fill(o, o.qty);
    return o;
  };

  const latestTrades = (symbolsParam: string | null) => {
    if (!symbolsParam) throw fail(400, 40010000, 'symbols is required');
    const trades: Record<string, unknown> = {};
    for (const raw of symbolsParam.split(',')) {
      const sym = alpacaSpelling(raw);
      const p = priceOf(sym);
      if (p === undefined) continue;
      trades[sym] = { t: isoMicros(now()), x: 'V', p, s: 100, c: ['@'], i: 1, z: 'C' };
    }
    return { trades };
  };

  const orderNotFound = () => fail(404, 40410000, 'order not found');

  const handle = (route: RouteKey, param: string | undefined, query: URLSearchParams, body: unknown): { status: number; json?: unknown } => {
    switch (route) {
      case 'GET /v2/account':
        return { status: 200, json: accountJson() };
      case 'GET /v2/positions':
        return { status: 200, json: [...state.positions.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, p]) => positionJson(s, p)) };
      case 'GET /v2/assets/:symbol': {
        const a = state.assets.get(alpacaSpelling(param ?? ''));
        if (!a) throw fail(404, 40410000, 'asset not found');
        return { status: 200, json: assetJson(a) };
      }
      case 'GET /v2/clock':
        return { status: 200, json: clock() };
      case 'GET /v2/calendar':
        return { status: 200, json: calendar(query.get('start') ?? undefined, query.get('end') ?? undefined) };
      case 'POST /v2/orders':
        return { status: 200, json: orderJson(createOrder(body)) };
      case 'GET /v2/stocks/trades/latest':
        return { status: 200, json: latestTrades(query.get('symbols')) };
      case 'GET /v2/orders': {
        const status = query.get('status') ?? 'open';
        const limit = Number(query.get('limit') ?? '50');
        const dir = query.get('direction') ?? 'desc';
        const after = query.get('after') ? Date.parse(query.get('after') ?? '') : undefined;
        const until = query.get('until') ? Date.parse(query.get('until') ?? '') : undefined;
        if (Number.isNaN(after) || Number.isNaN(until)) throw fail(422, 40010001, 'invalid after or until');
        const symbols = query.get('symbols') ? new Set((query.get('symbols') ?? '').split(',').map(alpacaSpelling)) : undefined;
        const matching = state.orders.filter(
          (o) =>
            (after === undefined || o.submitted_at.getTime() > after) &&
            (until === undefined || o.submitted_at.getTime() < until) &&
            (symbols === undefined || symbols.has(o.symbol)),
        );
        // A list is a read of every order in it: fill policies advance as they do on GET by id.
        for (const o of matching) advance(o);
        let list = matching.filter((o) => (status === 'all' ? true : status === 'open' ? isOpenStatus(o.status) : !isOpenStatus(o.status)));
        list = [...list].sort((a, b) => a.submitted_at.getTime() - b.submitted_at.getTime());
        if (dir === 'desc') list.reverse();
        return { status: 200, json: list.slice(0, Math.min(500, Math.max(1, limit))).map(orderJson) };
      }
      case 'GET /v2/orders/:id': {
        const o = state.orders.find((x) => x.id === param);
        if (!o) throw orderNotFound();
        advance(o);
        return { status: 200, json: orderJson(o) };
      }
      case 'GET /v2/orders:by_client_order_id': {
        const cid = query.get('client_order_id');
        if (!cid) throw fail(422, 40010001, 'client_order_id is required');
        const o = state.orders.find((x) => x.client_order_id === cid);
        if (!o) throw orderNotFound();
        advance(o);
        return { status: 200, json: orderJson(o) };
      }
      case 'DELETE /v2/orders/:id': {
        const o = state.orders.find((x) => x.id === param);
        if (!o) throw orderNotFound();
        if (!isOpenStatus(o.status)) throw fail(422, 42210000, `order is already in "${o.status}" state`);
        o.status = 'canceled';
        o.canceled_at = now();
        o.updated_at = now();
        return { status: 204 };
      }
    }
  };

  const send = (res: http.ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
    const text = json === undefined ? '' : JSON.stringify(json);
    res.writeHead(status, { ...(json === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }), ...headers });
    res.end(text);
  };

  const takeFault = (route: RouteKey | 'unknown'): Fault | undefined => {
    const f = faults.find((x) => x.left > 0 && (x.route === '*' || x.route === route));
    if (!f) return undefined;
    f.left -= 1;
    return f;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const { route, param } = matchRoute(method, url.pathname);
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      let badJson = false;
      if (rawBody !== '') {
        try {
          body = JSON.parse(rawBody) as unknown;
        } catch {
          badJson = true;
        }
      }
      const hdrKey = req.headers['apca-api-key-id'];
      const hdrSecret = req.headers['apca-api-secret-key'];
      const entry: LoggedRequest = {
        method,
        path: url.pathname,
        route,
        query: Object.fromEntries(url.searchParams.entries()),
        body,
        keyId: typeof hdrKey === 'string' ? hdrKey : undefined,
        secretOk: hdrSecret === secretKey,
        outcome: 'pending',
        at: now(),
      };
      requests.push(entry);
      settleSession();
      // Alpaca's 200-a-minute limit is the trading API's: market data (/v2/stocks) has its own
      // limit and the trade_updates stream is no REST request, so neither counts here.
      const tradingApi = !url.pathname.startsWith('/v2/stocks') && url.pathname !== '/stream';
      const counted = tradingApi ? rateWindow.hit(now()) : undefined;
      const limit = rateLimited ? counted : undefined;
      // The server's own time, so a client measures X-RateLimit-Reset against it, not its own clock.
      const baseHeaders: Record<string, string> = { Date: now().toUTCString(), ...(limit?.headers ?? {}) };
      const echoed = opts.echoHeadersInErrors ? JSON.stringify(req.headers) : undefined;
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        let out = json;
        if (echoed !== undefined && status >= 400 && json !== null && typeof json === 'object') {
          const j = json as Record<string, unknown>;
          out = { ...j, message: `${String(j.message)} (request headers: ${echoed})`, request_headers: JSON.parse(echoed) as unknown };
        }
        send(res, status, out, { ...baseHeaders, ...headers });
      };
      const fault = takeFault(route);
      if (fault) entry.fault = fault.kind;
      const kind = fault?.kind === 'drop_after_accept' ? 'drop' : fault?.kind;
      const afterAccept = fault !== undefined && (fault.kind === 'drop_after_accept' || fault.afterAccept === true);

      const failFault = (): boolean => {
        if (!fault) return false;
        switch (kind) {
          case 'rate_limit': {
            const secs = fault.retryAfterSeconds ?? 1;
            entry.outcome = 429;
            reply(429, { code: 42910000, message: 'rate limit exceeded' }, {
              'Retry-After': String(secs),
              'X-RateLimit-Limit': '200',
              'X-RateLimit-Remaining': '0',
              'X-RateLimit-Reset': String(Math.ceil(now().getTime() / 1000) + secs),
            });
            return true;
          }
          case 'server_error': {
            const status = fault.status ?? 500;
            entry.outcome = status;
            reply(status, { code: 50010000, message: 'internal server error occurred' }, fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
            return true;
          }
          case 'not_found':
            entry.outcome = 404;
            reply(404, { code: 40410000, message: 'order not found' });
            return true;
          case 'hang':
            entry.outcome = 'hang';
            hanging.add(res);
            return true;
          case 'drop':
            entry.outcome = 'dropped';
            req.socket.destroy();
            return true;
          default:
            return false;
        }
      };

      if (fault && !afterAccept && failFault()) return;

      if (limit?.over) {
        entry.outcome = 429;
        reply(429, { code: 42910000, message: 'rate limit exceeded' });
        return;
      }

      if (hdrKey === undefined || hdrSecret === undefined) {
        entry.outcome = 403;
        reply(403, { message: 'forbidden.' });
        return;
      }
      if (hdrKey !== keyId || hdrSecret !== secretKey) {
        entry.outcome = 401;
        reply(401, { code: 40110000, message: 'request is not authorized' });
        return;
      }
      if (route === 'unknown') {
        entry.outcome = 404;
        reply(404, { code: 40410000, message: 'endpoint not found' });
        return;
      }
      if (badJson) {
        entry.outcome = 400;
        reply(400, { code: 40010000, message: 'request body format is invalid' });
        return;
      }
      let result: { status: number; json?: unknown };
      try {
        result = handle(route, param, url.searchParams, body);
      } catch (err) {
        if (!(err instanceof HttpFailure)) throw err;
        result = { status: err.status, json: err.body };
      }
      if (fault && afterAccept && failFault()) return;
      entry.outcome = result.status;
      reply(result.status, result.json);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const fake: FakeAlpaca = {
    url: `http://127.0.0.1:${port}`,
    keyId,
    secretKey,
    state,
    requests,
    setPrice(symbol, price) {
      state.prices.set(alpacaSpelling(symbol), price);
    },
    setFillPolicy(policy, symbol) {
      if (symbol === undefined) state.defaultFillPolicy = policy;
      else state.fillPolicies.set(alpacaSpelling(symbol), policy);
    },
    injectFault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    pendingFaults() {
      return faults.filter((f) => f.left > 0).map(({ left, ...f }) => ({ ...f, times: left }));
    },
    setNow(d) {
      if (!(clockSource instanceof ManualClock)) throw new Error('setNow needs the fake to run on a ManualClock');
      clockSource.set(d);
    },
    now,
    clock: clockSource,
    setOpenPrice(symbol, price) {
      state.openPrices.set(alpacaSpelling(symbol), price);
    },
    requestsPerMinute() {
      return new Map(rateWindow.counts);
    },
    addAsset(a) {
      const symbol = alpacaSpelling(a.symbol);
      const asset: FakeAsset = {
        id: randomUUID(),
        name: `${symbol} Corp`,
        exchange: 'NYSE',
        status: 'active',
        tradable: true,
        fractionable: true,
        marginable: true,
        shortable: true,
        ...a,
        symbol,
      };
      state.assets.set(symbol, asset);
      return asset;
    },
    setPosition(symbol, qty, avgEntryPrice) {
      const s = alpacaSpelling(symbol);
      if (qty === 0) state.positions.delete(s);
      else state.positions.set(s, { qty, costBasis: qty * avgEntryPrice });
    },
    ordersByClientId(cid) {
      return state.orders.filter((o) => o.client_order_id === cid);
    },
    count(route) {
      return requests.filter((r) => r.route === route).length;
    },
    async close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** The brief's spelling: `fakeAlpaca.start()`. */
export const fakeAlpaca = { start: startFakeAlpaca };
