import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { isMarketOpenAt, isTradingDay, nextSession, nyDateOf, sessionTimes } from '../../../calendar/nyse.js';
import { toDayNumber } from '../../../core/dates.js';
import { AtlasError } from '../../../core/errors.js';
import type { BarStore } from '../../../data/store/barStore.js';
import { canonicalSymbol } from '../../../data/providers/symbols.js';
import {
  assertTransition,
  isTerminal,
  OrderRejectedError,
  type Account,
  type Asset,
  type Broker,
  type MarketClock,
  type Order,
  type OrderQuery,
  type OrderRequest,
  type OrderSide,
  type OrderStatus,
  type Position,
  type WaitForFillOptions,
} from '../broker.js';
import { applySlippage, decideFill, knownUntil, lastBarOnOrBefore, type FillBasis } from './pricing.js';

export const DEFAULT_PAPER_CASH = 100_000;
export const DEFAULT_SLIPPAGE_BPS = 5;
/** A symbol is active when its last bar is at most this many calendar days older than the store's newest bar. */
export const ACTIVE_WINDOW_DAYS = 10;

const EPS = 1e-9;
const CLIENT_ORDER_ID_MAX = 128;
const ACCOUNT_NAME = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;

/**
 * Drills: deliberate misbehaviour so the rebalancer's unhappy paths can be exercised offline.
 * Decided when an order is submitted (except the partial-fill fraction, read when it fills).
 */
export interface PaperFillPolicy {
  /** Fill this fraction (0 < f < 1) of each order on the first poll and the rest on the next poll. */
  partialFillFraction?: number;
  /** Reject every order for these symbols. */
  rejectSymbols?: string[];
  /** Reject every Nth order submitted to the account (N >= 1; counts new clientOrderIds since the last reset). */
  rejectEveryNth?: number;
  /** 'refuse' (default): submitOrder throws OrderRejectedError; 'after-accept': the order is accepted as 'new' and becomes 'rejected' on the next poll. */
  rejectMode?: 'refuse' | 'after-accept';
  /** Orders are accepted and stay 'new' until canceled: true for every symbol, or a list of symbols. */
  neverFill?: boolean | string[];
}

export interface PaperBrokerOptions {
  db: Database.Database;
  bars: BarStore;
  /** Account name (LARGE, MID, SMALL or any [A-Z0-9_-] name up to 32 characters; case-insensitive). */
  account: string;
  now?: () => Date;
  /** Slippage against the trader in basis points, default 5. */
  slippageBps?: number;
  /** Drills for this broker instance; when omitted, the account's stored policy (setFillPolicy) applies. */
  fillPolicy?: PaperFillPolicy;
  /** Cash of a new account (created on first use), default 100,000. */
  initialCash?: number;
  /** Allow fractional quantities; when omitted, the account's stored setting (default false). */
  allowFractional?: boolean;
}

export interface PaperFill {
  id: number;
  orderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  /** Price paid/received after slippage. */
  price: number;
  /** Price before slippage. */
  basePrice: number;
  basis: FillBasis;
  /** Date of the bar the price came from. */
  barDate: string;
  filledAt: Date;
}

export interface PaperAccountInfo {
  name: string;
  cash: number;
  initialCash: number;
  allowFractional: boolean;
  fillPolicy: PaperFillPolicy;
  createdAt: Date;
  resetAt: Date;
}

interface AccountRow {
  name: string;
  cash: number;
  initial_cash: number;
  allow_fractional: number;
  fill_policy: string;
  submit_count: number;
  created_at: string;
  reset_at: string;
}

interface OrderRow {
  seq: number;
  id: string;
  account: string;
  client_order_id: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  type: 'market' | 'limit';
  limit_price: number | null;
  time_in_force: 'day' | 'gtc' | 'opg' | 'cls';
  status: OrderStatus;
  filled_qty: number;
  filled_avg_price: number | null;
  submitted_at: string;
  submitted_open: number;
  filled_at: string | null;
  canceled_at: string | null;
  reject_reason: string | null;
  drill: string | null;
}

interface PositionRow {
  symbol: string;
  qty: number;
  avg_entry_price: number;
}

interface FillRow {
  id: number;
  order_id: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  base_price: number;
  fill_basis: FillBasis;
  bar_date: string;
  filled_at: string;
}

const OPEN_STATUSES_SQL = "('filled','canceled','expired','rejected','replaced')";

/** Normalises and validates a paper account name. */
export function paperAccountName(raw: string): string {
  const name = String(raw).trim().toUpperCase();
  if (!ACCOUNT_NAME.test(name)) {
    throw new AtlasError(`Paper account name '${String(raw).slice(0, 40)}' is invalid; use letters, digits, '-' or '_' (up to 32), e.g. LARGE, MID or SMALL.`, {
      code: 'PAPER_ACCOUNT_NAME',
    });
  }
  return name;
}

function validatePolicy(p: PaperFillPolicy): PaperFillPolicy {
  const bad = (what: string): never => {
    throw new AtlasError(`Paper drill setting ${what} is invalid.`, { code: 'PAPER_DRILL_INVALID' });
  };
  if (p.partialFillFraction !== undefined && !(p.partialFillFraction > 0 && p.partialFillFraction < 1)) bad(`partialFillFraction=${p.partialFillFraction} (must be between 0 and 1, exclusive)`);
  if (p.rejectEveryNth !== undefined && !(Number.isInteger(p.rejectEveryNth) && p.rejectEveryNth >= 1)) bad(`rejectEveryNth=${p.rejectEveryNth} (must be a whole number >= 1)`);
  if (p.rejectMode !== undefined && p.rejectMode !== 'refuse' && p.rejectMode !== 'after-accept') bad(`rejectMode=${String(p.rejectMode)} (refuse or after-accept)`);
  const out: PaperFillPolicy = {};
  if (p.partialFillFraction !== undefined) out.partialFillFraction = p.partialFillFraction;
  if (p.rejectSymbols !== undefined && p.rejectSymbols.length > 0) out.rejectSymbols = p.rejectSymbols.map(canonicalSymbol);
  if (p.rejectEveryNth !== undefined) out.rejectEveryNth = p.rejectEveryNth;
  if (p.rejectMode !== undefined) out.rejectMode = p.rejectMode;
  if (p.neverFill !== undefined && p.neverFill !== false) out.neverFill = Array.isArray(p.neverFill) ? p.neverFill.map(canonicalSymbol) : true;
  return out;
}

function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) < EPS;
}

/**
 * The embedded paper broker: a simulated cash account whose cash, positions, orders and fills live
 * in the Atlas store (schema migration 2), priced from the store's daily bars and the NYSE
 * calendar. No network, no keys. See docs/paper-broker.md for the fill rules.
 *
 * Every read (getAccount, getPositions, getOrder, listOpenOrders, waitForFill...) first "polls":
 * it processes the account's open orders against the bars known at `now`, one fill event per order
 * per poll, inside one IMMEDIATE transaction, so two processes sharing the store never double-fill.
 */
export class PaperBroker implements Broker {
  readonly name: string;
  readonly account: string;
  readonly slippageBps: number;
  private readonly db: Database.Database;
  private readonly bars: BarStore;
  private readonly now: () => Date;
  private readonly policyOverride: PaperFillPolicy | undefined;
  private readonly fractionalOverride: boolean | undefined;

  constructor(opts: PaperBrokerOptions) {
    this.db = opts.db;
    this.bars = opts.bars;
    this.now = opts.now ?? (() => new Date());
    this.account = paperAccountName(opts.account);
    this.name = `paper-${this.account.toLowerCase()}`;
    const slip = opts.slippageBps ?? DEFAULT_SLIPPAGE_BPS;
    if (!Number.isFinite(slip) || slip < 0 || slip > 10_000) {
      throw new AtlasError(`Paper slippage ${slip} bps is invalid; use a number between 0 and 10000.`, { code: 'PAPER_SLIPPAGE_INVALID' });
    }
    this.slippageBps = slip;
    this.policyOverride = opts.fillPolicy === undefined ? undefined : validatePolicy(opts.fillPolicy);
    this.fractionalOverride = opts.allowFractional;
    const cash = opts.initialCash ?? DEFAULT_PAPER_CASH;
    if (!Number.isFinite(cash) || cash < 0) throw new AtlasError(`Paper initial cash ${cash} is invalid; use a non-negative amount.`, { code: 'PAPER_CASH_INVALID' });
    const at = this.now().toISOString();
    this.db
      .prepare('INSERT OR IGNORE INTO paper_accounts (name, cash, initial_cash, allow_fractional, fill_policy, submit_count, created_at, reset_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
      .run(this.account, cash, cash, opts.allowFractional ? 1 : 0, '{}', at, at);
  }

  // ---------------------------------------------------------------- Broker

  connect(): Promise<void> {
    this.accountRow();
    return Promise.resolve();
  }

  getAccount(): Promise<Account> {
    this.poll();
    const row = this.accountRow();
    const positions = this.positionsNow();
    const value = positions.reduce((a, p) => a + p.marketValue, 0);
    const equity = row.cash + value;
    const buyingPower = Math.max(0, row.cash - this.reservedCash());
    return Promise.resolve({
      id: `paper-${this.account}`,
      cash: row.cash,
      buyingPower,
      equity,
      portfolioValue: equity,
      currency: 'USD',
      status: 'ACTIVE',
      tradingBlocked: false,
      accountBlocked: false,
      tradeSuspendedByUser: false,
      multiplier: 1,
      nonMarginableBuyingPower: buyingPower,
      daytradeCount: 0,
      patternDayTrader: false,
    });
  }

  getPositions(): Promise<Position[]> {
    this.poll();
    return Promise.resolve(this.positionsNow());
  }

  getAsset(symbol: string): Promise<Asset | undefined> {
    return Promise.resolve(this.assetOf(symbol));
  }

  getClock(): Promise<MarketClock> {
    const now = this.now();
    const today = nyDateOf(now);
    const isOpen = isMarketOpenAt(now);
    let openDay: string;
    if (isTradingDay(today) && now.getTime() < sessionTimes(today).open.getTime()) openDay = today;
    else openDay = nextSession(today);
    const nextOpen = sessionTimes(openDay).open;
    const nextClose = isOpen ? sessionTimes(today).close : sessionTimes(openDay).close;
    return Promise.resolve({ timestamp: now, isOpen, nextOpen, nextClose });
  }

  submitOrder(req: OrderRequest): Promise<Order> {
    try {
      return Promise.resolve(this.submitSync(req));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  getOrder(id: string): Promise<Order> {
    try {
      this.poll();
      const row = this.orderRow(id);
      if (!row) throw new AtlasError(`The paper account ${this.account} has no order with id ${String(id).slice(0, 64)}.`, { code: 'ORDER_NOT_FOUND' });
      return Promise.resolve(toOrder(row));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  getOrderByClientId(clientOrderId: string): Promise<Order | undefined> {
    this.poll();
    const row = this.orderByClientId(clientOrderId);
    return Promise.resolve(row ? toOrder(row) : undefined);
  }

  listOpenOrders(): Promise<Order[]> {
    this.poll();
    return Promise.resolve(this.openOrderRows().map(toOrder));
  }

  cancelOrder(id: string): Promise<void> {
    try {
      this.poll();
      this.db.transaction(() => {
        const row = this.orderRow(id);
        if (!row) throw new AtlasError(`Cannot cancel order ${String(id).slice(0, 64)}: the paper account ${this.account} has no such order.`, { code: 'ORDER_NOT_FOUND' });
        if (isTerminal(row.status)) {
          throw new AtlasError(`Cannot cancel order ${row.id}: it is already ${row.status}.`, { code: 'ORDER_NOT_CANCELABLE' });
        }
        this.setStatus(row, 'canceled', { canceled_at: this.now().toISOString() });
      }).immediate();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Polls until the order is final, a poll changes nothing (in simulation nothing more can happen
   * until the clock or the data moves), or the timeout passes. Never sleeps: a partial-fill drill's
   * second fill arrives on the very next poll. Never throws because of the timeout.
   */
  async waitForFill(id: string, opts: WaitForFillOptions): Promise<Order> {
    const started = Date.now();
    let order = await this.getOrder(id);
    for (let i = 0; i < 1000 && !isTerminal(order.status); i++) {
      if (Date.now() - started >= opts.timeoutMs) break;
      await new Promise<void>((r) => setImmediate(r));
      const next = await this.getOrder(id);
      const changed = next.status !== order.status || next.filledQty !== order.filledQty;
      order = next;
      if (!changed) break;
    }
    return order;
  }

  // ---------------------------------------------------------------- paper-only API

  /** Processes the account's open orders at `now`; returns the orders that changed. */
  poll(): Order[] {
    const changed: Order[] = [];
    this.db.transaction(() => {
      for (const row of this.openOrderRows()) {
        const after = this.processOrder(row);
        if (after) changed.push(toOrder(after));
      }
    }).immediate();
    return changed;
  }

  listOrders(q: OrderQuery): Promise<Order[]> {
    const after = q.after?.getTime();
    const rows = this.listOrdersNow({ status: q.status === 'closed' ? 'all' : q.status, limit: q.limit ?? 500 });
    return Promise.resolve(
      rows.filter((o) => (after === undefined || o.submittedAt.getTime() > after) && (q.status !== 'closed' || isTerminal(o.status))),
    );
  }

  /** Orders of this account, newest first. */
  listOrdersNow(opts: { status?: 'open' | 'all'; limit?: number } = {}): Order[] {
    this.poll();
    const limit = Math.max(1, Math.floor(opts.limit ?? 100));
    const where = opts.status === 'open' ? `AND status NOT IN ${OPEN_STATUSES_SQL}` : '';
    const rows = this.db.prepare(`SELECT * FROM paper_orders WHERE account = ? ${where} ORDER BY seq DESC LIMIT ?`).all(this.account, limit) as OrderRow[];
    return rows.map(toOrder);
  }

  /** Fills of one order, or of the whole account, oldest first. */
  getFills(orderId?: string): PaperFill[] {
    const rows = (orderId === undefined
      ? this.db.prepare('SELECT * FROM paper_fills WHERE account = ? ORDER BY id').all(this.account)
      : this.db.prepare('SELECT * FROM paper_fills WHERE account = ? AND order_id = ? ORDER BY id').all(this.account, orderId)) as FillRow[];
    return rows.map((r) => ({
      id: r.id, orderId: r.order_id, symbol: r.symbol, side: r.side, qty: r.qty, price: r.price, basePrice: r.base_price,
      basis: r.fill_basis, barDate: r.bar_date, filledAt: new Date(r.filled_at),
    }));
  }

  accountInfo(): PaperAccountInfo {
    const r = this.accountRow();
    return {
      name: r.name, cash: r.cash, initialCash: r.initial_cash, allowFractional: this.allowFractional(r),
      fillPolicy: this.policy(r), createdAt: new Date(r.created_at), resetAt: new Date(r.reset_at),
    };
  }

  /** The drills in force: the constructor's fillPolicy if given, else the account's stored one. */
  fillPolicy(): PaperFillPolicy {
    return this.policy(this.accountRow());
  }

  /** Stores the account's drills (used by every broker opened without a fillPolicy option). */
  setFillPolicy(policy: PaperFillPolicy): void {
    const p = validatePolicy(policy);
    this.db.prepare('UPDATE paper_accounts SET fill_policy = ? WHERE name = ?').run(JSON.stringify(p), this.account);
  }

  /** Starts the account over with `cash`: drops its positions, orders and fills; keeps drills unless told. */
  reset(cash: number, opts: { allowFractional?: boolean } = {}): void {
    if (!Number.isFinite(cash) || cash < 0) throw new AtlasError(`Paper reset cash ${cash} is invalid; use a non-negative amount such as 100000.`, { code: 'PAPER_CASH_INVALID' });
    const at = this.now().toISOString();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM paper_fills WHERE account = ?').run(this.account);
      this.db.prepare('DELETE FROM paper_orders WHERE account = ?').run(this.account);
      this.db.prepare('DELETE FROM paper_positions WHERE account = ?').run(this.account);
      this.db.prepare('UPDATE paper_accounts SET cash = ?, initial_cash = ?, submit_count = 0, reset_at = ? WHERE name = ?').run(cash, cash, at, this.account);
      if (opts.allowFractional !== undefined) {
        this.db.prepare('UPDATE paper_accounts SET allow_fractional = ? WHERE name = ?').run(opts.allowFractional ? 1 : 0, this.account);
      }
    }).immediate();
  }

  // ---------------------------------------------------------------- internals

  private accountRow(): AccountRow {
    const row = this.db.prepare('SELECT * FROM paper_accounts WHERE name = ?').get(this.account) as AccountRow | undefined;
    if (!row) throw new AtlasError(`The paper account ${this.account} does not exist in this store.`, { code: 'PAPER_ACCOUNT_MISSING' });
    return row;
  }

  private policy(row: AccountRow): PaperFillPolicy {
    if (this.policyOverride) return this.policyOverride;
    try {
      return validatePolicy(JSON.parse(row.fill_policy) as PaperFillPolicy);
    } catch {
      return {};
    }
  }

  private allowFractional(row: AccountRow): boolean {
    return this.fractionalOverride ?? row.allow_fractional === 1;
  }

  private orderRow(id: string): OrderRow | undefined {
    return this.db.prepare('SELECT * FROM paper_orders WHERE account = ? AND id = ?').get(this.account, id) as OrderRow | undefined;
  }

  private orderByClientId(cid: string): OrderRow | undefined {
    return this.db.prepare('SELECT * FROM paper_orders WHERE account = ? AND client_order_id = ?').get(this.account, cid) as OrderRow | undefined;
  }

  private openOrderRows(): OrderRow[] {
    return this.db.prepare(`SELECT * FROM paper_orders WHERE account = ? AND status NOT IN ${OPEN_STATUSES_SQL} ORDER BY seq`).all(this.account) as OrderRow[];
  }

  private positionRow(symbol: string): PositionRow | undefined {
    return this.db.prepare('SELECT symbol, qty, avg_entry_price FROM paper_positions WHERE account = ? AND symbol = ?').get(this.account, symbol) as PositionRow | undefined;
  }

  /** Latest raw close known at `now`, if the store has one. */
  private lastPrice(symbol: string): number | undefined {
    return lastBarOnOrBefore(this.bars, symbol, knownUntil(this.now()))?.close;
  }

  private positionsNow(): Position[] {
    const rows = this.db.prepare('SELECT symbol, qty, avg_entry_price FROM paper_positions WHERE account = ? ORDER BY symbol').all(this.account) as PositionRow[];
    return rows.map((r) => {
      const price = this.lastPrice(r.symbol) ?? r.avg_entry_price;
      return { symbol: r.symbol, qty: r.qty, avgEntryPrice: r.avg_entry_price, currentPrice: price, marketValue: r.qty * price, side: r.qty < 0 ? 'short' : 'long' };
    });
  }

  /** Estimated cash the open buy orders will need (limit price, or latest close plus slippage). */
  private reservedCash(): number {
    let total = 0;
    for (const o of this.openOrderRows()) {
      if (o.side !== 'buy') continue;
      const ref = o.limit_price ?? this.lastPrice(o.symbol) ?? 0;
      total += (o.qty - o.filled_qty) * applySlippage(ref, 'buy', this.slippageBps, o.limit_price);
    }
    return total;
  }

  private openSellQty(symbol: string): number {
    let total = 0;
    for (const o of this.openOrderRows()) if (o.side === 'sell' && o.symbol === symbol) total += o.qty - o.filled_qty;
    return total;
  }

  private assetOf(raw: string): Asset | undefined {
    let symbol: string;
    try {
      symbol = canonicalSymbol(raw);
    } catch {
      return undefined;
    }
    const info = this.bars.symbolInfo(symbol);
    if (!info || info.lastDate === null || info.barCount === 0) return undefined;
    const newest = this.db.prepare('SELECT MAX(last_date) AS d FROM symbols').get() as { d: string | null };
    const active = newest.d === null || toDayNumber(newest.d) - toDayNumber(info.lastDate) <= ACTIVE_WINDOW_DAYS;
    return {
      symbol,
      tradable: active,
      status: active ? 'active' : 'inactive',
      fractionable: this.allowFractional(this.accountRow()),
      exchange: 'PAPER',
    };
  }

  private refuse(cid: string, req: OrderRequest, reason: string): never {
    throw new OrderRejectedError(`Paper account ${this.account} rejected order ${cid} (${String(req.side)} ${String(req.qty)} ${String(req.symbol)}): ${reason}.`, {
      clientOrderId: cid,
      reason,
    });
  }

  private submitSync(req: OrderRequest): Order {
    const cid = req.clientOrderId;
    if (typeof cid !== 'string' || cid.trim() === '' || cid.length > CLIENT_ORDER_ID_MAX) {
      throw new AtlasError(`Order clientOrderId must be 1 to ${CLIENT_ORDER_ID_MAX} characters; it is the key that keeps a retried order from trading twice.`, { code: 'INVALID_ORDER' });
    }
    const outcome = this.db.transaction((): { order: Order } | { refuse: string } => {
      const existing = this.orderByClientId(cid);
      if (existing) return { order: toOrder(existing) };
      const account = this.accountRow();
      let symbol: string;
      try {
        symbol = canonicalSymbol(String(req.symbol));
      } catch {
        return this.refuse(cid, req, `'${String(req.symbol).slice(0, 20)}' is not a valid symbol`);
      }
      if (req.side !== 'buy' && req.side !== 'sell') this.refuse(cid, req, `side must be buy or sell`);
      if (req.type !== 'market' && req.type !== 'limit') this.refuse(cid, req, `type must be market or limit`);
      if (!['day', 'gtc', 'opg', 'cls'].includes(req.timeInForce)) this.refuse(cid, req, `time in force must be day, gtc, opg or cls`);
      if (!Number.isFinite(req.qty) || req.qty <= 0) this.refuse(cid, req, `quantity must be a positive number of shares`);
      if (!isWhole(req.qty) && !this.allowFractional(account)) this.refuse(cid, req, `fractional quantity ${req.qty}; this paper account trades whole shares only`);
      const qty = isWhole(req.qty) ? Math.round(req.qty) : req.qty;
      let limitPrice: number | null = null;
      if (req.type === 'limit') {
        if (req.limitPrice === undefined || !Number.isFinite(req.limitPrice) || req.limitPrice <= 0) this.refuse(cid, req, 'a limit order needs a positive limitPrice');
        limitPrice = req.limitPrice;
      } else if (req.limitPrice !== undefined) {
        this.refuse(cid, req, 'a market order must not carry a limitPrice');
      }
      const asset = this.assetOf(symbol);
      if (!asset) this.refuse(cid, req, `the store has no bars for ${symbol}, so it cannot be traded on paper`);
      if (!asset.tradable) this.refuse(cid, req, `${symbol} is not active (its last bar is more than ${ACTIVE_WINDOW_DAYS} days older than the store's newest data)`);

      const ref = limitPrice ?? this.lastPrice(symbol);
      if (ref === undefined) this.refuse(cid, req, `the store has no price for ${symbol} yet`);
      if (req.side === 'buy') {
        const cost = qty * applySlippage(ref, 'buy', this.slippageBps, limitPrice);
        const available = account.cash - this.reservedCash();
        if (cost > available + 1e-9) {
          this.refuse(cid, req, `insufficient cash: the order needs about ${cost.toFixed(2)} and ${Math.max(0, available).toFixed(2)} is available`);
        }
      } else {
        const held = this.positionRow(symbol)?.qty ?? 0;
        const committed = this.openSellQty(symbol);
        if (qty > held - committed + EPS) {
          this.refuse(cid, req, `insufficient quantity: the account holds ${held} ${symbol}${committed > 0 ? ` (${committed} already in open sell orders)` : ''} and cash accounts cannot sell short`);
        }
      }

      // Drills.
      const count = account.submit_count + 1;
      this.db.prepare('UPDATE paper_accounts SET submit_count = ? WHERE name = ?').run(count, this.account);
      const policy = this.policy(account);
      let drill: string | null = null;
      let rejectWhy: string | undefined;
      if (policy.rejectSymbols?.includes(symbol)) rejectWhy = `drill: orders for ${symbol} are rejected`;
      else if (policy.rejectEveryNth !== undefined && count % policy.rejectEveryNth === 0) rejectWhy = `drill: every ${policy.rejectEveryNth}th order is rejected (this is order ${count})`;
      if (rejectWhy !== undefined) {
        if (policy.rejectMode !== 'after-accept') return { refuse: rejectWhy };
        drill = `reject:${rejectWhy}`;
      } else if (policy.neverFill === true || (Array.isArray(policy.neverFill) && policy.neverFill.includes(symbol))) {
        drill = 'never_fill';
      } else if (policy.partialFillFraction !== undefined) {
        drill = `partial:${policy.partialFillFraction}`;
      }

      const now = this.now();
      const id = randomUUID();
      this.db.prepare(
        'INSERT INTO paper_orders (id, account, client_order_id, symbol, side, qty, type, limit_price, time_in_force, status, filled_qty, submitted_at, submitted_open, drill) ' +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', 0, ?, ?, ?)",
      ).run(id, this.account, cid, symbol, req.side, qty, req.type, limitPrice, req.timeInForce, now.toISOString(), isMarketOpenAt(now) ? 1 : 0, drill);
      return { order: toOrder(this.orderRow(id)!) };
    }).immediate();
    if ('refuse' in outcome) this.refuse(cid, req, outcome.refuse);
    return outcome.order;
  }

  private setStatus(row: OrderRow, to: OrderStatus, extra: Partial<Pick<OrderRow, 'canceled_at' | 'reject_reason' | 'filled_at'>> = {}): OrderRow {
    assertTransition(row.status, to, `paper order ${row.id}`);
    const next: OrderRow = { ...row, ...extra, status: to };
    this.db.prepare('UPDATE paper_orders SET status = ?, canceled_at = ?, reject_reason = ?, filled_at = ? WHERE id = ?')
      .run(to, next.canceled_at, next.reject_reason, next.filled_at, row.id);
    return next;
  }

  /** One poll's worth of work on one open order; returns the updated row when something changed. */
  private processOrder(row: OrderRow): OrderRow | undefined {
    const drill = row.drill ?? '';
    if (drill === 'never_fill') return undefined;
    const now = this.now();
    if (drill.startsWith('reject:')) return this.setStatus(row, 'rejected', { reject_reason: drill.slice('reject:'.length) });

    const decision = decideFill(this.bars, {
      symbol: row.symbol, side: row.side, type: row.type, limitPrice: row.limit_price, timeInForce: row.time_in_force,
      submittedAt: new Date(row.submitted_at), submittedOpen: row.submitted_open === 1,
    }, now);
    if (decision.kind === 'wait') return undefined;
    if (decision.kind === 'expire') return this.setStatus(row, 'expired', { reject_reason: decision.why });
    if (decision.kind === 'reject') return this.giveUp(row, decision.why);

    const remaining = row.qty - row.filled_qty;
    let fillQty = remaining;
    if (drill.startsWith('partial:') && row.filled_qty <= EPS) {
      const f = Number(drill.slice('partial:'.length));
      const part = isWhole(row.qty) ? Math.floor(row.qty * f) : Math.round(row.qty * f * 1e6) / 1e6;
      if (part > 0 && part < remaining - EPS) fillQty = part;
    }
    const price = applySlippage(decision.basePrice, row.side, this.slippageBps, row.limit_price);
    const account = this.accountRow();
    const position = this.positionRow(row.symbol);
    const held = position?.qty ?? 0;
    let cash = account.cash;
    if (row.side === 'buy') {
      const cost = fillQty * price;
      if (cost > cash + 1e-9) return this.giveUp(row, `insufficient cash at fill: ${fillQty} ${row.symbol} at ${price.toFixed(4)} costs ${cost.toFixed(2)}, cash is ${cash.toFixed(2)}`);
      // Within the 1e-9 tolerance a fill may cost a hair more than the cash: never go below zero.
      cash = Math.max(0, cash - cost);
      const qty = held + fillQty;
      const avg = (held * (position?.avg_entry_price ?? 0) + fillQty * price) / qty;
      this.db.prepare('INSERT INTO paper_positions (account, symbol, qty, avg_entry_price) VALUES (?, ?, ?, ?) ON CONFLICT(account, symbol) DO UPDATE SET qty = excluded.qty, avg_entry_price = excluded.avg_entry_price')
        .run(this.account, row.symbol, qty, avg);
    } else {
      if (fillQty > held + EPS) return this.giveUp(row, `insufficient quantity at fill: holds ${held} ${row.symbol}, order sells ${fillQty}`);
      cash += fillQty * price;
      const qty = held - fillQty;
      if (qty <= EPS) this.db.prepare('DELETE FROM paper_positions WHERE account = ? AND symbol = ?').run(this.account, row.symbol);
      else this.db.prepare('UPDATE paper_positions SET qty = ? WHERE account = ? AND symbol = ?').run(qty, this.account, row.symbol);
    }
    this.db.prepare('UPDATE paper_accounts SET cash = ? WHERE name = ?').run(cash, this.account);
    const at = now.toISOString();
    this.db.prepare('INSERT INTO paper_fills (order_id, account, symbol, side, qty, price, base_price, fill_basis, bar_date, filled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.id, this.account, row.symbol, row.side, fillQty, price, decision.basePrice, decision.basis, decision.barDate, at);
    const filledQty = row.filled_qty + fillQty;
    const avgPrice = ((row.filled_avg_price ?? 0) * row.filled_qty + price * fillQty) / filledQty;
    const done = filledQty >= row.qty - EPS;
    const to: OrderStatus = done ? 'filled' : 'partially_filled';
    assertTransition(row.status, to, `paper order ${row.id}`);
    this.db.prepare('UPDATE paper_orders SET status = ?, filled_qty = ?, filled_avg_price = ?, filled_at = ? WHERE id = ?')
      .run(to, done ? row.qty : filledQty, avgPrice, done ? at : null, row.id);
    return { ...row, status: to, filled_qty: done ? row.qty : filledQty, filled_avg_price: avgPrice, filled_at: done ? at : null };
  }

  /** An accepted order that cannot trade: 'rejected' if nothing filled yet, else 'canceled' (the state machine forbids partially_filled -> rejected). */
  private giveUp(row: OrderRow, why: string): OrderRow {
    if (row.status === 'partially_filled') return this.setStatus(row, 'canceled', { reject_reason: why, canceled_at: this.now().toISOString() });
    return this.setStatus(row, 'rejected', { reject_reason: why });
  }
}

function toOrder(r: OrderRow): Order {
  const o: Order = {
    id: r.id,
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side,
    qty: r.qty,
    filledQty: r.filled_qty,
    filledAvgPrice: r.filled_avg_price,
    type: r.type,
    limitPrice: r.limit_price,
    timeInForce: r.time_in_force,
    status: r.status,
    submittedAt: new Date(r.submitted_at),
    filledAt: r.filled_at === null ? null : new Date(r.filled_at),
    canceledAt: r.canceled_at === null ? null : new Date(r.canceled_at),
  };
  if (r.reject_reason !== null) o.rejectReason = r.reject_reason;
  return o;
}
