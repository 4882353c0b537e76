/**
 * @module The embedded paper broker as a `Broker`: a simulated cash account whose cash,
 * positions, orders and fills live in the Atlas store (schema migration 2), priced from the
 * store's daily bars, timed by one injected Clock and the NYSE calendar. No network, no keys.
 * See docs/paper-broker.md for the rules.
 *
 * Every read (getAccount, getPositions, getOrder, listOrders, waitForFill...) first polls: due
 * fills, openings and expiries are processed at the clock's instant (fillEngine.ts).
 */
import type Database from 'better-sqlite3';
import { isMarketOpenAt, isTradingDay, nextSession, nyDateOf, sessionTimes } from '../../../calendar/nyse.js';
import { systemClock, type Clock } from '../../../core/clock.js';
import { chaosPoint } from '../../../core/chaos.js';
import { AtlasError } from '../../../core/errors.js';
import type { BarStore } from '../../../data/store/barStore.js';
import {
  isTerminal,
  type Account,
  type Asset,
  type Broker,
  type LatestTrade,
  type MarketClock,
  type Order,
  type OrderQuery,
  type OrderRequest,
  type Position,
  type WaitForFillOptions,
} from '../broker.js';
import { assetOf } from './activity.js';
import { admit } from './admission.js';
import type { PaperContext } from './context.js';
import { parseStoredPolicy, validatePolicy, type PaperFillPolicy } from './drills.js';
import { poll } from './fillEngine.js';
import { listFills, type PaperFill } from './fills.js';
import { accountRow, assertAccountExists, DEFAULT_PAPER_CASH, ensureAccount, newAccountRow, paperAccountName, positions, resetLedger, storePolicy, validCash } from './ledger.js';
import { cancel, cancelAllOpen, listOrderRows, orderByClientId, orderById, toOrder, type OrderFilter } from './orderBook.js';
import { latestTrades, marketOrderPrice, reservedCash } from './prices.js';
import type { SessionOrderFill } from './pricing.js';

export const DEFAULT_SLIPPAGE_BPS = 5;
/** waitForFill never polls more often than this, whatever the timeout and poll interval. */
export const MAX_WAIT_POLLS = 1_000;

export interface PaperBrokerOptions {
  db: Database.Database;
  bars: BarStore;
  /** Account name (LARGE, MID, SMALL or any [A-Z0-9_-] name up to 32 characters; case-insensitive). */
  account: string;
  /** The one clock (default: the system clock). Tests, the demo and replays pass a ManualClock. */
  clock?: Clock;
  /**
   * @deprecated Pass `clock`. A bare time function: waitForFill then yields between polls
   * without waiting, since it cannot move this time forward.
   */
  now?: () => Date;
  /** Slippage against the trader in basis points, default 5. */
  slippageBps?: number;
  /** What a market order placed during a session fills at: its close (default) or its open (pricing.ts). */
  sessionOrderFill?: SessionOrderFill;
  /** Drills for this broker instance; when omitted, the account's stored policy (setFillPolicy) applies. */
  fillPolicy?: PaperFillPolicy;
  /** Cash of a new account (created on first use), default 100,000. */
  initialCash?: number;
  /** Allow fractional quantities; when omitted, the account's stored setting (default false). */
  allowFractional?: boolean;
  /**
   * false = open an existing account only (read-only commands): a missing account is refused with
   * one sentence saying how to create it, instead of being created with `initialCash`. Default true.
   * 'virtual' = a missing account is read as a new one with `initialCash` but not created (dry runs).
   */
  createIfMissing?: boolean | 'virtual';
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

/** The clock a broker runs on, from its options. */
function clockOf(opts: Pick<PaperBrokerOptions, 'clock' | 'now'>): Clock {
  if (opts.clock) return opts.clock;
  const now = opts.now;
  if (now) return { now, sleep: () => new Promise<void>((resolve) => setImmediate(resolve)) };
  return systemClock;
}

function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export class PaperBroker implements Broker {
  readonly name: string;
  readonly account: string;
  readonly slippageBps: number;
  readonly clock: Clock;
  private readonly ctx: PaperContext;

  constructor(opts: PaperBrokerOptions) {
    this.clock = clockOf(opts);
    this.account = paperAccountName(opts.account);
    this.name = `paper-${this.account.toLowerCase()}`;
    const slip = opts.slippageBps ?? DEFAULT_SLIPPAGE_BPS;
    if (!Number.isFinite(slip) || slip < 0 || slip > 10_000) {
      throw new AtlasError(`Paper slippage ${slip} bps is invalid; use a number between 0 and 10000.`, { code: 'PAPER_SLIPPAGE_INVALID' });
    }
    this.slippageBps = slip;
    const policyOverride = opts.fillPolicy === undefined ? undefined : validatePolicy(opts.fillPolicy);
    const fractionalOverride = opts.allowFractional;
    const cash = validCash(opts.initialCash ?? DEFAULT_PAPER_CASH, 'initial cash');
    const ctx: PaperContext = {
      db: opts.db,
      bars: opts.bars,
      account: this.account,
      clock: this.clock,
      slippageBps: slip,
      sessionOrderFill: opts.sessionOrderFill ?? 'close',
      policy: () => policyOverride ?? parseStoredPolicy(accountRow(ctx).fill_policy),
      allowFractional: () => fractionalOverride ?? accountRow(ctx).allow_fractional === 1,
      ...(opts.createIfMissing === 'virtual' ? { virtualAccount: newAccountRow(this.account, cash, opts.allowFractional ?? false, this.clock.now().toISOString()) } : {}),
    };
    this.ctx = ctx;
    if (opts.createIfMissing === false) assertAccountExists(ctx);
    else if (opts.createIfMissing !== 'virtual') ensureAccount(ctx, cash, opts.allowFractional ?? false);
  }

  // ---------------------------------------------------------------- Broker

  connect(): Promise<void> {
    return settle(() => void accountRow(this.ctx));
  }

  getAccount(): Promise<Account> {
    return settle(() => {
      this.poll();
      const row = accountRow(this.ctx);
      const value = this.positionsNow().reduce((a, p) => a + p.marketValue, 0);
      const equity = row.cash + value;
      const buyingPower = Math.max(0, row.cash - reservedCash(this.ctx));
      return {
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
      };
    });
  }

  getPositions(): Promise<Position[]> {
    return settle(() => {
      this.poll();
      return this.positionsNow();
    });
  }

  getAsset(symbol: string): Promise<Asset | undefined> {
    return settle(() => assetOf(this.ctx, symbol));
  }

  getClock(): Promise<MarketClock> {
    return settle(() => {
      const now = this.clock.now();
      const today = nyDateOf(now);
      const isOpen = isMarketOpenAt(now);
      const openDay = isTradingDay(today) && now.getTime() < sessionTimes(today).open.getTime() ? today : nextSession(today);
      const nextOpen = sessionTimes(openDay).open;
      const nextClose = isOpen ? sessionTimes(today).close : sessionTimes(openDay).close;
      return { timestamp: now, isOpen, nextOpen, nextClose };
    });
  }

  submitOrder(req: OrderRequest): Promise<Order> {
    return settle(() => admit(this.ctx, req));
  }

  getOrder(id: string): Promise<Order> {
    return settle(() => {
      this.poll();
      const row = orderById(this.ctx, id);
      if (!row) throw new AtlasError(`The paper account ${this.account} has no order with id ${String(id).slice(0, 64)}.`, { code: 'ORDER_NOT_FOUND' });
      return toOrder(row);
    });
  }

  getOrderByClientId(clientOrderId: string): Promise<Order | undefined> {
    return settle(() => {
      this.poll();
      const row = orderByClientId(this.ctx, clientOrderId);
      return row ? toOrder(row) : undefined;
    });
  }

  listOpenOrders(): Promise<Order[]> {
    return settle(() => this.listOrdersNow({ status: 'open', limit: Number.MAX_SAFE_INTEGER }).reverse());
  }

  listOrders(q: OrderQuery): Promise<Order[]> {
    return settle(() => this.listOrdersNow(q));
  }

  cancelOrder(id: string): Promise<void> {
    return settle(() => {
      this.poll();
      this.ctx.db.transaction(() => void cancel(this.ctx, id)).immediate();
      chaosPoint('store', 'paper order canceled');
    });
  }

  /**
   * Polls until the order is final or `timeoutMs` of the broker's clock has passed, sleeping
   * `pollMs` on that clock between polls (a ManualClock moves forward instead of waiting), and at
   * most MAX_WAIT_POLLS times. Never throws because of the timeout.
   */
  async waitForFill(id: string, opts: WaitForFillOptions): Promise<Order> {
    const started = this.clock.now().getTime();
    const pollMs = Math.max(0, opts.pollMs);
    let order = await this.getOrder(id);
    for (let i = 1; i < MAX_WAIT_POLLS && !isTerminal(order.status); i++) {
      const left = opts.timeoutMs - (this.clock.now().getTime() - started);
      if (left <= 0) break;
      await this.clock.sleep(Math.min(pollMs, left));
      order = await this.getOrder(id);
    }
    return order;
  }

  getLatestTrades(symbols: readonly string[]): Promise<Map<string, LatestTrade>> {
    return settle(() => latestTrades(this.ctx, symbols));
  }

  // ---------------------------------------------------------------- paper-only API

  /** Processes the account's working orders at the clock's instant; returns the orders that changed. */
  poll(): Order[] {
    return poll(this.ctx);
  }

  /** Orders of this account, newest first (default: all statuses, at most 100). */
  listOrdersNow(filter: OrderFilter = {}): Order[] {
    this.poll();
    return listOrderRows(this.ctx, { ...filter, limit: filter.limit ?? 100 }).map(toOrder);
  }

  /** Fills of one order, or of the whole account, oldest first. */
  getFills(orderId?: string): PaperFill[] {
    return listFills(this.ctx, orderId);
  }

  accountInfo(): PaperAccountInfo {
    const r = accountRow(this.ctx);
    return {
      name: r.name, cash: r.cash, initialCash: r.initial_cash, allowFractional: this.ctx.allowFractional(),
      fillPolicy: this.ctx.policy(), createdAt: new Date(r.created_at), resetAt: new Date(r.reset_at),
    };
  }

  /** The drills in force: the constructor's fillPolicy if given, else the account's stored one. */
  fillPolicy(): PaperFillPolicy {
    return this.ctx.policy();
  }

  /** Stores the account's drills (used by every broker opened without a fillPolicy option). */
  setFillPolicy(policy: PaperFillPolicy): void {
    storePolicy(this.ctx, JSON.stringify(validatePolicy(policy)));
  }

  /**
   * Starts the account over with `cash`: processes due fills, cancels every working order
   * (recorded as canceled, so a rebalance run that placed it reconciles cleanly), drops the
   * positions and sets the cash. Order and fill history stay; drills stay unless told.
   * Returns the orders it canceled.
   */
  reset(cash: number, opts: { allowFractional?: boolean } = {}): Order[] {
    validCash(cash, 'reset cash');
    this.poll();
    let canceled: Order[] = [];
    this.ctx.db.transaction(() => {
      canceled = cancelAllOpen(this.ctx, 'canceled by paper reset').map(toOrder);
      resetLedger(this.ctx, cash, opts.allowFractional);
    }).immediate();
    return canceled;
  }

  private positionsNow(): Position[] {
    return positions(this.ctx, (s) => marketOrderPrice(this.ctx, s));
  }
}
